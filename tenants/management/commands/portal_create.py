from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal_platform.errors import ApplicationError
from tenants import services
from tenants.models import Portal, PortalKind


class Command(BaseCommand):
    help = "Tạo một cổng thông tin (tenant) với lược đồ và tên miền của nó."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help="tên đầy đủ của cơ quan")
        parser.add_argument("--abbreviation", required=True, help="tên viết tắt, ví dụ sokhcn")
        parser.add_argument("--kind", required=True, choices=PortalKind.values)
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            help="tên miền (lặp lại được); mặc định <tên viết tắt>.<PLATFORM_DOMAIN>",
        )
        parser.add_argument("--address", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--responsible-person", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        parent = None
        if kind != PortalKind.PROVINCE:
            parent = Portal.objects.filter(kind=PortalKind.PROVINCE).first()
        domains = options["domain"] or [
            settings.PLATFORM_DOMAIN
            if kind == PortalKind.PROVINCE
            else f"{options['abbreviation']}.{settings.PLATFORM_DOMAIN}"
        ]
        try:
            portal = services.portal_create(
                name=options["name"],
                abbreviation=options["abbreviation"],
                kind=kind,
                parent=parent,
                domains=domains,
                address=options["address"],
                phone=options["phone"],
                email=options["email"],
                responsible_person=options["responsible_person"],
            )
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(f"{portal.abbreviation}: schema {portal.schema_name}, {', '.join(domains)}")
