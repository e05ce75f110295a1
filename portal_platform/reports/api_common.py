"""What the reports' API modules share: who may call the portal-host endpoints, and the output of a
report's figures."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import User
from content.services.workflow import actor_roles
from portal_platform.errors import Forbidden
from portal_platform.reports import yearly
from tenants.context import on_console
from tenants.models import Portal

TAG_PORTAL = cast(str, _("Yearly report and incidents (portal)"))
TAG_CONSOLE = cast(str, _("Reports and incidents (provincial unit)"))


class PortalReportStaff(BasePermission):
    """An active account of *this* portal holding one of its editorial roles (or its admin role).

    Sessions are per schema and tokens are refused on portal hosts, so the account is always this
    portal's own; which of them may write is checked per operation (``require_editor``).
    """

    message = _("Only this portal's staff can use this.")
    code = "portal_role_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated or on_console():
            return False
        return yearly.report_access(actor_roles(user)) is not None


def request_portal(request: Request) -> Portal:
    return cast(Portal, request._request.tenant)  # type: ignore[attr-defined]


def can_edit(request: Request) -> bool:
    user = request.user
    return isinstance(user, User) and yearly.report_access(actor_roles(user)) == "edit"


def require_editor(request: Request) -> None:
    if not can_edit(request):
        raise Forbidden(
            gettext("Only the portal's administrator and the head or deputy heads of the editorial board can do this."),
            code="report_editor_required",
        )


def username(request: Request) -> str:
    return str(request.user.get_username())


class ReportEventOutput(serializers.Serializer[Any]):
    action = serializers.CharField(help_text="create, edit, submit or reopen")
    actor = serializers.CharField(help_text="username")
    reason = serializers.CharField(help_text="why it was reopened (reopen only)")
    at = serializers.DateTimeField()


class YearlyReportOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    portal = serializers.IntegerField(source="portal_id")
    portal_name = serializers.CharField(source="portal.name")
    year = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_date = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="draft or submitted")
    document_number = serializers.CharField()
    place = serializers.CharField()
    recipient = serializers.CharField()
    signer_title = serializers.CharField()
    signer_name = serializers.CharField()
    direction = serializers.CharField()
    compliance = serializers.CharField()
    information = serializers.CharField()
    operation = serializers.CharField()
    strengths = serializers.CharField()
    shortcomings = serializers.CharField()
    causes = serializers.CharField()
    next_year_tasks = serializers.CharField()
    proposals = serializers.CharField()
    updated_at = serializers.DateTimeField()
    updated_by = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField()
    figures = serializers.SerializerMethodField(
        help_text="The figures of the period (PortalFigures): frozen at submission, live while a draft."
    )
    events = ReportEventOutput(many=True, source="events.all")

    @extend_schema_field(OpenApiTypes.DATE)
    def get_due_date(self, report: Any) -> str:
        from portal_platform.reports.periods import report_due_date

        return report_due_date(report.year).isoformat()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, report: Any) -> dict[str, Any]:
        return yearly.yearly_report_figures(report=report).to_dict()


def report_output(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = YearlyReportOutput(report).data
    return data
