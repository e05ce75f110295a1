"""The incident reports' API (Decision 80/2025 Đ15.6).

On a portal's host (its staff's session + CSRF), ``reports/incidents/``: GET this portal's incidents,
POST file one (admin, board head or deputy); ``reports/incidents/<id>/``: GET one with its history,
PATCH complete or correct it while it is not closed (same people; e.g. ``ended_at`` once the portal
is back). On the console (operators), ``incidents/``: GET every
portal's (filter by status, portal, kind), POST ``<id>/acknowledge/`` and ``<id>/close/`` (with a
resolution). Errors: ``invalid_incident`` (with ``details.fields``), ``unknown_fields``,
``incident_not_open`` (409), ``incident_closed`` (409, also for a PATCH of a closed one), ``resolution_required``, ``incident_not_found``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal_platform.reports import incidents
from portal_platform.reports.api_common import TAG_CONSOLE, TAG_PORTAL, request_portal, require_editor, username
from portal_platform.reports.api_yearly import PortalApi
from portal_platform.reports.models import IncidentKind, IncidentSeverity, IncidentStatus


class IncidentOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    portal = serializers.IntegerField(source="portal_id")
    portal_name = serializers.CharField(source="portal.name")
    kind = serializers.CharField(help_text="incident or security_risk")
    severity = serializers.CharField(help_text="low, medium or high")
    title = serializers.CharField()
    description = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    service_down = serializers.BooleanField(help_text="the portal was unavailable from started_at to ended_at")
    impact = serializers.CharField()
    actions_taken = serializers.CharField()
    status = serializers.CharField(help_text="open, acknowledged or closed")
    filed_by = serializers.CharField()
    filed_at = serializers.DateTimeField()
    acknowledged_by = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    updated_at = serializers.DateTimeField()


class IncidentEventOutput(serializers.Serializer[Any]):
    action = serializers.CharField(help_text="create, update, acknowledge or close")
    actor = serializers.CharField(help_text="username")
    at = serializers.DateTimeField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="update only: field → [before, after]; times as local dd/mm/yyyy hh:mm",
    )


class IncidentDetailOutput(IncidentOutput):
    events = IncidentEventOutput(many=True, source="events.all", help_text="the incident's history, oldest first")


class IncidentFilter(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=IncidentKind.choices, required=False)


def _listed(request: Request, **extra: Any) -> list[Any]:
    filters = IncidentFilter(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return list(incidents.incident_list(**filters.validated_data, **extra)[:500])


class PortalIncidentListApi(PortalApi):
    class IncidentCreateInput(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=IncidentKind.choices)
        severity = serializers.ChoiceField(choices=IncidentSeverity.choices, required=False)
        title = serializers.CharField(allow_blank=True, help_text="what happened, in a few words")
        description = serializers.CharField(required=False, allow_blank=True)
        started_at = serializers.DateTimeField()
        ended_at = serializers.DateTimeField(required=False, allow_null=True, help_text="empty while it lasts")
        service_down = serializers.BooleanField(required=False, help_text="the portal was unavailable meanwhile")
        impact = serializers.CharField(required=False, allow_blank=True)
        actions_taken = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="portal_incidents_list",
        tags=[TAG_PORTAL],
        summary="This portal's incident reports",
        description="The incidents and security risks this portal reported, newest first (at most 500).",
        parameters=[IncidentFilter],
        responses=IncidentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(IncidentOutput(_listed(request, portal=request_portal(request)), many=True).data)

    @extend_schema(
        operation_id="portal_incidents_create",
        tags=[TAG_PORTAL],
        summary="Report an incident or a security risk",
        description=(
            "Files an incident or security risk with the provincial unit: what, when, its impact, the actions "
            "taken, and whether the portal was unavailable (until `ended_at`; empty while it lasts). Bad times "
            "are 400 `invalid_incident` with a message per field. Administrator, board head or deputy only."
        ),
        request=IncidentCreateInput,
        responses={201: IncidentOutput},
    )
    def post(self, request: Request) -> Response:
        require_editor(request)
        data = self.IncidentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incidents.incident_create(
            portal=request_portal(request), data=dict(data.validated_data), filed_by=username(request)
        )
        return Response(IncidentOutput(incident).data, status=status.HTTP_201_CREATED)


class PortalIncidentDetailApi(PortalApi):
    class IncidentUpdateInput(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=IncidentKind.choices, required=False)
        severity = serializers.ChoiceField(choices=IncidentSeverity.choices, required=False)
        title = serializers.CharField(required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        started_at = serializers.DateTimeField(required=False)
        ended_at = serializers.DateTimeField(
            required=False, allow_null=True, help_text="when the portal came back; null while it lasts"
        )
        service_down = serializers.BooleanField(required=False)
        impact = serializers.CharField(required=False, allow_blank=True)
        actions_taken = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="portal_incident_get",
        tags=[TAG_PORTAL],
        summary="One of this portal's incident reports, with its history",
        description="The incident and every step of it (reported, updated with what changed, acknowledged, closed). "
        "Another portal's incident is 404 `incident_not_found`.",
        responses=IncidentDetailOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        incident = incidents.incident_get(incident_id=pk, portal=request_portal(request))
        return Response(IncidentDetailOutput(incident).data)

    @extend_schema(
        operation_id="portal_incident_update",
        tags=[TAG_PORTAL],
        summary="Complete or correct an incident report",
        description=(
            "Changes only the fields sent — typically `ended_at` once the portal is back, `impact` and "
            "`actions_taken`. The result is checked as a whole (400 `invalid_incident`, a message per field in "
            "`details.fields`). A field an incident does not have is 400 `unknown_fields`. A closed incident is final: 409 `incident_closed`. The change is recorded in the "
            "history with who made it. Administrator, board head or deputy only (403 `report_editor_required`)."
        ),
        request=IncidentUpdateInput,
        responses=IncidentDetailOutput,
    )
    def patch(self, request: Request, pk: int) -> Response:
        require_editor(request)
        incident = incidents.incident_get(incident_id=pk, portal=request_portal(request))
        if isinstance(request.data, dict):  # anything else is the serializer's "expected an object"
            incidents.incident_fields_check(names=request.data)
        data = self.IncidentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incidents.incident_update(incident=incident, data=dict(data.validated_data), actor=username(request))
        return Response(IncidentDetailOutput(incident).data)


class ConsoleIncidentListApi(APIView):
    class ConsoleIncidentFilter(IncidentFilter):
        portal = serializers.IntegerField(required=False, help_text="portal id")

    @extend_schema(
        operation_id="console_incidents_list",
        tags=[TAG_CONSOLE],
        summary="Every portal's incident reports",
        description="Incidents and security risks reported by the portals, newest first (at most 500), filtered.",
        parameters=[ConsoleIncidentFilter],
        responses=IncidentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = self.ConsoleIncidentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = dict(filters.validated_data)
        portal_id = given.pop("portal", None)
        found = incidents.incident_list(**given)
        if portal_id is not None:
            found = found.filter(portal_id=portal_id)
        return Response(IncidentOutput(list(found[:500]), many=True).data)


class ConsoleIncidentAcknowledgeApi(APIView):
    @extend_schema(
        operation_id="console_incident_acknowledge",
        tags=[TAG_CONSOLE],
        summary="Acknowledge an incident report",
        description="Records that the provincial unit has seen it (who, when). Only a new report: else 409 `incident_not_open`.",
        request=None,
        responses=IncidentOutput,
    )
    def post(self, request: Request, pk: int) -> Response:
        incident = incidents.incident_acknowledge(
            incident=incidents.incident_get(incident_id=pk), actor=username(request)
        )
        return Response(IncidentOutput(incident).data)


class ConsoleIncidentCloseApi(APIView):
    class IncidentCloseInput(serializers.Serializer[Any]):
        resolution = serializers.CharField(allow_blank=True, required=False, help_text="how it was resolved (required)")

    @extend_schema(
        operation_id="console_incident_close",
        tags=[TAG_CONSOLE],
        summary="Close an incident report",
        description=(
            "Closes the incident with its resolution (required: `resolution_required`), recording who and when. "
            "A closed incident is final (409 `incident_closed`)."
        ),
        request=IncidentCloseInput,
        responses=IncidentOutput,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.IncidentCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = incidents.incident_close(
            incident=incidents.incident_get(incident_id=pk),
            actor=username(request),
            resolution=data.validated_data.get("resolution", ""),
        )
        return Response(IncidentOutput(incident).data)
