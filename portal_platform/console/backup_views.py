"""Console screens of backups: the list (with alerts and "back up now"), one backup (verify, drill,
restore), the restore confirmation, and a job's steps. Each view parses with a form, calls one
service of ``provisioning.backups`` and shows its ``ApplicationError`` message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal_platform.console.forms import form_error_apply
from portal_platform.console.views import staff_required
from portal_platform.errors import ApplicationError, NotFound
from provisioning import backups
from provisioning.backup_models import Backup, BackupJob, BackupStatus
from provisioning.models import JobStatus, StepStatus
from tenants.models import Portal, PortalStatus


def _portal_choices() -> list[tuple[str, str]]:
    portals = Portal.objects.exclude(status=PortalStatus.PROVISIONING).order_by("name")
    return [(str(p.pk), f"{p.name} ({p.abbreviation})") for p in portals]


class BackupFilterForm(forms.Form):
    portal = forms.ChoiceField(label=gettext_lazy("Portal"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *BackupStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["portal"].choices = [("", gettext_lazy("All portals")), *_portal_choices()]  # type: ignore[attr-defined]


class BackupNowForm(forms.Form):
    portal = forms.ChoiceField(label=gettext_lazy("Portal to back up now"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["portal"].choices = _portal_choices()  # type: ignore[attr-defined]


class RestoreInPlaceForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Type the portal's abbreviation to confirm"),
        max_length=40,
        help_text=gettext_lazy(
            "The portal's current data will be replaced by this backup. It becomes read-only during the "
            "restore and a safety backup is taken first."
        ),
    )


class RestoreCopyForm(forms.Form):
    abbreviation = forms.CharField(
        label=gettext_lazy("Abbreviation of the new portal"),
        max_length=40,
        help_text=gettext_lazy("For example xa-an-ban-sao. The original portal is not touched."),
    )
    domains = forms.CharField(
        label=gettext_lazy("Domains of the new portal"),
        required=False,
        help_text=gettext_lazy("One per line; empty gives <abbreviation>.<platform domain>."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def domain_list(self) -> list[str] | None:
        lines = [line.strip() for line in str(self.cleaned_data.get("domains") or "").splitlines()]
        return [line for line in lines if line] or None


def _backup(pk: int) -> Backup:
    try:
        return backups.backup_get(backup_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _user(request: HttpRequest) -> str:
    return str(request.user.get_username())


@staff_required
def backup_list(request: HttpRequest) -> HttpResponse:
    filters = BackupFilterForm(request.GET or None)
    portal = None
    status = None
    if filters.is_valid():
        if filters.cleaned_data["portal"]:
            portal = Portal.objects.filter(pk=filters.cleaned_data["portal"]).first()
        status = filters.cleaned_data["status"] or None
    return render(
        request,
        "portal_platform/console/backup_list.html",
        {
            "filters": filters,
            "now_form": BackupNowForm(initial={"portal": portal.pk if portal else None}),
            "backups": backups.backup_list(portal=portal, status=status)[:200],
            "jobs": backups.backup_jobs_recent(portal=portal, limit=15),
            "alerts": backups.backup_alerts(),
            "labels": backups.STEP_LABELS,
        },
    )


@staff_required
@require_POST
def backup_now(request: HttpRequest) -> HttpResponse:
    form = BackupNowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a portal to back up."))
        return redirect("console:backups")
    portal = Portal.objects.filter(pk=form.cleaned_data["portal"]).first()
    if portal is None:
        raise Http404(_("The portal does not exist."))
    try:
        job = backups.backup_create(portal=portal, requested_by=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:backups")
    messages.success(request, _("The backup of “%(name)s” has been queued.") % {"name": portal.name})
    return redirect("console:backup-job", pk=job.pk)


@staff_required
def backup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    backup = _backup(pk)
    parts = backup.manifest.get("parts", []) if isinstance(backup.manifest, dict) else []
    return render(
        request,
        "portal_platform/console/backup_detail.html",
        {
            "backup": backup,
            "parts": parts,
            "tables": sorted((backup.manifest.get("tables") or {}).items()),
            "jobs": backup.jobs.order_by("-created_at")[:20],
            "good": backup.status == BackupStatus.GOOD,
        },
    )


@staff_required
@require_POST
def backup_verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _queue(request, pk, backups.backup_verify_request, _("The check of backup #%(backup)s has been queued."))


@staff_required
@require_POST
def backup_drill(request: HttpRequest, pk: int) -> HttpResponse:
    return _queue(
        request, pk, backups.backup_drill_request, _("A restore drill of backup #%(backup)s has been queued.")
    )


def _queue(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    backup = _backup(pk)
    try:
        job: BackupJob = service(backup=backup, requested_by=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:backup", pk=backup.pk)
    messages.success(request, done % {"backup": backup.pk})
    return redirect("console:backup-job", pk=job.pk)


@staff_required
def backup_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows both ways to restore and what each does; POST (with ``mode``) queues one."""
    backup = _backup(pk)
    in_place = RestoreInPlaceForm(request.POST if request.POST.get("mode") == "in_place" else None, prefix="tai-cho")
    copy = RestoreCopyForm(request.POST if request.POST.get("mode") == "copy" else None, prefix="ban-sao")
    if request.method == "POST":
        try:
            if request.POST.get("mode") == "in_place" and in_place.is_valid():
                job = backups.backup_restore_request(
                    backup=backup, confirm=in_place.cleaned_data["confirm"], requested_by=_user(request)
                )
                messages.success(request, _("The restore has been queued; the portal is read-only until it ends."))
                return redirect("console:backup-job", pk=job.pk)
            if request.POST.get("mode") == "copy" and copy.is_valid():
                job = backups.backup_restore_copy_request(
                    backup=backup,
                    abbreviation=copy.cleaned_data["abbreviation"],
                    domains=copy.domain_list(),
                    requested_by=_user(request),
                )
                messages.success(request, _("The restore into a new portal has been queued."))
                return redirect("console:backup-job", pk=job.pk)
        except ApplicationError as exc:
            form_error_apply(in_place if request.POST.get("mode") == "in_place" else copy, exc)
    return render(
        request,
        "portal_platform/console/backup_restore.html",
        {"backup": backup, "in_place": in_place, "copy": copy, "good": backup.status == BackupStatus.GOOD},
    )


@staff_required
def backup_job(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job = backups.backup_job_get(job_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    running = job.status not in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    steps = list(job.steps.all())
    return render(
        request,
        "portal_platform/console/backup_job.html",
        {
            "job": job,
            "rows": [{"step": s, "label": backups.STEP_LABELS.get(s.name, s.name)} for s in steps],
            "running": running,
            "progress": round(100 * sum(s.status == StepStatus.DONE for s in steps) / len(steps)) if steps else 0,
            "error_step": backups.STEP_LABELS.get(job.error_step, job.error_step),
        },
    )
