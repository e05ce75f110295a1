from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from provisioning import backups
from provisioning.backup_models import BackupStatus
from provisioning.management.backup_common import JobCommand, add_portal_arguments, portal_from, size


class Command(JobCommand):
    help = "Liệt kê các bản sao lưu (mới nhất trước), các cảnh báo và, với --jobs, các công việc gần đây."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_portal_arguments(parser, required=False)
        parser.add_argument("--status", choices=BackupStatus.values)
        parser.add_argument("--jobs", action="store_true", help="cả các công việc gần đây")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        portal = portal_from(options)
        rows = backups.backup_list(portal=portal, status=options["status"])[: options["limit"]]
        self.stdout.write("số\tcổng\tlúc\tloại\ttrạng thái\tkiểm tra\tdung lượng\ttệp")
        for backup in rows:
            self.stdout.write(
                f"{backup.pk}\t{backup.portal_abbreviation}\t{self.when(backup.started_at)}\t"
                f"{backup.get_trigger_display()}\t{backup.get_status_display()}\t{backup.get_verify_status_display()}\t"
                f"{size(backup.stored_bytes)}\t{backup.media_files}"
            )
        if options["jobs"]:
            self.stdout.write("")
            for job in backups.backup_jobs_recent(portal=portal):
                self.stdout.write(
                    f"công việc #{job.pk}\t{job.get_kind_display()}\t{job.get_status_display()}\t"
                    f"{self.when(job.created_at)}\t{job.error_message[:80]}"
                )
        for alert in backups.backup_alerts():
            if portal is None or alert.portal == portal.abbreviation:
                self.stderr.write(f"CẢNH BÁO [{alert.code}] {alert.message}")
