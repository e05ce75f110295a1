"""The figures of the reports, computed from the data the platform holds — nobody counts by hand.

``portal_figures`` reads one portal for one period: its own schema (content, questions,
consultations, background pages) and the control plane's rows about it (incidents, planned
downtime, backups). Every report — the agency's yearly report, the provincial unit's periodic
reports — and every evaluation score is built from these figures, so they always agree.

What counts as "in the period": an item published for the first time in it (``first_published_at``,
so re-publishing after an edit is not a new item), a question received or answered in it, a
consultation open on at least one of its days, an incident or backup that started in it. Days are
the platform's local days (``periods.Period.bounds``).

Background pages' staleness can only be read as of now (a later review overwrites the earlier
date), so a past period shows the state when the report was drafted; the yearly report freezes it
at submission.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_platform.reports.models import Incident, IncidentKind
from portal_platform.reports.periods import Period
from tenants.models import Portal, PortalStatus

# The kinds of published items, as the reports name them (and the API returns them).
ITEM_KINDS = (
    "article",
    "legal_document",
    "announcement",
    "work_schedule",
    "page",
    "question_answer",
    "consultation",
)


@dataclass
class LegalDocumentFigures:
    posted: int = 0
    # Days from the issue date to the first publication on the portal.
    median_delay_days: float | None = None
    max_delay_days: int | None = None
    posted_on_time: int = 0  # within settings.REPORT_LEGAL_DOCUMENT_DAYS days of issue


@dataclass
class QuestionFigures:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0  # answered in the period, on or before the due date
    answered_late: int = 0
    overdue: int = 0  # still open at the end of the period, past the due date
    open: int = 0  # still open at the end of the period (overdue included)
    set_aside: int = 0  # received in the period, then not handled (rejected)
    published_answers: int = 0


@dataclass
class ConsultationFigures:
    held: int = 0  # open for comment on at least one day of the period
    comments: int = 0  # comments received in the period
    comments_published: int = 0
    syntheses: int = 0  # consultations closed in the period whose synthesis is published


@dataclass
class BackgroundFigures:
    pages: int = 0  # background pages on the public site
    stale: int = 0  # of those, not confirmed as accurate within the review period (as of the computation)
    english_pages: int = 0  # pages with an English title and text


@dataclass
class EnglishFigures:
    articles: int = 0  # English articles first published in the period
    pages: int = 0  # background pages readable in English
    leaders: int = 0  # leaders with an English position
    contact_officers: int = 0  # contact officers with an English area of work
    organisation_pages: int = 0  # intro / functions / organisation / contacts pages in English


@dataclass
class OperationFigures:
    incidents: int = 0
    security_risks: int = 0
    incidents_open: int = 0  # reported in the period and not closed
    downtime_minutes: int = 0  # unplanned, from incidents during which the portal was unavailable
    planned_downtime_minutes: int = 0  # announced maintenance windows
    period_minutes: int = 0  # the part of the period that has passed
    uptime_percent: float | None = None


@dataclass
class BackupFigures:
    taken: int = 0  # good backups started in the period
    failed: int = 0
    verified: int = 0  # good backups whose check after upload passed
    drills_passed: int = 0
    drills_failed: int = 0


@dataclass
class PortalFigures:
    portal_id: int
    portal_name: str
    portal_abbreviation: str
    portal_kind: str
    period_start: dt.date
    period_end: dt.date
    published: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ITEM_KINDS, 0))
    articles_by_section: list[dict[str, Any]] = field(default_factory=list)  # [{"section", "count"}]
    published_by_month: list[dict[str, Any]] = field(default_factory=list)  # [{"month": "2025-01", "count"}]
    legal_documents: LegalDocumentFigures = field(default_factory=LegalDocumentFigures)
    questions: QuestionFigures = field(default_factory=QuestionFigures)
    consultations: ConsultationFigures = field(default_factory=ConsultationFigures)
    background: BackgroundFigures = field(default_factory=BackgroundFigures)
    english: EnglishFigures = field(default_factory=EnglishFigures)
    operation: OperationFigures = field(default_factory=OperationFigures)
    backups: BackupFigures = field(default_factory=BackupFigures)

    @property
    def published_total(self) -> int:
        return sum(self.published.values())

    @property
    def has_data(self) -> bool:
        """Whether anything happened in the period (an empty report says so instead of showing zeros)."""
        return bool(
            self.published_total
            or self.questions.received
            or self.questions.answered
            or self.consultations.held
            or self.consultations.comments
            or self.operation.incidents
            or self.operation.security_risks
            or self.backups.taken
            or self.backups.failed
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO strings): what a submitted report freezes and the API returns."""
        data = asdict(self)
        data["period_start"] = self.period_start.isoformat()
        data["period_end"] = self.period_end.isoformat()
        data["published_total"] = self.published_total
        data["has_data"] = self.has_data
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortalFigures:
        """The inverse of ``to_dict`` (a submitted report's frozen figures)."""
        parts = {
            "legal_documents": LegalDocumentFigures,
            "questions": QuestionFigures,
            "consultations": ConsultationFigures,
            "background": BackgroundFigures,
            "english": EnglishFigures,
            "operation": OperationFigures,
            "backups": BackupFigures,
        }
        values = {key: value for key, value in data.items() if key not in {"published_total", "has_data"}}
        for key, kind in parts.items():
            values[key] = kind(**values.get(key, {}))
        values["period_start"] = dt.date.fromisoformat(values["period_start"])
        values["period_end"] = dt.date.fromisoformat(values["period_end"])
        return cls(**values)


def portal_has_schema(portal: Portal) -> bool:
    """A portal still being provisioned has no content to count yet."""
    return portal.status != PortalStatus.PROVISIONING


def portal_figures(*, portal: Portal, period: Period, now: dt.datetime | None = None) -> PortalFigures:
    """Every figure of ``portal`` for ``period`` (see the module docstring for what counts)."""
    now = now or timezone.now()
    figures = PortalFigures(
        portal_id=portal.pk,
        portal_name=portal.name,
        portal_abbreviation=portal.abbreviation,
        portal_kind=portal.kind,
        period_start=period.start,
        period_end=period.end,
    )
    start, end = period.bounds()
    if portal_has_schema(portal):
        with schema_context(portal.schema_name):
            _content_figures(figures, period, start, end, now)
    _operation_figures(figures, portal, start, end, now)
    _backup_figures(figures, portal, start, end)
    return figures


def _content_figures(figures: PortalFigures, period: Period, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    # Imported here: content is a tenant app; its tables exist only inside a portal's schema.
    from content.models import (
        Announcement,
        Article,
        Category,
        CommentStatus,
        Consultation,
        ConsultationComment,
        ContactOfficer,
        Language,
        Leader,
        LegalDocument,
        Page,
        PageKind,
        Question,
        QuestionAnswer,
        QuestionStatus,
        WorkSchedule,
    )
    from content.models.citizens import OPEN_QUESTION_STATUSES
    from content.services.pages import pages_review_state

    in_period = Q(first_published_at__gte=start, first_published_at__lt=end)
    models: dict[str, type[Any]] = {
        "article": Article,
        "legal_document": LegalDocument,
        "announcement": Announcement,
        "work_schedule": WorkSchedule,
        "page": Page,
        "question_answer": QuestionAnswer,
        "consultation": Consultation,
    }
    months: Counter[str] = Counter()
    for kind, model in models.items():
        published = model.objects.filter(in_period)
        figures.published[kind] = published.count()
        for row in published.annotate(month=TruncMonth("first_published_at")).values("month").annotate(n=Count("pk")):
            months[row["month"].strftime("%Y-%m")] += row["n"]
    figures.published_by_month = [{"month": key, "count": months[key]} for key in sorted(months)]

    sections = (
        Category.objects.filter(articles__first_published_at__gte=start, articles__first_published_at__lt=end)
        .values("name")
        .annotate(count=Count("articles", distinct=True))
        .order_by("-count", "name")
    )
    figures.articles_by_section = [{"section": row["name"], "count": row["count"]} for row in sections]

    # Legal documents: how soon after the issue date they reached the public.
    delays = [
        (timezone.localdate(first) - issued).days
        for first, issued in LegalDocument.objects.filter(in_period).values_list("first_published_at", "issue_date")
    ]
    docs = figures.legal_documents
    docs.posted = len(delays)
    if delays:
        docs.median_delay_days = float(statistics.median(delays))
        docs.max_delay_days = max(delays)
        docs.posted_on_time = sum(1 for days in delays if days <= settings.REPORT_LEGAL_DOCUMENT_DAYS)

    # Questions: received and answered in the period; open ones as of the period's end.
    questions = figures.questions
    cutoff = min(end, now)
    last_day = timezone.localdate(cutoff - dt.timedelta(microseconds=1))
    questions.received = Question.objects.filter(received_at__gte=start, received_at__lt=end).count()
    answered = Question.objects.filter(answered_at__gte=start, answered_at__lt=end, answered_at__isnull=False)
    questions.answered = answered.count()
    questions.answered_on_time = sum(
        1 for answered_at, due in answered.values_list("answered_at", "due_date") if timezone.localdate(answered_at) <= due
    )
    questions.answered_late = questions.answered - questions.answered_on_time
    # Open at the end of the period: received before it ended and not answered (or set aside) by then.
    still_open = Question.objects.filter(received_at__lt=cutoff).filter(
        Q(status__in=OPEN_QUESTION_STATUSES)
        | Q(status=QuestionStatus.ANSWERED, answered_at__gte=cutoff)
    )
    questions.open = still_open.count()
    questions.overdue = still_open.filter(due_date__lt=last_day).count()
    questions.set_aside = Question.objects.filter(
        received_at__gte=start, received_at__lt=end, status=QuestionStatus.REJECTED
    ).count()
    questions.published_answers = figures.published["question_answer"]

    consultations = figures.consultations
    consultations.held = Consultation.objects.filter(
        first_published_at__lt=end, opens_on__lte=period.end, closes_on__gte=period.start
    ).count()
    comments = ConsultationComment.objects.filter(created_at__gte=start, created_at__lt=end)
    consultations.comments = comments.count()
    consultations.comments_published = comments.filter(status=CommentStatus.APPROVED).count()
    consultations.syntheses = (
        Consultation.objects.filter(live=True, closes_on__gte=period.start, closes_on__lte=period.end)
        .exclude(synthesis="")
        .count()
    )

    background = figures.background
    live_pages = Page.objects.filter(live=True)
    background.pages = live_pages.count()
    # Stale among the public pages, so that "of N pages, S are stale" reads true; a placeholder never
    # published is stale for the back office's queue but is not on the site.
    background.stale = pages_review_state(live_pages, now=now).filter(**{"is_stale": True}).count()
    english_pages = live_pages.exclude(title_en="").exclude(body_en="")
    background.english_pages = english_pages.count()

    english = figures.english
    english.articles = Article.objects.filter(in_period, language=Language.EN).count()
    english.pages = background.english_pages
    english.organisation_pages = (
        english_pages.filter(kind__in=[PageKind.INTRO, PageKind.FUNCTIONS, PageKind.ORGANISATION, PageKind.CONTACTS])
        .values("kind")
        .distinct()
        .count()
    )
    english.leaders = Leader.objects.filter(live=True).exclude(position_en="").count()
    english.contact_officers = ContactOfficer.objects.filter(live=True).exclude(area_en="").count()


def _overlap_minutes(spans: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime) -> int:
    """Minutes of [start, end) covered by the union of ``spans`` (overlapping outages count once)."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in spans if b > start and a < end)
    total = dt.timedelta()
    current_start: dt.datetime | None = None
    current_end: dt.datetime | None = None
    for a, b in clipped:
        if current_end is None or a > current_end:
            if current_start is not None and current_end is not None:
                total += current_end - current_start
            current_start, current_end = a, b
        else:
            current_end = max(current_end, b)
    if current_start is not None and current_end is not None:
        total += current_end - current_start
    return int(total.total_seconds() // 60)


def _operation_figures(figures: PortalFigures, portal: Portal, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    from provisioning.models import DowntimeNotice

    operation = figures.operation
    reported = Incident.objects.filter(portal=portal, started_at__gte=start, started_at__lt=end)
    counts = dict(reported.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    operation.incidents = counts.get(IncidentKind.INCIDENT.value, 0)
    operation.security_risks = counts.get(IncidentKind.SECURITY_RISK.value, 0)
    operation.incidents_open = reported.exclude(status="closed").count()

    passed_end = min(end, now)
    if passed_end <= start:
        return  # a period still to come has no uptime yet
    operation.period_minutes = int((passed_end - start).total_seconds() // 60)
    outages = [
        (started, ended or now)
        for started, ended in Incident.objects.filter(portal=portal, service_down=True, started_at__lt=passed_end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list("started_at", "ended_at")
    ]
    operation.downtime_minutes = _overlap_minutes(outages, start, passed_end)
    planned = [
        (starts, ends)
        for starts, ends in DowntimeNotice.objects.filter(
            portal=portal, starts_at__lt=passed_end, expected_end__gt=start
        ).values_list("starts_at", "expected_end")
    ]
    operation.planned_downtime_minutes = _overlap_minutes(planned, start, passed_end)
    operation.uptime_percent = round(100 * (1 - operation.downtime_minutes / operation.period_minutes), 3)


def _backup_figures(figures: PortalFigures, portal: Portal, start: dt.datetime, end: dt.datetime) -> None:
    from provisioning.backup_models import Backup, BackupStatus, VerifyStatus

    backups = Backup.objects.filter(portal=portal, started_at__gte=start, started_at__lt=end)
    result = figures.backups
    result.taken = backups.filter(status__in=[BackupStatus.GOOD, BackupStatus.PRUNED]).count()
    result.failed = backups.filter(status=BackupStatus.FAILED).count()
    result.verified = backups.filter(verify_status=VerifyStatus.OK).count()
    result.drills_passed = Backup.objects.filter(portal=portal, drilled_at__gte=start, drilled_at__lt=end, drill_ok=True).count()
    result.drills_failed = Backup.objects.filter(portal=portal, drilled_at__gte=start, drilled_at__lt=end, drill_ok=False).count()
