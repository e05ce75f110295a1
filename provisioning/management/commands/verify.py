from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from portal_platform.errors import ApplicationError
from provisioning import backups
from provisioning.management.backup_common import JobCommand, add_portal_arguments, backup_from, portal_from


class Command(JobCommand):
    help = (
        "Kiểm tra một bản sao lưu (mặc định: bản tốt mới nhất của cổng): đọc lại mọi phần, so kích thước và SHA-256, "
        "xác thực từng khối mã hóa và từng tệp. --drill: diễn tập khôi phục vào một lược đồ tạm rồi xóa."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--backup", type=int, help="số của bản sao lưu")
        add_portal_arguments(parser, required=False)
        parser.add_argument("--drill", action="store_true", help="diễn tập khôi phục (đếm số dòng từng bảng)")
        self.add_queue_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        backup = backup_from(options["backup"], portal_from(options))
        request = backups.backup_drill_request if options["drill"] else backups.backup_verify_request
        try:
            job = request(backup=backup, requested_by="manage.py", send=options["queue"])
        except ApplicationError as exc:
            raise self.fail(exc) from exc
        self.run_job(job, queue=options["queue"])
        if not options["queue"]:
            self.stdout.write(f"Bản sao lưu #{backup.pk}: tốt.")
