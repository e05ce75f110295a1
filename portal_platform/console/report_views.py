"""Console screens of the yearly reports and the incident reports (issue 9).

The provincial unit lists every portal's yearly report for a year — sent, draft, not started, overdue
— opens one (figures and narrative, read-only), reopens a submitted one with a reason, and exports it;
it sees every portal's incident reports (with their history: who completed them, when and what),
acknowledges and closes them. Each view parses with a form,
calls one service and shows its ``ApplicationError`` message.
"""

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
from portal_platform.reports import incidents, periods, yearly
from portal_platform.reports.documents import attachment_response
from portal_platform.reports.models import Incident, IncidentKind, IncidentStatus, YearlyReport
from tenants.models import Portal, PortalStatus

STATE_LABELS = {
    "submitted": gettext_lazy("Sent"),
    "draft": gettext_lazy("Draft"),
    "not_started": gettext_lazy("Not started"),
    "overdue": gettext_lazy("Overdue"),
}


def _user(request: HttpRequest) -> str:
    return str(request.user.get_username())


def period_label(report: YearlyReport) -> str:
    return f"{report.period_start:%d/%m/%Y} – {report.period_end:%d/%m/%Y}"


def export_response(report: YearlyReport, fmt: str) -> HttpResponse:
    content, content_type, filename = yearly.yearly_report_export(report=report, fmt=fmt)
    return attachment_response(content, content_type=content_type, filename=filename)


# --- yearly reports ------------------------------------------------------------------------------------------


class YearFilterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100)
    state = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("All")), *STATE_LABELS.items()]
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The portal's board reads it; say what must be corrected."),
    )


@staff_required
def yearly_list(request: HttpRequest) -> HttpResponse:
    current = periods.report_year_of(periods.today()).end.year
    filters = YearFilterForm(request.GET or None, initial={"year": current})
    year, state = current, None
    if filters.is_valid():
        year = filters.cleaned_data["year"] or current
        state = filters.cleaned_data["state"] or None
    try:
        rows = yearly.yearly_report_overview(year=year, state=state)
    except ApplicationError as exc:
        filters.add_error("year", exc.message)
        year, rows = current, yearly.yearly_report_overview(year=current, state=state)
    counts = {key: 0 for key in STATE_LABELS}
    for row in yearly.yearly_report_overview(year=year):
        counts[row.state] += 1
        counts["overdue"] += int(row.overdue)
    return render(
        request,
        "portal_platform/console/reports/yearly_list.html",
        {
            "filters": filters,
            "year": year,
            "years": list(range(current, max(current - 5, 2000) - 1, -1)),
            "due": periods.report_due_date(year),
            "rows": rows,
            "counts": counts,
            "labels": STATE_LABELS,
        },
    )


def _report(pk: int) -> YearlyReport:
    try:
        return yearly.yearly_report_get(report_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@staff_required
def yearly_detail(request: HttpRequest, pk: int, form: ReopenForm | None = None) -> HttpResponse:
    report = _report(pk)
    return render(
        request,
        "portal_platform/console/reports/yearly_detail.html",
        {
            "report": report,
            "f": yearly.yearly_report_figures(report=report).to_dict(),
            "frozen": bool(report.figures),
            "period_label": period_label(report),
            "due": periods.report_due_date(report.year),
            "narrative": [(yearly.field_label(name), getattr(report, name)) for name in yearly.NARRATIVE_FIELDS],
            "events": yearly.yearly_report_events(report=report),
            "form": form or ReopenForm(),
        },
        status=400 if form is not None else 200,
    )


@staff_required
@require_POST
def yearly_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            yearly.yearly_report_reopen(report=report, actor=_user(request), reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(
                request,
                _("The report of “%(name)s” is a draft again; the board can correct it.")
                % {"name": report.portal.name},
            )
            return redirect("console:yearly-report", pk=pk)
    return yearly_detail(request, pk, form=form)


@staff_required
def yearly_export(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    try:
        return export_response(report, request.GET.get("type", "docx"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:yearly-report", pk=pk)


# --- incidents -----------------------------------------------------------------------------------------------


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("All")), *IncidentStatus.choices]
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", gettext_lazy("All")), *IncidentKind.choices]
    )
    portal = forms.ChoiceField(label=gettext_lazy("Portal"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        portals = Portal.objects.exclude(status=PortalStatus.PROVISIONING).order_by("name")
        self.fields["portal"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("All portals")),
            *[(str(portal.pk), portal.name) for portal in portals],
        ]


class CloseForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("Resolution"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("How the incident was resolved, as the portal and the unit agreed."),
    )


@staff_required
def incident_list(request: HttpRequest) -> HttpResponse:
    filters = IncidentFilterForm(request.GET or None)
    given: dict[str, Any] = {}
    if filters.is_valid():
        given = {key: value for key, value in filters.cleaned_data.items() if value}
    portal_id = given.pop("portal", None)
    found = incidents.incident_list(**given)
    if portal_id:
        found = found.filter(portal_id=portal_id)
    return render(
        request, "portal_platform/console/reports/incident_list.html", {"filters": filters, "incidents": found[:300]}
    )


def _incident(pk: int) -> Incident:
    try:
        return incidents.incident_get(incident_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@staff_required
def incident_detail(request: HttpRequest, pk: int, form: CloseForm | None = None) -> HttpResponse:
    incident = _incident(pk)
    return render(
        request,
        "portal_platform/console/reports/incident_detail.html",
        {
            "incident": incident,
            "form": form or CloseForm(),
            "history": incidents.incident_history(incident=incident),
            "last_update": incidents.incident_last_update(incident=incident),
        },
        status=400 if form is not None else 200,
    )


@staff_required
@require_POST
def incident_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        incidents.incident_acknowledge(incident=_incident(pk), actor=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The incident report has been acknowledged."))
    return redirect("console:incident", pk=pk)


@staff_required
@require_POST
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            incidents.incident_close(
                incident=incident, actor=_user(request), resolution=form.cleaned_data["resolution"]
            )
        except ApplicationError as exc:
            form_error_apply(form, exc)
        else:
            messages.success(request, _("The incident has been closed."))
            return redirect("console:incident", pk=pk)
    return incident_detail(request, pk, form=form)
