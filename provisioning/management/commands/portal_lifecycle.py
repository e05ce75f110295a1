from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal_platform.errors import ApplicationError
from provisioning import services
from tenants.models import Portal


class Command(BaseCommand):
    help = "Tạm dừng, cho hoạt động lại hoặc lưu trữ một cổng thông tin."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["suspend", "resume", "archive"])
        parser.add_argument("--portal", required=True, help="tên viết tắt của cổng")

    def handle(self, *args: Any, **options: Any) -> None:
        portal = Portal.objects.filter(abbreviation=options["portal"]).first()
        if portal is None:
            raise CommandError(f"Không tìm thấy cổng thông tin: {options['portal']}")
        change = {
            "suspend": services.portal_suspend,
            "resume": services.portal_resume,
            "archive": services.portal_archive,
        }[options["action"]]
        try:
            portal = change(portal=portal)
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(f"{portal.name}: {portal.get_status_display()}")
