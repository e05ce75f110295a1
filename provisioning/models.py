"""Provisioning — public schema (control plane): requests from agencies, the jobs that carry them
out step by step, the pool of pre-migrated spare schemas, and planned-downtime notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tenants.models import Portal, PortalKind


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("request status", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProvisioningRequest(models.Model):
    """An agency's written request (văn bản đề nghị) for a portal, as filed by a unit operator."""

    name = models.CharField(_("agency full name"), max_length=255)
    abbreviation = models.CharField(_("abbreviation"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=PortalKind.choices)
    parent = models.ForeignKey(
        Portal, verbose_name=_("parent portal"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    domains = models.JSONField(_("domains"), default=list)
    template = models.CharField(_("site template"), max_length=40)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    responsible_person = models.CharField(_("person responsible"), max_length=255, blank=True)
    admin_name = models.CharField(_("first admin's name"), max_length=255)
    admin_email = models.EmailField(_("first admin's email"))
    # Đ10.2.d allows admin.<department>.<abbreviation>; blank gives admin.<abbreviation>.
    admin_department = models.CharField(_("first admin's department abbreviation"), max_length=40, blank=True)
    request_reference = models.CharField(_("reference of the written request"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("provisioning request")
        verbose_name_plural = _("provisioning requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class SchemaPath(models.TextChoices):
    POOL = "pool", _("Spare schema from the pool")
    CLONE = "clone", _("Clone of the template schema")
    MIGRATE = "migrate", _("Migrations")


class ProvisioningJob(models.Model):
    request = models.OneToOneField(ProvisioningRequest, on_delete=models.CASCADE, related_name="job")
    portal = models.ForeignKey(Portal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Only for tests and benchmarks: force one way of making the schema.
    forced_schema_path = models.CharField(max_length=16, choices=SchemaPath.choices, blank=True)
    schema_path = models.CharField(_("schema path"), max_length=16, choices=SchemaPath.choices, blank=True)
    template_version = models.CharField(_("template version"), max_length=20, blank=True)
    admin_username = models.CharField(_("admin account"), max_length=150, blank=True)
    # The first admin's one-time password, encrypted (AES-256-GCM) until the operator reads it once.
    admin_password_sealed = models.TextField(blank=True)
    admin_password_revealed_at = models.DateTimeField(null=True, blank=True)
    error_step = models.CharField(_("failed step"), max_length=20, blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("provisioning job")
        verbose_name_plural = _("provisioning jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.request.abbreviation}"


class StepStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("step status", "Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobStep(models.Model):
    job = models.ForeignKey(ProvisioningJob, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("step"), max_length=20)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(_("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    # What the step did, language-neutral: an English msgid and its parameters, translated when
    # shown (``detail_text``). Rows written before ``detail_params`` existed hold finished text.
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    detail_params = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="jobstep_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"

    def detail_text(self) -> str:
        """The detail in the active language."""
        if not self.detail:
            return ""
        text = gettext(self.detail)
        if not self.detail_params:
            return text
        try:
            return text % self.detail_params
        except (KeyError, TypeError, ValueError):
            # A translation that lost a placeholder must not break the job page: the English one.
            return self.detail % self.detail_params


class SpareSchema(models.Model):
    """A schema made ahead of time, renamed into a new portal's schema in one statement.

    A pre-seeded spare already holds one site template's roles and content; a bare one (blank
    ``template_key``) is only migrated.
    """

    schema_name = models.CharField(max_length=63, unique=True)
    # Fingerprint of the tenant apps' migrations it was built with: stale spares are never claimed.
    migration_state = models.CharField(max_length=64, db_index=True)
    # The site template it was seeded from, and a fingerprint of that template's content: a spare
    # of an older version (or of an edited file) is never claimed.
    template_key = models.CharField(max_length=50, blank=True)
    template_version = models.CharField(max_length=50, blank=True)
    template_fingerprint = models.CharField(max_length=64, blank=True)
    # A pre-seeded spare also holds its future first admin account (inactive, hashed ahead of time
    # so the job does not pay for the hash); its one-time password is kept here sealed
    # (portal_platform.sealing), never in clear, and moves to the job that claims the spare.
    # Blank on spares seeded before accounts were pre-made: the job's admin step creates one.
    admin_password_sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.schema_name


class DowntimeNotice(models.Model):
    """Planned downtime announced on a portal (NĐ 64/2007 Đ16: at least 7 working days ahead)."""

    portal = models.ForeignKey(Portal, on_delete=models.CASCADE, related_name="downtime_notices")
    starts_at = models.DateTimeField(_("starts at"))
    expected_end = models.DateTimeField(_("expected restoration"))
    message = models.TextField(_("message"), blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(name="downtime_end_after_start", condition=Q(expected_end__gt=models.F("starts_at")))
        ]

    def __str__(self) -> str:
        return f"{self.portal}: {self.starts_at:%d/%m/%Y %H:%M}"


# --- account closure (Decision 80/2025 Đ10.2.e, Đ14.4.d) ------------------------------------------


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting execution")
    EXECUTED = "executed", _("Executed")
    REJECTED = "rejected", _("Rejected")


class AccountClosure(models.Model):
    """A portal's written request to close one of its accounts, and what the console did with it.

    The portal files it (with the reference of its written request and the account that takes over);
    an operator of the Provincial Portal unit executes or rejects it. Accounts live in the portal's
    schema and operators in the public one, so people are recorded by username, not by foreign key:
    a key to ``accounts.User`` from this public table would resolve, on a portal's host, against that
    portal's own user table.
    """

    portal = models.ForeignKey(
        Portal, verbose_name=_("portal"), on_delete=models.PROTECT, related_name="account_closures"
    )
    username = models.CharField(_("account to close"), max_length=150)
    successor_username = models.CharField(_("account that takes over"), max_length=150)
    request_reference = models.CharField(_("reference of the written request"), max_length=100)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ClosureStatus.choices, default=ClosureStatus.REQUESTED
    )
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.CharField(_("executed or rejected by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("executed or rejected at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    # What the hand-over moved, per registered hand-over ({"content.board_seats": 1, …}).
    handed_over = models.JSONField(_("handed over"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account closure")
        verbose_name_plural = _("account closures")
        ordering = ["-requested_at", "-pk"]
        # Kept for audit: never deleted; changed only by the execute/reject services.
        default_permissions = ("add", "change", "view")
        constraints = [
            models.UniqueConstraint(
                fields=["portal", "username"],
                condition=Q(status="requested"),
                name="accountclosure_one_open_per_account",
                violation_error_message=_("A closure of this account is already awaiting execution."),
            ),
            models.CheckConstraint(
                name="accountclosure_successor_differs", condition=~Q(successor_username=models.F("username"))
            ),
            models.CheckConstraint(name="accountclosure_status_valid", condition=Q(status__in=ClosureStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.request_reference})"


# Backups and restore (issue 8) live in their own module; imported here so they belong to this app.
from provisioning.backup_models import (  # noqa: E402, F401
    Backup,
    BackupJob,
    BackupJobKind,
    BackupJobStep,
    BackupStatus,
    BackupTrigger,
    RetiredSchema,
    VerifyStatus,
)
