from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from portal_platform.errors import ApplicationError
from provisioning import backups
from provisioning.management.backup_common import JobCommand, add_portal_arguments, portal_from, size
from tenants.models import Portal, PortalStatus


class Command(JobCommand):
    help = (
        "Sao lưu một cổng (hoặc mọi cổng đang hoạt động với --all) lên kho lưu trữ đối tượng: lược đồ, tệp "
        "đa phương tiện và bản kê khai, mã hóa, rồi đọc lại để kiểm tra."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_portal_arguments(parser, required=False)
        parser.add_argument("--all", action="store_true", help="mọi cổng đang hoạt động")
        parser.add_argument(
            "--nightly",
            action="store_true",
            help="sao lưu như bản sao lưu hằng đêm (giới hạn tốc độ BACKUP_RATE_LIMIT_MB_S); mặc định: "
            "như “sao lưu ngay” (BACKUP_MANUAL_RATE_LIMIT_MB_S)",
        )
        self.add_queue_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        portal = portal_from(options)
        if portal is None and not options["all"]:
            raise CommandError("Cần --portal, --schema hoặc --all.")
        portals = [portal] if portal else list(Portal.objects.filter(status=PortalStatus.ACTIVE).order_by("pk"))
        for each in portals:
            self.stdout.write(f"{each.abbreviation}:")
            try:
                job = backups.backup_create(
                    portal=each, requested_by="manage.py", send=options["queue"], nightly=options["nightly"]
                )
            except ApplicationError as exc:
                raise self.fail(exc) from exc
            finished = self.run_job(job, queue=options["queue"])
            if finished.backup is not None and not options["queue"]:
                backup = finished.backup
                self.stdout.write(
                    f"Bản sao lưu #{backup.pk}: {size(backup.stored_bytes)} tại {backup.bucket}/{backup.prefix}"
                )
