"""REST API of the control plane (console host, /api/v1/): one APIView per operation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import account_is_locked, account_unlock
from content.models import Role
from portal_platform.errors import ApplicationError, NotFound
from portal_platform.models import AuditLog
from provisioning import selectors, services
from provisioning.models import (
    AccountClosure,
    ClosureStatus,
    ProvisioningJob,
    ProvisioningRequest,
    RequestStatus,
    SchemaPath,
)
from tenants.models import Portal, PortalKind, PortalStatus


class RequestOutput(serializers.ModelSerializer[ProvisioningRequest]):
    job_id = serializers.SerializerMethodField()

    class Meta:
        model = ProvisioningRequest
        fields = [
            "id",
            "name",
            "abbreviation",
            "kind",
            "parent",
            "domains",
            "template",
            "address",
            "phone",
            "email",
            "responsible_person",
            "admin_name",
            "admin_email",
            "admin_department",
            "request_reference",
            "status",
            "reject_reason",
            "created_at",
            "decided_at",
            "job_id",
        ]

    def get_job_id(self, obj: ProvisioningRequest) -> int | None:
        job = getattr(obj, "job", None)
        return job.pk if job is not None else None


class StepOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.FloatField(allow_null=True)
    detail = serializers.CharField(source="detail_text", help_text="what the step did, in the request's language")
    error = serializers.CharField()


class JobOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    request_id = serializers.IntegerField()
    portal_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    progress = serializers.IntegerField(help_text="percentage of steps done")
    schema_path = serializers.CharField()
    template_version = serializers.CharField()
    admin_username = serializers.CharField()
    admin_password_available = serializers.BooleanField()
    error_step = serializers.CharField()
    error_code = serializers.CharField()
    error_message = serializers.CharField()
    attempts = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    steps = StepOutput(many=True)


def job_data(job: ProvisioningJob) -> dict[str, Any]:
    steps = list(job.steps.all())
    done = sum(1 for step in steps if step.status == "done")
    return {
        "id": job.pk,
        "request_id": job.request_id,
        "portal_id": job.portal_id,
        "status": job.status,
        "progress": round(100 * done / len(steps)) if steps else 0,
        "schema_path": job.schema_path,
        "template_version": job.template_version,
        "admin_username": job.admin_username,
        "admin_password_available": bool(job.admin_password_sealed),
        "error_step": job.error_step,
        "error_code": job.error_code,
        "error_message": job.error_message,
        "attempts": job.attempts,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "steps": steps,
    }


class PortalOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    abbreviation = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    schema_name = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    template_key = serializers.CharField()
    template_version = serializers.CharField()
    domains = serializers.SerializerMethodField()

    def get_domains(self, portal: Portal) -> list[str]:
        return [d.domain for d in portal.domains.all()]


class RequestListApi(APIView):
    class FilterInput(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)

    class CreateInput(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=255)
        abbreviation = serializers.CharField(max_length=40)
        kind = serializers.ChoiceField(choices=PortalKind.choices)
        template = serializers.CharField(max_length=40)
        domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False, allow_empty=False)
        address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
        responsible_person = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
        admin_name = serializers.CharField(max_length=255)
        admin_email = serializers.CharField(max_length=254)
        admin_department = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        request_reference = serializers.CharField(max_length=100)
        approve = serializers.BooleanField(default=False, help_text="file and approve in one step")
        schema_path = serializers.ChoiceField(
            choices=SchemaPath.choices,
            required=False,
            allow_blank=True,
            default="",
            help_text="force one schema path (tests, benchmarks)",
        )

    @extend_schema(
        parameters=[FilterInput], responses=RequestOutput(many=True), operation_id="provisioning_requests_list"
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset: QuerySet[ProvisioningRequest] = selectors.request_list(status=filters.validated_data.get("status"))
        return Response(RequestOutput(queryset, many=True).data)

    @extend_schema(request=CreateInput, responses={201: RequestOutput}, operation_id="provisioning_requests_create")
    def post(self, request: Request) -> Response:
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        approve = fields.pop("approve")
        forced = fields.pop("schema_path")
        if approve:
            job = services.request_file_and_approve(decided_by=request.user, forced_schema_path=forced, **fields)
            created = job.request
        else:
            created = services.request_file(filed_by=request.user, **fields)
        return Response(RequestOutput(created).data, status=status.HTTP_201_CREATED)


def _request(pk: int) -> ProvisioningRequest:
    found = ProvisioningRequest.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("The provisioning request does not exist."), code="request_not_found")
    return found


def _job(pk: int) -> ProvisioningJob:
    found = ProvisioningJob.objects.select_related("request").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("The provisioning job does not exist."), code="job_not_found")
    return found


class RequestApproveApi(APIView):
    class Input(serializers.Serializer[Any]):
        schema_path = serializers.ChoiceField(choices=SchemaPath.choices, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses={202: JobOutput}, operation_id="provisioning_requests_approve")
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.request_approve(
            request=_request(pk), decided_by=request.user, forced_schema_path=data.validated_data["schema_path"]
        )
        return Response(JobOutput(job_data(job)).data, status=status.HTTP_202_ACCEPTED)


class RequestRejectApi(APIView):
    class Input(serializers.Serializer[Any]):
        reason = serializers.CharField()

    @extend_schema(request=Input, responses=RequestOutput, operation_id="provisioning_requests_reject")
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        rejected = services.request_reject(
            request=_request(pk), reason=data.validated_data["reason"], decided_by=request.user
        )
        return Response(RequestOutput(rejected).data)


class JobDetailApi(APIView):
    @extend_schema(responses=JobOutput, operation_id="provisioning_jobs_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobOutput(job_data(_job(pk))).data)


class JobRetryApi(APIView):
    @extend_schema(request=None, responses={202: JobOutput}, operation_id="provisioning_jobs_retry")
    def post(self, request: Request, pk: int) -> Response:
        job = services.job_retry(job=_job(pk))
        return Response(JobOutput(job_data(job)).data, status=status.HTTP_202_ACCEPTED)


class JobAdminPasswordApi(APIView):
    class Output(serializers.Serializer[Any]):
        username = serializers.CharField()
        password = serializers.CharField(help_text="shown once; it must be changed at first login")

    @extend_schema(request=None, responses=Output, operation_id="provisioning_jobs_admin_password")
    def post(self, request: Request, pk: int) -> Response:
        job = _job(pk)
        password = services.job_password_reveal(job=job)
        if password is None:
            raise ApplicationError(
                _("The one-time password has already been shown, or the job has not made it yet."),
                code="password_unavailable",
            )
        return Response(self.Output({"username": job.admin_username, "password": password}).data)


class PortalListApi(APIView):
    class FilterInput(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=PortalStatus.choices, required=False)
        kind = serializers.ChoiceField(choices=PortalKind.choices, required=False)

    @extend_schema(parameters=[FilterInput], responses=PortalOutput(many=True), operation_id="portals_list")
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        portals = selectors.portal_list(**filters.validated_data)
        return Response(PortalOutput(portals, many=True).data)


class PortalTransitionApi(APIView):
    action = ""

    @extend_schema(request=None, responses=PortalOutput)
    def post(self, request: Request, pk: int) -> Response:
        portal = services.portal_get(portal_id=pk)
        change = {
            "suspend": services.portal_suspend,
            "resume": services.portal_resume,
            "archive": services.portal_archive,
        }[self.action]
        return Response(PortalOutput(change(portal=portal)).data)


class PortalDowntimeApi(APIView):
    class Input(serializers.Serializer[Any]):
        starts_at = serializers.DateTimeField()
        expected_end = serializers.DateTimeField()
        message = serializers.CharField(required=False, allow_blank=True, default="")
        urgent = serializers.BooleanField(default=False)

    class Output(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        starts_at = serializers.DateTimeField()
        expected_end = serializers.DateTimeField()
        message = serializers.CharField()
        urgent = serializers.BooleanField()

    @extend_schema(request=Input, responses={201: Output}, operation_id="portals_downtime_announce")
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.downtime_announce(
            portal=services.portal_get(portal_id=pk), created_by=request.user, **data.validated_data
        )
        return Response(self.Output(notice).data, status=status.HTTP_201_CREATED)


# --- accounts of a portal, closures and the audit log ----------------------------------------------
# The portal's accounts are read in its own schema; closures and the audit log are public-schema
# tables. Every error is an ApplicationError with a stable code (portal_not_found,
# account_not_found, successor_required, closure_not_found, …).


class AccountOutput(serializers.Serializer[Any]):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    is_active = serializers.BooleanField()
    is_staff = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.CharField(), help_text="editorial role keys (content.roles)")
    last_login = serializers.DateTimeField(allow_null=True)
    must_change_password = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="locked out after repeated failed logins from some address")


def account_rows(portal: Portal) -> list[dict[str, Any]]:
    with schema_context(portal.schema_name):
        role_of_group = dict(Role.objects.values_list("group_id", "key"))
        rows = []
        for user in get_user_model().objects.prefetch_related("groups").order_by("username"):
            rows.append(
                {
                    "username": user.username,
                    "full_name": getattr(user, "full_name", ""),
                    "email": user.email,
                    "is_active": user.is_active,
                    "is_staff": user.is_staff,
                    "roles": sorted(role_of_group[g.pk] for g in user.groups.all() if g.pk in role_of_group),
                    "last_login": user.last_login,
                    "must_change_password": getattr(user, "must_change_password", False),
                    "locked": account_is_locked(username=user.username, portal=portal),
                }
            )
    return rows


class PortalAccountListApi(APIView):
    @extend_schema(responses=AccountOutput(many=True), operation_id="portals_accounts_list")
    def get(self, request: Request, pk: int) -> Response:
        portal = services.portal_get(portal_id=pk)
        return Response(AccountOutput(account_rows(portal), many=True).data)


class PortalAccountUnlockApi(APIView):
    class Output(serializers.Serializer[Any]):
        username = serializers.CharField()
        unlocked = serializers.BooleanField(help_text="false when the account was not locked")

    @extend_schema(request=None, responses=Output, operation_id="portals_accounts_unlock")
    def post(self, request: Request, pk: int, username: str) -> Response:
        portal = services.portal_get(portal_id=pk)
        with schema_context(portal.schema_name):
            exists = get_user_model().objects.filter(username=username).exists()
        if not exists:
            raise NotFound(
                _("This portal has no account “%(username)s”.") % {"username": username}, code="account_not_found"
            )
        removed = account_unlock(username=username, portal=portal, actor=request.user.get_username(), request=request)
        return Response(self.Output({"username": username, "unlocked": removed > 0}).data)


class ClosureOutput(serializers.ModelSerializer[AccountClosure]):
    portal_abbreviation = serializers.CharField(source="portal.abbreviation", read_only=True)

    class Meta:
        model = AccountClosure
        fields = [
            "id",
            "portal",
            "portal_abbreviation",
            "username",
            "successor_username",
            "request_reference",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reject_reason",
            "handed_over",
        ]


class ClosureListApi(APIView):
    class FilterInput(serializers.Serializer[Any]):
        portal = serializers.IntegerField(required=False)
        status = serializers.ChoiceField(choices=ClosureStatus.choices, required=False)

    class CreateInput(serializers.Serializer[Any]):
        portal = serializers.IntegerField()
        username = serializers.CharField(max_length=150)
        # Optional here so that a missing successor gets the service's own code, successor_required.
        successor_username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
        request_reference = serializers.CharField(max_length=100)
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(parameters=[FilterInput], responses=ClosureOutput(many=True), operation_id="closures_list")
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = AccountClosure.objects.select_related("portal")
        if "portal" in filters.validated_data:
            queryset = queryset.filter(portal_id=filters.validated_data["portal"])
        if "status" in filters.validated_data:
            queryset = queryset.filter(status=filters.validated_data["status"])
        return Response(ClosureOutput(queryset, many=True).data)

    @extend_schema(request=CreateInput, responses={201: ClosureOutput}, operation_id="closures_create")
    def post(self, request: Request) -> Response:
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        portal = services.portal_get(portal_id=fields.pop("portal"))
        closure = services.account_closure_file(
            portal=portal, requested_by=request.user.get_username(), request=request, **fields
        )
        return Response(ClosureOutput(closure).data, status=status.HTTP_201_CREATED)


class ClosureExecuteApi(APIView):
    @extend_schema(request=None, responses=ClosureOutput, operation_id="closures_execute")
    def post(self, request: Request, pk: int) -> Response:
        closure = services.account_closure_execute(
            closure=services.account_closure_get(closure_id=pk),
            executed_by=request.user.get_username(),
            request=request,
        )
        return Response(ClosureOutput(closure).data)


class ClosureRejectApi(APIView):
    class Input(serializers.Serializer[Any]):
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses=ClosureOutput, operation_id="closures_reject")
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        closure = services.account_closure_reject(
            closure=services.account_closure_get(closure_id=pk),
            reason=data.validated_data["reason"],
            rejected_by=request.user.get_username(),
            request=request,
        )
        return Response(ClosureOutput(closure).data)


class AuditOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    portal = serializers.IntegerField(source="portal_id", allow_null=True)
    portal_abbreviation = serializers.SerializerMethodField()
    action = serializers.CharField()
    actor = serializers.CharField()
    target = serializers.CharField()
    ip_address = serializers.CharField(allow_null=True)
    # "details", not "data": a serializer's own ``data`` attribute is its output.
    details = serializers.JSONField(source="data")

    def get_portal_abbreviation(self, obj: Any) -> str | None:
        return obj.portal.abbreviation if obj.portal_id else None


class AuditPageOutput(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = AuditOutput(many=True)


class AuditPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class AuditListApi(APIView):
    class FilterInput(serializers.Serializer[Any]):
        portal = serializers.IntegerField(required=False, help_text="portal id")
        action = serializers.CharField(required=False, help_text="e.g. login.failure, account.close")
        actor = serializers.CharField(required=False)
        target = serializers.CharField(required=False)
        ip_address = serializers.IPAddressField(required=False)
        since = serializers.DateTimeField(required=False, help_text="from this time (inclusive)")
        until = serializers.DateTimeField(required=False, help_text="before this time")
        page = serializers.IntegerField(required=False, min_value=1)
        page_size = serializers.IntegerField(required=False, min_value=1, max_value=500)

    @extend_schema(parameters=[FilterInput], responses=AuditPageOutput, operation_id="audit_list")
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        queryset = AuditLog.objects.select_related("portal").order_by("-created_at", "-id")
        lookups = {
            "portal": "portal_id",
            "action": "action",
            "actor": "actor",
            "target": "target",
            "ip_address": "ip_address",
            "since": "created_at__gte",
            "until": "created_at__lt",
        }
        for name, lookup in lookups.items():
            if name in given:
                queryset = queryset.filter(**{lookup: given[name]})
        paginator = AuditPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(AuditOutput(page, many=True).data)
