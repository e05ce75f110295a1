"""The anonymous page cache of the public site, per portal, host and language.

``PublicPageCacheMiddleware`` sits right after the tenant router, so a cached page skips sessions,
CSRF, authentication and the view: one Redis round trip (a small Lua script reads the portal's cache
version and the page, and counts the visit when the page is current), and the page goes out with
the headers the full stack gave it when it was rendered.

What may be cached, and for whom:

- only responses of views marked with ``public_page`` (the public site's own pages and feeds),
  status 200, for ``GET``, and only for the query parameters those pages read
  (``CACHED_PARAMETERS``; tracking parameters such as ``fbclid`` are ignored) — any other
  parameter gets a rendered page, so random query strings cannot fill the cache;
- never for a request that carries a session cookie (staff signed in to the back office), a
  messages cookie, or an ``Authorization`` header — those always get a freshly rendered page, and
  what is rendered for them is never stored, so citizens never get a staff page;
- never a response that sets a cookie or used a CSRF token (so no token and no ``Set-Cookie`` can
  reach another visitor); cached responses ``Vary`` on ``Accept-Language`` and ``Cookie``.

The key holds the portal's schema, the scheme and host (pages carry absolute links), the language
(``get_language_from_request``, exactly as ``LocaleMiddleware`` decides it), the portal's local date
(the week's schedule, announcements' end dates), the portal row's status and last change (archived
notice, footer details) and the current downtime notices. The entry holds the portal's **cache
version**; bumping it (``page_cache_invalidate``) retires every cached page of the portal at once:

- a publication listener (``content.publishing``) bumps it whenever what the public sees of an item
  changes — published, republished, unpublished, published on schedule;
- ``content.public.receivers`` bumps it after any change to sections, menus, site settings, document
  fields or tags (the layout and filters every page shows).

Entries also expire after ``PUBLIC_CACHE_SECONDS`` (which bounds the staleness of the visit figures
shown in the footer). If Redis is unreachable the page is simply rendered.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from content.public import stats
from content.public.store import StoreError, key, redis_client
from tenants.context import tenant_db
from tenants.models import Portal

log = logging.getLogger(__name__)

CACHE_HEADER = "X-Page-Cache"
# Never looked up: the back office, the APIs, files, and the views that set cookies.
_SKIP_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/tai-khoan/", "/ngon-ngu/")
_MESSAGES_COOKIE = "messages"
_NOT_STORED = frozenset({"content-length", CACHE_HEADER.lower()})

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def public_page(view: V) -> V:
    """Mark ``view``'s responses as the same for every anonymous visitor (cacheable)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response.public_cache = True  # type: ignore[attr-defined]
        return response

    return wrapped  # type: ignore[return-value]


def count_article_view(response: HttpResponseBase, article_pk: int) -> None:
    """Make the page's visits count as views of this article too (also when served from cache)."""
    response.stats_article = article_pk  # type: ignore[attr-defined]


# Part of the layout's key: a deployment that changes ``Layout`` never reads the previous shape.
LAYOUT_FORMAT = "2"


# --- versions ------------------------------------------------------------------------------------


def version_key(schema: str) -> str:
    return key(schema, "pc", "v")


def page_cache_version(schema: str) -> int:
    try:
        raw = redis_client().get(version_key(schema))
    except StoreError:
        return -1
    return int(raw or 0)


def page_cache_invalidate(schema: str) -> None:
    """Retire every cached page (and the cached layout) of portal ``schema`` now."""
    try:
        redis_client().incr(version_key(schema))
    except StoreError:
        # Entries still expire after PUBLIC_CACHE_SECONDS; nothing else can be done without Redis.
        log.exception("page cache: could not bump the version of %s", schema)


def page_cache_invalidate_on_commit() -> None:
    """``page_cache_invalidate`` for the current schema, once the current transaction commits."""
    schema = tenant_db.schema_name
    transaction.on_commit(lambda: page_cache_invalidate(schema))


# --- the downtime notices every page shows, re-read at most once per recheck interval -----------

_notice_memo: dict[str, tuple[float, str]] = {}


def _notices_signature(portal: Portal) -> str:
    now = time.monotonic()
    memo = _notice_memo.get(portal.schema_name)
    if memo is not None and now - memo[0] < settings.TENANT_ROUTING_RECHECK_SECONDS:
        return memo[1]
    from provisioning.selectors import downtime_notices_current

    notices = downtime_notices_current(portal=portal)
    raw = "|".join(f"{n.pk}:{n.starts_at.timestamp()}:{n.expected_end.timestamp()}:{n.message}" for n in notices)
    signature = hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()
    _notice_memo[portal.schema_name] = (now, signature)
    return signature


def notices_forget() -> None:
    """Forget the remembered notices (tests; a new notice otherwise shows within the interval)."""
    _notice_memo.clear()


# --- entries ---------------------------------------------------------------------------------------

# Query parameters the public pages read; a request with any other parameter is served uncached
# (random parameters must not fill the cache). Tracking parameters added by social networks and
# campaigns are ignored, so a shared article stays one cached page.
CACHED_PARAMETERS = frozenset(
    {"page", "tuan", "number", "issuer", "q", "field", "type", "validity", "issued_from", "issued_to"}
)
IGNORED_PARAMETERS = frozenset(
    {"fbclid", "gclid", "zarsrc", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}
)

# One round trip for a cached page: read the portal's version and the entry, and if the entry is
# current, count the visit (online, today, total, article) in the same call. Entries are hashes:
# v = version, a = article pk or "", c = "1" if a page view, d = the pickled response.
_LOOKUP = """
local version = redis.call('GET', KEYS[1]) or '0'
local entry = redis.call('HMGET', KEYS[2], 'v', 'a', 'c', 'd')
if entry[1] ~= version or not entry[4] then
  -- A miss: the page will be rendered, and it needs the layout of this version.
  return {version, false, redis.call('GET', ARGV[5] .. version .. ARGV[6])}
end
if ARGV[1] == '1' and entry[3] == '1' then
  redis.call('PFADD', KEYS[3], ARGV[2])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
  redis.call('INCR', KEYS[4])
  redis.call('EXPIRE', KEYS[4], ARGV[4])
  redis.call('INCR', KEYS[5])
  if entry[2] and entry[2] ~= '' then
    redis.call('HINCRBY', KEYS[6], entry[2], 1)
  end
end
return {version, entry[4]}
"""
_lookup_script: Any = None


def layout_key(portal: Portal, language: str, version: int | str) -> str:
    """Where the layout of ``portal`` in ``language`` at cache ``version`` is kept (content.public.layout)."""
    stamp = portal.updated_at.isoformat() if portal.updated_at else ""
    return key(portal.schema_name, "layout", LAYOUT_FORMAT, str(version), language, stamp)


def _lookup(*, portal: Portal, language: str, entry_key: str, count: bool, visitor: str) -> tuple[int, Any, Any]:
    """(version, the cached page or None, on a miss the cached layout or None): one round trip."""
    global _lookup_script
    client = redis_client()
    if _lookup_script is None:
        _lookup_script = client.register_script(_LOOKUP)
    schema = portal.schema_name
    keys = stats.visit_keys(schema=schema)
    prefix, suffix = layout_key(portal, language, "\x00").split("\x00")
    result = _lookup_script(
        keys=[version_key(schema), entry_key, keys.online, keys.day, keys.total, keys.articles],
        args=["1" if count else "0", visitor, stats.ONLINE_TTL, stats.DAY_TTL, prefix, suffix],
        client=client,
    )
    version, data = result[0], result[1]
    return int(version), data, result[2] if len(result) > 2 else None


@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[str, str]]
    content: bytes

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def _cache_query(request: HttpRequest) -> str | None:
    """The query string as the cache sees it, or None when the page must not be cached."""
    if not request.META.get("QUERY_STRING"):
        return ""
    kept: list[tuple[str, str]] = []
    for name, values in request.GET.lists():
        if name in IGNORED_PARAMETERS or name.startswith("utm_"):
            continue
        if name not in CACHED_PARAMETERS:
            return None
        kept.extend((name, value) for value in values)
    return "&".join(f"{name}={value}" for name, value in sorted(kept))


# Part of every entry's key: a deployment that changes ``Entry`` never reads the previous shape.
ENTRY_FORMAT = "1"


def _entry_key(request: HttpRequest, portal: Portal, language: str, query: str) -> str:
    parts = (
        ENTRY_FORMAT,
        request.scheme or "http",
        request.get_host(),
        language,
        timezone.localdate().isoformat(),
        portal.status,
        "read-only" if portal.read_only else "",  # the restore notice is part of the page
        portal.updated_at.isoformat() if portal.updated_at else "",
        _notices_signature(portal),
        request.path,
        query,
    )
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return key(portal.schema_name, "page", digest)


def _is_private(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    # Emptied cookies (a logout, messages just shown) no longer make a visitor private.
    return bool(
        cookies.get(settings.SESSION_COOKIE_NAME)
        or cookies.get(_MESSAGES_COOKIE)
        or "HTTP_AUTHORIZATION" in request.META
    )


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if not getattr(response, "public_cache", False) or request.method != "GET":
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token: it belongs to this visitor only
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _is_page_view(response: HttpResponseBase) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


def _counts(request: HttpRequest) -> bool:
    return request.method == "GET" and not stats.is_crawler(request)


def _count(request: HttpRequest, response: HttpResponseBase, schema: str) -> None:
    if _counts(request) and _is_page_view(response):
        article_pk = getattr(response, "stats_article", None)
        stats.visit_record(schema=schema, visitor=stats.visitor_id(request), article_pk=article_pk)


class PublicPageCacheMiddleware:
    """Serve anonymous visitors' pages from the cache; count every page view. See the module doc."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        portal = getattr(request, "tenant", None)
        if not isinstance(portal, Portal) or request.path_info.startswith(_SKIP_PREFIXES):
            return self.get_response(request)
        schema = portal.schema_name
        query = _cache_query(request)
        if (
            request.method not in ("GET", "HEAD")
            or query is None
            or _is_private(request)
            or settings.PUBLIC_CACHE_SECONDS <= 0
        ):
            response = self.get_response(request)
            _count(request, response, schema)
            return response

        language = translation.get_language_from_request(request)
        entry_key = _entry_key(request, portal, language, query)
        counts = _counts(request)
        visitor = stats.visitor_id(request)
        try:
            version, data, layout_raw = _lookup(
                portal=portal, language=language, entry_key=entry_key, count=counts, visitor=visitor
            )
        except StoreError:
            log.warning("page cache: Redis unavailable, rendering %s", request.path)
            response = self.get_response(request)
            _count(request, response, schema)
            return response
        if data is not None:
            entry: Entry = pickle.loads(data)  # noqa: S301 - written only by this module to our cache server
            response = entry.response()
            response[CACHE_HEADER] = "hit"
            return response  # counted by the lookup

        request.site_cache_version = version  # type: ignore[attr-defined]
        request.site_layout_raw = layout_raw  # type: ignore[attr-defined]
        response = self.get_response(request)
        # Store the page and count the visit in one round trip.
        pipe = redis_client().pipeline(transaction=False)
        if _storable(request, response):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            assert isinstance(response, HttpResponse)
            article_pk = getattr(response, "stats_article", None)
            entry = Entry(
                status=response.status_code,
                headers=[(name, value) for name, value in response.items() if name.lower() not in _NOT_STORED],
                content=response.content,
            )
            fields: dict[Any, str | int | bytes] = {  # redis-py types its keys as a union
                "v": version,
                "a": "" if article_pk is None else str(article_pk),
                "c": "1" if _is_page_view(response) else "0",
                "d": pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL),
            }
            pipe.hset(entry_key, mapping=fields)
            pipe.expire(entry_key, settings.PUBLIC_CACHE_SECONDS)
            response[CACHE_HEADER] = "miss"
        if counts and _is_page_view(response):
            stats.visit_add(pipe, schema=schema, visitor=visitor, article_pk=getattr(response, "stats_article", None))
        if len(pipe):
            try:
                pipe.execute()
            except StoreError:
                log.warning("page cache: Redis unavailable, %s neither stored nor counted", request.path)
        return response
