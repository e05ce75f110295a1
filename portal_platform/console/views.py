"""Console views (operators of the Provincial Portal unit only). Each parses with a form, calls one
service and shows its ``ApplicationError`` message (already in Vietnamese) without losing input."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from content.services.pages import pages_stale_counts
from portal_platform.console.forms import (
    DowntimeForm,
    PortalFilterForm,
    ProvisioningRequestForm,
    RejectForm,
    RequestFilterForm,
    form_error_apply,
)
from portal_platform.errors import ApplicationError, NotFound
from provisioning import schemas, selectors, services, tasks
from provisioning.api import job_data
from provisioning.models import (
    JobStatus,
    ProvisioningJob,
    ProvisioningRequest,
    RequestStatus,
    SchemaPath,
    StepStatus,
)
from tenants.jobs import enqueue
from tenants.models import Portal

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]

# Human names of the job's steps (services.STEPS); an unknown step shows its code.
STEP_LABELS = {
    "reserve": gettext_lazy("Reserve the name"),
    "schema": gettext_lazy("Create the database schema"),
    "domains": gettext_lazy("Attach the domains"),
    "roles": gettext_lazy("Create the editorial roles"),
    "content": gettext_lazy("Apply the site template"),
    "admin": gettext_lazy("Create the first admin account"),
    "activate": gettext_lazy("Activate the portal"),
}
TERMINAL_JOB_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED)


def staff_required(view: View[P]) -> View[P]:
    """Operators only: anonymous visitors go to the sign-in page, other accounts get 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _when(value: Any) -> str:
    return date_format(timezone.localtime(value), "d/m/Y H:i")


def _port_suffix(request: HttpRequest) -> str:
    """The ":8000" of the console's own address when it is not on a default port (make run), for links."""
    port = request.get_host().rpartition(":")[2]
    return f":{port}" if port.isdigit() and port not in ("80", "443") else ""


# --- portals --------------------------------------------------------------------------------------


def _portal(pk: int) -> Portal:
    try:
        return services.portal_get(portal_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@staff_required
def portal_list(request: HttpRequest) -> HttpResponse:
    filters = PortalFilterForm(request.GET or None)
    status = kind = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        kind = filters.cleaned_data["kind"] or None
    portals = list(selectors.portal_list(status=status, kind=kind))
    # Đ6.3: background pages not confirmed within each portal's review period, all schemas in one query.
    stale = pages_stale_counts(schema_names=[portal.schema_name for portal in portals])
    for portal in portals:
        portal.stale_pages = stale.get(portal.schema_name)  # type: ignore[attr-defined]
    return render(
        request,
        "portal_platform/console/portal_list.html",
        {"filters": filters, "portals": portals, "port_suffix": _port_suffix(request)},
    )


_TRANSITIONS: dict[str, tuple[Callable[..., Portal], Any]] = {
    "suspend": (services.portal_suspend, gettext_lazy("“%(name)s” has been suspended: its site shows a notice.")),
    "resume": (services.portal_resume, gettext_lazy("“%(name)s” is serving again.")),
    "archive": (services.portal_archive, gettext_lazy("“%(name)s” has been archived: it stays online, read-only.")),
}


def _portal_change(request: HttpRequest, portal: Portal, action: str) -> HttpResponse:
    change, done = _TRANSITIONS[action]
    try:
        changed = change(portal=portal)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done % {"name": changed.name})
    return redirect("console:portals")


@staff_required
@require_POST
def portal_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _portal_change(request, _portal(pk), "suspend")


@staff_required
@require_POST
def portal_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _portal_change(request, _portal(pk), "resume")


@staff_required
def portal_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (archiving cannot be undone from the console); POST archives."""
    portal = _portal(pk)
    if request.method == "POST":
        return _portal_change(request, portal, "archive")
    return render(request, "portal_platform/console/portal_archive.html", {"portal": portal})


@staff_required
def portal_downtime(request: HttpRequest, pk: int) -> HttpResponse:
    portal = _portal(pk)
    form = DowntimeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.downtime_announce(portal=portal, created_by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(
                request,
                _("Planned downtime of “%(name)s” announced from %(start)s to %(end)s.")
                % {"name": portal.name, "start": _when(notice.starts_at), "end": _when(notice.expected_end)},
            )
            return redirect("console:portals")
    notices = portal.downtime_notices.filter(expected_end__gt=timezone.now()).order_by("starts_at")
    return render(
        request, "portal_platform/console/portal_downtime.html", {"portal": portal, "form": form, "notices": notices}
    )


# --- requests -------------------------------------------------------------------------------------


def _request(pk: int) -> ProvisioningRequest:
    found = selectors.request_list().filter(pk=pk).first()
    if found is None:
        raise Http404(_("The provisioning request does not exist."))
    return found


@staff_required
def request_list(request: HttpRequest) -> HttpResponse:
    filters = RequestFilterForm(request.GET or None)
    status = (filters.cleaned_data["status"] or None) if filters.is_valid() else None
    requests = selectors.request_list(status=status)
    return render(request, "portal_platform/console/request_list.html", {"filters": filters, "requests": requests})


@staff_required
def request_new(request: HttpRequest) -> HttpResponse:
    form = ProvisioningRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["approve_now"]:
                job = services.request_file_and_approve(decided_by=request.user, **form.service_fields())
                messages.success(request, _("The request has been filed and approved; the portal is being created."))
                return redirect("console:job", pk=job.pk)
            filed = services.request_file(filed_by=request.user, **form.service_fields())
            messages.success(request, _("The request has been filed and is waiting for approval."))
            return redirect("console:request", pk=filed.pk)
        except ApplicationError as exc:
            form_error_apply(form, exc)
    return render(request, "portal_platform/console/request_new.html", {"form": form})


def _request_page(request: HttpRequest, found: ProvisioningRequest, reject_form: RejectForm) -> HttpResponse:
    job: ProvisioningJob | None = getattr(found, "job", None)
    return render(
        request,
        "portal_platform/console/request_detail.html",
        {"req": found, "job": job, "reject_form": reject_form, "pending": found.status == RequestStatus.PENDING},
    )


@staff_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_page(request, _request(pk), RejectForm())


@staff_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request(pk)
    try:
        job = services.request_approve(request=found, decided_by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:request", pk=found.pk)
    messages.success(request, _("The request has been approved; the portal is being created."))
    return redirect("console:job", pk=job.pk)


@staff_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request(pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.request_reject(request=found, reason=form.cleaned_data["reason"], decided_by=request.user)
        except ApplicationError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(request, _("The request has been rejected."))
            return redirect("console:request", pk=found.pk)
    return _request_page(request, found, form)


# --- jobs -----------------------------------------------------------------------------------------


def _job(pk: int) -> ProvisioningJob:
    found = selectors.job_with_steps(job_id=pk)
    if found is None:
        raise Http404(_("The provisioning job does not exist."))
    return found


@staff_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    data = job_data(job)
    rows = [{"step": step, "label": STEP_LABELS.get(step.name, step.name)} for step in data["steps"]]
    # What the page's script needs to redraw itself from the API's JSON, in the page's language.
    live = {
        "api": reverse("api-job", kwargs={"pk": job.pk}),
        "status": job.status,
        "template": job.request.template,
        "terminal": [str(status) for status in TERMINAL_JOB_STATUSES],
        "timeZone": settings.TIME_ZONE,
        "labels": {
            "steps": {name: str(label) for name, label in STEP_LABELS.items()},
            "stepStatus": {str(value): str(label) for value, label in StepStatus.choices},
            "jobStatus": {str(value): str(label) for value, label in JobStatus.choices},
            "schemaPath": {str(value): str(label) for value, label in SchemaPath.choices},
            "stopped": _("Live updates stopped. Use “Refresh” to see the latest state."),
        },
    }
    return render(
        request,
        "portal_platform/console/job_detail.html",
        {
            "job": job,
            "data": data,
            "rows": rows,
            "live": live,
            "running": job.status not in TERMINAL_JOB_STATUSES,
            "can_retry": job.status == JobStatus.FAILED,
            "can_reveal": job.status == JobStatus.SUCCEEDED and data["admin_password_available"],
        },
    )


@staff_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    try:
        services.job_retry(job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The job has been queued again."))
    return redirect("console:job", pk=job.pk)


@staff_required
@require_POST
def job_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the first admin's one-time password once; the response must never be cached."""
    job = _job(pk)
    password = services.job_password_reveal(job=job)
    if password is None:
        job.refresh_from_db()
        if job.admin_password_revealed_at is not None:
            messages.warning(
                request,
                _(
                    "The one-time password was already shown on %(when)s and is no longer kept. "
                    "If it was lost, set a new password for the account."
                )
                % {"when": _when(job.admin_password_revealed_at)},
            )
        else:
            messages.warning(request, _("The one-time password is not available: the admin account has not been made."))
        return redirect("console:job", pk=job.pk)
    response = render(
        request,
        "portal_platform/console/job_password.html",
        {"job": job, "password": password, "port_suffix": _port_suffix(request)},
    )
    add_never_cache_headers(response)
    return response


# --- spare-schema pool ----------------------------------------------------------------------------


@staff_required
def pool(request: HttpRequest) -> HttpResponse:
    return render(request, "portal_platform/console/pool.html", {"pool": schemas.pool_status()})


@staff_required
@require_POST
def pool_top_up(request: HttpRequest) -> HttpResponse:
    enqueue(tasks.pool_top_up)
    messages.success(request, _("Top-up of the pool has been queued; refresh this page in a minute."))
    return redirect("console:pool")
