from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal_platform.audit import audit_log_purge, retention_days


class Command(BaseCommand):
    help = "Xóa các mục nhật ký kiểm tra cũ hơn thời hạn lưu giữ (AUDIT_RETENTION_DAYS, mặc định 365 ngày)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Thời hạn lưu giữ (ngày); mặc định theo AUDIT_RETENTION_DAYS."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else retention_days()
        if days < 1:
            raise CommandError("Thời hạn lưu giữ phải từ 1 ngày trở lên.")
        deleted = audit_log_purge(older_than_days=days, actor="audit_purge")
        self.stdout.write(f"Đã xóa {deleted} mục nhật ký cũ hơn {days} ngày.")
