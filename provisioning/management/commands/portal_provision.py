from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal_platform.errors import ApplicationError
from provisioning import services
from provisioning.models import JobStatus, SchemaPath
from tenants.models import PortalKind


class Command(BaseCommand):
    help = "Nộp (và có thể phê duyệt ngay) yêu cầu cấp một cổng thông tin thành phần."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help="tên đầy đủ của cơ quan")
        parser.add_argument("--abbreviation", required=True, help="tên viết tắt, ví dụ sokhcn")
        parser.add_argument("--kind", required=True, choices=PortalKind.values)
        parser.add_argument("--template", help="mẫu trang (mặc định: theo loại cổng)")
        parser.add_argument("--domain", action="append", default=[], help="tên miền (lặp lại được)")
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-department", default="", help="cho tài khoản admin.<đơn vị>.<tên viết tắt>")
        parser.add_argument("--reference", required=True, help="số văn bản đề nghị của cơ quan")
        parser.add_argument("--address", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--responsible-person", default="")
        parser.add_argument("--approve", action="store_true", help="phê duyệt ngay")
        parser.add_argument(
            "--run-now", action="store_true", help="chạy công việc ngay trong tiến trình này (không chờ worker)"
        )
        parser.add_argument("--schema-path", choices=SchemaPath.values, default="")

    def handle(self, *args: Any, **options: Any) -> None:
        fields = {
            "name": options["name"],
            "abbreviation": options["abbreviation"],
            "kind": options["kind"],
            "template": options["template"] or options["kind"],
            "domains": options["domain"] or None,
            "admin_name": options["admin_name"],
            "admin_email": options["admin_email"],
            "admin_department": options["admin_department"],
            "request_reference": options["reference"],
            "address": options["address"],
            "phone": options["phone"],
            "email": options["email"],
            "responsible_person": options["responsible_person"],
        }
        try:
            if not options["approve"]:
                request = services.request_file(**fields)
                self.stdout.write(f"Đã nộp yêu cầu #{request.pk} ({request.abbreviation}), chờ phê duyệt.")
                return
            job = services.request_file_and_approve(forced_schema_path=options["schema_path"], **fields)
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(f"Đã phê duyệt yêu cầu #{job.request_id}; công việc #{job.pk}.")
        if options["run_now"]:
            finished = services.job_run(job_id=job.pk) or job
            if finished.status != JobStatus.SUCCEEDED:
                raise CommandError(f"[{finished.error_code}] {finished.error_step}: {finished.error_message}")
            password = services.job_password_reveal(job=finished)
            self.stdout.write(f"Cổng đã hoạt động. Tài khoản quản trị: {finished.admin_username}")
            self.stdout.write(f"Mật khẩu dùng một lần (chỉ hiện lần này, phải đổi khi đăng nhập): {password}")
