"""The back office's reminder: this period's report due within 14 days, or the last one overdue."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django_tenants.utils import schema_context

from accounts.models import User
from portal_platform.reports import yearly
from portal_platform.reports.yearly import DueNotice, yearly_report_due_notices
from tenants.models import Portal
from tests.reports.seed import client_for

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _created(portal: Portal, day: dt.date) -> None:
    Portal.objects.filter(pk=portal.pk).update(created_at=dt.datetime(day.year, day.month, day.day, tzinfo=HCM))
    portal.refresh_from_db()


def _submit(portal: Portal, year: int) -> None:
    report = yearly.yearly_report_get_or_create(portal=portal, year=year, actor="admin")
    yearly.yearly_report_submit(report=report, actor="admin")


def test_due_within_fourteen_days_then_overdue_until_submitted(portal_a: Portal, portal_b: Portal) -> None:
    _created(portal_a, dt.date(2025, 1, 1))  # after the 2024 report's due date: it owed none
    _created(portal_b, dt.date(2025, 1, 1))

    def notices(day: dt.date, portal: Portal = portal_a) -> list[DueNotice]:
        return yearly_report_due_notices(portal=portal, today=day)

    assert notices(dt.date(2025, 11, 25)) == []  # 15 days ahead: not yet
    assert notices(dt.date(2025, 11, 26)) == [DueNotice(2025, dt.date(2025, 12, 10), 14, overdue=False)]
    assert notices(dt.date(2025, 12, 10)) == [DueNotice(2025, dt.date(2025, 12, 10), 0, overdue=False)]
    # The day after the due date the next period has begun; the report just missed is overdue.
    assert notices(dt.date(2025, 12, 11)) == [DueNotice(2025, dt.date(2025, 12, 10), 1, overdue=True)]
    # A draft is not a report sent.
    yearly.yearly_report_get_or_create(portal=portal_a, year=2025, actor="admin")
    assert notices(dt.date(2026, 3, 1))[0].overdue
    # Late in the next period: the old one still overdue, and the new one due soon.
    assert notices(dt.date(2026, 12, 1)) == [
        DueNotice(2025, dt.date(2025, 12, 10), 356, overdue=True),
        DueNotice(2026, dt.date(2026, 12, 10), 9, overdue=False),
    ]

    with time_machine.travel(dt.datetime(2025, 12, 9, 9, tzinfo=HCM), tick=False):
        _submit(portal_a, 2025)
    assert notices(dt.date(2025, 12, 9)) == []
    assert notices(dt.date(2026, 3, 1)) == []
    # Portal B's report is its own: A's submission does not silence B's reminder.
    assert notices(dt.date(2026, 3, 1), portal_b) == [DueNotice(2025, dt.date(2025, 12, 10), 81, overdue=True)]


def test_a_portal_created_after_the_due_date_and_the_province_owe_nothing(portal_a: Portal, province: Portal) -> None:
    _created(portal_a, dt.date(2025, 12, 20))
    assert yearly_report_due_notices(portal=portal_a, today=dt.date(2026, 1, 5)) == []
    _created(province, dt.date(2020, 1, 1))
    assert yearly_report_due_notices(portal=province, today=dt.date(2025, 12, 1)) == []
    assert yearly_report_due_notices(portal=province, today=dt.date(2026, 1, 5)) == []


def test_the_back_office_home_shows_the_reminder_with_a_link(portal_a: Portal, staff_a: dict[str, User]) -> None:
    _created(portal_a, dt.date(2025, 1, 1))
    with time_machine.travel(dt.datetime(2025, 11, 30, 9, tzinfo=HCM), tick=False):
        admin = client_for(portal_a, staff_a["admin"])
        with schema_context(portal_a.schema_name):
            page = admin.get("/admin/").content.decode()
        assert 'id="report-due-notices"' in page and 'role="status"' in page
        assert "Báo cáo năm 2025 phải nộp trong 10 ngày nữa (hạn ngày 10/12/2025) nhưng chưa được gửi." in page
        assert 'href="/admin/bao-cao/nam/2025/"' in page

        # A member without a role in the portal sees no reminder (and no reports).
        with schema_context(portal_a.schema_name):
            outsider = client_for(portal_a, staff_a["nobody"]).get("/admin/")
        assert 'id="report-due-notices"' not in outsider.content.decode()

        _submit(portal_a, 2025)
        with schema_context(portal_a.schema_name):
            assert 'id="report-due-notices"' not in admin.get("/admin/").content.decode()

    with time_machine.travel(dt.datetime(2025, 12, 12, 9, tzinfo=HCM), tick=False):
        yearly.yearly_report_reopen(
            report=yearly.yearly_report_get(report_id=portal_a.yearly_reports.get(year=2025).pk),
            actor="vanhanh",
            reason="Thiếu số liệu",
        )
        admin = client_for(portal_a, staff_a["admin"])  # a new session: the old one has expired meanwhile
        with schema_context(portal_a.schema_name):
            page = admin.get("/admin/").content.decode()
        assert "Quá hạn: báo cáo năm 2025 phải nộp chậm nhất ngày 10/12/2025 (đã quá 2 ngày)" in page
        assert 'class="error"' in page
