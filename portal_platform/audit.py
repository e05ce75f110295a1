"""Recording security events in the audit log (public schema), from any schema, and the
retention purge — the one thing allowed to remove rows (see migration 0002's trigger)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal_platform.models import AuditLog
from tenants.context import tenant_db
from tenants.models import Portal

# Stable action names (filters, API, reports depend on them).
LOGIN_SUCCESS = "login.success"
LOGIN_FAILURE = "login.failure"
LOGOUT = "logout"
LOCKOUT = "account.lockout"
UNLOCK = "account.unlock"
PASSWORD_CHANGE = "password.change"  # noqa: S105 - an action name
PASSWORD_RESET = "password.reset"  # noqa: S105 - an action name
ACCOUNT_CREATE = "account.create"
ACCOUNT_CHANGE = "account.change"
ROLE_CHANGE = "account.roles"
ACCOUNT_CLOSE = "account.close"
ACCOUNT_CLOSE_REQUEST = "account.close.request"
ACCOUNT_CLOSE_REJECT = "account.close.reject"
BOARD_CHANGE = "board.change"
AUDIT_PURGE = "audit.purge"

# What each action is called on screens (filters, lists); an action missing here shows its code.
ACTION_LABELS: dict[str, Promise] = {
    LOGIN_SUCCESS: _("Successful login"),
    LOGIN_FAILURE: _("Failed login"),
    LOGOUT: _("Logout"),
    LOCKOUT: _("Account locked"),
    UNLOCK: _("Account unlocked"),
    PASSWORD_CHANGE: _("Password changed"),
    PASSWORD_RESET: _("Password reset"),
    ACCOUNT_CREATE: _("Account created"),
    ACCOUNT_CHANGE: _("Account changed"),
    ROLE_CHANGE: _("Roles changed"),
    ACCOUNT_CLOSE: _("Account closed"),
    ACCOUNT_CLOSE_REQUEST: _("Account closure requested"),
    ACCOUNT_CLOSE_REJECT: _("Account closure rejected"),
    BOARD_CHANGE: _("Editorial board changed"),
    AUDIT_PURGE: _("Old audit entries removed"),
}

# The transaction-local switch the append-only trigger honours (migration 0002).
PURGE_SWITCH = "platform.audit_purge"

logger = logging.getLogger(__name__)


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


def retention_days() -> int:
    return int(settings.AUDIT_RETENTION_DAYS)


def audit_log_purge(*, older_than_days: int | None = None, actor: str = "") -> int:
    """Delete audit entries older than the retention period (``AUDIT_RETENTION_DAYS``, 12 months by
    default); returns how many went. The purge itself is recorded.

    The only writer allowed past the append-only trigger: it switches ``platform.audit_purge`` on
    with ``SET LOCAL``, so the switch dies with this transaction and no other statement, even on the
    same connection, can use it. Safe to run twice or from two processes (the second finds nothing).
    """
    days = retention_days() if older_than_days is None else older_than_days
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    cutoff = timezone.now() - dt.timedelta(days=days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SWITCH])
        deleted, _by_model = AuditLog.objects.filter(created_at__lt=cutoff).delete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SWITCH])
        if deleted:
            AuditLog.objects.create(
                portal=None,
                action=AUDIT_PURGE,
                actor=actor,
                data={"deleted": deleted, "before": cutoff.isoformat(), "retention_days": days},
            )
    logger.info("audit purge: %s entries older than %s removed", deleted, cutoff.isoformat())
    return deleted
