"""Console screens of the provincial periodic reports and the evaluation: the report for a month,
quarter or year (totals, per-portal tables, charts with their numbers, DOCX and XLSX exports), the
ranking of a period with a "compute" button, and the criteria with their weights."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal_platform.console.views import staff_required
from portal_platform.errors import ApplicationError
from portal_platform.reports import charts, periods
from portal_platform.reports.documents import attachment_response
from portal_platform.reports.evaluation import (
    CriterionChange,
    criteria_list,
    criteria_update,
    evaluation_compute,
    evaluation_ranking,
)
from portal_platform.reports.models import Criterion
from portal_platform.reports.periodic import (
    PeriodicReport,
    calendar_period_parse,
    default_period,
    format_value,
    periodic_report,
    recent_periods,
    report_columns,
    report_row,
)
from portal_platform.reports.periodic_docx import export_filename, periodic_docx, summary_lines
from portal_platform.reports.periods import Period
from portal_platform.reports.xlsx import periodic_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choices(groups: list[tuple[str, list[Period]]], current: Period | None) -> list[dict[str, Any]]:
    """Option groups for the period <select>; a period typed in the address stays selectable."""
    listed = {period.key for _label, items in groups for period in items}
    if current is not None and current.key not in listed:
        groups = [(_("Chosen period"), [current]), *groups]
    return [
        {
            "label": label,
            "options": [
                {"key": p.key, "label": p.label, "selected": current is not None and p.key == current.key}
                for p in items
            ],
        }
        for label, items in groups
    ]


def _period_from(request: HttpRequest, default: Period, parse: Any) -> tuple[Period | None, str]:
    value = request.GET.get("period", "").strip()
    if not value:
        return default, ""
    try:
        return parse(value), ""
    except ApplicationError as exc:
        return None, exc.message


def _png_uri(data: bytes | None) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode() if data else ""


def _table_rows(report: PeriodicReport) -> list[dict[str, Any]]:
    columns = report_columns()
    groups = []
    for group in report.groups:
        rows = []
        for figures in group.portals:
            values = report_row(figures)
            rows.append({"figures": figures, "values": [format_value(values[c.key]) for c in columns]})
        totals = report_row(group.total)
        groups.append({"group": group, "rows": rows, "totals": [format_value(totals[c.key]) for c in columns]})
    return groups


@staff_required
def periodic_report_view(request: HttpRequest) -> HttpResponse:
    period, error = _period_from(request, default_period(), calendar_period_parse)
    context: dict[str, Any] = {
        "error": error,
        "period": period,
        "choices": _choices(recent_periods(), period),
        "columns": report_columns(),
    }
    if period is not None:
        report = periodic_report(period=period, refresh=request.GET.get("refresh") == "1")
        total = report_row(report.total)
        charts_shown = []
        for draw, tabulate, alt in (
            (
                charts.publication_chart,
                charts.publication_table,
                _("Bar chart of the items published over time; the table after it gives the numbers."),
            ),
            (
                charts.timeliness_chart,
                charts.timeliness_table,
                _(
                    "Bar chart of documents posted and questions answered on time or late; the table after it gives the numbers."
                ),
            ),
        ):
            image = draw(report)
            if image is not None:
                charts_shown.append({"src": _png_uri(image), "alt": alt, "table": tabulate(report)})
        context.update(
            {
                "report": report,
                "summary": summary_lines(report),
                "totals": [format_value(total[c.key]) for c in report_columns()],
                "groups": _table_rows(report),
                "charts": charts_shown,
            }
        )
    return render(request, "portal_platform/console/periodic_report.html", context, status=400 if error else 200)


@staff_required
def periodic_export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        period = calendar_period_parse(request.GET.get("period", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:periodic")
    report = periodic_report(period=period)
    content, content_type = (periodic_xlsx(report), XLSX) if fmt == "xlsx" else (periodic_docx(report), DOCX)
    return attachment_response(content, content_type=content_type, filename=export_filename(report, fmt))


def _evaluation_periods() -> list[tuple[str, list[Period]]]:
    today = periods.today()
    report_years = [periods.report_year_of(today)]
    report_years.append(periods.report_year(report_years[0].end.year - 1))
    return [(_("Reporting years"), report_years), *recent_periods(today=today)]


@staff_required
def evaluation_ranking_view(request: HttpRequest) -> HttpResponse:
    period, error = _period_from(request, periods.report_year_of(periods.today()), periods.parse)
    rows = evaluation_ranking(period=period) if period is not None else []
    return render(
        request,
        "portal_platform/console/evaluation_ranking.html",
        {
            "error": error,
            "period": period,
            "choices": _choices(_evaluation_periods(), period),
            "rows": rows,
            "criteria": [c for c in criteria_list() if c.is_active],
        },
        status=400 if error else 200,
    )


@staff_required
@require_POST
def evaluation_compute_view(request: HttpRequest) -> HttpResponse:
    value = request.POST.get("period", "")
    try:
        period = periods.parse(value)
        results = evaluation_compute(period=period)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:evaluation")
    messages.success(
        request,
        _("Scores computed for %(count)d portals, %(period)s.") % {"count": len(results), "period": period.label},
    )
    return redirect(f"{reverse('console:evaluation')}?period={period.key}")


class CriterionForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give the criterion a name.")},
    )
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"),
        max_digits=5,
        decimal_places=2,
        localize=True,
        error_messages={
            "required": gettext_lazy("Give a weight (0 keeps the criterion without counting it)."),
            "invalid": gettext_lazy("The weight must be a number from 0 to 999.99."),
            "max_digits": gettext_lazy("The weight must be a number from 0 to 999.99."),
            "max_decimal_places": gettext_lazy("The weight has at most two decimal places."),
            "max_whole_digits": gettext_lazy("The weight must be a number from 0 to 999.99."),
        },
    )
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False)

    def clean_weight(self) -> Decimal:
        weight: Decimal = self.cleaned_data["weight"]
        if weight < 0:
            raise forms.ValidationError(_("The weight cannot be negative."))
        return weight


@staff_required
def criteria_edit(request: HttpRequest) -> HttpResponse:
    criteria = criteria_list()
    rows: list[tuple[Criterion, CriterionForm]] = [
        (
            criterion,
            CriterionForm(
                request.POST if request.method == "POST" else None,
                prefix=criterion.code,
                initial={"name": criterion.name, "weight": criterion.weight, "is_active": criterion.is_active},
            ),
        )
        for criterion in criteria
    ]
    general_error = ""
    if request.method == "POST":
        if all(form.is_valid() for _criterion, form in rows):
            changes = [
                CriterionChange(
                    code=criterion.code,
                    name=form.cleaned_data["name"],
                    weight=form.cleaned_data["weight"],
                    is_active=form.cleaned_data["is_active"],
                )
                for criterion, form in rows
            ]
            try:
                criteria_update(changes=changes)
            except ApplicationError as exc:
                target = next((form for criterion, form in rows if criterion.code == exc.extra.get("criterion")), None)
                field = exc.extra.get("field")
                if target is not None and isinstance(field, str) and field in target.fields:
                    target.add_error(field, exc.message)
                else:
                    general_error = exc.message
            else:
                messages.success(request, _("The criteria have been saved. Compute the scores again to apply them."))
                return redirect("console:criteria")
    errors = [
        {"id": f"id_{form.prefix}-{field}", "name": criterion.name, "message": message}
        for criterion, form in rows
        for field, messages_list in form.errors.items()
        for message in messages_list
    ]
    return render(
        request,
        "portal_platform/console/evaluation_criteria.html",
        {"rows": rows, "errors": errors, "general_error": general_error},
    )
