from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings

from provisioning import backups
from provisioning.management.backup_common import JobCommand, add_portal_arguments, portal_from


class Command(JobCommand):
    help = (
        "Áp dụng chính sách lưu giữ bản sao lưu (BACKUP_RETENTION_DAILY/WEEKLY/MONTHLY): xóa các bản không cần giữ; "
        "không bao giờ xóa bản tốt mới nhất của một cổng."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_portal_arguments(parser, required=False)
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không xóa")

    def handle(self, *args: Any, **options: Any) -> None:
        result = backups.backups_prune(portal=portal_from(options), dry_run=options["dry_run"])
        verb = "Sẽ xóa" if options["dry_run"] else "Đã xóa"
        self.stdout.write(
            f"Giữ {len(result.kept)} bản (theo ngày {settings.BACKUP_RETENTION_DAILY}, tuần "
            f"{settings.BACKUP_RETENTION_WEEKLY}, tháng {settings.BACKUP_RETENTION_MONTHLY})."
        )
        self.stdout.write(f"{verb} {len(result.pruned)} bản: {', '.join(map(str, result.pruned)) or '—'}")
        if result.failed_removed:
            self.stdout.write(f"{verb} dữ liệu của {len(result.failed_removed)} bản lỗi cũ.")
