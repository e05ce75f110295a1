from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from content.services import audit_event_record
from tenants.models import Portal

pytestmark = pytest.mark.django_db


def test_portal_create_command_uses_the_service(province: Portal) -> None:
    out = StringIO()
    call_command("portal_create", name="Ủy ban nhân dân xã Lệnh", abbreviation="xa-lenh", kind="commune", stdout=out)
    portal = Portal.objects.get(abbreviation="xa-lenh")
    assert portal.parent == province
    assert portal.get_primary_domain().domain.startswith("xa-lenh.")
    assert "portal_xa_lenh" in out.getvalue()


def test_portal_create_command_reports_the_error_code(portal_a: Portal) -> None:
    with pytest.raises(CommandError, match=r"\[abbreviation_taken\]"):
        call_command("portal_create", name="X", abbreviation=portal_a.abbreviation, kind="commune")


def test_portal_command_enters_the_named_portal(portal_a: Portal, portal_b: Portal) -> None:
    with schema_context(portal_a.schema_name):
        audit_event_record(action="content.published", object_repr="Tin bài của xã An")
    out = StringIO()
    call_command("portal_info", portal=portal_a.abbreviation, stdout=out)
    assert "Tin bài của xã An" in out.getvalue()
    out = StringIO()
    call_command("portal_info", schema=portal_b.schema_name, stdout=out)
    assert portal_b.name in out.getvalue()
    assert "Tin bài của xã An" not in out.getvalue()
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("portal_info", portal="khong-co")
