from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal_platform.errors import ApplicationError
from provisioning import services
from provisioning.models import ProvisioningRequest


class Command(BaseCommand):
    help = "Phê duyệt hoặc từ chối một yêu cầu cấp cổng."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("request_id", type=int)
        decision = parser.add_mutually_exclusive_group(required=True)
        decision.add_argument("--approve", action="store_true")
        decision.add_argument("--reject", metavar="LÝ_DO", help="từ chối, kèm lý do")

    def handle(self, *args: Any, **options: Any) -> None:
        request = ProvisioningRequest.objects.filter(pk=options["request_id"]).first()
        if request is None:
            raise CommandError(f"Không có yêu cầu #{options['request_id']}.")
        try:
            if options["approve"]:
                job = services.request_approve(request=request)
                self.stdout.write(f"Đã phê duyệt; công việc #{job.pk} đã được gửi cho worker.")
            else:
                services.request_reject(request=request, reason=options["reject"])
                self.stdout.write("Đã từ chối yêu cầu.")
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
