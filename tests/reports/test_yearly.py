"""The yearly report: services, the document (DOCX opened back, PDF), the API on both hosts."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import docx
import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from portal_platform.errors import Conflict, ValidationFailed
from portal_platform.reports import yearly
from portal_platform.reports.models import ReportAction, ReportStatus, YearlyReport
from tenants.models import Portal
from tests.reports.seed import client_for, seed_portal

pytestmark = pytest.mark.django_db

HEADINGS = [
    "I. CÔNG TÁC CHỈ ĐẠO, QUẢN LÝ",
    "II. KẾT QUẢ HOẠT ĐỘNG",
    "1. Về chấp hành các quy định của pháp luật",
    "2. Về việc cung cấp thông tin (số lượng, chất lượng, tiến độ)",
    "3. Công tác bảo đảm hoạt động Cổng Thông tin điện tử",
    "III. ĐÁNH GIÁ CHUNG",
    "1. Ưu điểm",
    "2. Tồn tại, hạn chế",
    "3. Nguyên nhân của tồn tại, hạn chế",
    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ HOẠT ĐỘNG NĂM 2026",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
]


def _docx(content: bytes) -> tuple[list[str], Any]:
    document = docx.Document(io.BytesIO(content))
    return [paragraph.text for paragraph in document.paragraphs], document


def _table_text(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# --- services -------------------------------------------------------------------------------------------------


def test_submitted_report_is_frozen_until_reopened_and_every_step_is_recorded(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    report = yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="admin.xa-a")
    assert (report.period_start, report.period_end) == (dt.date(2024, 12, 11), dt.date(2025, 12, 10))
    assert yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="x").pk == report.pk
    report = yearly.yearly_report_update(report=report, data={"direction": "  Chỉ đạo sát sao. "}, actor="admin.xa-a")
    assert report.direction == "Chỉ đạo sát sao."
    with pytest.raises(ValidationFailed) as unknown:
        yearly.yearly_report_update(report=report, data={"status": "submitted"}, actor="admin.xa-a")
    assert unknown.value.code == "unknown_fields"

    report = yearly.yearly_report_submit(report=report, actor="admin.xa-a")
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == "admin.xa-a"
    assert report.figures["published"]["article"] == 3
    with pytest.raises(Conflict) as refused:
        yearly.yearly_report_update(report=report, data={"direction": "Sửa"}, actor="admin.xa-a")
    assert refused.value.code == "report_submitted"
    with pytest.raises(Conflict):
        yearly.yearly_report_submit(report=report, actor="admin.xa-a")
    report.refresh_from_db()
    assert report.direction == "Chỉ đạo sát sao."

    # Frozen: new content after submission does not change what was sent.
    from portal_platform.reports.models import Incident

    Incident.objects.create(
        portal=portal_a,
        kind="incident",
        title="Sau khi gửi",
        started_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC),
        filed_by="x",
    )
    assert yearly.yearly_report_figures(report=report).operation.incidents == 2

    with pytest.raises(ValidationFailed) as no_reason:
        yearly.yearly_report_reopen(report=report, actor="vanhanh", reason="  ")
    assert no_reason.value.code == "reason_required"
    report = yearly.yearly_report_reopen(report=report, actor="vanhanh", reason="Thiếu số liệu mục II.3")
    assert report.status == ReportStatus.DRAFT and report.figures == {}
    assert yearly.yearly_report_figures(report=report).operation.incidents == 3  # live again
    with pytest.raises(Conflict) as not_submitted:
        yearly.yearly_report_reopen(report=report, actor="vanhanh", reason="lần nữa")
    assert not_submitted.value.code == "report_not_submitted"
    yearly.yearly_report_update(report=report, data={"operation": "Đã bổ sung"}, actor="admin.xa-a")

    events = list(report.events.values_list("action", "actor", "reason"))
    assert events == [
        (ReportAction.CREATE, "admin.xa-a", ""),
        (ReportAction.EDIT, "admin.xa-a", ""),
        (ReportAction.SUBMIT, "admin.xa-a", ""),
        (ReportAction.REOPEN, "vanhanh", "Thiếu số liệu mục II.3"),
        (ReportAction.EDIT, "admin.xa-a", ""),
    ]


def test_a_year_still_to_come_is_invalid(portal_a: Portal) -> None:
    with pytest.raises(ValidationFailed) as error:
        yearly.yearly_report_get_or_create(portal=portal_a, year=2999, actor="x")
    assert error.value.code == "invalid_period"
    assert not YearlyReport.objects.filter(portal=portal_a).exists()


def test_overview_lists_who_has_not_sent_and_who_is_overdue(portal_a: Portal, portal_b: Portal) -> None:
    report = yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="x")
    before_due = yearly.yearly_report_overview(year=2025, today=dt.date(2025, 12, 1))
    rows = {row.portal.pk: row for row in before_due}
    assert rows[portal_a.pk].state == "draft" and not rows[portal_a.pk].overdue
    assert rows[portal_b.pk].state == "not_started" and rows[portal_b.pk].report is None
    assert all(row.portal.kind != "province" for row in before_due)

    after_due = {row.portal.pk: row for row in yearly.yearly_report_overview(year=2025, today=dt.date(2025, 12, 11))}
    assert after_due[portal_a.pk].overdue and after_due[portal_b.pk].overdue

    yearly.yearly_report_submit(report=report, actor="x", now=dt.datetime(2025, 12, 9, 9, tzinfo=dt.UTC))
    after_due = {row.portal.pk: row for row in yearly.yearly_report_overview(year=2025, today=dt.date(2025, 12, 11))}
    assert after_due[portal_a.pk].state == "submitted" and not after_due[portal_a.pk].overdue
    assert not after_due[portal_a.pk].late
    overdue = yearly.yearly_report_overview(year=2025, today=dt.date(2025, 12, 11), state="overdue")
    assert portal_b.pk in {row.portal.pk for row in overdue} and portal_a.pk not in {row.portal.pk for row in overdue}


# --- the document -----------------------------------------------------------------------------------------------


def test_docx_follows_the_template_with_the_figures_filled_in(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    report = yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="x")
    report = yearly.yearly_report_update(
        report=report,
        data={
            "document_number": "15/BC-UBND",
            "place": "An",
            "signer_title": "Chủ tịch",
            "signer_name": "Nguyễn Văn An",
            "strengths": "Cập nhật thường xuyên.",
        },
        actor="x",
    )
    report = yearly.yearly_report_submit(report=report, actor="x", now=dt.datetime(2025, 12, 5, 3, tzinfo=dt.UTC))
    content, content_type, filename = yearly.yearly_report_export(report=report, fmt="docx")
    assert content_type.endswith("wordprocessingml.document") and filename == "bao-cao-nam-2025-xa-a.docx"
    paragraphs, document = _docx(content)

    # The national-motto header block: a borderless two-column table.
    header = _table_text(document.tables[0])
    assert "ỦY BAN NHÂN DÂN XÃ AN" in header[0][0] and "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in header[0][0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[0][1] and "Độc lập - Tự do - Hạnh phúc" in header[0][1]
    assert header[1] == ["Số: 15/BC-UBND", "An, ngày 05 tháng 12 năm 2025"]
    assert 'w:val="nil"' in document.tables[0]._tbl.xml

    assert paragraphs[0] == "BÁO CÁO"
    assert paragraphs[1] == "Tình hình hoạt động của Cổng Thông tin điện tử Ủy ban nhân dân xã An"
    assert any(text.startswith("Kính gửi: Văn phòng Ủy ban nhân dân tỉnh Thử Nghiệm") for text in paragraphs)
    positions = [paragraphs.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)  # every heading, in the template's order
    assert "Cập nhật thường xuyên." in paragraphs

    # II.2 and II.3 figures as sentences and tables.
    assert any("đăng tải 5 tin, bài, văn bản" in text for text in paragraphs)
    tables = [_table_text(table) for table in document.tables]
    by_kind = next(table for table in tables if table[0] == ["STT", "Loại thông tin", "Số lượng"])
    assert ["1", "Tin, bài", "3"] in by_kind and ["", "Tổng cộng", "5"] in by_kind
    sections = next(table for table in tables if table[0][1] == "Chuyên mục")
    assert sections[1:] == [["1", "Tin tức a", "2"], ["2", "Chính quyền a", "1"]]
    questions = next(table for table in tables if table[0][0] == "Hỏi đáp của tổ chức, công dân")
    assert ["   – trả lời trễ hạn", "1"] in questions and ["   – trong đó đã quá hạn", "1"] in questions
    operation = next(table for table in tables if table[0] == ["Chỉ tiêu", "Số liệu"])
    assert ["Thời gian gián đoạn ngoài kế hoạch (phút)", "240"] in operation
    assert ["Tỷ lệ thời gian hoạt động", "99,95%"] in operation

    # The signature block: recipients left, signer right.
    signature = _table_text(document.tables[-1])[0]
    assert signature[0].startswith("Nơi nhận:\n- Như trên;") and signature[0].endswith("- Lưu: VT.")
    assert signature[1].startswith("CHỦ TỊCH") and signature[1].endswith("Nguyễn Văn An")


def test_an_empty_period_says_so(portal_b: Portal) -> None:
    report = yearly.yearly_report_get_or_create(portal=portal_b, year=2025, actor="x")
    paragraphs, document = _docx(yearly.yearly_report_export(report=report, fmt="docx")[0])
    assert any(text.startswith("Trong kỳ báo cáo không có số liệu") for text in paragraphs)
    assert len(document.tables) == 2  # the header and signature blocks only
    for heading in HEADINGS:
        assert heading in paragraphs


def test_pdf_export(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    report = yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="x")
    content, content_type, filename = yearly.yearly_report_export(report=report, fmt="pdf")
    assert content.startswith(b"%PDF-") and content_type == "application/pdf" and filename.endswith(".pdf")
    assert content.count(b"/Type /Page\n") + content.count(b"/Type /Page ") + content.count(b"/Type /Page/") >= 2
    assert len(content) > 20_000  # the embedded font subset and the text of several pages
    assert b"DejaVuSerif" in content
    with pytest.raises(ValidationFailed) as error:
        yearly.yearly_report_export(report=report, fmt="odt")
    assert error.value.code == "invalid_format"


# --- the API on a portal's host ---------------------------------------------------------------------------------


def test_portal_api_editors_edit_and_submit_members_read(portal_a: Portal, staff_a: dict[str, User]) -> None:
    api = "/api/v1/reports/yearly/2025/"
    editor = client_for(portal_a, staff_a["editor"])
    assert editor.get(api).json()["error"]["code"] == "report_not_found"  # members do not draft it

    admin = client_for(portal_a, staff_a["admin"])
    created = admin.get(api)
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["status"] == "draft" and body["due_date"] == "2025-12-10" and "published" in body["figures"]

    assert editor.get(api).status_code == 200
    refused = editor.patch(api, {"direction": "x"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "report_editor_required"
    assert client_for(portal_a, staff_a["nobody"]).get(api).status_code == 403

    deputy = client_for(portal_a, staff_a["deputy"])
    saved = deputy.patch(api, {"direction": "Chỉ đạo", "proposals": "Đề xuất"}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["direction"] == "Chỉ đạo"
    assert (
        deputy.patch(api, {"live": True}, content_type="application/json").json()["error"]["code"] == "unknown_fields"
    )
    assert deputy.post(f"{api}submit/").json()["status"] == "submitted"
    again = deputy.patch(api, {"direction": "Sửa"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "report_submitted"

    exported = editor.get(f"{api}export/", {"type": "docx"})
    assert exported.status_code == 200 and exported["Content-Disposition"].endswith('.docx"')
    assert "Chỉ đạo" in _docx(exported.content)[0]
    assert editor.get(f"{api}export/", {"type": "pdf"}).content.startswith(b"%PDF")
    assert editor.get(f"{api}export/", {"type": "odt"}).json()["error"]["code"] == "invalid_format"
    assert admin.get("/api/v1/reports/yearly/2999/").json()["error"]["code"] == "invalid_period"


def test_portal_api_never_shows_another_portals_report(
    portal_a: Portal, portal_b: Portal, staff_a: dict[str, User], staff_b: dict[str, User]
) -> None:
    seed_portal(portal_a, marker="a")
    mine = client_for(portal_a, staff_a["admin"]).get("/api/v1/reports/yearly/2025/").json()
    assert mine["figures"]["published"]["article"] == 3
    theirs = client_for(portal_b, staff_b["admin"]).get("/api/v1/reports/yearly/2025/").json()
    assert theirs["id"] != mine["id"] and theirs["portal"] == portal_b.pk
    assert theirs["figures"]["published_total"] == 0 and theirs["figures"]["operation"]["incidents"] == 0
    # Portal A's session is no good on portal B's host, and tokens are refused on portal hosts.
    stranger = Client(HTTP_HOST=client_for(portal_b).defaults["HTTP_HOST"])
    stranger.cookies = client_for(portal_a, staff_a["admin"]).cookies
    assert stranger.get("/api/v1/reports/yearly/2025/").status_code in (401, 403)


# --- the API on the console -------------------------------------------------------------------------------------


def test_console_lists_reopens_and_exports(portal_a: Portal, portal_b: Portal, operator: Client) -> None:
    report = yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="admin.xa-a")
    listed = operator.get("/api/v1/reports/yearly/", {"year": 2025}).json()
    rows = {row["portal"]: row for row in listed["reports"]}
    assert listed["due_date"] == "2025-12-10"
    assert rows[portal_a.pk]["state"] == "draft" and rows[portal_a.pk]["report"] == report.pk
    assert rows[portal_b.pk]["state"] == "not_started" and rows[portal_b.pk]["overdue"] is True
    not_sent = operator.get("/api/v1/reports/yearly/", {"year": "2025", "state": "not_started"}).json()["reports"]
    assert portal_b.pk in {row["portal"] for row in not_sent} and portal_a.pk not in {row["portal"] for row in not_sent}
    assert operator.get("/api/v1/reports/yearly/", {"year": 1990}).json()["error"]["code"] == "invalid_period"

    reopen = f"/api/v1/reports/yearly/{report.pk}/reopen/"
    assert operator.post(reopen, {"reason": "x"}, content_type="application/json").json()["error"]["code"] == (
        "report_not_submitted"
    )
    yearly.yearly_report_submit(report=report, actor="admin.xa-a")
    detail = operator.get(f"/api/v1/reports/yearly/{report.pk}/").json()
    assert detail["status"] == "submitted" and [event["action"] for event in detail["events"]] == ["create", "submit"]
    missing = operator.post(reopen, {"reason": ""}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "reason_required"
    reopened = operator.post(reopen, {"reason": "Bổ sung số liệu"}, content_type="application/json").json()
    assert reopened["status"] == "draft"
    assert reopened["events"][-1] == {**reopened["events"][-1], "action": "reopen", "reason": "Bổ sung số liệu"}
    assert reopened["events"][-1]["actor"] == "vanhanh.baocao"

    exported = operator.get(f"/api/v1/reports/yearly/{report.pk}/export/", {"type": "pdf"})
    assert exported.status_code == 200 and exported.content.startswith(b"%PDF")
    assert operator.get("/api/v1/reports/yearly/999999/").json()["error"]["code"] == "report_not_found"
    # Not for portal staff or anonymous callers.
    assert Client(HTTP_HOST=settings.CONSOLE_HOST).get("/api/v1/reports/yearly/").status_code in (401, 403)


def test_the_operations_are_in_both_schemas_with_descriptions(portal_a: Portal, operator: Client) -> None:
    console = json.loads(operator.get("/api/schema/", {"format": "json"}).content)
    portal = json.loads(client_for(portal_a).get("/api/schema/", {"format": "json"}).content)
    expected = {
        "console": (
            console,
            ["/api/v1/reports/yearly/", "/api/v1/reports/yearly/{id}/reopen/", "/api/v1/incidents/{id}/close/"],
        ),
        "portal": (
            portal,
            ["/api/v1/reports/yearly/{year}/", "/api/v1/reports/yearly/{year}/submit/", "/api/v1/reports/incidents/"],
        ),
    }
    for schema, paths in expected.values():
        for path in paths:
            assert path in schema["paths"], path
        for path, methods in schema["paths"].items():
            if "/reports/" in path or "/incidents/" in path:
                for operation in methods.values():
                    assert operation["summary"] and operation["description"] and operation["tags"], path
