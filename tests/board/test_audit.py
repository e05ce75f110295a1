"""The audit log: append-only in the database, purged after the retention period only through the
purge switch, and searchable per portal in its back office and across portals in the console."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles
from portal_platform import audit
from portal_platform.models import AuditLog
from tenants.models import Portal
from tests.board import account, client_for, roles_ready

pytestmark = pytest.mark.django_db


def _old_entry(days: int, **fields: Any) -> int:
    """An entry written ``days`` ago (the table's own default would stamp it now)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO portal_platform_auditlog (portal_id, action, actor, target, ip_address, data, created_at)"
            " VALUES (%s, %s, %s, %s, NULL, '{}', %s) RETURNING id",
            [
                fields.get("portal_id"),
                fields.get("action", audit.LOGIN_SUCCESS),
                fields.get("actor", "cu"),
                "",
                timezone.now() - dt.timedelta(days=days),
            ],
        )
        return int(cursor.fetchone()[0])


def test_entries_cannot_be_changed_or_deleted_through_the_application(portal_a: Portal) -> None:
    entry = audit.audit_log_record(action=audit.LOGIN_FAILURE, actor="ke-gian", target="admin.xa-a", portal=portal_a)
    entry.actor = "nguoi-khac"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).update(actor="nguoi-khac")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE portal_platform_auditlog")
    entry.refresh_from_db()
    assert entry.actor == "ke-gian"


def test_the_purge_removes_only_entries_past_retention_and_records_itself(settings: Any, portal_a: Portal) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    old = _old_entry(400, portal_id=portal_a.pk)
    recent = _old_entry(30, portal_id=portal_a.pk)
    assert audit.audit_log_purge(actor="scheduler") >= 1
    assert not AuditLog.objects.filter(pk=old).exists()
    assert AuditLog.objects.filter(pk=recent).exists()
    purge = AuditLog.objects.filter(action=audit.AUDIT_PURGE).latest("id")
    assert purge.actor == "scheduler" and purge.data["retention_days"] == 365
    # The switch lived only in the purge's transaction.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=recent).delete()

    call_command("audit_purge", "--days", "7")
    assert not AuditLog.objects.filter(pk=recent).exists()


def test_a_tenant_admin_searches_only_its_own_portal(portal_a: Portal, portal_b: Portal) -> None:
    audit.audit_log_record(action=audit.LOGIN_FAILURE, actor="ke-gian-a", target="admin.xa-a", portal=portal_a)
    other = audit.audit_log_record(action=audit.LOGIN_FAILURE, actor="ke-gian-b", target="admin.xa-b", portal=portal_b)
    with schema_context(portal_a.schema_name):
        roles_ready()
        admin = account("admin.xa-a", roles=[roles.TENANT_ADMIN])
        editor = account("nguyenvanan.xa-a", roles=[roles.EDITOR])
        admin_client = client_for(portal_a, admin)
        editor_client = client_for(portal_a, editor)

    response = admin_client.get("/admin/portal_platform/auditlog/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "ke-gian-a" in page and "ke-gian-b" not in page
    assert admin_client.get("/admin/portal_platform/auditlog/?q=ke-gian-b").context["cl"].result_count == 0
    filtered = admin_client.get(f"/admin/portal_platform/auditlog/?action={audit.LOGIN_FAILURE}").content.decode()
    assert "ke-gian-a" in filtered
    # Another portal's entry is not reachable by its address either.
    assert admin_client.get(f"/admin/portal_platform/auditlog/{other.pk}/change/").status_code == 302
    assert admin_client.get("/admin/portal_platform/auditlog/add/").status_code == 403
    # Only the tenant admin's role reads the log.
    assert editor_client.get("/admin/portal_platform/auditlog/").status_code == 403


def test_the_console_searches_across_portals(settings: Any, portal_a: Portal, portal_b: Portal) -> None:
    audit.audit_log_record(action=audit.LOGIN_FAILURE, actor="ke-gian-a", portal=portal_a, ip_address="10.1.1.1")
    audit.audit_log_record(action=audit.ACCOUNT_CLOSE, actor="ke-gian-b", portal=portal_b, ip_address="10.2.2.2")
    operator = User.objects.create_user(username="vanhanh", password="x", is_staff=True)
    operator.password_changed_at = timezone.now()
    operator.save()
    client = client_for(None, operator)
    base = "/admin/portal_platform/auditlog/"
    page = client.get(base).content.decode()
    assert "ke-gian-a" in page and "ke-gian-b" in page
    by_portal = client.get(f"{base}?portal__id__exact={portal_b.pk}").content.decode()
    assert "ke-gian-b" in by_portal and "ke-gian-a" not in by_portal
    by_action = client.get(f"{base}?action={audit.LOGIN_FAILURE}").content.decode()
    assert "ke-gian-a" in by_action and "ke-gian-b" not in by_action
    by_address = [entry.actor for entry in client.get(f"{base}?q=10.2.2").context["cl"].result_list]
    assert "ke-gian-b" in by_address and "ke-gian-a" not in by_address
    today = timezone.localdate().isoformat()
    by_date = client.get(f"{base}?created_at__date__gte={today}&created_at__date__lte={today}").content.decode()
    assert "ke-gian-a" in by_date
    assert client.post(f"{base}add/").status_code == 403
