"""The reports' figures against a portal seeded with known content and dates (tests/reports/seed.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from content.models import Article
from portal_platform.reports import periods
from portal_platform.reports.figures import PortalFigures, portal_figures
from tenants.models import Portal
from tests.reports.seed import AFTER_THE_PERIOD, at, seed_portal

pytestmark = pytest.mark.django_db

R2025 = periods.report_year(2025)


def test_the_reporting_year_runs_from_the_day_after_the_cutoff_to_the_cutoff() -> None:
    assert (R2025.start, R2025.end) == (dt.date(2024, 12, 11), dt.date(2025, 12, 10))
    assert R2025.days == 365
    assert periods.report_due_date(2025) == dt.date(2025, 12, 10)
    assert periods.report_year_of(dt.date(2025, 12, 10)) == R2025
    assert periods.report_year_of(dt.date(2025, 12, 11)) == periods.report_year(2026)


def test_content_figures_count_the_boundary_days_in_and_the_days_outside_out(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    figures = portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD)

    # First day 00:00 and last day 23:59 (local) are in; 23:59 the day before and 00:00 the day after are out.
    assert figures.published["article"] == 3
    assert figures.published["legal_document"] == 2
    assert figures.published["consultation"] == 0
    assert figures.published_total == 5
    assert figures.articles_by_section == [
        {"section": "Tin tức a", "count": 2},
        {"section": "Chính quyền a", "count": 1},
    ]
    assert figures.published_by_month == [
        {"month": "2024-12", "count": 1},
        {"month": "2025-01", "count": 1},
        {"month": "2025-06", "count": 2},
        {"month": "2025-12", "count": 1},
    ]
    assert figures.english.articles == 1

    docs = figures.legal_documents
    assert docs.posted == 2
    assert (docs.median_delay_days, docs.max_delay_days) == (12.0, 20)
    assert docs.posted_on_time == (1 if settings.REPORT_LEGAL_DOCUMENT_DAYS < 20 else 2)

    questions = figures.questions
    assert questions.received == 5  # two answered, two still open, one set aside; not the ones outside
    assert (questions.answered, questions.answered_on_time, questions.answered_late) == (3, 2, 1)
    assert (questions.open, questions.overdue, questions.set_aside) == (2, 1, 1)

    assert figures.consultations.held == 1  # open on the period's first day
    assert figures.has_data


def test_a_shorter_deadline_for_legal_documents_changes_what_is_on_time(portal_a: Portal, settings: object) -> None:
    seed_portal(portal_a, marker="a")
    settings.REPORT_LEGAL_DOCUMENT_DAYS = 3  # type: ignore[attr-defined]
    assert portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD).legal_documents.posted_on_time == 0
    settings.REPORT_LEGAL_DOCUMENT_DAYS = 20  # type: ignore[attr-defined]
    assert portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD).legal_documents.posted_on_time == 2


def test_operation_figures_union_overlapping_outages_and_clip_them_to_the_period(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    operation = portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD).operation
    assert (operation.incidents, operation.security_risks, operation.incidents_open) == (2, 1, 3)
    # 10:00–13:00 (two overlapping outages, counted once) + the hour after midnight of the first day.
    assert operation.downtime_minutes == 180 + 60
    assert operation.planned_downtime_minutes == 120
    assert operation.period_minutes == 365 * 24 * 60
    assert operation.uptime_percent == round(100 * (1 - 240 / (365 * 24 * 60)), 3)


def test_an_outage_still_going_counts_until_now_and_a_running_period_until_now(portal_a: Portal) -> None:
    from portal_platform.reports.models import Incident, IncidentKind

    Incident.objects.create(
        portal=portal_a,
        kind=IncidentKind.INCIDENT,
        title="Mất kết nối",
        started_at=at(2025, 3, 1, 8),
        service_down=True,
        filed_by="admin",
    )
    now = at(2025, 3, 1, 10)  # the period is still running: 2 hours down so far
    operation = portal_figures(portal=portal_a, period=R2025, now=now).operation
    assert operation.downtime_minutes == 120
    assert operation.period_minutes == int((now - at(2024, 12, 11)).total_seconds() // 60)
    # A period that has not begun has no uptime yet.
    assert portal_figures(portal=portal_a, period=periods.report_year(2026), now=now).operation.uptime_percent is None


def test_backup_figures(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    backups = portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD).backups
    assert (backups.taken, backups.failed, backups.verified) == (2, 1, 1)
    assert (backups.drills_passed, backups.drills_failed) == (1, 0)


def test_another_portals_items_never_count(portal_a: Portal, portal_b: Portal) -> None:
    seed_portal(portal_b, marker="b")
    figures = portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD)
    assert figures.published_total == 0
    assert figures.questions.received == 0 and figures.consultations.held == 0
    assert figures.operation.incidents == 0 and figures.operation.downtime_minutes == 0
    assert figures.backups.taken == 0
    assert not figures.has_data
    assert figures.operation.uptime_percent == 100.0
    # And portal B sees its own.
    assert portal_figures(portal=portal_b, period=R2025, now=AFTER_THE_PERIOD).published["article"] == 3


def test_an_empty_period_is_empty_not_an_error(portal_a: Portal) -> None:
    figures = portal_figures(portal=portal_a, period=periods.report_year(2010), now=AFTER_THE_PERIOD)
    assert not figures.has_data and figures.published_total == 0
    assert figures.legal_documents.median_delay_days is None


def test_figures_round_trip_through_json(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    figures = portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD)
    data = figures.to_dict()
    assert data["published_total"] == 5 and data["has_data"] is True and data["period_start"] == "2024-12-11"
    assert PortalFigures.from_dict(data) == figures


def test_republishing_is_not_a_new_item(portal_a: Portal) -> None:
    seed_portal(portal_a, marker="a")
    with schema_context(portal_a.schema_name):
        # A later edit re-publishes (published_at moves), the first publication stays.
        Article.objects.update(published_at=at(2025, 7, 1))
    assert portal_figures(portal=portal_a, period=R2025, now=AFTER_THE_PERIOD).published["article"] == 3
