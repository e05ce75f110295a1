"""Host → portal resolution with an in-process map.

Stock django-tenants looks the host up in the Domain table on every request. A province has a few
hundred domains at most, so each process keeps the whole map in memory and serves a request with a
dict lookup.

Invalidation uses a **version key in the shared cache** rather than a TTL: a TTL short enough to make
a suspended portal disappear promptly would reload the map many times a second across all workers,
and a long one would leave a new or suspended portal wrong for that long. Services that change a
portal or a domain bump the version after commit (``routing_invalidate``); each process compares its
version with the shared one at most every ``TENANT_ROUTING_RECHECK_SECONDS`` (default 1 s, so a
change is seen everywhere within about a second at the cost of one cache GET per second per
process). An unknown host, or one whose portal this process last saw still being provisioned,
triggers that comparison at once, so a portal provisioned a moment ago answers on its first
request: if the version has moved, that one host is looked up (one indexed query) and the whole map
is reloaded at the next recheck, which keeps the cost of a new portal's first request independent
of how many portals there are. If the shared cache cannot be read, the process reloads from the
database at the recheck interval instead, so routing never depends on the cache being up.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from tenants.models import Domain, Portal, PortalStatus

logger = logging.getLogger(__name__)

VERSION_KEY = "routing:version"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a host goes. ``portal`` is None for the console (public schema)."""

    schema_name: str
    portal: Portal | None

    @property
    def is_console(self) -> bool:
        return self.portal is None


class HostRouter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Route] | None = None
        self._version: int | None = None
        self._checked_at = 0.0

    def resolve(self, host: str) -> Route | None:
        routes = self._routes
        checked = False
        if routes is None or time.monotonic() - self._checked_at >= settings.TENANT_ROUTING_RECHECK_SECONDS:
            routes, checked = self._refresh(), True
        route = routes.get(host)
        if not checked and (route is None or _provisioning(route)):
            # An unknown host may be a portal provisioned a moment ago, and one seen while it was
            # being provisioned may have been activated since: compare versions now rather than
            # at the next recheck (else it would answer 404 or 503 for up to that long). That
            # costs one cache read, and a database read only when something really changed.
            route = self._recheck(host, route)
        return route

    def _recheck(self, host: str, route: Route | None) -> Route | None:
        version = _shared_version()
        with self._lock:
            if version is None or version == self._version or self._routes is None:
                return route  # cache down (reload on the timer only), or nothing changed
            # Something changed: read this one host now; the next recheck reloads the whole map
            # (its version is left as it was, so that recheck still sees the change).
            fresh = _load_route(host)
            routes = dict(self._routes)
            if fresh is None:
                routes.pop(host, None)
            else:
                routes[host] = fresh
            self._routes = routes
            return fresh

    def clear(self) -> None:
        """Forget the map in this process (the next request reloads it)."""
        with self._lock:
            self._routes = None
            self._version = None

    def _refresh(self, force: bool = False) -> dict[str, Route]:
        with self._lock:
            now = time.monotonic()
            fresh = now - self._checked_at < settings.TENANT_ROUTING_RECHECK_SECONDS
            if self._routes is not None and fresh and not force:
                return self._routes  # another thread refreshed while we waited
            version = _shared_version()
            if self._routes is None:
                reload = True
            elif version is None:
                reload = not force  # cache down: reload on the recheck timer only, never per miss
            else:
                reload = version != self._version
            if reload:
                # Read the version before the rows: a change committed in between bumps the
                # version again, so the next check reloads rather than keeping a stale map.
                self._routes = _load_routes()
                self._version = version
            self._checked_at = now
            assert self._routes is not None
            return self._routes


def _shared_version() -> int | None:
    try:
        value = caches["shared"].get(VERSION_KEY)
    except Exception:  # the cache is down: fall back to reloading from the database
        logger.warning("routing: shared cache unreachable, reloading host map from the database")
        return None
    return int(value) if value is not None else 0


def _provisioning(route: Route) -> bool:
    return route.portal is not None and route.portal.status == PortalStatus.PROVISIONING


def _load_route(host: str) -> Route | None:
    if host == settings.CONSOLE_HOST:
        return Route(schema_name=settings.PUBLIC_SCHEMA_NAME, portal=None)
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None:
        return None
    portal: Portal = domain.tenant
    return Route(schema_name=portal.schema_name, portal=portal)


def _load_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {settings.CONSOLE_HOST: Route(schema_name=settings.PUBLIC_SCHEMA_NAME, portal=None)}
    for domain in Domain.objects.select_related("tenant").all():
        portal: Portal = domain.tenant
        routes[domain.domain] = Route(schema_name=portal.schema_name, portal=portal)
    return routes


def routing_invalidate() -> None:
    """Make every process reload its host map, after the current transaction commits."""

    def bump() -> None:
        shared = caches["shared"]
        try:
            try:
                shared.incr(VERSION_KEY)
            except ValueError:  # the key does not exist yet
                shared.add(VERSION_KEY, 1, timeout=None)
        except Exception:
            logger.exception(
                "routing: could not bump the version key; other processes will reload "
                "at their next recheck only if their cache reads fail too"
            )
        router.clear()

    transaction.on_commit(bump)


def normalise_host(host: str) -> str:
    """Host header → lookup key: no port, lower case, no trailing dot."""
    if host.startswith("["):  # IPv6 literal
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".").lower() if ":" in host else host.rstrip(".").lower()


router = HostRouter()
