"""Evaluating every portal against the provincial unit's criteria (Decision 80/2025 Đ14.4.e).

Each ``Criterion`` row names a measure here by its ``code``. A measure reads one portal for one
period and returns a score from 0 to 100, or ``None`` when the criterion does not apply (no
question was asked, no legal document was posted …), with an explanation in Vietnamese that shows
the numbers it used. The formulas (targets are settings):

- ``update_frequency``: articles first published in the period per week, against
  ``EVALUATION_ARTICLES_PER_WEEK``: ``min(100, 100 × rate / target)``.
- ``section_coverage``: the share of the nine groups of Nghị định 42/2022 Đ4 present and public now:
  introduction, functions and duties, organisation, leaders (a leaders page or published leaders),
  contacts (a contacts page or published contact officers), spokesperson page, news, legal
  documents, work schedule: ``100 × present / 9``.
- ``background_freshness``: ``100 × (1 − stale / pages)`` over the public background pages, as of
  the computation (a page is stale when nobody confirmed it within the portal's review period);
  not applicable without public pages (``section_coverage`` already counts their absence).
- ``answer_timeliness``: ``100 × answered on time / (answered + overdue)``: questions answered in
  the period by their due date, against all answered plus those still open past their due date at
  the period's end; not applicable when there is neither.
- ``legal_document_timeliness``: ``100 × posted within REPORT_LEGAL_DOCUMENT_DAYS of issue /
  posted``; not applicable when no legal document was posted.
- ``english_coverage``: the minimum of Đ7.2 of Nghị định 42/2022 in English: the organisation
  page, the functions page (English title and text, public), and the contact officers (the share
  of public ones with an English area of work): the mean of the three parts.
- ``accessibility``: a content check, not a full audit of the pages: the share of the items first
  published in the period (articles, announcements, background pages, consultations) whose images
  all have a text alternative (an article's cover description, ``alt`` of every ``<img>`` in the
  text) and whose headings do not skip a level (the page title is the h1, so the text starts at
  h2 or lower and never jumps from h2 to h4); not applicable when nothing was published.
- ``backups_verified``: 80 points for good backups whose check passed on enough of the days passed
  (``EVALUATION_BACKUP_DAYS_SHARE`` of them earns all 80, proportionally below) and 20 points for a
  restore drill that passed in the period.
- ``uptime``: from the reported outages: ``EVALUATION_UPTIME_FLOOR`` % or less scores 0, 100 %
  scores 100, linearly in between.

The total is the weighted mean of the applicable scores of the active criteria with a weight above
zero: the weights are renormalised over the criteria that apply, so a commune nobody asked a
question is neither rewarded nor punished for it. ``evaluation_compute`` stores one ``Evaluation``
per portal and period, with a snapshot of each criterion's name and weight; computing again
replaces it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from portal_platform.errors import NotFound, ValidationFailed
from portal_platform.reports.figures import PortalFigures, portal_figures
from portal_platform.reports.models import Criterion, Evaluation
from portal_platform.reports.periodic import reported_portals
from portal_platform.reports.periods import Period
from tenants.models import Portal

MAX_WEIGHT = Decimal("999.99")
WEAKEST = 3


@dataclass(frozen=True)
class Measure:
    score: float | None  # 0–100; None: not applicable
    explanation: str


# --- what a measure reads ----------------------------------------------------------------------------


class _HtmlCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images_without_alt = 0
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt is None or not alt.strip():
                self.images_without_alt += 1
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def html_accessibility_problems(html: str) -> list[str]:
    """What the content check finds in one rich text (empty: it passes).

    The page's title is its h1, so a text's first heading may be an h2 (or an h1); after that a
    heading may go at most one level deeper than the one before it.
    """
    parser = _HtmlCheck()
    parser.feed(html or "")
    parser.close()
    problems = []
    if parser.images_without_alt:
        problems.append(_("%(count)d image(s) without a text alternative") % {"count": parser.images_without_alt})
    previous = 1
    for level in parser.levels:
        if level > previous + 1:
            problems.append(_("a heading skips from h%(from)d to h%(to)d") % {"from": previous, "to": level})
            break
        previous = level
    return problems


@dataclass
class ContentFacts:
    """What the measures need beyond the report figures, read in the portal's schema in one visit."""

    groups: dict[str, bool] = field(default_factory=dict)  # section_coverage group → present and public
    english_organisation: bool = False
    english_functions: bool = False
    contact_officers: int = 0
    contact_officers_english: int = 0
    checked_items: int = 0
    passing_items: int = 0
    failing_examples: list[str] = field(default_factory=list)  # "title: problem", a few


# The section_coverage groups, in the order the explanation lists them.
COVERAGE_GROUPS = (
    "intro",
    "functions",
    "organisation",
    "leaders",
    "contacts",
    "spokesperson",
    "news",
    "legal_documents",
    "work_schedule",
)


def coverage_group_label(group: str) -> str:
    labels = {
        "intro": _("introduction"),
        "functions": _("functions and duties"),
        "organisation": _("organisation"),
        "leaders": _("leaders"),
        "contacts": _("contacts"),
        "spokesperson": _("spokesperson"),
        "news": _("news"),
        "legal_documents": _("legal documents"),
        "work_schedule": _("work schedule"),
    }
    return labels.get(group, group)


def content_facts(*, portal: Portal, period: Period, now: dt.datetime) -> ContentFacts:
    """Read ``portal``'s schema for the measures that need more than the figures."""
    facts = ContentFacts()
    from portal_platform.reports.figures import portal_has_schema

    if not portal_has_schema(portal):
        facts.groups = dict.fromkeys(COVERAGE_GROUPS, False)
        return facts
    with schema_context(portal.schema_name):
        _content_facts(facts, period, now)
    return facts


def _content_facts(facts: ContentFacts, period: Period, now: dt.datetime) -> None:
    # content is a tenant app: imported here, used only inside a portal's schema.
    from content.models import (
        Announcement,
        Article,
        Consultation,
        ContactOfficer,
        Leader,
        LegalDocument,
        Page,
        PageKind,
        WorkSchedule,
    )

    public_pages = Page.objects.filter(live=True)
    kinds = set(public_pages.values_list("kind", flat=True).distinct())
    leaders = Leader.objects.filter(live=True).exists()
    officers = ContactOfficer.objects.filter(live=True)
    facts.contact_officers = officers.count()
    facts.contact_officers_english = officers.exclude(area_en="").count()
    facts.groups = {
        "intro": PageKind.INTRO in kinds,
        "functions": PageKind.FUNCTIONS in kinds,
        "organisation": PageKind.ORGANISATION in kinds,
        "leaders": PageKind.LEADERS in kinds or leaders,
        "contacts": PageKind.CONTACTS in kinds or facts.contact_officers > 0,
        "spokesperson": PageKind.SPOKESPERSON in kinds,
        "news": Article.objects.filter(live=True).exists(),
        "legal_documents": LegalDocument.objects.filter(live=True).exists(),
        "work_schedule": WorkSchedule.objects.filter(live=True).exists(),
    }
    english = set(public_pages.exclude(title_en="").exclude(body_en="").values_list("kind", flat=True).distinct())
    facts.english_organisation = PageKind.ORGANISATION in english
    facts.english_functions = PageKind.FUNCTIONS in english

    start, end = period.bounds()
    in_period = {"first_published_at__gte": start, "first_published_at__lt": end}
    checked: list[tuple[str, list[str]]] = []
    for title, body, cover_id, cover_alt in Article.objects.filter(**in_period).values_list(
        "title", "body", "cover_id", "cover_alt"
    ):
        problems = html_accessibility_problems(body)
        if cover_id is not None and not cover_alt.strip():
            problems.insert(0, _("cover image without a description"))
        checked.append((title, problems))
    for title, body in Announcement.objects.filter(**in_period).values_list("title", "body"):
        checked.append((title, html_accessibility_problems(body)))
    for title, body, body_en in Page.objects.filter(**in_period).values_list("title", "body", "body_en"):
        checked.append((title, html_accessibility_problems(body) + html_accessibility_problems(body_en)))
    for title, body in Consultation.objects.filter(**in_period).values_list("title", "body"):
        checked.append((title, html_accessibility_problems(body)))
    facts.checked_items = len(checked)
    facts.passing_items = sum(1 for _title, problems in checked if not problems)
    facts.failing_examples = [f"{title}: {problems[0]}" for title, problems in checked if problems][:3]


@dataclass
class EvaluationInput:
    portal: Portal
    period: Period
    figures: PortalFigures
    facts: ContentFacts
    elapsed_days: int  # whole days of the period that have passed
    backup_days: int  # of those, days with a good backup whose check passed


def elapsed_days(period: Period, now: dt.datetime) -> int:
    """Whole days of ``period`` passed at ``now`` (today counts once it is over)."""
    start, end = period.bounds()
    if now >= end:
        return period.days
    if now <= start:
        return 0
    return (timezone.localdate(now) - period.start).days


def verified_backup_days(*, portal: Portal, period: Period, now: dt.datetime) -> int:
    from provisioning.backup_models import Backup, BackupStatus, VerifyStatus

    start, end = period.bounds()
    started = Backup.objects.filter(
        portal=portal,
        started_at__gte=start,
        started_at__lt=min(end, now),
        status__in=[BackupStatus.GOOD, BackupStatus.PRUNED],
        verify_status=VerifyStatus.OK,
    ).values_list("started_at", flat=True)
    return len({timezone.localdate(when) for when in started})


def evaluation_input(*, portal: Portal, period: Period, now: dt.datetime | None = None) -> EvaluationInput:
    now = now or timezone.now()
    return EvaluationInput(
        portal=portal,
        period=period,
        figures=portal_figures(portal=portal, period=period, now=now),
        facts=content_facts(portal=portal, period=period, now=now),
        elapsed_days=elapsed_days(period, now),
        backup_days=verified_backup_days(portal=portal, period=period, now=now),
    )


# --- the measures -----------------------------------------------------------------------------------


def _clamp(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 2)


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def measure_update_frequency(data: EvaluationInput) -> Measure:
    if data.elapsed_days == 0:
        return Measure(None, _("The period has not started yet."))
    articles = data.figures.published["article"]
    weeks = data.elapsed_days / 7
    rate = articles / weeks
    target = settings.EVALUATION_ARTICLES_PER_WEEK
    return Measure(
        _clamp(100 * rate / target),
        _("%(articles)d articles in %(weeks)s weeks: %(rate)s a week against a target of %(target)s a week.")
        % {"articles": articles, "weeks": _number(weeks), "rate": _number(rate), "target": _number(target)},
    )


def measure_section_coverage(data: EvaluationInput) -> Measure:
    groups = data.facts.groups
    present = [group for group in COVERAGE_GROUPS if groups.get(group)]
    missing = [coverage_group_label(group) for group in COVERAGE_GROUPS if not groups.get(group)]
    text = _("%(present)d of %(total)d required groups of information are public.") % {
        "present": len(present),
        "total": len(COVERAGE_GROUPS),
    }
    if missing:
        text += " " + _("Missing: %(missing)s.") % {"missing": ", ".join(missing)}
    return Measure(_clamp(100 * len(present) / len(COVERAGE_GROUPS)), text)


def measure_background_freshness(data: EvaluationInput) -> Measure:
    pages = data.figures.background.pages
    if not pages:
        return Measure(None, _("The portal has no public background page."))
    stale = data.figures.background.stale
    return Measure(
        _clamp(100 * (1 - stale / pages)),
        _("%(stale)d of %(pages)d public background pages are overdue for review.") % {"stale": stale, "pages": pages},
    )


def measure_answer_timeliness(data: EvaluationInput) -> Measure:
    questions = data.figures.questions
    counted = questions.answered + questions.overdue
    if not counted:
        return Measure(None, _("No question was answered or overdue in the period."))
    return Measure(
        _clamp(100 * questions.answered_on_time / counted),
        _("%(on_time)d answered on time, %(late)d answered late, %(overdue)d still overdue at the end of the period.")
        % {"on_time": questions.answered_on_time, "late": questions.answered_late, "overdue": questions.overdue},
    )


def measure_legal_document_timeliness(data: EvaluationInput) -> Measure:
    documents = data.figures.legal_documents
    if not documents.posted:
        return Measure(None, _("No legal document was posted in the period."))
    return Measure(
        _clamp(100 * documents.posted_on_time / documents.posted),
        _("%(on_time)d of %(posted)d legal documents were posted within %(days)d days of their issue date.")
        % {
            "on_time": documents.posted_on_time,
            "posted": documents.posted,
            "days": settings.REPORT_LEGAL_DOCUMENT_DAYS,
        },
    )


def measure_english_coverage(data: EvaluationInput) -> Measure:
    facts = data.facts
    officers = facts.contact_officers_english / facts.contact_officers if facts.contact_officers else 0.0
    parts = [1.0 if facts.english_organisation else 0.0, 1.0 if facts.english_functions else 0.0, officers]
    missing = []
    if not facts.english_organisation:
        missing.append(_("the organisation page"))
    if not facts.english_functions:
        missing.append(_("the functions page"))
    text = _("Contact officers with an English area of work: %(english)d of %(officers)d.") % {
        "english": facts.contact_officers_english,
        "officers": facts.contact_officers,
    }
    if missing:
        text = _("Not in English: %(missing)s.") % {"missing": ", ".join(missing)} + " " + text
    return Measure(_clamp(100 * sum(parts) / len(parts)), text)


def measure_accessibility(data: EvaluationInput) -> Measure:
    facts = data.facts
    if not facts.checked_items:
        return Measure(None, _("Nothing was published in the period to check."))
    text = _(
        "Content check (not a full accessibility audit): %(passing)d of %(items)d items published in the period "
        "have text alternatives for all images and headings in order."
    ) % {"passing": facts.passing_items, "items": facts.checked_items}
    if facts.failing_examples:
        text += " " + _("For example: %(examples)s.") % {"examples": "; ".join(facts.failing_examples)}
    return Measure(_clamp(100 * facts.passing_items / facts.checked_items), text)


def measure_backups_verified(data: EvaluationInput) -> Measure:
    if data.elapsed_days == 0:
        return Measure(None, _("The period has not started yet."))
    required = max(1, math.ceil(data.elapsed_days * settings.EVALUATION_BACKUP_DAYS_SHARE))
    days_part = min(1.0, data.backup_days / required)
    drilled = data.figures.backups.drills_passed > 0
    text = _("Verified backups on %(days)d of %(elapsed)d days (%(required)d needed for full marks).") % {
        "days": data.backup_days,
        "elapsed": data.elapsed_days,
        "required": required,
    }
    text += " " + (_("A restore drill passed.") if drilled else _("No restore drill passed in the period."))
    return Measure(_clamp(80 * days_part + (20 if drilled else 0)), text)


def measure_uptime(data: EvaluationInput) -> Measure:
    uptime = data.figures.operation.uptime_percent
    if uptime is None:
        return Measure(None, _("The period has not started yet."))
    floor = settings.EVALUATION_UPTIME_FLOOR
    score = 100.0 if floor >= 100 else 100 * (uptime - floor) / (100 - floor)
    return Measure(
        _clamp(score),
        _(
            "Available %(uptime)s %% of the time (%(minutes)d minutes of reported outage); %(floor)s %% or less scores 0."
        )
        % {"uptime": _number(uptime), "minutes": data.figures.operation.downtime_minutes, "floor": _number(floor)},
    )


MEASURES: dict[str, Callable[[EvaluationInput], Measure]] = {
    "update_frequency": measure_update_frequency,
    "section_coverage": measure_section_coverage,
    "background_freshness": measure_background_freshness,
    "answer_timeliness": measure_answer_timeliness,
    "legal_document_timeliness": measure_legal_document_timeliness,
    "english_coverage": measure_english_coverage,
    "accessibility": measure_accessibility,
    "backups_verified": measure_backups_verified,
    "uptime": measure_uptime,
}


# --- scoring ----------------------------------------------------------------------------------------


def _two_places(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def evaluation_details(*, data: EvaluationInput, criteria: Iterable[Criterion]) -> dict[str, dict[str, Any]]:
    """Each active criterion's score, explanation and a snapshot of its name and weight."""
    details: dict[str, dict[str, Any]] = {}
    for criterion in criteria:
        if not criterion.is_active:
            continue
        measure = MEASURES.get(criterion.code)
        result = measure(data) if measure else Measure(None, _("No measure is defined for this criterion."))
        details[criterion.code] = {
            "name": criterion.name,
            "weight": str(criterion.weight),
            "order": criterion.order,
            "score": result.score,
            "explanation": result.explanation,
        }
    return details


def evaluation_total(details: dict[str, dict[str, Any]]) -> Decimal:
    """The weighted mean of the applicable scores; each criterion's effective share is noted in
    ``details[code]["share"]`` (percent of the total, 0 when it does not apply)."""
    counted = {
        code: Decimal(part["weight"])
        for code, part in details.items()
        if part["score"] is not None and Decimal(part["weight"]) > 0
    }
    weights = sum(counted.values(), Decimal(0))
    for code, part in details.items():
        part["share"] = float(_two_places(100 * counted[code] / weights)) if code in counted and weights else 0.0
    if not weights:
        return Decimal("0.00")
    total = sum((counted[code] * Decimal(str(details[code]["score"])) for code in counted), Decimal(0)) / weights
    return _two_places(total)


def _active_criteria() -> list[Criterion]:
    criteria = list(Criterion.objects.filter(is_active=True).order_by("order", "code"))
    if not any(criterion.weight > 0 for criterion in criteria):
        raise ValidationFailed(
            _("At least one criterion must be in use with a weight above zero."), code="no_active_criterion"
        )
    return criteria


def evaluation_compute(
    *, period: Period, portals: list[Portal] | None = None, now: dt.datetime | None = None
) -> list[Evaluation]:
    """Score every reported portal (or ``portals``) for ``period`` and store the results.

    Safe to run again: a portal's evaluation for the same period is replaced, with the criteria's
    names and weights as they are now.
    """
    now = now or timezone.now()
    criteria = _active_criteria()
    results = []
    for portal in portals if portals is not None else reported_portals():
        data = evaluation_input(portal=portal, period=period, now=now)
        details = evaluation_details(data=data, criteria=criteria)
        total = evaluation_total(details)
        with transaction.atomic():
            evaluation, _created = Evaluation.objects.update_or_create(
                portal=portal,
                period_start=period.start,
                period_end=period.end,
                defaults={"total": total, "details": details},
            )
        results.append(evaluation)
    return results


@dataclass
class RankingRow:
    rank: int
    evaluation: Evaluation
    weakest: list[dict[str, Any]]  # [{"code", "name", "score", "explanation"}], lowest first

    @property
    def portal(self) -> Portal:
        return self.evaluation.portal

    def criteria(self) -> list[dict[str, Any]]:
        rows = [{"code": code, **part} for code, part in self.evaluation.details.items()]
        return sorted(rows, key=lambda row: (row.get("order", 0), row["code"]))


def weakest_criteria(details: dict[str, dict[str, Any]], limit: int = WEAKEST) -> list[dict[str, Any]]:
    """The applicable, weighted criteria below full marks, lowest score first (ties: heavier first)."""
    rows = [
        {"code": code, "name": part["name"], "score": part["score"], "explanation": part["explanation"]}
        for code, part in details.items()
        if part["score"] is not None and Decimal(part["weight"]) > 0 and part["score"] < 100
    ]
    rows.sort(key=lambda row: (row["score"], -Decimal(details[row["code"]]["weight"]), row["code"]))
    return rows[:limit]


def evaluation_ranking(*, period: Period) -> list[RankingRow]:
    """The portals' evaluations for ``period``, best first (equal totals share a rank)."""
    evaluations = list(
        Evaluation.objects.filter(period_start=period.start, period_end=period.end)
        .select_related("portal")
        .order_by("-total", "portal__name")
    )
    rows: list[RankingRow] = []
    for position, evaluation in enumerate(evaluations, start=1):
        rank = rows[-1].rank if rows and rows[-1].evaluation.total == evaluation.total else position
        rows.append(RankingRow(rank=rank, evaluation=evaluation, weakest=weakest_criteria(evaluation.details)))
    return rows


# --- criteria ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionChange:
    code: str
    name: str | None = None
    weight: Decimal | None = None
    is_active: bool | None = None


def criteria_list() -> list[Criterion]:
    return list(Criterion.objects.order_by("order", "code"))


@transaction.atomic
def criteria_update(*, changes: list[CriterionChange]) -> list[Criterion]:
    """Rename, reweigh or switch criteria on and off, all or nothing.

    Weights are between 0 and 999.99 (0 keeps a criterion visible without counting it); at least
    one criterion must stay in use with a weight above zero, or no portal could be scored.
    """
    rows = {criterion.code: criterion for criterion in Criterion.objects.select_for_update().order_by("order", "code")}
    for change in changes:
        criterion = rows.get(change.code)
        if criterion is None:
            raise NotFound(
                _("There is no criterion “%(code)s”.") % {"code": change.code},
                code="criterion_not_found",
                extra={"field": "code"},
            )
        if change.name is not None:
            name = change.name.strip()
            if not name:
                raise ValidationFailed(
                    _("Give criterion “%(code)s” a name.") % {"code": change.code},
                    code="invalid_name",
                    extra={"field": "name", "criterion": change.code},
                )
            criterion.name = name
        if change.weight is not None:
            if not change.weight.is_finite() or change.weight < 0 or change.weight > MAX_WEIGHT:
                raise ValidationFailed(
                    _("The weight of “%(name)s” must be a number from 0 to 999.99.") % {"name": criterion.name},
                    code="invalid_weight",
                    extra={"field": "weight", "criterion": change.code},
                )
            criterion.weight = _two_places(change.weight)
        if change.is_active is not None:
            criterion.is_active = change.is_active
    if not any(criterion.is_active and criterion.weight > 0 for criterion in rows.values()):
        raise ValidationFailed(
            _("At least one criterion must be in use with a weight above zero."), code="no_active_criterion"
        )
    for criterion in rows.values():
        criterion.save(update_fields=["name", "weight", "is_active"])
    return list(rows.values())
