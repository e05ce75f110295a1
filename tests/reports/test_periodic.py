"""The provincial periodic reports: per-portal figures that never mix portals, totals that are the
sums of the portals, the period's boundary days, an empty period that says so, bad periods, the
DOCX and XLSX exports opened back, the charts, the console page and the cost of 20 portals."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from django.test import Client
from django_tenants.utils import schema_context
from openpyxl.worksheet.worksheet import Worksheet
from rest_framework.authtoken.models import Token

from accounts.models import User
from content import roles
from content.models import Article, Category, DocumentField, LegalDocument
from portal_platform.reports import charts, periods
from portal_platform.reports.figures import PortalFigures
from portal_platform.reports.periodic import (
    PeriodicReport,
    periodic_report,
    periodic_report_compute,
    report_row,
)
from portal_platform.reports.periodic_docx import periodic_docx
from portal_platform.reports.xlsx import periodic_xlsx
from tenants.models import Portal, PortalKind, PortalStatus
from tests.board import account, roles_ready
from tests.site.content import publish

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = periods.month(2021, 3)
Q1 = periods.quarter(2021, 1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def _article(head: User, section: Category, title: str, when: dt.datetime) -> None:
    item = publish(
        Article,
        {"title": title, "summary": title, "body": f"<p>{title}</p>", "author": "PV", "sections": [section.pk]},
        head,
    )
    Article.objects.filter(pk=item.pk).update(first_published_at=when)


def _document(head: User, field: DocumentField, number: str, issued: dt.date, when: dt.datetime) -> None:
    item = publish(
        LegalDocument,
        {
            "form": "quyet-dinh",
            "issuer": "UBND",
            "signer": "Chủ tịch",
            "field": field.pk,
            "number": number,
            "issue_date": issued.isoformat(),
            "abstract": number,
        },
        head,
    )
    LegalDocument.objects.filter(pk=item.pk).update(first_published_at=when)


@pytest.fixture
def seeded(portal_a: Portal, portal_b: Portal) -> None:
    """A: 3 articles in March 2021 (on its first and last minute, and mid-month), 1 in February,
    1 just after March; 2 legal documents in March (one on time). B: 1 article in March."""
    with schema_context(portal_a.schema_name):
        roles_ready()
        head = account("truongban.dka", roles=[roles.BOARD_HEAD])
        section = Category.objects.create(name="Tin định kỳ A", slug="tin-dinh-ky-a")
        field = DocumentField.objects.create(name="Lĩnh vực định kỳ A", slug="linh-vuc-dinh-ky-a")
        _article(head, section, "Đầu tháng ba", at(2021, 3, 1, 0, 0))
        _article(head, section, "Giữa tháng ba", at(2021, 3, 16, 9))
        _article(head, section, "Cuối tháng ba", at(2021, 3, 31, 23, 59))
        _article(head, section, "Tháng hai", at(2021, 2, 10, 9))
        _article(head, section, "Đầu tháng tư", at(2021, 4, 1, 0, 0))
        _document(head, field, "01/2021/QĐ-DKA", dt.date(2021, 3, 1), at(2021, 3, 2, 9))
        _document(head, field, "02/2021/QĐ-DKA", dt.date(2021, 1, 4), at(2021, 3, 20, 9))
    with schema_context(portal_b.schema_name):
        roles_ready()
        head = account("truongban.dkb", roles=[roles.BOARD_HEAD])
        section = Category.objects.create(name="Tin định kỳ B", slug="tin-dinh-ky-b")
        _article(head, section, "Tin xã Bình tháng ba", at(2021, 3, 5, 8))


def _row(report: PeriodicReport, portal: Portal) -> PortalFigures:
    return next(row for row in report.portals if row.portal_id == portal.pk)


def _ints(figures: PortalFigures) -> dict[str, Any]:
    values = report_row(figures)
    values.pop("uptime_percent")
    return values


def test_each_portal_counts_its_own_items_and_the_totals_are_their_sums(
    seeded: None, province: Portal, portal_a: Portal, portal_b: Portal
) -> None:
    report = periodic_report_compute(period=MARCH)
    a, b = _row(report, portal_a), _row(report, portal_b)
    assert a.published["article"] == 3  # the first and the last minute count; 28/02 and 01/04 do not
    assert a.legal_documents.posted == 2 and a.legal_documents.posted_on_time == 1
    assert b.published["article"] == 1 and b.legal_documents.posted == 0
    assert report.has_data
    # Totals: every figure of the total is the sum of the portals' (never a query of its own).
    for key, value in _ints(report.total).items():
        assert value == sum(_ints(row)[key] for row in report.portals), key
    assert report.total.published["article"] >= 4
    # Grouped by kind: the province first, then communes; each group sums its own portals.
    kinds = [group.kind for group in report.groups]
    assert kinds[0] == PortalKind.PROVINCE and PortalKind.COMMUNE in kinds
    communes = next(group for group in report.groups if group.kind == PortalKind.COMMUNE)
    assert {portal_a.pk, portal_b.pk} <= {row.portal_id for row in communes.portals}
    assert province.pk not in {row.portal_id for row in communes.portals}
    for key, value in _ints(communes.total).items():
        assert value == sum(_ints(row)[key] for row in communes.portals), key
    assert sum(group.total.published_total for group in report.groups) == report.total.published_total
    # Weekly buckets for a monthly report (the first week starts on the 1st).
    assert sum(report.published_by_week[portal_a.pk].values()) == a.published_total
    assert report.published_by_week[portal_a.pk]["2021-03-01"] == 2  # the article of the 1st, the document of the 2nd
    # A quarter includes February's article.
    quarter = periodic_report_compute(period=Q1)
    assert _row(quarter, portal_a).published["article"] == 4
    assert {m["month"]: m["count"] for m in _row(quarter, portal_a).published_by_month}["2021-02"] == 1


def test_portals_being_provisioned_are_left_out_and_suspended_ones_kept(
    seeded: None, portal_a: Portal, portal_b: Portal
) -> None:
    Portal.objects.filter(pk=portal_b.pk).update(status=PortalStatus.SUSPENDED)
    Portal.objects.filter(pk=portal_a.pk).update(status=PortalStatus.PROVISIONING)
    report = periodic_report_compute(period=MARCH)
    ids = {row.portal_id for row in report.portals}
    assert portal_b.pk in ids and portal_a.pk not in ids


def test_an_empty_period_gives_an_empty_report_that_says_so(portal_a: Portal) -> None:
    report = periodic_report_compute(period=periods.month(2004, 2))
    assert not report.has_data
    assert "Không có" in report.empty_message and "02/2004" in report.empty_message
    assert charts.publication_chart(report) is None and charts.timeliness_chart(report) is None
    document = docx.Document(io.BytesIO(periodic_docx(report)))
    assert report.empty_message in "\n".join(p.text for p in document.paragraphs)
    workbook = openpyxl.load_workbook(io.BytesIO(periodic_xlsx(report)))
    assert workbook.worksheets[0]["A4"].value == report.empty_message


def test_a_past_period_is_cached_and_refresh_recomputes(seeded: None, portal_a: Portal, settings: Any) -> None:
    settings.REPORT_PERIODIC_CACHE_SECONDS = 60
    first = periodic_report(period=MARCH, refresh=True)
    again = periodic_report(period=MARCH)
    assert again.generated_at == first.generated_at  # read back from the cache
    assert again.total.to_dict() == first.total.to_dict()
    assert [row.portal_id for row in again.portals] == [row.portal_id for row in first.portals]
    assert again.published_by_week == first.published_by_week
    assert periodic_report(period=MARCH, refresh=True).generated_at > first.generated_at


def test_docx_has_the_header_summary_tables_and_charts(seeded: None, portal_a: Portal, portal_b: Portal) -> None:
    report = periodic_report_compute(period=MARCH)
    document = docx.Document(io.BytesIO(periodic_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in "\n".join(cells) + text
    assert "BÁO CÁO" in text and "tháng 03/2021" in text
    for heading in ("I. TỔNG HỢP", "II. SỐ LIỆU THEO TỪNG CỔNG", "III. BIỂU ĐỒ"):
        assert heading in text
    # The per-portal table of communes: portal A's row carries its own figures.
    for table in document.tables:
        for row in table.rows:
            values = [cell.text for cell in row.cells]
            if portal_a.name in values:
                index = values.index(portal_a.name)
                assert values[index + 1] == "3"  # articles
                assert values[index + 2] == "2" and values[index + 3] == "1"  # documents, on time
                break
        else:
            continue
        break
    else:
        pytest.fail("portal A's row is missing")
    assert len(document.inline_shapes) == 2  # both charts


def test_xlsx_has_the_sheets_values_and_native_charts(seeded: None, portal_a: Portal) -> None:
    report = periodic_report_compute(period=MARCH)
    workbook = openpyxl.load_workbook(io.BytesIO(periodic_xlsx(report)))
    assert workbook.sheetnames == ["Tổng hợp", "Theo từng cổng", "Theo thời gian", "Đúng hạn"]
    per_portal = workbook["Theo từng cổng"]
    header = [cell.value for cell in per_portal[1]]
    rows = {row[1]: row for row in per_portal.iter_rows(min_row=2, values_only=True)}
    a = rows[portal_a.name]
    assert a[header.index("Tin bài")] == 3 and a[header.index("Văn bản")] == 2
    total = rows["Tổng cộng, tất cả các cổng"]
    assert total[header.index("Tin bài")] == report.total.published["article"]
    for sheet in workbook.worksheets:
        assert isinstance(sheet, Worksheet)
        charts_found = vars(sheet)["_charts"]  # openpyxl reads charts back; its stubs do not declare them
        assert charts_found, sheet.title  # a native chart on every sheet
    over_time = workbook["Theo thời gian"]
    assert [cell.value for cell in over_time[2]][1:-1] == [
        "tuần từ 01/03",
        "tuần từ 08/03",
        "tuần từ 15/03",
        "tuần từ 22/03",
        "tuần từ 29/03",
    ]


# --- API and console --------------------------------------------------------------------------------


@pytest.fixture
def operator() -> User:
    user = User.objects.create_user(username="vanhanh.dinhky", password="x", is_staff=True)
    user.must_change_password = False
    user.save()
    return user


def test_api_report_exports_and_bad_periods(operator: User, settings: Any, seeded: None, portal_a: Portal) -> None:
    token, _created = Token.objects.get_or_create(user=operator)
    api = Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/reports/periodic/?period=2021-03&refresh=1")
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {
        "key": "2021-03",
        "kind": "month",
        "label": "tháng 03/2021",
        "start": "2021-03-01",
        "end": "2021-03-31",
    }
    assert data["has_data"] is True and data["message"] == ""
    communes = next(group for group in data["groups"] if group["kind"] == "commune")
    a = next(row for row in communes["portals"] if row["portal_id"] == portal_a.pk)
    assert a["published"]["article"] == 3
    assert data["total"]["published"]["article"] == sum(
        row["published"]["article"] for group in data["groups"] for row in group["portals"]
    )
    empty = api.get("/api/v1/reports/periodic/?period=2004-02").json()
    assert empty["has_data"] is False and empty["message"]
    for bad in ("2021-13", "2021-Q5", "hôm qua", "", "R2025", "1999"):
        refused = api.get(f"/api/v1/reports/periodic/?period={bad}")
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_period", bad
    assert api.get("/api/v1/reports/periodic/docx/?period=2021-13").json()["error"]["code"] == "invalid_period"
    document = api.get("/api/v1/reports/periodic/docx/?period=2021-Q1")
    assert document.status_code == 200 and "2021-Q1.docx" in document["Content-Disposition"]
    assert docx.Document(io.BytesIO(document.content)).paragraphs
    workbook = api.get("/api/v1/reports/periodic/xlsx/?period=2021")
    assert workbook.status_code == 200 and workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames[0] == "Tổng hợp"


def test_console_page_shows_totals_tables_and_charts_with_their_numbers(
    operator: User, settings: Any, seeded: None, portal_a: Portal
) -> None:
    console = Client(HTTP_HOST=settings.CONSOLE_HOST)
    console.force_login(operator)
    page = console.get("/bao-cao-dinh-ky/?period=2021-03&refresh=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert portal_a.name in html and 'src="data:image/png;base64,' in html
    assert html.count("<figure") == 2 and 'aria-describedby="chart-1-table"' in html
    assert "Số liệu của biểu đồ" in html  # the table next to each chart
    assert 'href="/bao-cao-dinh-ky/tai-ve.docx?period=2021-03"' in html
    download = console.get("/bao-cao-dinh-ky/tai-ve.xlsx?period=2021-03")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    empty = console.get("/bao-cao-dinh-ky/?period=2004-02").content.decode()
    assert 'id="empty-report"' in empty and "<figure" not in empty
    bad = console.get("/bao-cao-dinh-ky/?period=2021-14")
    assert bad.status_code == 400 and "error-summary" in bad.content.decode() and "2021-14" in bad.content.decode()
    assert console.get("/bao-cao-dinh-ky/").status_code == 200  # the last month by default
    assert "Báo cáo định kỳ" in console.get("/").content.decode()  # the nav entry


def test_twenty_portals_cost(portal_a: Portal, province: Portal, seeded: None) -> None:
    """Measures the periodic report over 20 portals (copies of portal A's schema, so each has
    content to count) and prints the time; the bound only catches a gross regression."""
    from provisioning.copying import schema_copy

    portals = [portal_a]
    for index in range(19):
        schema = f"t_dinhky_{index}"
        schema_copy(portal_a.schema_name, schema)
        portals.append(
            Portal.objects.create(
                name=f"Ủy ban nhân dân xã Đo {index}",
                abbreviation=f"xa-do-{index}",
                kind=PortalKind.COMMUNE,
                parent=province,
                schema_name=schema,
                status=PortalStatus.ACTIVE,
            )
        )
    began = time.monotonic()
    report = periodic_report_compute(period=Q1, portals=portals)
    seconds = time.monotonic() - began
    print(f"periodic report, 20 portals, one quarter: {seconds:.2f}s")
    assert len(report.portals) == 20
    assert all(row.published["article"] == 4 for row in report.portals)  # each copy counts its own
    assert report.total.published["article"] == 80
    assert seconds < 60

    from portal_platform.reports.evaluation import evaluation_compute

    began = time.monotonic()
    scored = evaluation_compute(period=Q1, portals=portals)
    seconds = time.monotonic() - began
    print(f"evaluation, 20 portals, one quarter: {seconds:.2f}s")
    assert len(scored) == 20 and len({evaluation.total for evaluation in scored}) == 1  # identical copies
    assert seconds < 90
