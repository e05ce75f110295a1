"""The yearly report's API.

On a portal's host (its staff's session + CSRF), ``reports/yearly/<year>/``:

    GET                 the report (drafted the first time an editor asks), with its figures and events
    PATCH               save the board's fields                       (admin, board head or deputy)
    POST   submit/      send it to the provincial unit; figures freeze (admin, board head or deputy)
    GET    export/?type=docx|pdf                                    the document

On the console (operators; token or session), ``reports/yearly/``:

    GET    ?year=&state=          every reporting portal's report for the year, overdue flagged
    GET    <id>/                  one report
    POST   <id>/reopen/           send a submitted report back, with a reason (recorded)
    GET    <id>/export/?type=   the document

Errors: ``report_submitted`` (409), ``report_not_submitted`` (409), ``reason_required``,
``invalid_period``, ``invalid_format``, ``unknown_fields``, ``report_not_found`` (404),
``report_editor_required`` (403).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.middleware import PasswordChangeNotRequired
from portal_platform.authentication import PortalSessionAuthentication
from portal_platform.errors import NotFound, ValidationFailed
from portal_platform.reports import periods, yearly
from portal_platform.reports.api_common import (
    TAG_CONSOLE,
    TAG_PORTAL,
    PortalReportStaff,
    can_edit,
    report_output,
    request_portal,
    require_editor,
    username,
)
from portal_platform.reports.api_common import YearlyReportOutput as ReportOutput
from portal_platform.reports.documents import attachment_response
from portal_platform.reports.models import YearlyReport


class PortalApi(APIView):
    """Portal-host endpoints: the portal's own staff, by session (with CSRF); tokens are refused."""

    authentication_classes = [PortalSessionAuthentication]
    permission_classes = [PasswordChangeNotRequired, PortalReportStaff]


class ExportInput(serializers.Serializer[Any]):
    # Not "format": DRF reads that query parameter to choose its own renderer.
    type = serializers.ChoiceField(choices=["docx", "pdf"], default="docx", help_text="docx (default) or pdf")


def _export(request: Request, report: YearlyReport) -> HttpResponse:
    given = ExportInput(data=request.query_params)
    if not given.is_valid():
        raise ValidationFailed(
            _("Unknown format “%(format)s”: choose docx or pdf.") % {"format": request.query_params.get("type", "")},
            code="invalid_format",
            extra={"field": "type"},
        )
    content, content_type, filename = yearly.yearly_report_export(report=report, fmt=given.validated_data["type"])
    return attachment_response(content, content_type=content_type, filename=filename)


def _portal_report(request: Request, year: int, *, create: bool) -> YearlyReport:
    portal = request_portal(request)
    found = YearlyReport.objects.filter(portal=portal, year=year).select_related("portal").first()
    if found is not None:
        return found
    if not create:
        yearly.check_year(year)
        raise NotFound(
            _("The report for %(year)s has not been drafted yet: the board's head or the portal's admin starts it.")
            % {"year": year},
            code="report_not_found",
        )
    return yearly.yearly_report_get_or_create(portal=portal, year=year, actor=username(request))


# --- portal host ---------------------------------------------------------------------------------------------


class YearlyReportApi(PortalApi):
    class YearlyReportUpdateInput(serializers.Serializer[Any]):
        document_number = serializers.CharField(required=False, allow_blank=True, help_text="Số: e.g. 12/BC-UBND")
        place = serializers.CharField(required=False, allow_blank=True, help_text="place of issue")
        recipient = serializers.CharField(required=False, allow_blank=True, help_text="Kính gửi")
        signer_title = serializers.CharField(required=False, allow_blank=True)
        signer_name = serializers.CharField(required=False, allow_blank=True)
        direction = serializers.CharField(required=False, allow_blank=True, help_text="I.")
        compliance = serializers.CharField(required=False, allow_blank=True, help_text="II.1.")
        information = serializers.CharField(required=False, allow_blank=True, help_text="II.2. (the board's comments)")
        operation = serializers.CharField(required=False, allow_blank=True, help_text="II.3. (the board's comments)")
        strengths = serializers.CharField(required=False, allow_blank=True, help_text="III.1.")
        shortcomings = serializers.CharField(required=False, allow_blank=True, help_text="III.2.")
        causes = serializers.CharField(required=False, allow_blank=True, help_text="III.3.")
        next_year_tasks = serializers.CharField(required=False, allow_blank=True, help_text="IV.")
        proposals = serializers.CharField(required=False, allow_blank=True, help_text="V.")

    @extend_schema(
        operation_id="portal_yearly_report_retrieve",
        tags=[TAG_PORTAL],
        summary="This portal's yearly report",
        description=(
            "The portal's yearly report for the reporting year (11/12 of the previous year to the cut-off day, "
            "10/12 by default) with its figures — live while a draft, frozen once submitted — and its history. "
            "The first request by the administrator or the head or a deputy head of the board drafts it; "
            "other staff get 404 `report_not_found` until then. A year still to come is 400 `invalid_period`."
        ),
        responses=ReportOutput,
    )
    def get(self, request: Request, year: int) -> Response:
        return Response(report_output(_portal_report(request, year, create=can_edit(request))))

    @extend_schema(
        operation_id="portal_yearly_report_update",
        tags=[TAG_PORTAL],
        summary="Save the board's parts of the yearly report",
        description=(
            "Saves the header, signature and narrative fields given (I.–V. of the template); the figures are the "
            "platform's. A key not listed is refused whole (`unknown_fields`). A submitted report is 409 "
            "`report_submitted` until the provincial unit reopens it. Administrator, board head or deputy only."
        ),
        request=YearlyReportUpdateInput,
        responses=ReportOutput,
    )
    def patch(self, request: Request, year: int) -> Response:
        require_editor(request)
        data = request.data if isinstance(request.data, dict) else {}
        self.YearlyReportUpdateInput(data=data).is_valid(raise_exception=True)
        report = _portal_report(request, year, create=True)
        report = yearly.yearly_report_update(report=report, data=dict(data), actor=username(request))
        return Response(report_output(report))


class YearlyReportSubmitApi(PortalApi):
    @extend_schema(
        operation_id="portal_yearly_report_submit",
        tags=[TAG_PORTAL],
        summary="Submit the yearly report to the provincial unit",
        description=(
            "Computes the figures one last time and freezes them into the report, marks it submitted and records "
            "who did it. Submitting twice is 409 `report_submitted`. Administrator, board head or deputy only."
        ),
        request=None,
        responses=ReportOutput,
    )
    def post(self, request: Request, year: int) -> Response:
        require_editor(request)
        report = _portal_report(request, year, create=True)
        return Response(report_output(yearly.yearly_report_submit(report=report, actor=username(request))))


class YearlyReportExportApi(PortalApi):
    @extend_schema(
        operation_id="portal_yearly_report_export",
        tags=[TAG_PORTAL],
        summary="The yearly report as DOCX or PDF",
        description=(
            "The report in the structure of the Phụ lục of Decision 80/2025 (national-motto header block, "
            "I.–V., signature block), figures filled in, as a Word document (docx, default) or PDF."
        ),
        parameters=[ExportInput],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="the file")},
    )
    def get(self, request: Request, year: int) -> HttpResponse:
        return _export(request, _portal_report(request, year, create=can_edit(request)))


# --- console host ----------------------------------------------------------------------------------------------


class YearlyReportRowOutput(serializers.Serializer[Any]):
    portal = serializers.IntegerField(source="portal.pk")
    portal_name = serializers.CharField(source="portal.name")
    portal_abbreviation = serializers.CharField(source="portal.abbreviation")
    report = serializers.IntegerField(source="report.pk", allow_null=True, help_text="report id, null if not started")
    state = serializers.CharField(help_text="submitted, draft or not_started")
    overdue = serializers.BooleanField(help_text="not submitted and the due date has passed")
    late = serializers.BooleanField(help_text="submitted after the due date")
    submitted_at = serializers.DateTimeField(source="report.submitted_at", allow_null=True)


class ConsoleYearlyReportListApi(APIView):
    class FilterInput(serializers.Serializer[Any]):
        year = serializers.IntegerField(required=False, help_text="the reporting year; the current one by default")
        state = serializers.ChoiceField(
            choices=["submitted", "draft", "not_started", "overdue"], required=False, help_text="only these rows"
        )

    class YearlyReportOverviewOutput(serializers.Serializer[Any]):
        year = serializers.IntegerField()
        due_date = serializers.DateField()
        reports = YearlyReportRowOutput(many=True)

    @extend_schema(
        operation_id="console_yearly_reports_list",
        tags=[TAG_CONSOLE],
        summary="Yearly reports of every portal",
        description=(
            "One row per portal that owes a yearly report (every active or suspended portal but the province's): "
            "its report's state — submitted, draft or not started — and whether it is overdue (not submitted "
            "after the due date) or was submitted late."
        ),
        parameters=[FilterInput],
        responses=YearlyReportOverviewOutput,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        year = filters.validated_data.get("year") or periods.report_year_of(periods.today()).end.year
        rows = yearly.yearly_report_overview(year=year, state=filters.validated_data.get("state"))
        return Response(
            self.YearlyReportOverviewOutput(
                {"year": year, "due_date": periods.report_due_date(year), "reports": rows}
            ).data
        )


class ConsoleYearlyReportDetailApi(APIView):
    @extend_schema(
        operation_id="console_yearly_report_retrieve",
        tags=[TAG_CONSOLE],
        summary="One portal's yearly report",
        description="The report with its figures (frozen if submitted) and its history; 404 `report_not_found`.",
        responses=ReportOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(report_output(yearly.yearly_report_get(report_id=pk)))


class ConsoleYearlyReportReopenApi(APIView):
    class YearlyReportReopenInput(serializers.Serializer[Any]):
        reason = serializers.CharField(
            allow_blank=True, required=False, help_text="why (required; the agency reads it)"
        )

    @extend_schema(
        operation_id="console_yearly_report_reopen",
        tags=[TAG_CONSOLE],
        summary="Reopen a submitted yearly report",
        description=(
            "Sends a submitted report back to the portal's board as a draft, so that it can be corrected and "
            "submitted again; the reason is required (`reason_required`) and recorded with who reopened it. "
            "A draft is 409 `report_not_submitted`."
        ),
        request=YearlyReportReopenInput,
        responses=ReportOutput,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.YearlyReportReopenInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = yearly.yearly_report_reopen(
            report=yearly.yearly_report_get(report_id=pk),
            actor=username(request),
            reason=data.validated_data.get("reason", ""),
        )
        return Response(report_output(report))


class ConsoleYearlyReportExportApi(APIView):
    @extend_schema(
        operation_id="console_yearly_report_export",
        tags=[TAG_CONSOLE],
        summary="A portal's yearly report as DOCX or PDF",
        description="The same document the portal exports (Phụ lục of Decision 80/2025), as docx (default) or pdf.",
        parameters=[ExportInput],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="the file")},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _export(request, yearly.yearly_report_get(report_id=pk))
