"""Reports and evaluation — public schema (control plane).

Everything here is about portals as the provincial unit sees them: the yearly report each owning
agency sends (Decision 80/2025 Đ15.7 and its Phụ lục), the incidents and security risks agencies
report (Đ15.6), the evaluation criteria and each portal's scores (Đ14.4.e). They live in the public
schema, beside ``tenants.Portal``, so that the console lists and ranks every portal with one query;
a portal's back office reads and writes only its own rows (the public schema is on every tenant's
search path), always filtered by its portal.

People are recorded by username (a string), never by a foreign key: the same account table exists
in every schema, and a report filed from a portal's back office names that portal's account.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.models import Portal

# --- incidents (Đ15.6) ------------------------------------------------------------------------------


class IncidentKind(models.TextChoices):
    INCIDENT = "incident", _("Technical incident")
    SECURITY_RISK = "security_risk", _("Information security risk")


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident status", "Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the provincial unit")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


class Incident(models.Model):
    """A technical incident or security risk a portal's admin reported to the provincial unit.

    ``service_down`` says the public site was unavailable from ``started_at`` to ``ended_at`` (an
    open-ended outage counts until it is ended): the reports compute uptime from it.
    """

    portal = models.ForeignKey(Portal, verbose_name=_("portal"), on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=IncidentSeverity.choices, default=IncidentSeverity.MEDIUM
    )
    title = models.CharField(_("what happened"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    service_down = models.BooleanField(
        _("the portal was unavailable"),
        default=False,
        help_text=_("Citizens could not reach the portal between the start and the end."),
    )
    impact = models.TextField(_("impact"), blank=True)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN, db_index=True
    )
    filed_by = models.CharField(_("reported by"), max_length=150)
    filed_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=150, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["portal", "started_at"])]
        constraints = [
            models.CheckConstraint(
                name="incident_end_after_start", condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at"))
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IncidentAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("incident action", "Reported")
    UPDATE = "update", pgettext_lazy("incident action", "Updated")
    ACKNOWLEDGE = "acknowledge", pgettext_lazy("incident action", "Acknowledged")
    CLOSE = "close", pgettext_lazy("incident action", "Closed")


class IncidentEvent(models.Model):
    """One step in an incident's history: who reported, updated, acknowledged or closed it, and when.

    An update keeps what it changed (``changes``: field name → [before, after], as text) so that the
    provincial unit sees, e.g., that the end of an outage was added later and by whom.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12, choices=IncidentAction.choices)
    actor = models.CharField(_("by"), max_length=150)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.action}"


# --- the yearly report (Đ15.7, Phụ lục) -------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")


class YearlyReport(models.Model):
    """One portal's yearly activity report for the period ending on the cut-off day of ``year``.

    The figures are computed from the data while the report is a draft and frozen into ``figures``
    when it is submitted: the provincial unit reads what the agency sent, even if content changes
    later. The narrative fields follow the Phụ lục's sections.
    """

    portal = models.ForeignKey(Portal, verbose_name=_("portal"), on_delete=models.CASCADE, related_name="yearly_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    # Header and signature block of the template.
    document_number = models.CharField(_("document number"), max_length=50, blank=True)
    place = models.CharField(_("place of issue"), max_length=100, blank=True)
    recipient = models.CharField(_("addressed to"), max_length=300, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    # I. – V. of the Phụ lục (the figures fill II.2 and II.3; these are the board's own words).
    direction = models.TextField(_("I. Direction and management"), blank=True)
    compliance = models.TextField(_("II.1. Compliance with the law"), blank=True)
    information = models.TextField(_("II.2. Information provided (comments)"), blank=True)
    operation = models.TextField(_("II.3. Keeping the portal running (comments)"), blank=True)
    strengths = models.TextField(_("III.1. Strengths"), blank=True)
    shortcomings = models.TextField(_("III.2. Shortcomings"), blank=True)
    causes = models.TextField(_("III.3. Causes of the shortcomings"), blank=True)
    next_year_tasks = models.TextField(_("IV. Tasks for next year"), blank=True)
    proposals = models.TextField(_("V. Proposals"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.CharField(_("last edited by"), max_length=150, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.CharField(_("submitted by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        ordering = ["-year", "portal__name"]
        constraints = [
            models.UniqueConstraint(fields=["portal", "year"], name="yearlyreport_one_per_portal_year"),
            models.CheckConstraint(name="yearlyreport_period", condition=Q(period_end__gte=models.F("period_start"))),
        ]

    def __str__(self) -> str:
        return f"{self.portal_id}/{self.year}"


class ReportAction(models.TextChoices):
    CREATE = "create", pgettext_lazy("report action", "Created")
    EDIT = "edit", pgettext_lazy("report action", "Edited")
    SUBMIT = "submit", pgettext_lazy("report action", "Submitted")
    REOPEN = "reopen", pgettext_lazy("report action", "Reopened")


class ReportEvent(models.Model):
    """What happened to a yearly report, by whom and why: a reopened report says who reopened it."""

    report = models.ForeignKey(YearlyReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=ReportAction.choices)
    actor = models.CharField(_("by"), max_length=150)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.action}"


# --- evaluation (Đ14.4.e) ----------------------------------------------------------------------------


class Criterion(models.Model):
    """One evaluation criterion. ``code`` names the measure computed for it
    (``portal_platform.reports.evaluation.MEASURES``); the provincial unit sets names and weights."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("how it is measured"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["order", "code"]
        constraints = [models.CheckConstraint(name="criterion_weight_not_negative", condition=Q(weight__gte=0))]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """A portal's score for one period: the total out of 100 and each criterion's part.

    ``details`` holds, per criterion code: ``score`` (0–100, or null when the criterion does not
    apply, e.g. no question was asked), ``weight``, ``name`` and ``explanation`` — a snapshot, so
    that changing the weights later does not rewrite a published ranking.
    """

    portal = models.ForeignKey(Portal, verbose_name=_("portal"), on_delete=models.CASCADE, related_name="evaluations")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    total = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    details = models.JSONField(_("details"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-period_end", "-total"]
        constraints = [
            models.UniqueConstraint(fields=["portal", "period_start", "period_end"], name="evaluation_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.portal_id}: {self.period_start}–{self.period_end}: {self.total}"
