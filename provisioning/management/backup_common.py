"""What the backup commands share: finding the portal or the backup, running a job here or sending
it to a worker, and printing its steps."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal_platform.errors import ApplicationError
from provisioning import backups
from provisioning.backup_models import Backup, BackupJob, BackupStatus
from provisioning.models import JobStatus
from tenants.models import Portal


def add_portal_arguments(parser: ArgumentParser, *, required: bool) -> None:
    target = parser.add_mutually_exclusive_group(required=required)
    target.add_argument("--portal", help="tên viết tắt của cổng, ví dụ sokhcn")
    target.add_argument("--schema", help="tên lược đồ của cổng, ví dụ portal_sokhcn")


def portal_from(options: dict[str, Any]) -> Portal | None:
    if not options.get("portal") and not options.get("schema"):
        return None
    lookup = {"abbreviation": options["portal"]} if options.get("portal") else {"schema_name": options["schema"]}
    portal = Portal.objects.filter(**lookup).first()
    if portal is None:
        raise CommandError(f"Không tìm thấy cổng thông tin: {next(iter(lookup.values()))}")
    return portal


def backup_from(backup_id: int | None, portal: Portal | None) -> Backup:
    if backup_id is not None:
        try:
            return backups.backup_get(backup_id=backup_id)
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
    if portal is None:
        raise CommandError("Cần --backup <số> hoặc --portal <tên viết tắt>.")
    newest = Backup.objects.filter(portal=portal, status=BackupStatus.GOOD).order_by("-finished_at").first()
    if newest is None:
        raise CommandError(f"{portal.abbreviation}: chưa có bản sao lưu tốt nào.")
    return newest


def size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(n)


class JobCommand(BaseCommand):
    """A command whose work is one backup job: run here (default, prints every step) or --queue."""

    def add_queue_argument(self, parser: ArgumentParser) -> None:
        parser.add_argument("--queue", action="store_true", help="gửi cho worker thay vì chạy ngay tại đây")

    def run_job(self, job: BackupJob, *, queue: bool) -> BackupJob:
        if queue:
            self.stdout.write(f"Đã gửi công việc #{job.pk} cho worker.")
            return job
        finished = backups.backup_job_run(job_id=job.pk) or backups.backup_job_get(job_id=job.pk)
        for step in finished.steps.all():
            label = backups.STEP_LABELS.get(step.name, step.name)
            took = f"{step.duration_ms / 1000:.1f} s" if step.duration_ms is not None else "—"
            line = f"  [{step.get_status_display()}] {label} ({took})"
            if step.detail:
                line += f": {step.detail}"
            self.stdout.write(line)
            if step.error:
                self.stderr.write(f"    {step.error}")
        if finished.status != JobStatus.SUCCEEDED:
            raise CommandError(f"[{finished.error_code}] {finished.error_message}")
        return finished

    @staticmethod
    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"

    @staticmethod
    def fail(exc: ApplicationError) -> CommandError:
        return CommandError(f"[{exc.code}] {exc.message}")
