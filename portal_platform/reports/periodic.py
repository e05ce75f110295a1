"""The provincial unit's periodic reports (Decision 80/2025 Đ14.4.g): monthly, quarterly and yearly,
across every portal, with the same figures per portal and in total.

Every figure comes from ``figures.portal_figures``, one portal at a time (each call enters that
portal's schema once), so a portal's row in the periodic report is exactly what its own yearly
report shows for the same days, and no portal's items can be counted under another's row. The
totals are sums of the portals' rows — never a query across schemas — so they add up by
construction.

Which portals: every portal that has a schema (active, suspended and archived ones: a portal
suspended in March still published in January); those still being provisioned have nothing yet.

Cost: about 40 small queries per portal. A test measures 20 portals (``tests/reports/
test_periodic.py``); a past period's report cannot change any more except for "as of now"
figures (background pages' staleness), so it is kept in the shared cache for
``REPORT_PERIODIC_CACHE_SECONDS``; the current period is always computed afresh.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from portal_platform.reports import periods
from portal_platform.reports.figures import ITEM_KINDS, PortalFigures, portal_figures
from portal_platform.reports.periods import Period, PeriodKind
from tenants.models import Portal, PortalKind, PortalStatus

logger = logging.getLogger(__name__)

# The order the report lists the groups in: the province first, then departments, then communes.
KIND_ORDER = (PortalKind.PROVINCE, PortalKind.DEPARTMENT, PortalKind.COMMUNE)
CACHE_VERSION = 1


def kind_label(kind: str) -> str:
    labels = {
        PortalKind.PROVINCE.value: _("Provincial portal"),
        PortalKind.DEPARTMENT.value: _("Department portals"),
        PortalKind.COMMUNE.value: _("Commune and ward portals"),
    }
    return labels.get(kind, kind)


def item_kind_label(kind: str) -> str:
    labels = {
        "article": _("Articles"),
        "legal_document": _("Legal documents"),
        "announcement": _("Announcements"),
        "work_schedule": _("Work schedules"),
        "page": _("Background pages"),
        "question_answer": _("Published answers"),
        "consultation": _("Consultations"),
    }
    return labels.get(kind, kind)


@dataclass
class KindGroup:
    """The portals of one kind (province, departments or communes) and their sum."""

    kind: str
    label: str
    portals: list[PortalFigures]
    total: PortalFigures


@dataclass
class PeriodicReport:
    period: Period
    generated_at: dt.datetime
    portals: list[PortalFigures]  # ordered by kind, then name
    total: PortalFigures
    groups: list[KindGroup] = field(default_factory=list)
    # Items first published per week, per portal id (only for a monthly report: a month has no
    # months to chart, so its publication chart goes by week). {portal_id: {"2025-03-03": n}}
    published_by_week: dict[int, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0  # how long the computation took (not a cached read)

    @property
    def has_data(self) -> bool:
        return self.total.has_data

    @property
    def empty_message(self) -> str:
        return _("Nothing was published or reported on any portal in %(period)s.") % {"period": self.period.label}

    def weeks(self) -> list[str]:
        """Every week of the period (the first from its first day, then each Monday), as ISO dates."""
        weeks = [self.period.start]
        monday = _week_start(self.period.start) + dt.timedelta(days=7)
        while monday <= self.period.end:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
        return [week.isoformat() for week in weeks]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what the API returns and the cache keeps."""
        return {
            "period": {
                "key": self.period.key,
                "kind": self.period.kind.value,
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "generated_at": self.generated_at.isoformat(),
            "has_data": self.has_data,
            "message": "" if self.has_data else self.empty_message,
            "portal_count": len(self.portals),
            "total": self.total.to_dict(),
            "groups": [
                {
                    "kind": group.kind,
                    "label": group.label,
                    "portal_count": len(group.portals),
                    "total": group.total.to_dict(),
                    "portals": [figures.to_dict() for figures in group.portals],
                }
                for group in self.groups
            ],
            "published_by_week": [
                {
                    "portal_id": portal_id,
                    "weeks": [{"week": week, "count": count} for week, count in sorted(weeks.items())],
                }
                for portal_id, weeks in sorted(self.published_by_week.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], period: Period) -> PeriodicReport:
        portals = [PortalFigures.from_dict(row) for group in data["groups"] for row in group["portals"]]
        report = cls(
            period=period,
            generated_at=dt.datetime.fromisoformat(data["generated_at"]),
            portals=portals,
            total=PortalFigures.from_dict(data["total"]),
            published_by_week={
                int(row["portal_id"]): {week["week"]: int(week["count"]) for week in row["weeks"]}
                for row in data.get("published_by_week", [])
            },
        )
        report.groups = _groups(portals, period)
        return report


def _sum_into(target: Any, source: Any) -> None:
    """Add every integer of ``source`` (a figures dataclass) to ``target``'s (recursively)."""
    for spec in fields(source):
        value = getattr(source, spec.name)
        if is_dataclass(value):
            _sum_into(getattr(target, spec.name), value)
        elif isinstance(value, int) and not isinstance(value, bool) and spec.name != "portal_id":
            current = getattr(target, spec.name)
            # Optional figures (a maximum, a median: None when empty) are derived, not added.
            if isinstance(current, int):
                setattr(target, spec.name, current + value)


def figures_total(rows: list[PortalFigures], *, period: Period, name: str, kind: str = "") -> PortalFigures:
    """The sum of several portals' figures, as one figures row.

    Counts are added; what cannot be added is derived again from the sums: uptime from the summed
    downtime and period minutes, the longest legal-document delay as the maximum. A median of
    medians is not a median, so the total's median delay is left empty.
    """
    total = PortalFigures(
        portal_id=0,
        portal_name=name,
        portal_abbreviation="",
        portal_kind=kind,
        period_start=period.start,
        period_end=period.end,
    )
    sections: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for row in rows:
        for item_kind in ITEM_KINDS:
            total.published[item_kind] += row.published.get(item_kind, 0)
        _sum_into(total, row)
        for entry in row.articles_by_section:
            sections[entry["section"]] += int(entry["count"])
        for entry in row.published_by_month:
            months[entry["month"]] += int(entry["count"])
    total.articles_by_section = [
        {"section": section, "count": count}
        for section, count in sorted(sections.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    total.published_by_month = [{"month": month, "count": months[month]} for month in sorted(months)]
    delays = [row.legal_documents.max_delay_days for row in rows if row.legal_documents.max_delay_days is not None]
    total.legal_documents.max_delay_days = max(delays) if delays else None
    total.legal_documents.median_delay_days = None
    operation = total.operation
    if operation.period_minutes:
        operation.uptime_percent = round(100 * (1 - operation.downtime_minutes / operation.period_minutes), 3)
    return total


def _groups(portals: list[PortalFigures], period: Period) -> list[KindGroup]:
    groups = []
    for kind in KIND_ORDER:
        members = [row for row in portals if row.portal_kind == kind.value]
        if members:
            groups.append(
                KindGroup(
                    kind=kind.value,
                    label=kind_label(kind.value),
                    portals=members,
                    total=figures_total(members, period=period, name=kind_label(kind.value), kind=kind.value),
                )
            )
    return groups


def reported_portals() -> list[Portal]:
    """Every portal with a schema, the province first, then departments, then communes, by name."""
    order = {kind.value: index for index, kind in enumerate(KIND_ORDER)}
    portals = list(Portal.objects.exclude(status=PortalStatus.PROVISIONING).exclude(schema_name="public"))
    return sorted(portals, key=lambda portal: (order.get(portal.kind, len(order)), portal.name, portal.pk))


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _published_by_week(portal: Portal, period: Period) -> dict[str, int]:
    """Items first published per week (Monday's date; the first week starts on the period's first day)."""
    from content.models import (
        Announcement,
        Article,
        Consultation,
        LegalDocument,
        Page,
        QuestionAnswer,
        WorkSchedule,
    )

    start, end = period.bounds()
    counts: Counter[str] = Counter()
    with schema_context(portal.schema_name):
        for model in (Article, LegalDocument, Announcement, WorkSchedule, Page, QuestionAnswer, Consultation):
            for when in model.objects.filter(first_published_at__gte=start, first_published_at__lt=end).values_list(
                "first_published_at", flat=True
            ):
                week = max(_week_start(timezone.localdate(when)), period.start)
                counts[week.isoformat()] += 1
    return dict(counts)


def periodic_report_compute(
    *, period: Period, now: dt.datetime | None = None, portals: list[Portal] | None = None
) -> PeriodicReport:
    """The report for ``period`` (over ``portals``, by default every reported one), computed from
    the data now (no cache)."""
    began = time.monotonic()
    now = now or timezone.now()
    portals = reported_portals() if portals is None else portals
    rows = [portal_figures(portal=portal, period=period, now=now) for portal in portals]
    by_week: dict[int, dict[str, int]] = {}
    if period.kind is PeriodKind.MONTH:
        by_week = {
            portal.pk: weeks
            for portal, row in zip(portals, rows, strict=True)
            if row.published_total and (weeks := _published_by_week(portal, period))
        }
    report = PeriodicReport(
        period=period,
        generated_at=now,
        portals=rows,
        total=figures_total(rows, period=period, name=_("All portals")),
        groups=_groups(rows, period),
        published_by_week=by_week,
    )
    report.seconds = time.monotonic() - began
    logger.info("periodic report %s: %d portals in %.2fs", period.key, len(rows), report.seconds)
    return report


def _cache_key(period: Period) -> str:
    return f"reports:periodic:v{CACHE_VERSION}:{period.key}"


def periodic_report(*, period: Period, refresh: bool = False) -> PeriodicReport:
    """The report for ``period``: a past period's comes from the shared cache when it was computed
    recently (``refresh`` recomputes it); the current or a future period is always computed."""
    cache = caches["shared"]
    stable = period.end < periods.today()
    timeout = settings.REPORT_PERIODIC_CACHE_SECONDS
    if stable and timeout and not refresh:
        cached = cache.get(_cache_key(period))
        if isinstance(cached, dict):
            try:
                return PeriodicReport.from_dict(cached, period)
            except (KeyError, TypeError, ValueError):
                logger.warning("discarding an unreadable cached periodic report for %s", period.key)
    report = periodic_report_compute(period=period)
    if stable and timeout:
        cache.set(_cache_key(period), report.to_dict(), timeout)
    return report


def recent_periods(*, today: dt.date | None = None) -> list[tuple[str, list[Period]]]:
    """The periods the console offers: the last 12 months, 8 quarters and 4 years, newest first."""
    today = today or periods.today()
    months = []
    year, month_number = today.year, today.month
    for _index in range(12):
        months.append(periods.month(year, month_number))
        year, month_number = (year, month_number - 1) if month_number > 1 else (year - 1, 12)
    quarters = []
    year, number = today.year, (today.month - 1) // 3 + 1
    for _index in range(8):
        quarters.append(periods.quarter(year, number))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    years = [periods.calendar_year(today.year - offset) for offset in range(4)]
    return [(_("Months"), months), (_("Quarters"), quarters), (_("Years"), years)]


def default_period(*, today: dt.date | None = None) -> Period:
    """The last month that has ended: what an official asks for most."""
    today = today or periods.today()
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return periods.month(previous.year, previous.month)


def calendar_period_parse(value: str) -> Period:
    """A month, quarter or calendar year (the periodic reports do not use the cut-off year)."""
    from portal_platform.errors import ValidationFailed

    period = periods.parse(value)
    if period.kind is PeriodKind.REPORT_YEAR:
        raise ValidationFailed(
            _("Periodic reports cover a month (2025-03), a quarter (2025-Q1) or a calendar year (2025)."),
            code="invalid_period",
            extra={"field": "period"},
        )
    return period


# --- the per-portal table (console, DOCX, XLSX and API show the same columns) ---------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = True


def report_columns() -> list[Column]:
    """The columns of the per-portal table, in order (labels in the active language)."""
    return [
        Column("articles", _("Articles")),
        Column("legal_documents", _("Legal documents")),
        Column("legal_documents_on_time", _("of which on time")),
        Column("announcements", _("Announcements")),
        Column("work_schedules", _("Work schedules")),
        Column("pages", _("Background pages")),
        Column("published_total", _("Items published")),
        Column("questions_received", _("Questions received")),
        Column("questions_answered", _("Questions answered")),
        Column("questions_on_time", _("answered on time")),
        Column("questions_overdue", _("Questions overdue")),
        Column("consultations", _("Consultations held")),
        Column("comments", _("Comments received")),
        Column("incidents", _("Incidents and security risks")),
        Column("uptime_percent", _("Uptime (%)")),
        Column("backups_verified", _("Verified backups")),
    ]


def report_column_parts() -> list[tuple[str, list[Column]]]:
    """The columns in three parts, for a page too narrow for all of them (the DOCX)."""
    columns = {column.key: column for column in report_columns()}
    parts = (
        (
            _("Information published"),
            (
                "articles",
                "legal_documents",
                "legal_documents_on_time",
                "announcements",
                "work_schedules",
                "pages",
                "published_total",
            ),
        ),
        (
            _("Questions and consultations"),
            (
                "questions_received",
                "questions_answered",
                "questions_on_time",
                "questions_overdue",
                "consultations",
                "comments",
            ),
        ),
        (_("Keeping the portal running"), ("incidents", "uptime_percent", "backups_verified")),
    )
    return [(title, [columns[key] for key in keys]) for title, keys in parts]


def report_row(figures: PortalFigures) -> dict[str, int | float | None]:
    """One portal's (or a total's) values for ``report_columns``."""
    return {
        "articles": figures.published["article"],
        "legal_documents": figures.legal_documents.posted,
        "legal_documents_on_time": figures.legal_documents.posted_on_time,
        "announcements": figures.published["announcement"],
        "work_schedules": figures.published["work_schedule"],
        "pages": figures.published["page"],
        "published_total": figures.published_total,
        "questions_received": figures.questions.received,
        "questions_answered": figures.questions.answered,
        "questions_on_time": figures.questions.answered_on_time,
        "questions_overdue": figures.questions.overdue,
        "consultations": figures.consultations.held,
        "comments": figures.consultations.comments,
        "incidents": figures.operation.incidents + figures.operation.security_risks,
        "uptime_percent": figures.operation.uptime_percent,
        "backups_verified": figures.backups.verified,
    }


def format_value(value: int | float | None) -> str:
    """Vietnamese number style: a decimal comma; no value is a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{value:,}".replace(",", ".")
