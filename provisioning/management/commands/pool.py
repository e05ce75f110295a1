from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from provisioning import schemas


class Command(BaseCommand):
    help = "Hiện kho lược đồ dự phòng; --fill để bổ sung ngay (cập nhật lược đồ cũ, tạo thêm cho đủ)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--fill", action="store_true")
        parser.add_argument(
            "--size", type=int, help="số lược đồ dự phòng cần có cho mỗi mẫu trang (mặc định: PROVISIONING_POOL_SIZE)"
        )
        parser.add_argument(
            "--template",
            action="append",
            dest="templates",
            help="chỉ bổ sung cho mẫu trang này (lặp lại được; mặc định: PROVISIONING_POOL_TEMPLATES)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["fill"]:
            result = schemas.pool_top_up(size=options["size"], templates=options["templates"])
            self.stdout.write(
                f"Đã cập nhật {result['migrated']}, bỏ {result['dropped']}, tạo {result['created']} lược đồ dự phòng."
            )
            if result["failed"]:
                self.stderr.write(f"{result['failed']} mẫu trang không tạo được lược đồ dự phòng (xem nhật ký).")
        status = schemas.pool_status()
        self.stdout.write(
            f"Kích thước đặt (mỗi mẫu trang): {status.size_setting}; trạng thái migration: {status.migration_state}"
        )
        per_template = ", ".join(f"{key}: {count}" for key, count in status.ready_by_template.items())
        self.stdout.write(f"Sẵn sàng ({len(status.ready)}): {', '.join(status.ready) or '—'}")
        self.stdout.write(f"Theo mẫu trang: {per_template or '—'}")
        self.stdout.write(f"Cũ ({len(status.stale)}): {', '.join(status.stale) or '—'}")
        self.stdout.write(f"Lược đồ mẫu để sao chép: {'sẵn sàng' if status.template_ready else 'chưa có'}")
