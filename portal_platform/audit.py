"""Recording security events in the audit log (public schema), from any schema."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from portal_platform.models import AuditLog
from tenants.context import tenant_db
from tenants.models import Portal

# Stable action names (filters, API, reports depend on them).
LOGIN_SUCCESS = "login.success"
LOGIN_FAILURE = "login.failure"
LOGOUT = "logout"
LOCKOUT = "account.lockout"
UNLOCK = "account.unlock"
PASSWORD_CHANGE = "password.change"
PASSWORD_RESET = "password.reset"
ACCOUNT_CREATE = "account.create"
ACCOUNT_CHANGE = "account.change"
ROLE_CHANGE = "account.roles"
ACCOUNT_CLOSE = "account.close"
BOARD_CHANGE = "board.change"


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind the deployment's reverse proxy the address is in REMOTE_ADDR (set by the proxy
    # protocol / gunicorn's forwarded-allow-ips); X-Forwarded-For is not trusted blindly.
    return request.META.get("REMOTE_ADDR") or None


def current_portal() -> Portal | None:
    """The portal whose schema the connection is in, or None in the control plane."""
    tenant = getattr(tenant_db, "tenant", None)
    if isinstance(tenant, Portal):
        return tenant
    schema = tenant_db.schema_name
    if not schema or schema == "public":
        return None
    return Portal.objects.filter(schema_name=schema).first()


def audit_log_record(
    *,
    action: str,
    actor: str = "",
    target: str = "",
    request: HttpRequest | None = None,
    ip_address: str | None = None,
    portal: Portal | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one event; the portal defaults to the one the connection is in."""
    return AuditLog.objects.create(
        portal=portal if portal is not None else current_portal(),
        action=action,
        actor=actor,
        target=target,
        ip_address=ip_address or client_ip(request),
        data=data or {},
    )
