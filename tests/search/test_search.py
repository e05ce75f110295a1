"""Queries: ranking (phrases, exact above folded), every filter and facet, scoping, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from content.models import Announcement, Article, LegalDocument
from portal_platform.errors import ApplicationError, ValidationFailed
from portal_platform.search.selectors import (
    DATE,
    Filters,
    LinkStyle,
    SearchResult,
    component_latest,
    search,
)
from provisioning.services import portal_archive, portal_resume, portal_suspend
from tenants.models import Portal
from tests.search.conftest import Desk

pytestmark = pytest.mark.django_db


def _titles(result: SearchResult) -> list[str]:
    return [hit.title for hit in result.hits]


# --- matching and ranking ----------------------------------------------------------------------------


def test_with_or_without_diacritics_and_in_any_case(desk_a: Desk) -> None:
    desk_a.published(Article, title="Đoàn công tác tỉnh Nghệ An thăm xã")
    desk_a.published(Article, title="Hội nghị về chè")
    for query in ("nghe an", "Nghệ An", "NGHỆ AN", "nghệ an", "NGHE AN", "Nghe  An!"):
        assert _titles(search(query=query)) == ["Đoàn công tác tỉnh Nghệ An thăm xã"], query
    assert _titles(search(query="doan cong tac")) == ["Đoàn công tác tỉnh Nghệ An thăm xã"]  # đ → d


def test_both_tone_mark_styles_find_each_other_exactly(desk_a: Desk) -> None:
    old = desk_a.published(Article, title="Hòa giải ở cơ sở", body="<p>Thủy lợi nội đồng</p>")
    new = desk_a.published(Article, title="Hoà giải viên", body="<p>Thuỷ lợi Nam Đàn</p>")
    folded_only = desk_a.published(Article, title="Hoa giai thưởng", body="<p>Thuy loi</p>")
    for query in ("hòa giải", "hoà giải"):
        result = search(query=query)
        # Both spellings are the exact word, the unaccented title only a folded match.
        assert {h.object_id for h in result.hits[:2]} == {old.pk, new.pk}, query
        assert result.hits[2].object_id == folded_only.pk
    for query in ("thủy lợi", "thuỷ lợi"):
        assert search(query=query).hits[-1].object_id == folded_only.pk


def test_exact_match_ranks_above_folded_match(desk_a: Desk) -> None:
    # The folded-only match has the words in its title, twice: ts_rank alone would put it first.
    folded = desk_a.published(Article, title="Nghe an toàn giao thông, nghe an toàn", summary="Nghe an toàn")
    exact = desk_a.published(Article, title="Tin tức", body="<p>Về tỉnh Nghệ An.</p>")
    assert [h.object_id for h in search(query="Nghệ An").hits] == [exact.pk, folded.pk]
    # Typed without diacritics, nothing says which tone marks were meant: the usual ranking applies.
    assert [h.object_id for h in search(query="nghe an").hits] == [folded.pk, exact.pk]


def test_phrase_ranks_above_words_apart(desk_a: Desk) -> None:
    apart = desk_a.published(
        Article, title="Hành động vì chính sách hành chính", summary="Hành động chính", body="<p>hành chính</p>"
    )
    apart = desk_a.published(
        Article, title="Hành trình của chính quyền", summary="Hành động vì dân, chính quyền gần dân"
    )
    together = desk_a.published(Article, title="Tin tức", body="<p>Đẩy mạnh cải cách hành chính.</p>")
    for query in ("hành chính", "hanh chinh"):
        ids = [h.object_id for h in search(query=query).hits]
        assert ids.index(together.pk) < ids.index(apart.pk), query
    # A quoted phrase is required as a phrase.
    assert apart.pk not in [h.object_id for h in search(query='"hành chính"').hits]
    assert together.pk in [h.object_id for h in search(query='"hanh chinh"').hits]


def test_snippets_and_titles_are_highlighted_and_escaped(desk_a: Desk) -> None:
    body = "<p>" + " ".join(["mở đầu"] * 40) + " <b>quy hoạch</b> đất &lt;script&gt; " + " ".join(["kết"] * 40) + "</p>"
    desk_a.published(Article, title="Quy hoạch <đô thị>", body=body)
    [hit] = search(query="quy hoach").hits
    assert hit.title_html == "<mark>Quy</mark> <mark>hoạch</mark> &lt;đô thị&gt;"
    assert "<mark>quy</mark> <mark>hoạch</mark> đất &lt;script&gt;" in hit.snippet_html
    assert hit.snippet_html.startswith("… ") and hit.snippet_html.endswith(" …")
    assert "<script" not in hit.snippet_html


def test_links_go_to_the_items_own_domain(desk_a: Desk, desk_b: Desk) -> None:
    item = desk_b.published(Article, title="Lễ hội làng Bình")
    [hit] = search(query="le hoi", link=LinkStyle(scheme="http", port="8000")).hits
    assert hit.url == f"http://xa-b.thunghiem.test:8000/tin-tuc/{item.slug}/"
    assert hit.portal_url == "http://xa-b.thunghiem.test:8000/"
    assert (hit.portal.abbreviation, hit.portal.name) == ("xa-b", "Ủy ban nhân dân xã Bình")
    assert search(query="le hoi").hits[0].url.startswith("https://xa-b.thunghiem.test/tin-tuc/")


# --- filters, facets, sorting, pages --------------------------------------------------------------------


@pytest.fixture
def corpus(desk_a: Desk, desk_b: Desk, desk_province: Desk) -> dict[str, object]:
    items = {
        "a_news": desk_a.published(Article, title="Xã An trồng rừng"),
        "a_news_en": desk_a.published(Article, title="An commune plants forest trong rung", language="en"),
        "a_doc": desk_a.published(
            LegalDocument, abstract="Kế hoạch trồng rừng năm 2026", issuer="UBND xã An", issue_date="2026-03-10"
        ),
        "b_doc": desk_b.published(
            LegalDocument, abstract="Quy định về trồng rừng", issuer="Hạt Kiểm lâm", issue_date="2025-12-20"
        ),
        "b_note": desk_b.published(Announcement, title="Thông báo trồng rừng"),
        "p_news": desk_province.published(Article, title="Tỉnh phát động trồng rừng"),
    }
    with_field = desk_b.field.slug
    return {**items, "field": with_field}


def _ids(result: SearchResult) -> set[tuple[str, int]]:
    return {(h.portal.abbreviation, h.object_id) for h in result.hits}


def test_every_filter(corpus: dict[str, object], portal_a: Portal, portal_b: Portal, province: Portal) -> None:
    a_doc, b_doc = corpus["a_doc"], corpus["b_doc"]
    q = "trồng rừng"
    everything = search(query=q)
    assert everything.total == 6 and everything.total_is_exact and len(everything.hits) == 6
    assert {h.portal.abbreviation for h in search(query=q, filters=Filters(portals=("xa-a",))).hits} == {"xa-a"}
    assert {h.portal.abbreviation for h in search(query=q, filters=Filters(portals=("xa-a", "xa-b"))).hits} == {
        "xa-a",
        "xa-b",
    }
    assert {h.portal.abbreviation for h in search(query=q, filters=Filters(portal_kinds=("province",))).hits} == {
        province.abbreviation
    }
    assert {h.portal.abbreviation for h in search(query=q, filters=Filters(portal_kinds=("commune",))).hits} == {
        "xa-a",
        "xa-b",
    }
    assert {h.kind for h in search(query=q, filters=Filters(kinds=("legal_document",))).hits} == {"legal_document"}
    assert {h.kind for h in search(query=q, filters=Filters(kinds=("announcement", "article"))).hits} == {
        "announcement",
        "article",
    }
    assert len(search(query=q, filters=Filters(doc_field="dat-dai")).hits) == 2
    assert search(query=q, filters=Filters(doc_field="khong-co")).hits == []
    for issuer in ("Hạt Kiểm lâm", "hat kiem lam", "HẠT KIỂM LÂM"):
        assert [h.object_id for h in search(query=q, filters=Filters(issuer=issuer)).hits] == [b_doc.pk]  # type: ignore[attr-defined]
    assert search(query=q, filters=Filters(issuer="Kiểm lâm")).hits == []  # the whole name, not a part
    assert [h.language for h in search(query=q, filters=Filters(language="en")).hits] == ["en"]
    assert len(search(query=q, filters=Filters(language="vi")).hits) == 5
    in_2026 = search(query=q, filters=Filters(kinds=("legal_document",), date_from=dt.date(2026, 1, 1)))
    assert [h.object_id for h in in_2026.hits] == [a_doc.pk]  # type: ignore[attr-defined]
    in_2025 = search(query=q, filters=Filters(date_to=dt.date(2025, 12, 31)))
    assert [h.object_id for h in in_2025.hits] == [b_doc.pk]  # type: ignore[attr-defined]
    exact_day = search(query=q, filters=Filters(date_from=dt.date(2025, 12, 20), date_to=dt.date(2025, 12, 20)))
    assert [h.object_id for h in exact_day.hits] == [b_doc.pk]  # type: ignore[attr-defined]


def test_facets_count_per_portal_and_kind(corpus: dict[str, object], province: Portal) -> None:
    result = search(query="trong rung")
    assert {(f.key, f.count) for f in result.portal_facets} == {("xa-a", 3), ("xa-b", 2), (province.abbreviation, 1)}
    assert result.portal_facets[0].key == "xa-a" and result.portal_facets[0].label == "Ủy ban nhân dân xã An"
    assert {(f.key, f.count) for f in result.kind_facets} == {
        ("article", 3),
        ("legal_document", 2),
        ("announcement", 1),
    }
    labels = {f.key: f.label for f in result.kind_facets}
    assert labels["legal_document"] and labels["legal_document"] != "legal_document"
    narrowed = search(query="trong rung", filters=Filters(portals=("xa-b",)))
    assert {(f.key, f.count) for f in narrowed.kind_facets} == {("legal_document", 1), ("announcement", 1)}
    assert narrowed.total == 2


@override_settings(SEARCH_COUNT_LIMIT=3, SEARCH_CANDIDATES=20)
def test_counting_is_bounded(corpus: dict[str, object]) -> None:
    result = search(query="trong rung")
    assert (result.total, result.total_is_exact) == (3, False)
    assert len(result.hits) == 6  # results are not cut by the count limit


def test_sorting_and_pages(corpus: dict[str, object]) -> None:
    by_date = search(query="trong rung", sort=DATE)
    dates = [h.date for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    pages = [search(query="trong rung", sort=DATE, page=n, page_size=4) for n in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [4, 2, 0]
    assert [p.has_next for p in pages] == [True, False, False]
    assert [h.object_id for p in pages for h in p.hits] == [h.object_id for h in by_date.hits]
    relevance = [search(query="trong rung", page=n, page_size=5) for n in (1, 2)]
    assert len({(h.source, h.object_id, h.portal.id) for p in relevance for h in p.hits}) == 6


def test_candidates_are_bounded_to_the_newest(desk_a: Desk) -> None:
    items = [desk_a.published(Announcement, title=f"Thông báo số {n}") for n in range(25)]
    newest = {item.pk for item in items[5:]}
    # Every match counted: the newest 20 come from the GIN index, sorted by date.
    with override_settings(SEARCH_CANDIDATES=20):
        known = search(query="thong bao", page_size=50)
    # More matches than are counted: the date index is walked instead; the same 20 are ranked.
    with override_settings(SEARCH_CANDIDATES=20, SEARCH_COUNT_LIMIT=10):
        walked = search(query="thong bao", page_size=50)
        by_date = [search(query="thong bao", sort=DATE, page=n, page_size=10) for n in (1, 2, 3)]
    # Words common enough to skip the GIN index: the newest entries are walked; the total is the
    # candidates found (a lower bound), the facets count them.
    with override_settings(SEARCH_CANDIDATES=20, SEARCH_COMMON_SHARE=0.0):
        common = search(query="thong bao", page_size=50)
        common_by_date = search(query="thong bao", sort=DATE, page=3, page_size=10)
    # ... unless the walk's budget holds too few matches: then the GIN index counts them all.
    with override_settings(SEARCH_CANDIDATES=20, SEARCH_COMMON_SHARE=0.0, SEARCH_WALK_ROWS=10):
        fallback = search(query="thong bao", page_size=50)
    assert (known.total, known.total_is_exact, walked.total, walked.total_is_exact) == (25, True, 10, False)
    assert (common.total, common.total_is_exact, fallback.total, fallback.total_is_exact) == (20, False, 25, True)
    assert [(f.key, f.count) for f in common.kind_facets] == [("announcement", 20)]
    assert [h.object_id for h in common_by_date.hits] == [i.pk for i in reversed(items)][20:25]
    for result in (known, walked, common, fallback):
        assert len(result.hits) == 20 and not result.has_next
        assert {h.object_id for h in result.hits} == newest
    assert [h.object_id for p in by_date for h in p.hits] == [i.pk for i in reversed(items)]


def _walks(queries: CaptureQueriesContext) -> list[str]:
    """The statements that walked the newest entries (one per walk)."""
    return [q["sql"] for q in queries.captured_queries if "w.vector @@" in q["sql"]]


def _gin_passes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "AS MATERIALIZED" in q["sql"]]


def test_common_words_that_are_rare_together_go_to_the_gin_index_after_a_short_walk(desk_a: Desk) -> None:
    for n in range(30):
        desk_a.published(Announcement, title=f"Thông báo số {n}")
    rare = desk_a.published(Announcement, title="Thông báo khẩn về mưa lũ")
    # Each word is "common" (share 0), but together they match one entry: the first tenth of the
    # walk finds almost nothing, so the rest of the walk is skipped for the GIN index.
    # (30 candidates wanted, a first walk of 40 of the 400 rows' budget: 1 match found, fewer than
    # the 15 that would make the whole walk worth it.)
    with override_settings(SEARCH_CANDIDATES=30, SEARCH_COMMON_SHARE=0.0, SEARCH_WALK_ROWS=400):
        with CaptureQueriesContext(connection) as queries:
            result = search(query="thong bao khan")
    assert [h.object_id for h in result.hits] == [rare.pk]
    assert (result.total, result.total_is_exact) == (1, True)
    assert len(_walks(queries)) == 1 and len(_gin_passes(queries)) == 1
    # Matches dense enough: the short walk already holds the candidates; no GIN pass.
    with override_settings(SEARCH_CANDIDATES=30, SEARCH_COMMON_SHARE=0.0, SEARCH_WALK_ROWS=400):
        with CaptureQueriesContext(connection) as queries:
            common = search(query="thong bao")
    assert (common.total, common.total_is_exact) == (30, False)
    assert len(_walks(queries)) == 1 and _gin_passes(queries) == []
    # Newer entries without the words: the short walk holds 20 matches, enough to expect the 30
    # within the whole walk, which goes on and finds them.
    for n in range(20):
        desk_a.published(Article, title=f"Tin tức ngày {n}")
    with override_settings(SEARCH_CANDIDATES=30, SEARCH_COMMON_SHARE=0.0, SEARCH_WALK_ROWS=400):
        with CaptureQueriesContext(connection) as queries:
            wider = search(query="thong bao", page_size=10)
    assert (wider.total, wider.total_is_exact) == (30, False)
    assert len(_walks(queries)) == 2 and _gin_passes(queries) == []


def test_a_small_scope_is_walked_whole_and_answered_exactly(desk_a: Desk, desk_b: Desk, portal_a: Portal) -> None:
    mine = [desk_a.published(Announcement, title=f"Thông báo lịch tiếp dân {n}") for n in range(5)]
    desk_a.published(Article, title="Tin khác hẳn")
    for n in range(8):
        desk_b.published(Announcement, title=f"Thông báo của xã Bình {n}")
    with override_settings(SEARCH_CANDIDATES=20, SEARCH_COMMON_SHARE=0.0, SEARCH_WALK_ROWS=1000):
        with CaptureQueriesContext(connection) as queries:
            scoped = search(query="thong bao", scope=portal_a)
            nothing = search(query="thong bao mua lu", scope=portal_a)
        everywhere = search(query="thong bao")
    # Portal A holds fewer entries than the walk's budget: every one was checked, so the total and
    # facets are exact, and the GIN index was not asked.
    assert (scoped.total, scoped.total_is_exact) == (5, True)
    assert {h.object_id for h in scoped.hits} == {i.pk for i in mine}
    assert [(f.key, f.count) for f in scoped.portal_facets] == [("xa-a", 5)]
    assert [(f.key, f.count) for f in scoped.kind_facets] == [("announcement", 5)]
    assert (nothing.total, nothing.total_is_exact, nothing.hits) == (0, True, [])
    assert _gin_passes(queries) == []
    # Every portal at once is not a small scope: too few matches in the walk → the GIN index.
    assert (everywhere.total, everywhere.total_is_exact) == (13, True)


def test_very_common_words_are_checked_on_the_rows_the_rarer_ones_find(
    desk_a: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from portal_platform.search import selectors

    wanted = desk_a.published(Article, title="Hội nghị phát triển vùng đồng bào dân tộc")
    desk_a.published(Article, title="Hội nghị tiếp xúc cử tri của dân")  # every word but "vùng"
    desk_a.published(Article, title="Vùng nguyên liệu mía")  # "vùng" alone
    # As ANALYZE would see a large index: "dân", "hội", "nghị" very common, "vùng" rare.
    stats = {"at": time.monotonic(), "frequencies": {"dan": 0.9, "hoi": 0.5, "nghi": 0.5}, "floor": 0.001}
    monkeypatch.setattr(selectors, "_stats", {**stats, "entries": 1_000_000.0})
    with CaptureQueriesContext(connection) as queries:
        result = search(query="hội nghị vùng dân")
    assert [h.object_id for h in result.hits] == [wanted.pk]
    assert (result.total, result.total_is_exact) == (1, True)
    [gin] = _gin_passes(queries)
    lookup, check = gin.split("OFFSET 0")
    assert "'vung'" in lookup and "'dan'" not in lookup  # the GIN index is asked for the rare word …
    assert "'dan'" in check and "'hoi'" in check  # … and the whole query is checked on its rows
    # Rare words that would still leave too many rows: the whole query goes to the GIN index.
    monkeypatch.setattr(selectors, "_stats", {**stats, "floor": 0.1, "entries": 1_000_000.0})
    with CaptureQueriesContext(connection) as queries:
        again = search(query="hội nghị vùng dân")
    assert [h.object_id for h in again.hits] == [wanted.pk]
    assert "OFFSET 0" not in _gin_passes(queries)[0]


def test_a_search_that_runs_too_long_is_stopped_with_a_code(
    corpus: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal_platform.search import selectors

    first_pass = selectors._first_pass

    def slow(*args: object, **kwargs: object) -> list[int]:
        selectors._rows("SELECT pg_sleep(0.5)", [])  # as a query over far too many rows would
        return first_pass(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(selectors, "_first_pass", slow)
    with override_settings(SEARCH_TIMEOUT_MS=100), pytest.raises(ApplicationError) as caught:
        search(query="trong rung")
    assert caught.value.code == "search_timeout" and caught.value.message


# --- scope and portal status ----------------------------------------------------------------------------


def test_a_component_portal_searches_itself_only(corpus: dict[str, object], portal_a: Portal, province: Portal) -> None:
    scoped = search(query="trong rung", scope=portal_a)
    assert {h.portal.abbreviation for h in scoped.hits} == {"xa-a"} and scoped.total == 3
    assert {f.key for f in scoped.portal_facets} == {"xa-a"}
    assert search(query="trong rung", scope=portal_a, filters=Filters(portals=("xa-a",))).total == 3
    with pytest.raises(ValidationFailed) as caught:
        search(query="trong rung", scope=portal_a, filters=Filters(portals=("xa-b",)))
    assert caught.value.code == "unknown_portal"
    assert search(query="trong rung", scope=province).total == 6  # the provincial portal searches all


def test_a_suspended_or_archived_portal_leaves_the_results(corpus: dict[str, object], portal_b: Portal) -> None:
    portal = Portal.objects.get(pk=portal_b.pk)  # a copy: the session fixture's object keeps its status
    portal_suspend(portal=portal)
    result = search(query="trong rung")
    assert "xa-b" not in {h.portal.abbreviation for h in result.hits} and result.total == 4
    assert "xa-b" not in {f.key for f in result.portal_facets}
    assert search(query="trong rung", filters=Filters(portals=("xa-b",))).hits == []
    assert "xa-b" not in {h.portal.abbreviation for h in component_latest()}
    portal_resume(portal=portal)
    assert search(query="trong rung").total == 6  # back at once, nothing reindexed
    portal_archive(portal=portal)
    assert search(query="trong rung").total == 4


# --- bad input ---------------------------------------------------------------------------------------------


def test_queries_without_words_are_an_empty_result(corpus: dict[str, object]) -> None:
    for query in ["", "   ", "!!!", "&|!:*()'", "<->", '""', "…—–", "'"]:
        result = search(query=query)
        assert result.hits == [] and result.total == 0 and result.is_empty_query, query


def test_tsquery_syntax_is_plain_punctuation(corpus: dict[str, object]) -> None:
    for query in [
        "trồng & rừng",
        "trồng | rừng",
        "!trồng rừng",
        "trồng:* rừng",
        "(trồng) (rừng)",
        "trồng' rừng'",
        "trồng <-> rừng",
        "trồng\\ rừng",
        "trồng:* & rừng:*",
        "'trồng' & 'rừng'",
    ]:
        assert search(query=query).total == 6, query
    assert search(query="'trồng' & !'x'").total == 0  # "x" is a word like any other


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"query": "x" * 201}, "query_too_long"),
        ({"query": " ".join(["từ"] * 17)}, "query_too_long"),
        ({"query": "a", "filters": Filters(kinds=("video",))}, "invalid_kind"),
        ({"query": "a", "filters": Filters(portals=("khong-co",))}, "unknown_portal"),
        ({"query": "a", "filters": Filters(portal_kinds=("ministry",))}, "invalid_portal_kind"),
        ({"query": "a", "filters": Filters(language="fr")}, "invalid_language"),
        (
            {"query": "a", "filters": Filters(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1))},
            "invalid_date_range",
        ),
        ({"query": "a", "sort": "popularity"}, "invalid_sort"),
        ({"query": "a", "page": 0}, "invalid_page"),
        ({"query": "a", "page": 51}, "invalid_page"),
        ({"query": "a", "page_size": 0}, "invalid_page_size"),
        ({"query": "a", "page_size": 51}, "invalid_page_size"),
    ],
)
def test_bad_input_is_refused_with_a_code(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code and caught.value.message


# --- integration ----------------------------------------------------------------------------------------------


def test_component_latest_by_kind_of_portal_and_content(corpus: dict[str, object]) -> None:
    latest = component_latest()
    assert {h.portal.abbreviation for h in latest} == {"xa-a", "xa-b"}  # not the province's own
    assert {h.kind for h in latest} == {"article", "legal_document"}
    assert [h.date for h in latest] == sorted((h.date for h in latest), reverse=True)
    assert {h.kind for h in component_latest(kinds=("legal_document",))} == {"legal_document"}
    assert component_latest(portal_kinds=("department",)) == []
    assert len(component_latest(limit=2)) == 2
    with pytest.raises(ValidationFailed):
        component_latest(portal_kinds=("province",))
    with pytest.raises(ValidationFailed):
        component_latest(kinds=("video",))
