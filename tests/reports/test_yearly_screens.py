"""The yearly report and incident screens: the portal's back office and the console."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from portal_platform.reports import incidents, yearly
from portal_platform.reports.models import Incident, ReportStatus, YearlyReport
from tenants.models import Portal
from tests.reports.seed import client_for
from tests.reports.test_incidents import _valid
from tests.reports.test_yearly import _docx

pytestmark = pytest.mark.django_db


def _html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_back_office_edit_submit_and_read_only_after(portal_a: Portal, staff_a: dict[str, User]) -> None:
    admin = client_for(portal_a, staff_a["admin"])
    with schema_context(portal_a.schema_name):
        assert "office-reports-link" in _html(admin.get("/admin/"))
    assert admin.get("/admin/bao-cao/").status_code == 200
    page = admin.get("/admin/bao-cao/nam/2025/")
    assert page.status_code == 200 and 'name="direction"' in _html(page)
    fields = {name: "" for name in yearly.EDITABLE_FIELDS}
    saved = admin.post("/admin/bao-cao/nam/2025/", {**fields, "direction": "Chỉ đạo kịp thời", "save": "1"})
    assert saved.status_code == 302
    report = YearlyReport.objects.get(portal=portal_a, year=2025)
    assert report.direction == "Chỉ đạo kịp thời" and report.status == ReportStatus.DRAFT
    too_long = admin.post("/admin/bao-cao/nam/2025/", {**fields, "document_number": "x" * 60, "save": "1"})
    assert too_long.status_code == 400
    assert admin.post("/admin/bao-cao/nam/2025/", {**fields, "direction": "Chỉ đạo", "submit": "1"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.figures
    after = admin.get("/admin/bao-cao/nam/2025/")
    assert 'name="direction"' not in _html(after) and "Chỉ đạo" in _html(after)
    assert admin.post("/admin/bao-cao/nam/2025/", {**fields, "direction": "Sửa", "save": "1"}).status_code == 400
    report.refresh_from_db()
    assert report.direction == "Chỉ đạo"
    exported = admin.get("/admin/bao-cao/nam/2025/tai-ve/", {"type": "docx"})
    assert exported.status_code == 200 and "Chỉ đạo" in _docx(exported.content)[0]


def test_back_office_members_read_only_and_outsiders_refused(portal_a: Portal, staff_a: dict[str, User]) -> None:
    yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="admin.xa-a")
    editor = client_for(portal_a, staff_a["editor"])
    page = editor.get("/admin/bao-cao/nam/2025/")
    assert page.status_code == 200 and 'name="direction"' not in _html(page)
    assert editor.post("/admin/bao-cao/nam/2025/", {"direction": "x", "save": "1"}).status_code == 403
    assert editor.get("/admin/bao-cao/su-co/moi/").status_code == 403
    assert client_for(portal_a, staff_a["nobody"]).get("/admin/bao-cao/").status_code == 403
    assert client_for(portal_a).get("/admin/bao-cao/").status_code == 302  # to the sign-in page


def test_back_office_files_an_incident_with_vietnamese_errors(
    portal_a: Portal,
    portal_b: Portal,
    staff_a: dict[str, User],
    staff_b: dict[str, User],
) -> None:
    admin = client_for(portal_a, staff_a["admin"])
    form = {"kind": "incident", "severity": "high", "title": "Mất kết nối cơ sở dữ liệu", "service_down": "on"}
    bad = admin.post(
        "/admin/bao-cao/su-co/moi/", {**form, "started_at": "02/06/2025 10:00", "ended_at": "01/06/2025 10:00"}
    )
    assert bad.status_code == 400 and "Thời điểm kết thúc không thể trước thời điểm bắt đầu." in _html(bad)
    good = admin.post(
        "/admin/bao-cao/su-co/moi/", {**form, "started_at": "01/06/2025 10:00", "ended_at": "01/06/2025 12:00"}
    )
    assert good.status_code == 302
    incident = Incident.objects.get(portal=portal_a)
    assert incident.service_down and incident.filed_by == "admin.xa-a"
    assert "Mất kết nối cơ sở dữ liệu" in _html(admin.get("/admin/bao-cao/"))
    assert "Mất kết nối cơ sở dữ liệu" not in _html(client_for(portal_b, staff_b["admin"]).get("/admin/bao-cao/"))


def test_console_lists_overdue_opens_reopens_and_exports(portal_a: Portal, portal_b: Portal, operator: Client) -> None:
    report = yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="admin.xa-a")
    listing = _html(operator.get("/bao-cao-nam/", {"year": 2025}))
    assert portal_a.name in listing and portal_b.name in listing and "Quá hạn" in listing
    overdue = _html(operator.get("/bao-cao-nam/", {"year": "2025", "state": "not_started"}))
    assert portal_b.name in overdue and portal_a.name not in overdue
    assert operator.get("/bao-cao-nam/", {"year": 1990}).status_code == 200  # the error on the form, not a crash

    yearly.yearly_report_submit(report=report, actor="admin.xa-a")
    detail = operator.get(f"/bao-cao-nam/{report.pk}/")
    assert detail.status_code == 200 and "Mở lại" in _html(detail)
    refused = operator.post(f"/bao-cao-nam/{report.pk}/mo-lai/", {"reason": ""})
    assert refused.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert operator.post(f"/bao-cao-nam/{report.pk}/mo-lai/", {"reason": "Bổ sung mục V"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert "Bổ sung mục V" in _html(operator.get(f"/bao-cao-nam/{report.pk}/"))
    pdf = operator.get(f"/bao-cao-nam/{report.pk}/tai-ve/", {"type": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert operator.get("/bao-cao-nam/999999/").status_code == 404


def test_console_incidents_acknowledge_and_close(portal_a: Portal, operator: Client) -> None:
    incident = incidents.incident_create(portal=portal_a, data=_valid(), filed_by="admin.xa-a")
    assert incident.title in _html(operator.get("/su-co/", {"status": "open"}))
    assert operator.post(f"/su-co/{incident.pk}/tiep-nhan/").status_code == 302
    assert operator.post(f"/su-co/{incident.pk}/dong/", {"resolution": ""}).status_code == 400
    assert operator.post(f"/su-co/{incident.pk}/dong/", {"resolution": "Đã xử lý"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_by == "vanhanh.baocao"
    assert incident.title not in _html(operator.get("/su-co/", {"status": "open"}))
