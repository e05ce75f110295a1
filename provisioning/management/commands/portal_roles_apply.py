from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from content.services import roles_apply
from portal_platform.errors import ApplicationError
from provisioning.site_templates import load_template
from tenants.models import Portal


class Command(BaseCommand):
    help = (
        "Áp dụng lại các vai trò biên tập theo mẫu trang của cổng (sau khi mẫu thay đổi). "
        "Quyền của mỗi nhóm được đặt đúng như mẫu."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--portal", help="tên viết tắt của cổng")
        target.add_argument("--all", action="store_true", help="mọi cổng đã tạo từ một mẫu")

    def handle(self, *args: Any, **options: Any) -> None:
        portals = Portal.objects.exclude(template_key="")
        if options["portal"]:
            portals = portals.filter(abbreviation=options["portal"])
            if not portals.exists():
                raise CommandError(f"Không tìm thấy cổng thông tin tạo từ mẫu: {options['portal']}")
        for portal in portals:
            try:
                template = load_template(portal.template_key)
                with schema_context(portal.schema_name):
                    roles_apply(roles=template.roles)
            except ApplicationError as exc:
                raise CommandError(f"{portal.abbreviation}: [{exc.code}] {exc.message}") from exc
            self.stdout.write(f"{portal.abbreviation}: đã áp dụng vai trò theo mẫu {template.key} v{template.version}")
