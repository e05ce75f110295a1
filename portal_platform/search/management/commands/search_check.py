from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from portal_platform.search.management.base import PortalsCommand
from portal_platform.search.services import index_portal_drift


class Command(PortalsCommand):
    help = (
        "Đối chiếu chỉ mục tìm kiếm chung với nội dung công khai của cổng: mục thiếu, mục cũ, mục thừa. "
        "Không thay đổi gì; trả mã lỗi 1 khi có sai lệch (sửa bằng search_rebuild)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        drifted = []
        for portal in self.portals(options):
            drift = index_portal_drift(portal=portal)
            if drift.clean:
                self.stdout.write(f"{portal.abbreviation}: khớp")
                continue
            drifted.append(portal.abbreviation)
            self.stdout.write(
                f"{portal.abbreviation}: {len(drift.missing)} thiếu, {len(drift.stale)} cũ, {len(drift.orphaned)} thừa"
            )
            for title, keys in (("thiếu", drift.missing), ("cũ", drift.stale), ("thừa", drift.orphaned)):
                for source, object_id, language in keys[:20]:
                    self.stdout.write(f"  {title}: {source} #{object_id} ({language})")
                if len(keys) > 20:
                    self.stdout.write(f"  … và {len(keys) - 20} mục {title} khác")
        if drifted:
            raise CommandError(f"Chỉ mục lệch với nội dung của: {', '.join(drifted)}. Chạy search_rebuild để sửa.")
