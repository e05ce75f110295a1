"""Request-side tenant context: host routing and the binding of sessions to their portal."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from portal_platform import health
from tenants.context import tenant_db
from tenants.models import PortalStatus
from tenants.routing import normalise_host, router

SESSION_SCHEMA_KEY = "_portal_schema"

# Served on every host, known or not, before routing: load balancers probe by IP address.
_HEALTH_VIEWS = {"/healthz": health.healthz, "/readyz": health.readyz}


class TenantRoutingMiddleware:
    """Serve each request from the schema its host belongs to; unknown hosts get a plain 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        health_view = _HEALTH_VIEWS.get(request.path_info.rstrip("/") or "/")
        if health_view is not None:
            tenant_db.set_schema_to_public()
            return health_view(request)
        try:
            host = normalise_host(request.get_host())
        except DisallowedHost:
            return _plain_page("tenants/unknown_host.html", 404)
        route = router.resolve(host)
        if route is None:
            return _plain_page("tenants/unknown_host.html", 404)

        portal = route.portal
        if portal is None:
            tenant_db.set_schema_to_public()
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            # django-tenants' admin templates read request.tenant.schema_name, so the console gets
            # the connection's stand-in for the public schema rather than None.
            request.tenant = tenant_db.tenant  # type: ignore[attr-defined]
            return self.get_response(request)

        if portal.status in (PortalStatus.SUSPENDED, PortalStatus.PROVISIONING):
            return _plain_page("tenants/unavailable.html", 503, portal=portal)
        if portal.status == PortalStatus.ARCHIVED and request.method not in ("GET", "HEAD", "OPTIONS"):
            # Archived portals stay readable for the record (Đ8) but accept no change at all.
            return _plain_page("tenants/archived.html", 403, portal=portal)
        if portal.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            # A restore is replacing the portal's data: a change accepted now would be lost.
            response = _plain_page("tenants/read_only.html", 503, portal=portal)
            response["Retry-After"] = "120"
            return response
        if tenant_db.schema_name != portal.schema_name:
            # set_tenant forgets the connection's search_path; skipping it for the schema the
            # connection is already on saves a `SET search_path` round trip per request.
            tenant_db.set_tenant(portal)
        else:
            tenant_db.tenant = portal
        request.tenant = portal  # type: ignore[attr-defined]
        return self.get_response(request)


def _plain_page(template: str, status: int, **context: object) -> HttpResponse:
    # No database, no session, no other portal's data: a static page from the template alone.
    return HttpResponse(render_to_string(template, context), status=status)


class PortalSessionBindingMiddleware:
    """Refuse a session cookie replayed on another portal's host.

    Sessions are already stored in each portal's own schema, so another portal's key is normally
    unknown there; the recorded schema makes the refusal explicit and also covers session backends
    that are not per-schema (cache, signed cookies).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        schema = tenant_db.schema_name
        has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_cookie:
            bound = session.get(SESSION_SCHEMA_KEY)
            if bound is not None and bound != schema:
                session.flush()
        response = self.get_response(request)
        if (session.modified or has_cookie) and not session.is_empty() and session.get(SESSION_SCHEMA_KEY) is None:
            session[SESSION_SCHEMA_KEY] = schema
        return response
