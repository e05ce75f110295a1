from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from portal_platform.errors import ApplicationError
from provisioning import backups
from provisioning.management.backup_common import JobCommand, backup_from


class Command(JobCommand):
    help = (
        "Khôi phục một bản sao lưu: --in-place thay dữ liệu của chính cổng đó (cổng chỉ đọc trong lúc khôi phục, "
        "có bản sao lưu an toàn trước), hoặc --copy thành một cổng mới để đối chiếu."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--backup", type=int, required=True, help="số của bản sao lưu")
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--in-place", action="store_true", help="khôi phục tại chỗ")
        mode.add_argument("--copy", action="store_true", help="khôi phục thành cổng mới")
        parser.add_argument("--confirm", default="", help="tại chỗ: nhập lại tên viết tắt của cổng để xác nhận")
        parser.add_argument("--abbreviation", default="", help="bản sao: tên viết tắt của cổng mới")
        parser.add_argument("--domain", action="append", default=[], help="bản sao: tên miền (lặp lại được)")
        self.add_queue_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        backup = backup_from(options["backup"], None)
        try:
            if options["in_place"]:
                job = backups.backup_restore_request(
                    backup=backup, confirm=options["confirm"], requested_by="manage.py", send=options["queue"]
                )
            else:
                if not options["abbreviation"]:
                    raise CommandError("Cần --abbreviation cho cổng mới.")
                job = backups.backup_restore_copy_request(
                    backup=backup,
                    abbreviation=options["abbreviation"],
                    domains=options["domain"] or None,
                    requested_by="manage.py",
                    send=options["queue"],
                )
        except ApplicationError as exc:
            raise self.fail(exc) from exc
        finished = self.run_job(job, queue=options["queue"])
        if not options["queue"]:
            if finished.target_portal is not None:
                self.stdout.write(f"Đã khôi phục thành cổng mới: {finished.target_portal.abbreviation}")
            else:
                self.stdout.write(f"Đã khôi phục bản sao lưu #{backup.pk} tại chỗ.")
