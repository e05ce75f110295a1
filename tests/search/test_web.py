"""The search page, /api/v1/search/ on every host (and in the OpenAPI schema), the integration feed."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from content.models import Announcement, Article, LegalDocument
from content.public.cache import CACHE_HEADER, page_cache_invalidate
from content.services.workflow import item_transition
from tenants.models import Portal
from tests.conftest import host_of
from tests.search.conftest import Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(desk_a: Desk, desk_b: Desk, desk_province: Desk) -> dict[str, Any]:
    return {
        "a": desk_a.published(Article, title="Xã An làm đường giao thông nông thôn"),
        "b": desk_b.published(Article, title="Xã Bình sửa đường giao thông"),
        "b_doc": desk_b.published(LegalDocument, abstract="Quy định quản lý đường giao thông"),
        "p": desk_province.published(Article, title="Tỉnh đầu tư đường giao thông"),
    }


def _client(host: str) -> Client:
    return Client(HTTP_HOST=host)


def _api(host: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = _client(host).get("/api/v1/search/", params)
    return response.status_code, response.json()


# --- the API -----------------------------------------------------------------------------------------------


def test_api_on_every_host(corpus: dict[str, Any], province: Portal, portal_a: Portal, portal_b: Portal) -> None:
    status, console = _api(settings.CONSOLE_HOST, q="duong giao thong")
    assert status == 200 and console["total"] == 4 and console["total_is_exact"]
    status, provincial = _api(host_of(province), q="đường giao thông")
    assert status == 200 and provincial["total"] == 4
    status, scoped = _api(host_of(portal_b), q="duong giao thong")
    assert status == 200 and {r["portal"]["abbreviation"] for r in scoped["results"]} == {"xa-b"}
    assert scoped["total"] == 2
    hit = next(r for r in scoped["results"] if r["kind"] == "legal_document")
    assert hit["url"] == f"http://xa-b.thunghiem.test/van-ban/{corpus['b_doc'].pk}/"
    assert hit["portal"] == {
        "abbreviation": "xa-b",
        "name": "Ủy ban nhân dân xã Bình",
        "kind": "commune",
        "url": "http://xa-b.thunghiem.test/",
    }
    assert hit["details"]["number"] == corpus["b_doc"].number
    assert "<mark>" in hit["title_html"] or "<mark>" in hit["snippet_html"]
    assert {f["key"] for f in provincial["facets"]["portal"]} == {"xa-a", "xa-b", province.abbreviation}
    assert {f["key"]: f["count"] for f in provincial["facets"]["kind"]} == {"article": 3, "legal_document": 1}


def test_api_filters_sorting_and_pages(corpus: dict[str, Any], province: Portal) -> None:
    host = host_of(province)
    _s, body = _api(host, q="giao thong", portal="xa-a,xa-b", kind="article")
    assert {r["portal"]["abbreviation"] for r in body["results"]} == {"xa-a", "xa-b"}
    assert {r["kind"] for r in body["results"]} == {"article"}
    _s, repeated = _api(host, q="giao thong", portal=["xa-a", "xa-b"], kind="article")
    assert repeated["total"] == body["total"] == 2
    _s, first = _api(host, q="giao thong", sort="date", page_size=3)
    _s, second = _api(host, q="giao thong", sort="date", page_size=3, page=2)
    assert (len(first["results"]), first["has_next"], len(second["results"]), second["has_next"]) == (3, True, 1, False)
    _s, dated = _api(host, q="giao thong", date_from="01/01/2000", date_to="2999-12-31", language="vi")
    assert dated["total"] == 4


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "x" * 300}, "query_too_long"),
        ({"q": "a", "kind": "video"}, "invalid_kind"),
        ({"q": "a", "portal": "khong-co"}, "unknown_portal"),
        ({"q": "a", "portal_kind": "bo"}, "invalid_portal_kind"),
        ({"q": "a", "language": "fr"}, "invalid_language"),
        ({"q": "a", "date_from": "31/02/2026"}, "invalid_date"),
        ({"q": "a", "date_to": "hôm qua"}, "invalid_date"),
        ({"q": "a", "date_from": "02/02/2026", "date_to": "01/01/2026"}, "invalid_date_range"),
        ({"q": "a", "sort": "views"}, "invalid_sort"),
        ({"q": "a", "page": "-1"}, "invalid_page"),
        ({"q": "a", "page": "abc"}, "invalid_page"),
        ({"q": "a", "page": "99999999999"}, "invalid_page"),
        ({"q": "a", "page_size": "1000"}, "invalid_page_size"),
    ],
)
def test_api_bad_input_is_a_400_with_a_code(province: Portal, params: dict[str, str], code: str) -> None:
    status, body = _api(host_of(province), **params)
    assert status == 400, body
    assert body["error"]["code"] == code and body["error"]["message"]


def test_api_queries_without_words_or_with_operators(corpus: dict[str, Any], portal_a: Portal) -> None:
    for q in ["", "   ", "?!.,;", "&|!:*()'", "<-> & |"]:
        status, body = _api(host_of(portal_a), q=q)
        assert (status, body["total"], body["results"]) == (200, 0, []), q
    status, body = _api(host_of(portal_a), q="giao & thông | (!nông:*)")
    assert status == 200 and body["total"] == 1


def test_api_component_host_cannot_reach_another_portal(corpus: dict[str, Any], portal_a: Portal) -> None:
    status, body = _api(host_of(portal_a), q="giao thong", portal="xa-b")
    assert status == 400 and body["error"]["code"] == "unknown_portal"


def test_api_is_public_and_in_the_openapi_schema(corpus: dict[str, Any], province: Portal) -> None:
    response = Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION="Token nonsense").get(
        "/api/v1/search/", {"q": "giao thong"}
    )
    assert response.status_code == 200  # no authentication is read at all
    for urlconf in ("portal_platform.urls_public", "portal_platform.urls_tenant"):
        schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
        operation = schema["paths"]["/api/v1/search/"]["get"]
        assert operation["operationId"] == "search"
        assert {p["name"] for p in operation["parameters"]} >= {
            "q",
            "portal",
            "portal_kind",
            "kind",
            "field",
            "issuer",
            "language",
            "date_from",
            "date_to",
            "sort",
            "page",
            "page_size",
        }
        assert operation["security"] == [{}]  # no authentication needed
        assert set(operation["responses"]) == {"200", "400"}


# --- the page ----------------------------------------------------------------------------------------------


def _hits(html: str) -> int:
    """Results listed (the site's menus around the page have list items too)."""
    results = html[html.index('<ol class="search-results"') :]
    return results[: results.index("</ol>")].count("<li>")


def test_search_page_on_the_provincial_portal(corpus: dict[str, Any], province: Portal) -> None:
    response = _client(host_of(province)).get("/tim-kiem/", {"q": "giao thông"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="search-q">' in html and 'role="search"' in html
    assert 'id="search-portal"' in html  # the province may narrow to one portal
    assert "Ủy ban nhân dân xã Bình" in html and "Ủy ban nhân dân xã An" in html
    assert f"http://xa-b.thunghiem.test/tin-tuc/{corpus['b'].slug}/" in html
    assert _hits(html) == 4
    assert "<mark>" in html


def test_search_page_on_a_component_portal_is_scoped(corpus: dict[str, Any], portal_a: Portal) -> None:
    client = _client(host_of(portal_a))
    html = client.get("/tim-kiem/", {"q": "giao thông"}).content.decode()
    assert _hits(html) == 1 and "Xã An làm đường" in html
    assert 'id="search-portal"' not in html
    assert client.get("/tim-kiem/").status_code == 200  # the empty form
    bad = client.get("/tim-kiem/", {"q": "a", "date_from": "32/13/2026"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert client.get("/tim-kiem/", {"q": "&|!"}).status_code == 200
    page_two = client.get("/tim-kiem/", {"q": "giao thông", "page": "2"})
    assert page_two.status_code == 200 and _hits(page_two.content.decode()) == 0


# --- the integration feed ----------------------------------------------------------------------------------


def test_integration_feeds(corpus: dict[str, Any], province: Portal, portal_a: Portal) -> None:
    client = _client(host_of(province))
    rss = client.get("/tich-hop/rss/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    items = ElementTree.fromstring(rss.content).findall("./channel/item")  # noqa: S314 - our own response
    links = {item.findtext("link") or "" for item in items}
    assert f"http://xa-a.thunghiem.test/tin-tuc/{corpus['a'].slug}/" in links
    assert f"http://xa-b.thunghiem.test/van-ban/{corpus['b_doc'].pk}/" in links
    assert not any("thunghiem.test/tin-tuc/" in link and "xa-" not in link for link in links)  # not the province's own
    atom = client.get("/tich-hop/atom/", {"kind": "legal_document"})
    entries = ElementTree.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")  # noqa: S314
    assert len(entries) == 1
    assert client.get("/tich-hop/rss/", {"portal_kind": "department"}).status_code == 200
    assert client.get("/tich-hop/rss/", {"kind": "video"}).status_code == 400
    assert _client(host_of(portal_a)).get("/tich-hop/rss/").status_code == 404


# --- the provincial home page's integration block -----------------------------------------------------------


def test_provincial_home_page_shows_the_component_portals_latest(
    corpus: dict[str, Any], province: Portal, portal_a: Portal
) -> None:
    page_cache_invalidate(province.schema_name)
    response = _client(host_of(province)).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index('id="h-integration"') :]
    block = block[: block.index("</section>")]
    # Each item links to its own portal's domain and names that portal; grouped by kind of portal.
    assert f'href="http://xa-a.thunghiem.test/tin-tuc/{corpus["a"].slug}/"' in block
    assert f'href="http://xa-b.thunghiem.test/van-ban/{corpus["b_doc"].pk}/"' in block
    assert 'href="http://xa-b.thunghiem.test/">Ủy ban nhân dân xã Bình</a>' in block
    assert "Quy định quản lý đường giao thông" in block  # the document's abstract
    assert 'id="h-integration-commune"' in block and 'id="h-integration-department"' in block
    assert corpus["p"].slug not in block  # the province's own news is not "integrated"
    assert 'href="/tich-hop/rss/"' in block
    assert '<link rel="alternate" type="application/rss+xml" href="/tich-hop/rss/"' in html
    # A component portal's home page has no such block.
    assert 'id="h-integration"' not in _client(host_of(portal_a)).get("/").content.decode()


def test_provincial_home_page_refreshes_when_a_component_portal_publishes(
    corpus: dict[str, Any], desk_a: Desk, province: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    page_cache_invalidate(province.schema_name)
    visitor = _client(host_of(province))
    assert visitor.get("/")[CACHE_HEADER] == "miss"
    assert visitor.get("/")[CACHE_HEADER] == "hit"
    # The component portal publishes; the index job (after commit) retires the province's pages.
    fresh = desk_a.published(Article, title="Xã An khai trương chợ nông sản", index=False)
    assert visitor.get("/")[CACHE_HEADER] == "hit"  # not yet indexed: the province's page is unchanged
    with django_capture_on_commit_callbacks(execute=True):
        desk_a.sync(fresh)
    response = visitor.get("/")
    assert response[CACHE_HEADER] == "miss"
    assert f"http://xa-a.thunghiem.test/tin-tuc/{fresh.slug}/" in response.content.decode()
    # An index job that changes nothing, or a kind the block does not show, leaves the cache alone.
    with django_capture_on_commit_callbacks(execute=True):
        desk_a.sync(fresh)
        desk_a.published(Announcement, title="Thông báo lịch tiếp dân")
    assert visitor.get("/")[CACHE_HEADER] == "hit"
    # Unpublishing: the item leaves the index and the province's home page.
    with django_capture_on_commit_callbacks(execute=True), schema_context(desk_a.portal.schema_name):
        item_transition(item=fresh, action="unpublish", user=desk_a.head, comment="Trùng tin")
    with django_capture_on_commit_callbacks(execute=True):
        desk_a.sync(fresh)
    response = visitor.get("/")
    assert response[CACHE_HEADER] == "miss" and fresh.slug not in response.content.decode()
