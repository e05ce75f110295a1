"""REST API of the provincial periodic reports (console host, operators: console token or session):
the report as JSON and its DOCX and XLSX exports, for ``?period=2025-03 | 2025-Q1 | 2025``."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal_platform.reports.documents import attachment_response
from portal_platform.reports.periodic import PeriodicReport, calendar_period_parse, periodic_report
from portal_platform.reports.periodic_docx import export_filename, periodic_docx
from portal_platform.reports.xlsx import periodic_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PERIOD = OpenApiParameter(
    "period",
    str,
    required=True,
    description="A month (2025-03), a quarter (2025-Q1) or a calendar year (2025). Anything else: 400 invalid_period.",
)
REFRESH = OpenApiParameter(
    "refresh",
    bool,
    required=False,
    description="Recompute a past period's report instead of reading the copy cached for a few minutes.",
)
TAGS = ["periodic reports"]


class PeriodOutput(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="2025-03, 2025-Q1 or 2025")
    kind = serializers.CharField(help_text="month, quarter or year")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label; DRF allows it
    start = serializers.DateField()
    end = serializers.DateField(help_text="included")


class GroupOutput(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="province, department or commune")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label; DRF allows it
    portal_count = serializers.IntegerField()
    total = serializers.JSONField(help_text="the sum of the group's portals (same shape as a portal's figures)")
    portals = serializers.JSONField(help_text="each portal's figures (portal_figures)")


class WeekOutput(serializers.Serializer[Any]):
    portal_id = serializers.IntegerField()
    weeks = serializers.JSONField(help_text='[{"week": "2025-03-03", "count": 4}], monthly reports only')


class PeriodicReportOutput(serializers.Serializer[Any]):
    period = PeriodOutput()
    generated_at = serializers.DateTimeField()
    has_data = serializers.BooleanField(help_text="false: nothing happened on any portal in the period")
    message = serializers.CharField(help_text="says the report is empty when has_data is false")
    portal_count = serializers.IntegerField()
    total = serializers.JSONField(help_text="every figure summed over all portals")
    groups = GroupOutput(many=True)
    published_by_week = WeekOutput(many=True)


def _report(request: Request) -> PeriodicReport:
    period = calendar_period_parse(request.query_params.get("period", ""))
    refresh = request.query_params.get("refresh", "").lower() in {"1", "true", "yes"}
    return periodic_report(period=period, refresh=refresh)


class PeriodicReportApi(APIView):
    @extend_schema(
        operation_id="reports_periodic_retrieve",
        tags=TAGS,
        summary="The provincial periodic report for a month, quarter or year",
        description=(
            "Every portal with a schema (active, suspended or archived), its figures for the period, "
            "the sum per kind of portal and the total. A period with no data answers 200 with "
            "has_data false and a message saying so."
        ),
        parameters=[PERIOD, REFRESH],
        responses=PeriodicReportOutput,
    )
    def get(self, request: Request) -> Response:
        return Response(PeriodicReportOutput(_report(request).to_dict()).data)


class PeriodicReportDocxApi(APIView):
    @extend_schema(
        operation_id="reports_periodic_docx",
        tags=TAGS,
        summary="The periodic report as a DOCX document",
        description="The national-motto header, a summary, a table per kind of portal and the charts.",
        parameters=[PERIOD, REFRESH],
        responses={(200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description="the DOCX file")},
    )
    def get(self, request: Request) -> HttpResponse:
        report = _report(request)
        return attachment_response(periodic_docx(report), content_type=DOCX, filename=export_filename(report, "docx"))


class PeriodicReportXlsxApi(APIView):
    @extend_schema(
        operation_id="reports_periodic_xlsx",
        tags=TAGS,
        summary="The periodic report as an XLSX workbook",
        description="A summary sheet, one row per portal, publication over time and timeliness, with native charts.",
        parameters=[PERIOD, REFRESH],
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="the XLSX file")},
    )
    def get(self, request: Request) -> HttpResponse:
        report = _report(request)
        return attachment_response(periodic_xlsx(report), content_type=XLSX, filename=export_filename(report, "xlsx"))
