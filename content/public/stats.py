"""Visit statistics of a portal (practice, TT 24/2011): online now, today, total, per article.

Counted by ``content.public.cache.PublicPageCacheMiddleware`` on every HTML page a visitor gets —
served from the page cache or rendered — with one pipelined Redis round trip, so counting never
needs the database and never stops a cached page from being cached:

- **online now**: distinct visitors in the last ``ONLINE_MINUTES`` minutes, one HyperLogLog per
  minute (``PFADD``; ``PFCOUNT`` over the window merges them). A visitor is a hash of the address and
  the browser's user agent: no cookie is set (cached pages carry none) and nothing personal is
  stored, since a HyperLogLog keeps no members;
- **today** and **total**: page views (``INCR``), "today" by the portal's local date;
- **per article**: page views of each article page (``HINCRBY`` on one hash per portal).

Crawlers that say so in their user agent are not counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils import timezone
from redis.client import Pipeline

from content.public.store import StoreError, key, redis_client

log = logging.getLogger(__name__)

ONLINE_MINUTES = 5
_DAY_SECONDS = 24 * 60 * 60
_CRAWLER = re.compile(r"bot|crawl|spider|slurp|facebookexternalhit|preview", re.IGNORECASE)


@dataclass(frozen=True)
class VisitCounts:
    online: int
    today: int
    total: int


def _minute(now: dt.datetime) -> int:
    return int(now.timestamp()) // 60


def visitor_id(request: HttpRequest) -> str:
    raw = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def is_crawler(request: HttpRequest) -> bool:
    return bool(_CRAWLER.search(request.META.get("HTTP_USER_AGENT", "")))


ONLINE_TTL = (ONLINE_MINUTES + 1) * 60
DAY_TTL = 2 * _DAY_SECONDS


@dataclass(frozen=True)
class VisitKeys:
    """Where one page view is counted (the page cache's script counts a cached page with these)."""

    online: str
    day: str
    total: str
    articles: str


def visit_keys(*, schema: str, now: dt.datetime | None = None) -> VisitKeys:
    now = now or timezone.now()
    return VisitKeys(
        online=key(schema, "online", str(_minute(now))),
        day=key(schema, "day", timezone.localdate(now).strftime("%Y%m%d")),
        total=key(schema, "total"),
        articles=key(schema, "article-views"),
    )


def visit_add(pipe: Pipeline, *, schema: str, visitor: str, article_pk: int | None = None) -> None:
    """Queue the commands that count one page view on ``pipe`` (sent with the caller's others)."""
    keys = visit_keys(schema=schema)
    pipe.pfadd(keys.online, visitor)
    pipe.expire(keys.online, ONLINE_TTL)
    pipe.incr(keys.day)
    pipe.expire(keys.day, DAY_TTL)
    pipe.incr(keys.total)
    if article_pk is not None:
        pipe.hincrby(keys.articles, str(article_pk), 1)


def visit_record(*, schema: str, visitor: str, article_pk: int | None = None) -> None:
    """Count one page view in portal ``schema``; a Redis failure is logged, never raised."""
    try:
        pipe = redis_client().pipeline(transaction=False)
        visit_add(pipe, schema=schema, visitor=visitor, article_pk=article_pk)
        pipe.execute()
    except StoreError:
        log.warning("visit statistics: Redis unavailable, a visit to %s was not counted", schema)


def visit_counts(*, schema: str, now: dt.datetime | None = None) -> VisitCounts:
    """Online now, page views today and in total, for portal ``schema`` (zeros if Redis is down)."""
    return visit_summary(schema=schema, now=now)[0]


def visit_summary(
    *, schema: str, article_pk: int | None = None, now: dt.datetime | None = None
) -> tuple[VisitCounts, int]:
    """The portal's figures and the views of one article, in one round trip."""
    now = now or timezone.now()
    minute = _minute(now)
    window = [key(schema, "online", str(m)) for m in range(minute - ONLINE_MINUTES + 1, minute + 1)]
    keys = visit_keys(schema=schema, now=now)
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.pfcount(*window)
        pipe.get(keys.day)
        pipe.get(keys.total)
        pipe.hget(keys.articles, str(article_pk or 0))
        online, today, total, views = pipe.execute()
    except StoreError:
        log.warning("visit statistics: Redis unavailable, showing no figures for %s", schema)
        return VisitCounts(online=0, today=0, total=0), 0
    counts = VisitCounts(online=int(online or 0), today=int(today or 0), total=int(total or 0))
    return counts, int(views or 0) if article_pk is not None else 0


def article_views(*, schema: str, pks: list[int]) -> dict[int, int]:
    """Page views of the given articles (missing ones count 0)."""
    if not pks:
        return {}
    try:
        values = redis_client().hmget(visit_keys(schema=schema).articles, [str(pk) for pk in pks])
    except StoreError:
        return dict.fromkeys(pks, 0)
    return {pk: int(value or 0) for pk, value in zip(pks, values, strict=True)}
