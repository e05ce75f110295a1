"""Reads of the shared search index: the search itself and the provincial portal's integration feed.

How a query runs (all in PostgreSQL, no extension; ``docs/search.md`` has the reasons):

1. The query becomes words in two forms (``vietnamese.parse_query``). Every word must be present
   in folded form (``nghe an`` and ``Nghệ An`` both match ``Nghệ An``); quoted phrases must be
   adjacent. The GIN index on ``vector`` answers this.
2. **Finding the newest matches.** When even the query's rarest word is common (``ANALYZE``'s
   statistics of the vector say it is in at least ``SEARCH_COMMON_SHARE`` of the index), the
   newest entries of the scope are walked and checked (at most ``SEARCH_WALK_ROWS``) until
   ``SEARCH_CANDIDATES`` (500) match; the total is then a lower bound. Otherwise one pass through
   the GIN index counts the matches per portal and kind up to ``SEARCH_COUNT_LIMIT`` (10,000) and
   keeps the newest 500 (beyond the limit the total reads "more than 10,000" and the date index
   is walked for the candidates).
3. **Bounded candidates.** Only those newest matches are ranked, so a broad query such as
   ``ủy ban nhân dân`` costs about what a narrow one does instead of ranking half the index; for
   portals of news, the newest matching items are the right pool to rank.
4. **Rank** within the candidates, in tiers, each worth more than everything below it:
   the whole query as an exact phrase with diacritics (+3), every word exact (+2), the whole query
   as a folded phrase (+1), then ``ts_rank`` (title > summary > body) in [0, 1). Exact tiers apply
   only when the query has diacritics: a query typed without them says nothing about tone marks.
5. Titles and snippets of the page of results are highlighted in Python (``highlight``).

Portals that are not active (suspended, archived) are left out at query time, so suspending or
resuming a portal changes results at once and needs no reindexing. A component portal's own search
is scoped to that portal; the provincial portal and the console search them all.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from portal_platform.errors import ApplicationError, ValidationFailed
from portal_platform.search import registry
from portal_platform.search.highlight import SNIPPET_WORDS, highlight
from portal_platform.search.vietnamese import ParsedQuery, fold_key, parse_query
from tenants.models import Domain, Portal, PortalKind, PortalStatus

RELEVANCE = "relevance"
DATE = "date"
SORTS = (RELEVANCE, DATE)
MAX_QUERY_LENGTH = 200
MAX_WORDS = 16
MAX_PAGE = 50
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
COMPONENT_KINDS = (PortalKind.DEPARTMENT, PortalKind.COMMUNE)
# What the provincial portal's home page and integration feed show of its component portals.
INTEGRATED_KINDS = ("article", "legal_document")


@dataclass(frozen=True)
class LinkStyle:
    """How links to portals are written: the scheme and port of the request that asked, so that
    development (``http://…:8000``) and production (``https://``) both get working links."""

    scheme: str = "https"
    port: str = ""

    def url(self, domain: str, path: str = "/") -> str:
        default = {"http": "80", "https": "443"}.get(self.scheme)
        port = f":{self.port}" if self.port and self.port != default else ""
        return f"{self.scheme}://{domain}{port}{path}"


@dataclass(frozen=True)
class PortalInfo:
    id: int
    name: str
    abbreviation: str
    kind: str
    status: str
    domain: str

    @property
    def is_active(self) -> bool:
        return self.status == PortalStatus.ACTIVE


@dataclass(frozen=True)
class Filters:
    """Optional filters; an empty value means "any". Portals by abbreviation."""

    portals: tuple[str, ...] = ()
    portal_kinds: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    doc_field: str = ""
    issuer: str = ""
    language: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class Hit:
    portal: PortalInfo
    portal_url: str
    kind: str
    kind_label: str
    source: str
    object_id: int
    language: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    url: str
    date: dt.date
    published_at: dt.datetime | None
    data: dict[str, Any]
    score: float


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    count: int


@dataclass
class SearchResult:
    query: str
    sort: str = RELEVANCE
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    total_is_exact: bool = True
    has_next: bool = False
    portal_facets: list[Facet] = field(default_factory=list)
    kind_facets: list[Facet] = field(default_factory=list)
    # Words of the query in folded form (empty: nothing to search for).
    terms: tuple[str, ...] = ()

    @property
    def is_empty_query(self) -> bool:
        return not self.terms


# --- the portal directory ---------------------------------------------------------------------------


def portal_directory() -> dict[int, PortalInfo]:
    """Every portal with its primary domain, in one query (a province has a few hundred)."""
    primary = Domain.objects.filter(tenant=OuterRef("pk"), is_primary=True).values("domain")[:1]
    rows = Portal.objects.annotate(primary_domain=Subquery(primary)).values_list(
        "pk", "name", "abbreviation", "kind", "status", "primary_domain"
    )
    return {pk: PortalInfo(pk, name, abbr, kind, status, domain or "") for pk, name, abbr, kind, status, domain in rows}


# --- validation --------------------------------------------------------------------------------------


def _invalid(code: str, message: str, field_name: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, extra={"field": field_name})


def _check(filters: Filters, *, query: str, sort: str, page: int, page_size: int) -> None:
    if len(query) > MAX_QUERY_LENGTH:
        raise _invalid(
            "query_too_long",
            _("The search text is too long (at most %(max)s characters).") % {"max": MAX_QUERY_LENGTH},
            "q",
        )
    unknown_kinds = sorted(set(filters.kinds) - set(registry.kinds()))
    if unknown_kinds:
        raise _invalid(
            "invalid_kind", _("Unknown kind of content: %(kinds)s.") % {"kinds": ", ".join(unknown_kinds)}, "kind"
        )
    bad_portal_kinds = sorted(set(filters.portal_kinds) - set(COMPONENT_KINDS) - {PortalKind.PROVINCE})
    if bad_portal_kinds:
        raise _invalid(
            "invalid_portal_kind",
            _("Unknown kind of portal: %(kinds)s.") % {"kinds": ", ".join(bad_portal_kinds)},
            "portal_kind",
        )
    if filters.language and filters.language not in {code for code, _name in settings.LANGUAGES}:
        raise _invalid(
            "invalid_language", _("Unknown language: %(language)s.") % {"language": filters.language}, "language"
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise _invalid("invalid_date_range", _("The start date is after the end date."), "date_from")
    if sort not in SORTS:
        raise _invalid("invalid_sort", _("Results can be sorted by relevance or by date only."), "sort")
    if not 1 <= page <= MAX_PAGE:
        raise _invalid("invalid_page", _("The page must be a number from 1 to %(max)s.") % {"max": MAX_PAGE}, "page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise _invalid(
            "invalid_page_size",
            _("The page size must be a number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE},
            "page_size",
        )


def _portal_ids(
    filters: Filters, *, scope: Portal | None, directory: dict[int, PortalInfo]
) -> tuple[list[int] | None, list[int]]:
    """(portal ids to keep, or None for all; ids to leave out). Unknown abbreviations are refused."""
    by_abbreviation = {info.abbreviation: info for info in directory.values()}
    unknown = sorted(a for a in filters.portals if a not in by_abbreviation)
    in_scope = scope is None or scope.kind == PortalKind.PROVINCE
    if not in_scope:
        unknown += sorted(a for a in filters.portals if a in by_abbreviation and a != scope.abbreviation)  # type: ignore[union-attr]
    if unknown:
        raise _invalid(
            "unknown_portal",
            _("These portals cannot be searched here: %(portals)s.") % {"portals": ", ".join(unknown)},
            "portal",
        )
    keep: set[int] | None = None
    if not in_scope:
        keep = {scope.pk}  # type: ignore[union-attr]
    if filters.portals:
        chosen = {by_abbreviation[a].id for a in filters.portals}
        keep = chosen if keep is None else keep & chosen
    if filters.portal_kinds:
        of_kind = {info.id for info in directory.values() if info.kind in filters.portal_kinds}
        keep = of_kind if keep is None else keep & of_kind
    if keep is not None:
        return sorted(i for i in keep if i in directory and directory[i].is_active), []
    return None, sorted(info.id for info in directory.values() if not info.is_active)


# --- SQL --------------------------------------------------------------------------------------------

_HIT_COLUMNS = "e.id, e.portal_id, e.kind, e.source, e.object_id, e.language, e.title, e.body, e.path, e.date, e.published_at, e.data"


def _where(
    filters: Filters, *, keep: list[int] | None, leave_out: list[int], match: str | None
) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if match is not None:
        clauses.append("e.vector @@ %s::tsquery")
        params.append(match)
    if keep is not None and len(keep) == 1:
        # Equality, not ANY: the (portal, date, id) index then yields rows in date order.
        clauses.append("e.portal_id = %s")
        params.append(keep[0])
    elif keep is not None:
        clauses.append("e.portal_id = ANY(%s)")
        params.append(keep)
    elif leave_out:
        clauses.append("e.portal_id <> ALL(%s)")
        params.append(leave_out)
    if filters.kinds:
        clauses.append("e.kind = ANY(%s)")
        params.append(list(filters.kinds))
    if filters.doc_field:
        clauses.append("e.doc_field = %s")
        params.append(filters.doc_field)
    if filters.issuer:
        clauses.append("e.issuer_key = %s")
        params.append(fold_key(filters.issuer))
    if filters.language:
        clauses.append("e.language = %s")
        params.append(filters.language)
    if filters.date_from:
        clauses.append("e.date >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append("e.date <= %s")
        params.append(filters.date_to)
    return clauses or ["TRUE"], params


def _score(parsed: ParsedQuery) -> tuple[str, list[str]]:
    """The ranking expression over a candidate ``c`` and its parameters (see the module docstring)."""
    parts = ["ts_rank(c.vector, %s::tsquery, 33)"]
    params = [parsed.match()]
    # A check every candidate passes anyway (a query that is one quoted phrase) adds the same to
    # each: it is left out, and so is a second check identical to the first (each reads the vector).
    if parsed.is_multiword and parsed.phrase() != parsed.match():
        parts.append("CASE WHEN c.vector @@ %s::tsquery THEN 1 ELSE 0 END")
        params.append(parsed.phrase())
    if parsed.has_diacritics:
        if parsed.is_multiword and parsed.exact_phrase() != parsed.exact_all():
            parts.append("CASE WHEN c.vector @@ %s::tsquery THEN 2 ELSE 0 END")
            params.append(parsed.exact_all())
            parts.append("CASE WHEN c.vector @@ %s::tsquery THEN 3 ELSE 0 END")
            params.append(parsed.exact_phrase())
        else:
            parts.append("CASE WHEN c.vector @@ %s::tsquery THEN 5 ELSE 0 END")
            params.append(parsed.exact_all() if not parsed.is_multiword else parsed.exact_phrase())
    return " + ".join(parts), params


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# --- search ------------------------------------------------------------------------------------------


def search(
    *,
    query: str,
    filters: Filters | None = None,
    scope: Portal | None = None,
    sort: str = RELEVANCE,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    link: LinkStyle | None = None,
) -> SearchResult:
    """Search the index. ``scope`` is the portal whose search box was used: a component portal
    searches only itself; the provincial portal (or None, the console) searches every portal.

    Raises ``ValidationFailed`` (codes ``query_too_long``, ``invalid_kind``, ``invalid_portal_kind``,
    ``unknown_portal``, ``invalid_language``, ``invalid_date_range``, ``invalid_sort``,
    ``invalid_page``, ``invalid_page_size``) for input it cannot answer; a query with no words
    (empty, punctuation only) is an empty result.
    """
    filters = filters or Filters()
    link = link or LinkStyle()
    _check(filters, query=query, sort=sort, page=page, page_size=page_size)
    parsed = parse_query(query)
    if len(parsed.ordered) > MAX_WORDS:
        raise _invalid("query_too_long", _("Search for at most %(max)s words at a time.") % {"max": MAX_WORDS}, "q")
    result = SearchResult(query=query, sort=sort, page=page, page_size=page_size)
    if parsed.is_empty:
        return result
    result.terms = tuple(dict.fromkeys(w.folded for w in parsed.ordered))
    directory = portal_directory()
    keep, leave_out = _portal_ids(filters, scope=scope, directory=directory)
    if keep == []:
        return result
    clauses, params = _where(filters, keep=keep, leave_out=leave_out, match=parsed.match())
    where = " AND ".join(clauses)
    scope_clauses, scope_params = _where(filters, keep=keep, leave_out=leave_out, match=None)
    offset = (page - 1) * page_size
    try:
        with transaction.atomic():
            # JIT compilation costs more than these short queries take; a query that would run
            # long (common words that are rarely adjacent in a quoted phrase) is stopped. The
            # settings end with the transaction.
            _settings(jit="off", statement_timeout=str(settings.SEARCH_TIMEOUT_MS))
            ranked: list[tuple[int, float]] | None = None
            if _is_common(parsed):
                scope_sql = " AND ".join(scope_clauses)
                ranked = _walk_newest(
                    parsed,
                    result,
                    scope=scope_sql,
                    params=scope_params,
                    offset=offset,
                    directory=directory,
                    # A few portals (a component portal's own search) may hold fewer entries than
                    # the walk's budget: the walk then sees every one of them and its answer is
                    # complete, where the GIN index would recheck every entry of every portal
                    # holding these common words (a phrase of them, above all).
                    whole_scope=keep is not None and _scope_within(scope_sql, scope_params, settings.SEARCH_WALK_ROWS),
                )
            if ranked is None:
                lookup = _index_match(parsed)
                if lookup == parsed.match():
                    newest = _first_pass(result, where=where, params=params, directory=directory, offset=offset)
                else:
                    first_clauses, first_params = _where(filters, keep=keep, leave_out=leave_out, match=lookup)
                    newest = _first_pass(
                        result,
                        where=" AND ".join(first_clauses),
                        params=first_params,
                        recheck=parsed.match(),
                        directory=directory,
                        offset=offset,
                    )
                if result.total == 0:
                    return result
                if result.total_is_exact:
                    ranked = _ranked_known(parsed, result, newest=newest, offset=offset)
                else:
                    ranked = _ranked_walk(parsed, result, where=where, params=params, offset=offset)
            rows = _rows(f"SELECT {_HIT_COLUMNS} FROM search_entry e WHERE e.id = ANY(%s)", [[i for i, _s in ranked]])  # noqa: S608 - constant SQL
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", "") != "57014":  # query_canceled: the timeout above
            raise
        raise ApplicationError(
            _("This search takes too long. Add a word, remove quotation marks or choose a portal."),
            code="search_timeout",
        ) from exc
    by_id = {row[0]: row for row in rows}
    result.has_next = len(ranked) > page_size and page < MAX_PAGE
    result.hits = [
        _hit(by_id[entry_id], score=score, terms=result.terms, directory=directory, link=link)
        for entry_id, score in ranked[:page_size]
        if entry_id in by_id
    ]
    return result


# --- how common a query's words are ------------------------------------------------------------------

_STATS_SECONDS = 300.0
_stats: dict[str, Any] = {"at": None, "frequencies": {}, "floor": 0.0, "entries": 0.0}


def _frequencies() -> tuple[dict[str, float], float]:
    """Share of entries holding each of the most common lexemes, from ``ANALYZE``'s statistics of
    the vector (``pg_stats``), and the smallest share listed (every other lexeme is rarer).
    Read at most every five minutes per process."""
    now = time.monotonic()
    if _stats["at"] is None or now - _stats["at"] > _STATS_SECONDS:
        rows = _rows(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs, "
            "(SELECT reltuples FROM pg_class WHERE oid = 'public.search_entry'::regclass) FROM pg_stats "
            "WHERE schemaname = 'public' AND tablename = 'search_entry' AND attname = 'vector'",
            [],
        )
        frequencies: dict[str, float] = {}
        floor = 0.0
        entries = 0.0
        if rows and rows[0][0]:
            lexemes, shares, entries = rows[0]
            frequencies = dict(zip(lexemes, shares, strict=False))
            floor = min(shares[: len(lexemes)])
        _stats.update(at=now, frequencies=frequencies, floor=floor, entries=max(float(entries or 0.0), 0.0))
    return _stats["frequencies"], _stats["floor"]


def _index_match(parsed: ParsedQuery) -> str:
    """What the GIN index is asked for: the query's words below ``SEARCH_INDEX_WORD_SHARE`` of the
    index, when together they are expected in at most ``SEARCH_COUNT_LIMIT`` entries (as if
    independent); the rows found are then checked against the whole query. Otherwise the whole
    query (``parsed.match()``). Reading the GIN lists of very common words ("và", "dân", "số")
    costs far more than checking the few hundred rows the rarer words leave: in the benchmark at
    1M entries, 37 ms against 3 ms for a query of twelve syllables."""
    frequencies, floor = _frequencies()
    entries = float(_stats.get("entries") or 0.0)
    shares = {w.folded: frequencies.get(w.folded, floor) for w in parsed.ordered}
    rare = sorted(word for word, share in shares.items() if share < settings.SEARCH_INDEX_WORD_SHARE)
    if not rare or (len(rare) == len(shares) and not parsed.phrases):
        return parsed.match()
    expected = entries
    for word in rare:
        expected *= shares[word]
    if expected > settings.SEARCH_COUNT_LIMIT:
        return parsed.match()
    return parsed.all_of(rare)


def _is_common(parsed: ParsedQuery) -> bool:
    """True when even the query's rarest word is in at least ``SEARCH_COMMON_SHARE`` of the index:
    its matches are then best found by walking the newest entries, not through the GIN index, whose
    lists for such words are long."""
    frequencies, floor = _frequencies()
    rarest = min(frequencies.get(w.folded, floor) for w in parsed.ordered)
    return bool(rarest >= settings.SEARCH_COMMON_SHARE)


# The first, short walk covers this fraction (1/n) of ``SEARCH_WALK_ROWS``.
WALK_PROBE_SHARE = 10


def _walk_newest(
    parsed: ParsedQuery,
    result: SearchResult,
    *,
    scope: str,
    params: list[Any],
    offset: int,
    directory: dict[int, PortalInfo],
    whole_scope: bool = False,
) -> list[tuple[int, float]] | None:
    """Common words: the newest matches, found by walking the newest entries of the scope (date
    index, or the portal's) and checking each, for at most ``SEARCH_WALK_ROWS`` entries.

    Returns None when that budget holds fewer matches than needed (the words are common, but not
    together, or not in this scope): the caller then counts through the GIN index. Otherwise the
    total is a lower bound (the candidates found) and facets count the candidates.
    ``whole_scope``: the scope holds no more entries than the budget, so the walk sees all of them
    and fewer matches than needed are all there are (an exact total and facets).
    """
    wanted: int = settings.SEARCH_CANDIDATES
    if result.sort == DATE:
        wanted = max(wanted, offset + result.page_size + 1)
    budget: int = settings.SEARCH_WALK_ROWS
    probe = min(budget, max(budget // WALK_PROBE_SHARE, wanted))
    score, score_params = _score(parsed)
    _settings(enable_bitmapscan="off", enable_seqscan="off")
    sql = f"""
        SELECT c.id, c.portal_id, c.kind, {score} AS score FROM (
            SELECT w.id, w.date, w.portal_id, w.kind, w.vector FROM (
                SELECT e.id, e.date, e.portal_id, e.kind, e.vector FROM search_entry e
                WHERE {scope} ORDER BY e.date DESC, e.id DESC LIMIT %s
            ) w
            WHERE w.vector @@ %s::tsquery ORDER BY w.date DESC, w.id DESC LIMIT %s
        ) c ORDER BY c.date DESC, c.id DESC
        """  # noqa: S608 - built from this module's clauses; every value is a bound parameter
    # A short walk first. Each word being common does not make them common together (a place name
    # of two common syllables, a topic and a place): when the first tenth of the budget holds
    # fewer than half the matches its share of the walk would need, the whole walk would very
    # likely fail too, so the GIN index is asked at once instead of after 20,000 wasted rows.
    if whole_scope:
        rows = _rows(sql, [*score_params, *params, budget, parsed.match(), wanted])
    else:
        rows = _rows(sql, [*score_params, *params, probe, parsed.match(), wanted])
        if len(rows) < wanted and probe < budget and len(rows) * budget >= wanted * probe // 2:
            rows = _rows(sql, [*score_params, *params, budget, parsed.match(), wanted])
    _settings(enable_bitmapscan="on", enable_seqscan="on")
    complete = whole_scope and len(rows) < wanted
    if len(rows) < wanted and not complete:
        return None
    if not rows:
        return []
    result.total, result.total_is_exact = len(rows), complete
    _facets(result, [(portal_id, kind, 1) for _id, portal_id, kind, _score in rows], directory)
    ordered = [(int(entry_id), float(value)) for entry_id, _portal, _kind, value in rows]
    if result.sort == RELEVANCE:
        # Stable: equal scores keep the newest first.
        ordered.sort(key=lambda pair: -pair[1])
    return ordered[offset : offset + result.page_size + 1]


def _scope_within(scope: str, params: list[Any], limit: int) -> bool:
    """True when the scope holds at most ``limit`` entries (reads at most ``limit + 1`` index entries)."""
    rows = _rows(
        f"SELECT count(*) FROM (SELECT 1 FROM search_entry e WHERE {scope} LIMIT %s) s",  # noqa: S608 - this module's clauses; values are bound parameters
        [*params, limit + 1],
    )
    return bool(rows[0][0] <= limit)


def _settings(**values: str) -> None:
    """Settings for the rest of the current transaction (``SET LOCAL``)."""
    names = list(values)
    selects = ", ".join("set_config(%s, %s, true)" for _name in names)
    _rows(f"SELECT {selects}", [v for name in names for v in (name, values[name])])


def _first_pass(
    result: SearchResult,
    *,
    where: str,
    params: list[Any],
    directory: dict[int, PortalInfo],
    offset: int,
    recheck: str | None = None,
) -> list[int]:
    """Count the matches per portal and kind (up to ``SEARCH_COUNT_LIMIT``) and, in the same pass,
    return the newest ones that ranking needs (ids, newest first).

    The matches are read through the GIN index, always: the planner would otherwise scan the table
    hoping to reach the limit soon, which for a phrase of common words that are rarely adjacent
    means reading all of it. When there are more matches than the limit, facets are counts over
    the first ``SEARCH_COUNT_LIMIT`` read and ``total_is_exact`` is false.
    """
    limit: int = settings.SEARCH_COUNT_LIMIT
    wanted = settings.SEARCH_CANDIDATES if result.sort == RELEVANCE else offset + result.page_size + 1
    source = f"SELECT e.id, e.date, e.portal_id, e.kind FROM search_entry e WHERE {where}"  # noqa: S608 - this module's clauses
    if recheck is not None:
        # ``where`` asks the GIN index for the rarer words only (``_index_match``); the whole query
        # is checked on the rows it finds. OFFSET 0 keeps the planner from moving the check into
        # the index condition.
        source = (
            "SELECT e.id, e.date, e.portal_id, e.kind FROM ("  # noqa: S608 - this module's clauses
            f"SELECT e.id, e.date, e.portal_id, e.kind, e.vector FROM search_entry e WHERE {where} OFFSET 0"
            ") e WHERE e.vector @@ %s::tsquery"
        )
        params = [*params, recheck]
    _settings(enable_seqscan="off", enable_indexscan="off")
    rows = _rows(
        f"""
        WITH m AS MATERIALIZED ({source} LIMIT %s)
        SELECT 0 AS part, portal_id, kind, count(*)::bigint FROM m GROUP BY portal_id, kind
        UNION ALL
        (SELECT 1, id, NULL, NULL FROM m ORDER BY date DESC, id DESC LIMIT %s)
        """,  # noqa: S608 - built from this module's clauses; every value is a bound parameter
        [*params, limit + 1, wanted],
    )
    _settings(enable_seqscan="on", enable_indexscan="on")
    groups = [(portal_id, kind, count) for part, portal_id, kind, count in rows if part == 0]
    newest = [entry_id for part, entry_id, _kind, _count in rows if part == 1]
    total = sum(count for _portal, _kind, count in groups)
    result.total_is_exact = total <= limit
    result.total = min(total, limit)
    _facets(result, groups, directory)
    return newest


def _facets(result: SearchResult, groups: list[tuple[int, str, int]], directory: dict[int, PortalInfo]) -> None:
    by_portal: dict[int, int] = {}
    by_kind: dict[str, int] = {}
    for portal_id, kind, count in groups:
        by_portal[portal_id] = by_portal.get(portal_id, 0) + count
        by_kind[kind] = by_kind.get(kind, 0) + count
    labels = registry.kinds()
    result.portal_facets = sorted(
        (
            Facet(directory[pid].abbreviation, directory[pid].name, n)
            for pid, n in by_portal.items()
            if pid in directory
        ),
        key=lambda f: (-f.count, f.label),
    )
    result.kind_facets = sorted(
        (Facet(kind, str(labels.get(kind, kind)), n) for kind, n in by_kind.items()), key=lambda f: (-f.count, f.label)
    )


def _ranked_known(
    parsed: ParsedQuery, result: SearchResult, *, newest: list[int], offset: int
) -> list[tuple[int, float]]:
    """Every match was counted: rank the newest of them (ids from the first pass); by date, they
    are already in order."""
    limit = result.page_size + 1
    if result.sort == DATE:
        return [(entry_id, 0.0) for entry_id in newest[offset : offset + limit]]
    score, score_params = _score(parsed)
    rows = _rows(
        f"SELECT c.id, {score} AS score FROM search_entry c WHERE c.id = ANY(%s) "  # noqa: S608 - this module's SQL; values are bound parameters
        "ORDER BY score DESC, c.date DESC, c.id DESC LIMIT %s OFFSET %s",
        [*score_params, newest, limit, offset],
    )
    return [(int(entry_id), float(value)) for entry_id, value in rows]


def _ranked_walk(
    parsed: ParsedQuery, result: SearchResult, *, where: str, params: list[Any], offset: int
) -> list[tuple[int, float]]:
    """More matches than were counted (a common word): walk the date index newest first, checking
    each row, until enough match. With at least ``SEARCH_COUNT_LIMIT`` matches the walk is short;
    the planner, pricing the check of a row too low, cannot be left to choose."""
    limit = result.page_size + 1
    _settings(enable_bitmapscan="off", enable_seqscan="off")
    if result.sort == DATE:
        rows = _rows(
            f"SELECT e.id, 0.0 FROM search_entry e WHERE {where} ORDER BY e.date DESC, e.id DESC LIMIT %s OFFSET %s",  # noqa: S608 - this module's SQL; values are bound parameters
            [*params, limit, offset],
        )
    else:
        score, score_params = _score(parsed)
        rows = _rows(
            f"""
            SELECT c.id, {score} AS score FROM (
                SELECT e.id, e.date, e.vector FROM search_entry e
                WHERE {where} ORDER BY e.date DESC, e.id DESC LIMIT %s
            ) c
            ORDER BY score DESC, c.date DESC, c.id DESC LIMIT %s OFFSET %s
            """,  # noqa: S608 - built from this module's clauses; every value is a bound parameter
            [*score_params, *params, settings.SEARCH_CANDIDATES, limit, offset],
        )
    _settings(enable_bitmapscan="on", enable_seqscan="on")
    return [(int(entry_id), float(value)) for entry_id, value in rows]


def _hit(
    row: tuple[Any, ...], *, score: float, terms: Sequence[str], directory: dict[int, PortalInfo], link: LinkStyle
) -> Hit:
    _id, portal_id, kind, source, object_id, language, title, body, path, date, published_at, data = row
    portal = directory[portal_id]
    folded_terms = frozenset(terms)
    return Hit(
        portal=portal,
        portal_url=link.url(portal.domain),
        kind=kind,
        kind_label=str(registry.kinds().get(kind, kind)),
        source=source,
        object_id=object_id,
        language=language,
        title=title,
        title_html=highlight(title, folded_terms),
        snippet_html=highlight(body, folded_terms, max_words=SNIPPET_WORDS),
        url=link.url(portal.domain, path),
        date=date,
        published_at=published_at,
        data=data if isinstance(data, dict) else json.loads(data or "{}"),
        score=score,
    )


# --- integration (Decision 80/2025 Đ14.4.c) -------------------------------------------------------------


def component_latest(
    *,
    kinds: Sequence[str] = INTEGRATED_KINDS,
    portal_kinds: Sequence[str] = COMPONENT_KINDS,
    limit: int = 10,
    link: LinkStyle | None = None,
) -> list[Hit]:
    """The newest public items of the active component portals, from the index (nothing copied):
    what the provincial portal's home page and its integration feed show.

    ``kinds``: kinds of content ("article", "legal_document", …); ``portal_kinds``: "department",
    "commune" or both. Unknown values raise ``ValidationFailed`` like ``search``.
    """
    link = link or LinkStyle()
    portal_kinds = tuple(k for k in portal_kinds)
    filters = Filters(kinds=tuple(kinds), portal_kinds=portal_kinds)
    _check(filters, query="", sort=DATE, page=1, page_size=min(max(limit, 1), MAX_PAGE_SIZE))
    if not set(portal_kinds) <= set(COMPONENT_KINDS):
        raise _invalid(
            "invalid_portal_kind", _("Only departments' and communes' portals are integrated."), "portal_kind"
        )
    directory = portal_directory()
    keep, _leave_out = _portal_ids(filters, scope=None, directory=directory)
    if not keep:
        return []
    clauses, params = _where(filters, keep=keep, leave_out=[], match=None)
    rows = _rows(
        f"SELECT {_HIT_COLUMNS} FROM search_entry e WHERE {' AND '.join(clauses)} "  # noqa: S608 - this module's SQL; values are bound parameters
        "ORDER BY e.date DESC, e.id DESC LIMIT %s",
        [*params, min(max(limit, 1), MAX_PAGE_SIZE)],
    )
    return [_hit(row, score=0.0, terms=(), directory=directory, link=link) for row in rows]
