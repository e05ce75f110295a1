"""The yearly report and the incident reports in a portal's back office (its own host, under /admin/).

Any member of the portal's staff reads the reports; the portal's administrator and the head and
deputy heads of the editorial board edit and submit them and file incident reports
(``yearly.report_access``). The views sit in the admin's frame (``admin.site.admin_view``: signed-in
staff only) and call the same services as the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from content.services.workflow import actor_roles
from portal_platform.console.report_views import export_response, period_label
from portal_platform.errors import ApplicationError
from portal_platform.reports import incidents, periods, yearly
from portal_platform.reports.models import (
    Incident,
    IncidentKind,
    IncidentSeverity,
    IncidentStatus,
    ReportStatus,
    YearlyReport,
)
from tenants.models import Portal

View = Callable[..., HttpResponse]


def _access(request: HttpRequest) -> str:
    user = request.user
    access = yearly.report_access(actor_roles(user)) if isinstance(user, User) else None
    if access is None:
        raise PermissionDenied
    return access


def office_view(view: View) -> View:
    """Signed-in staff of this portal (the admin's login), holding one of its roles."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _access(request)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return cast(View, admin.site.admin_view(wrapper))


def _portal(request: HttpRequest) -> Portal:
    return cast(Portal, request.tenant)  # type: ignore[attr-defined]


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, "can_edit": _access(request) == "edit", **extra}


class ReportForm(forms.Form):
    """The board's fields of the report; lengths and the rest are the service's."""

    document_number = forms.CharField(label=gettext_lazy("Document number"), required=False, max_length=50)
    place = forms.CharField(label=gettext_lazy("Place of issue"), required=False, max_length=100)
    recipient = forms.CharField(label=gettext_lazy("Addressed to"), required=False, max_length=300)
    signer_title = forms.CharField(label=gettext_lazy("Signer's title"), required=False, max_length=200)
    signer_name = forms.CharField(label=gettext_lazy("Signer's name"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in yearly.NARRATIVE_FIELDS:
            self.fields[name] = forms.CharField(
                label=yearly.field_label(name),
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "cols": 90}),
            )


TIME_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"), choices=IncidentSeverity.choices, initial=IncidentSeverity.MEDIUM
    )
    title = forms.CharField(label=gettext_lazy("What happened"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    started_at = forms.DateTimeField(
        label=gettext_lazy("Started at"),
        input_formats=TIME_FORMATS,
        widget=forms.DateTimeInput(format=TIME_FORMATS[0]),
        help_text=gettext_lazy("dd/mm/yyyy hh:mm"),
    )
    ended_at = forms.DateTimeField(
        label=gettext_lazy("Ended at"),
        required=False,
        input_formats=TIME_FORMATS,
        widget=forms.DateTimeInput(format=TIME_FORMATS[0]),
        help_text=gettext_lazy("dd/mm/yyyy hh:mm; empty while the incident lasts."),
    )
    service_down = forms.BooleanField(label=gettext_lazy("The portal was unavailable"), required=False)
    impact = forms.CharField(label=gettext_lazy("Impact"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    actions_taken = forms.CharField(
        label=gettext_lazy("Actions taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    fields = exc.extra.get("fields")
    if isinstance(fields, dict):
        for name, message in fields.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


def office_home(request: HttpRequest) -> HttpResponse:
    portal = _portal(request)
    current = periods.report_year_of(periods.today()).end.year
    return render(
        request,
        "portal_platform/reports/office_home.html",
        _context(
            request,
            _("Reports to the provincial unit"),
            current=current,
            due=periods.report_due_date(current),
            reports=yearly.yearly_report_list(portal=portal),
            incidents=incidents.incident_list(portal=portal)[:100],
        ),
    )


def office_report(request: HttpRequest, year: int) -> HttpResponse:
    portal = _portal(request)
    can_edit = _access(request) == "edit"
    try:
        yearly.check_year(year)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("office-reports")
    report = YearlyReport.objects.filter(portal=portal, year=year).first()
    if report is None:
        if not can_edit:
            messages.warning(request, _("The report for %(year)s has not been drafted yet.") % {"year": year})
            return redirect("office-reports")
        report = yearly.yearly_report_get_or_create(portal=portal, year=year, actor=request.user.get_username())
    form = ReportForm(initial={name: getattr(report, name) for name in yearly.EDITABLE_FIELDS})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = yearly.yearly_report_update(
                    report=report, data=form.cleaned_data, actor=request.user.get_username()
                )
                if "submit" in request.POST:
                    report = yearly.yearly_report_submit(report=report, actor=request.user.get_username())
                    messages.success(request, _("The report has been submitted to the provincial unit."))
                else:
                    messages.success(request, _("The report has been saved."))
                return redirect("office-report", year=year)
            except ApplicationError as exc:
                _apply_errors(form, exc)
        status = 400
    return render(
        request,
        "portal_platform/reports/office_report.html",
        _context(
            request,
            _("Yearly report %(year)s") % {"year": year},
            report=report,
            form=form,
            editable=can_edit and report.status == ReportStatus.DRAFT,
            f=yearly.yearly_report_figures(report=report).to_dict(),
            frozen=bool(report.figures),
            period_label=period_label(report),
            due=periods.report_due_date(year),
            events=yearly.yearly_report_events(report=report),
            reopened=report.events.filter(action="reopen").last(),
        ),
        status=status,
    )


def office_export(request: HttpRequest, year: int) -> HttpResponse:
    report = YearlyReport.objects.filter(portal=_portal(request), year=year).select_related("portal").first()
    if report is None:
        messages.warning(request, _("The report for %(year)s has not been drafted yet.") % {"year": year})
        return redirect("office-reports")
    try:
        return export_response(report, request.GET.get("type", "docx"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("office-report", year=year)


def office_incident_new(request: HttpRequest) -> HttpResponse:
    if _access(request) != "edit":
        raise PermissionDenied
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            incident: Incident = incidents.incident_create(
                portal=_portal(request), data=data, filed_by=request.user.get_username()
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("The report “%(title)s” has been sent to the provincial unit.") % {"title": incident.title}
            )
            return redirect("office-reports")
    return render(
        request,
        "portal_platform/reports/office_incident.html",
        _context(request, _("Report an incident or a security risk"), form=form),
        status=400 if form.is_bound and form.errors else 200,
    )


def _to_the_minute(value: Any) -> Any:
    # The form shows times to the minute; an unchanged time sent back must not count as a change.
    return value.replace(second=0, microsecond=0) if value is not None else None


def office_incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One of this portal's incidents with its history; while it is not closed, the admin, board head
    or deputy completes it (when the portal came back, impact, actions taken)."""
    try:
        incident = incidents.incident_get(incident_id=pk, portal=_portal(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("office-reports")
    editable = _access(request) == "edit" and incident.status != IncidentStatus.CLOSED
    initial = {name: getattr(incident, name) for name in incidents.INCIDENT_FIELDS}
    initial["started_at"] = _to_the_minute(incident.started_at)
    initial["ended_at"] = _to_the_minute(incident.ended_at)
    form = IncidentForm(initial=initial)
    status = 200
    if request.method == "POST":
        if _access(request) != "edit":
            raise PermissionDenied
        form = IncidentForm(request.POST, initial=initial)
        if form.is_valid():
            # Only what the person changed: a time shown to the minute keeps its seconds otherwise.
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                incidents.incident_update(incident=incident, data=data, actor=request.user.get_username())
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                if data:
                    messages.success(request, _("The incident report has been updated."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("office-incident", pk=pk)
        status = 409 if incident.status == IncidentStatus.CLOSED else 400
    return render(
        request,
        "portal_platform/reports/office_incident_edit.html",
        _context(
            request,
            incident.title,
            incident=incident,
            form=form,
            editable=editable,
            history=incidents.incident_history(incident=incident),
        ),
        status=status,
    )


home = office_view(office_home)
report = office_view(office_report)
export = office_view(office_export)
incident_new = office_view(office_incident_new)
incident_edit = office_view(office_incident_edit)
