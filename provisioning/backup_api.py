"""REST API of backups (console host, /api/v1/backups/…): one APIView per operation, each calling one
service of ``provisioning.backups``. Long operations answer 202 with the job, to be followed at
``/api/v1/backup-jobs/<id>/``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from provisioning import backups
from provisioning.backup_models import Backup, BackupJob, BackupStatus
from provisioning.services import portal_get


class BackupOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    portal_id = serializers.IntegerField(allow_null=True)
    portal_abbreviation = serializers.CharField()
    schema_name = serializers.CharField()
    trigger = serializers.CharField(help_text="scheduled, manual or safety (taken before a restore)")
    status = serializers.CharField(help_text="running, good, failed or pruned")
    location = serializers.CharField(source="prefix", help_text="prefix of the parts in the backup bucket")
    bucket = serializers.CharField()
    key_id = serializers.CharField(help_text="id of the encryption key (an HMAC of it, not the key)")
    app_version = serializers.CharField()
    migration_state = serializers.CharField()
    stored_bytes = serializers.IntegerField()
    database_bytes = serializers.IntegerField()
    media_files = serializers.IntegerField()
    media_bytes = serializers.IntegerField()
    verify_status = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True)
    verify_error = serializers.CharField()
    drilled_at = serializers.DateTimeField(allow_null=True)
    drill_ok = serializers.BooleanField(allow_null=True)
    error_code = serializers.CharField()
    error_message = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class BackupDetailOutput(BackupOutput):
    manifest = serializers.JSONField()


class BackupStepOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.FloatField(allow_null=True)
    detail = serializers.CharField()
    error = serializers.CharField()


class BackupJobOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="backup, verify, restore, restore_copy or drill")
    status = serializers.CharField()
    portal_id = serializers.IntegerField(allow_null=True)
    backup_id = serializers.IntegerField(allow_null=True)
    safety_backup_id = serializers.IntegerField(allow_null=True)
    target_portal_id = serializers.IntegerField(allow_null=True)
    attempts = serializers.IntegerField()
    error_step = serializers.CharField()
    error_code = serializers.CharField()
    error_message = serializers.CharField()
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    steps = BackupStepOutput(many=True)


def job_output(job: BackupJob) -> dict[str, Any]:
    names = [name for name in BackupJobOutput().get_fields() if name != "steps"]
    values: dict[str, Any] = {name: getattr(job, name) for name in names}
    values["steps"] = list(job.steps.all())
    data: dict[str, Any] = BackupJobOutput(values).data
    return data


def _user(request: Request) -> str:
    return str(request.user.get_username())


class BackupListApi(APIView):
    class FilterInput(serializers.Serializer[Any]):
        portal = serializers.IntegerField(required=False, help_text="portal id")
        status = serializers.ChoiceField(choices=BackupStatus.choices, required=False)

    class CreateInput(serializers.Serializer[Any]):
        portal = serializers.IntegerField(help_text="portal id")

    @extend_schema(parameters=[FilterInput], responses=BackupOutput(many=True), operation_id="backups_list")
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        portal = portal_get(portal_id=given["portal"]) if "portal" in given else None
        found = backups.backup_list(portal=portal, status=given.get("status"))[:500]
        return Response(BackupOutput(found, many=True).data)

    @extend_schema(request=CreateInput, responses={202: BackupJobOutput}, operation_id="backups_create")
    def post(self, request: Request) -> Response:
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = backups.backup_create(
            portal=portal_get(portal_id=data.validated_data["portal"]), requested_by=_user(request)
        )
        return Response(job_output(job), status=status.HTTP_202_ACCEPTED)


class BackupDetailApi(APIView):
    @extend_schema(responses=BackupDetailOutput, operation_id="backups_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(BackupDetailOutput(backups.backup_get(backup_id=pk)).data)


class BackupVerifyApi(APIView):
    @extend_schema(request=None, responses={202: BackupJobOutput}, operation_id="backups_verify")
    def post(self, request: Request, pk: int) -> Response:
        job = backups.backup_verify_request(backup=backups.backup_get(backup_id=pk), requested_by=_user(request))
        return Response(job_output(job), status=status.HTTP_202_ACCEPTED)


class BackupDrillApi(APIView):
    @extend_schema(request=None, responses={202: BackupJobOutput}, operation_id="backups_drill")
    def post(self, request: Request, pk: int) -> Response:
        job = backups.backup_drill_request(backup=backups.backup_get(backup_id=pk), requested_by=_user(request))
        return Response(job_output(job), status=status.HTTP_202_ACCEPTED)


class BackupRestoreApi(APIView):
    class Input(serializers.Serializer[Any]):
        mode = serializers.ChoiceField(
            choices=[("in_place", "in place"), ("copy", "as a copy")],
            help_text="in_place replaces the portal's data (after a safety backup); copy makes a new portal",
        )
        confirm = serializers.CharField(
            required=False, allow_blank=True, default="", help_text="in_place: the portal's abbreviation, repeated"
        )
        abbreviation = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=40, help_text="copy: the new portal's abbreviation"
        )
        domains = serializers.ListField(
            child=serializers.CharField(max_length=253),
            required=False,
            default=list,
            help_text="copy: its domains (default <abbreviation>.<platform domain>)",
        )

    @extend_schema(request=Input, responses={202: BackupJobOutput}, operation_id="backups_restore")
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        backup: Backup = backups.backup_get(backup_id=pk)
        if given["mode"] == "in_place":
            job = backups.backup_restore_request(backup=backup, confirm=given["confirm"], requested_by=_user(request))
        else:
            job = backups.backup_restore_copy_request(
                backup=backup,
                abbreviation=given["abbreviation"],
                domains=given["domains"] or None,
                requested_by=_user(request),
            )
        return Response(job_output(job), status=status.HTTP_202_ACCEPTED)


class BackupPruneApi(APIView):
    class Input(serializers.Serializer[Any]):
        portal = serializers.IntegerField(required=False, help_text="portal id (default: every portal)")
        dry_run = serializers.BooleanField(default=False, help_text="only say what would be deleted")

    class Output(serializers.Serializer[Any]):
        kept = serializers.ListField(child=serializers.IntegerField())
        pruned = serializers.ListField(child=serializers.IntegerField())
        failed_removed = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(request=Input, responses=Output, operation_id="backups_prune")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        portal = portal_get(portal_id=given["portal"]) if "portal" in given else None
        result = backups.backups_prune(portal=portal, dry_run=given["dry_run"])
        return Response(self.Output(result).data)


class BackupAlertsApi(APIView):
    class Output(serializers.Serializer[Any]):
        code = serializers.CharField(
            help_text="backup_failed, verify_failed, drill_failed, restore_failed, backup_stale"
        )
        portal = serializers.CharField(help_text="abbreviation")
        message = serializers.CharField()
        backup = serializers.IntegerField(allow_null=True)
        job = serializers.IntegerField(allow_null=True)

    @extend_schema(responses=Output(many=True), operation_id="backups_alerts")
    def get(self, request: Request) -> Response:
        return Response(self.Output([a.as_dict() for a in backups.backup_alerts()], many=True).data)


class BackupJobDetailApi(APIView):
    @extend_schema(responses=BackupJobOutput, operation_id="backup_jobs_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(job_output(backups.backup_job_get(job_id=pk)))
