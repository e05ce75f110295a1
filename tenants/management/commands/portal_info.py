from __future__ import annotations

from typing import Any

from django.db import connection

from content.models import AuditEvent
from tenants.management.base import PortalCommand
from tenants.models import Portal


class Command(PortalCommand):
    help = "In thông tin một cổng: lược đồ, tên miền, trạng thái, số bảng và các sự kiện nhật ký gần nhất."

    def handle_portal(self, portal: Portal, **options: Any) -> None:
        domains = ", ".join(
            f"{d.domain}{' (chính)' if d.is_primary else ''}" for d in portal.domains.order_by("-is_primary", "domain")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [portal.schema_name]
            )
            row = cursor.fetchone()
        self.stdout.write(f"{portal.name} [{portal.abbreviation}]")
        self.stdout.write(f"  loại: {portal.get_kind_display()}, trạng thái: {portal.get_status_display()}")
        self.stdout.write(f"  lược đồ: {portal.schema_name} ({row[0] if row else 0} bảng)")
        self.stdout.write(f"  tên miền: {domains}")
        for event in AuditEvent.objects.all()[:5]:
            self.stdout.write(f"  {event.created_at:%d/%m/%Y %H:%M} {event.action} {event.object_repr}")
