from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from portal_platform.demo import CONSOLE_ACCOUNT, DEMO_PASSWORD, DEMO_PORTALS, demo_setup


class Command(BaseCommand):
    help = "Tạo (nếu chưa có) các cổng thông tin mẫu và tài khoản mẫu, rồi in địa chỉ của chúng."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--list-hosts",
            action="store_true",
            help="chỉ in các host (host của trang quản trị trước), mỗi dòng một host",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list_hosts"]:
            self.stdout.write(settings.CONSOLE_HOST)
            for demo in DEMO_PORTALS:
                self.stdout.write(demo.domain())
            return
        portals = demo_setup()
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"Trang quản trị nền tảng (console): http://{settings.CONSOLE_HOST}:{port}/")
        self.stdout.write(f"    tài khoản: {CONSOLE_ACCOUNT} / {DEMO_PASSWORD}")
        for portal in portals:
            domain = portal.get_primary_domain()
            self.stdout.write(f"{portal.name}: http://{domain.domain}:{port}/")
            self.stdout.write(
                f"    tài khoản: admin.{portal.abbreviation} / {DEMO_PASSWORD}  "
                f"(quản trị: http://{domain.domain}:{port}/admin/)"
            )
