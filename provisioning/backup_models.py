"""Backups of portals — public schema (control plane): the catalogue of backups, the jobs that make,
check and restore them step by step, and the schemas a restore replaced, kept for a while.

Imported at the end of ``provisioning.models`` so that they belong to the ``provisioning`` app.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from provisioning.models import JobStatus, StepStatus
from tenants.models import Portal


class BackupTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Nightly")
    MANUAL = "manual", _("On request")
    SAFETY = "safety", _("Before a restore")


class BackupStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("backup status", "In progress")
    GOOD = "good", _("Good")
    FAILED = "failed", pgettext_lazy("backup status", "Failed")
    PRUNED = "pruned", _("Deleted by retention")


class VerifyStatus(models.TextChoices):
    NEVER = "never", _("Not checked")
    OK = "ok", _("Checked, good")
    FAILED = "failed", _("Check failed")


class Backup(models.Model):
    """One backup of one portal: its schema dump, media and manifest under one prefix of the bucket.

    A backup is only ever ``good`` once every part was uploaded and read back; a failed or
    interrupted one is never restorable, whatever objects it left (those are cleaned up).
    """

    # SET_NULL: a backup outlives the portal row (its schema name and abbreviation are kept here).
    portal = models.ForeignKey(
        Portal, verbose_name=_("portal"), on_delete=models.SET_NULL, null=True, related_name="backups"
    )
    schema_name = models.CharField(_("schema"), max_length=63)
    portal_abbreviation = models.CharField(_("abbreviation"), max_length=40)
    trigger = models.CharField(_("trigger"), max_length=16, choices=BackupTrigger.choices)
    status = models.CharField(_("status"), max_length=16, choices=BackupStatus.choices, default=BackupStatus.RUNNING)
    bucket = models.CharField(_("bucket"), max_length=63)
    prefix = models.CharField(_("location"), max_length=255, unique=True)
    key_id = models.CharField(_("encryption key id"), max_length=16, blank=True)
    app_version = models.CharField(_("application version"), max_length=64, blank=True)
    migration_state = models.CharField(_("migration state"), max_length=64, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    stored_bytes = models.PositiveBigIntegerField(_("stored size (bytes)"), default=0)
    database_bytes = models.PositiveBigIntegerField(_("database dump (bytes)"), default=0)
    media_files = models.PositiveIntegerField(_("media files"), default=0)
    media_bytes = models.PositiveBigIntegerField(_("media (bytes)"), default=0)
    verify_status = models.CharField(
        _("verification"), max_length=16, choices=VerifyStatus.choices, default=VerifyStatus.NEVER
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verify_error = models.TextField(_("verification error"), blank=True)
    drilled_at = models.DateTimeField(_("restore drill at"), null=True, blank=True)
    drill_ok = models.BooleanField(_("restore drill passed"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    # Objects of a failed attempt that could not be removed yet (storage unreachable): the next
    # maintenance run removes them.
    leftovers = models.BooleanField(default=False)
    created_by = models.CharField(_("requested by"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pruned_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["portal", "status", "-finished_at"], name="backup_portal_status_idx")]
        constraints = [
            models.CheckConstraint(name="backup_status_valid", condition=Q(status__in=BackupStatus.values)),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.portal_abbreviation} {self.started_at:%d/%m/%Y %H:%M}"


class BackupJobKind(models.TextChoices):
    BACKUP = "backup", _("Back up")
    VERIFY = "verify", _("Verify")
    RESTORE = "restore", _("Restore in place")
    RESTORE_COPY = "restore_copy", _("Restore as a copy")
    DRILL = "drill", _("Restore drill")


ACTIVE_JOB_STATUSES = ("queued", "running")


class BackupJob(models.Model):
    """One operation on backups, carried out by a worker step by step like a provisioning job."""

    kind = models.CharField(_("operation"), max_length=16, choices=BackupJobKind.choices)
    portal = models.ForeignKey(
        Portal, verbose_name=_("portal"), on_delete=models.SET_NULL, null=True, related_name="backup_jobs"
    )
    # The backup made (kind backup) or the one verified, drilled or restored.
    backup = models.ForeignKey(
        Backup, verbose_name=_("backup"), on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=BackupTrigger.choices, default="manual")
    # A nightly job's date: the scheduler sends one per portal per night, never two.
    scheduled_for = models.DateField(null=True, blank=True)
    # Restore in place: the backup taken first; restore as a copy: the new portal.
    safety_backup = models.ForeignKey(Backup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_portal = models.ForeignKey(Portal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_abbreviation = models.CharField(_("abbreviation of the copy"), max_length=40, blank=True)
    target_domains = models.JSONField(_("domains of the copy"), default=list, blank=True)
    # The schema being built by a restore (dropped if the job fails), and the media keys a restore
    # in place is putting back (removed if it fails): recorded before the work, for the undo.
    work_schema = models.CharField(max_length=63, blank=True)
    media_added = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error_step = models.CharField(_("failed step"), max_length=20, blank=True)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup job")
        verbose_name_plural = _("backup jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two restores of one portal at once: the database lets exactly one in.
            models.UniqueConstraint(
                fields=["portal"],
                condition=Q(kind="restore", status__in=ACTIVE_JOB_STATUSES),
                name="backupjob_one_restore_per_portal",
            ),
            models.UniqueConstraint(
                fields=["portal", "scheduled_for"],
                condition=Q(trigger="scheduled", kind="backup"),
                name="backupjob_one_nightly_per_portal",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class BackupJobStep(models.Model):
    job = models.ForeignKey(BackupJob, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("step"), max_length=20)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(_("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="backupjobstep_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"


class RetiredSchema(models.Model):
    """A portal's schema replaced by a restore in place, kept until ``drop_after`` to go back to."""

    schema_name = models.CharField(max_length=63, unique=True)
    portal = models.ForeignKey(Portal, on_delete=models.SET_NULL, null=True, related_name="+")
    job = models.ForeignKey(BackupJob, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    drop_after = models.DateTimeField()
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["drop_after"]

    def __str__(self) -> str:
        return self.schema_name
