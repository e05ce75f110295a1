"""The Redis connection the public site's page cache and visit counters use.

Both need a few raw commands in one round trip (MGET of a version and a page; a pipeline of
HyperLogLog and counter updates) that Django's cache API cannot express, so they talk to the cache
server (``CACHE_URL``) directly, under their own ``site:`` key prefix. A failing Redis must never
take a page down: callers catch ``StoreError`` and serve the page uncached and uncounted.
"""

from __future__ import annotations

import logging
import threading

import redis
from django.conf import settings

log = logging.getLogger(__name__)

StoreError = redis.RedisError

_lock = threading.Lock()
_client: redis.Redis | None = None


def redis_client() -> redis.Redis:
    """One client (and connection pool) per process; redis-py reconnects after a fork."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = redis.Redis.from_url(
                    settings.CACHE_URL,
                    # A slow cache must not make a page slower than rendering it would be.
                    socket_timeout=0.5,
                    socket_connect_timeout=0.5,
                    health_check_interval=30,
                )
    return _client


def key(schema: str, *parts: str) -> str:
    """A key of portal ``schema``. The database's name is part of it, so two deployments (or two
    test runs) that share one Redis never read each other's pages or counters."""
    return ":".join(("site", str(settings.DATABASES["default"]["NAME"]), schema, *parts))
