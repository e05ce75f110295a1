from __future__ import annotations

from typing import Any

from portal_platform.search.management.base import PortalsCommand
from portal_platform.search.services import index_portal_rebuild


class Command(PortalsCommand):
    help = "Xây lại chỉ mục tìm kiếm chung của một cổng (--portal/--schema) hoặc của mọi cổng (--all)."

    def handle(self, *args: Any, **options: Any) -> None:
        for portal in self.portals(options):
            report = index_portal_rebuild(portal=portal)
            self.stdout.write(
                f"{portal.abbreviation}: {report.items} mục, {report.entries} bản ghi chỉ mục, "
                f"{report.written} ghi mới hoặc cập nhật, {report.removed} gỡ bỏ, "
                f"{report.seconds:.1f} giây ({report.items_per_second:.0f} mục/giây)"
            )
