"""Import items into one portal as drafts, through the workflow (Decision 80/2025 Đ3.5).

The file is JSON: a list of objects, each ``{"type": "article" | "legaldocument" | "announcement" |
"workschedule" | "page", "fields": {...}}`` with the fields of that type's revision
(``revision_fields``; relations by id, sections of an article also by slug). Every item is saved by
``item_save`` as the named account, so it starts as a draft owned by that account and reaches the
public only after the editorial board approves it. ``--submit`` also submits each item for review.
The whole file is one transaction: one bad item and nothing is imported.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import User
from content.models import Announcement, Article, Category, LegalDocument, Page, Publishable, WorkSchedule
from content.services.workflow import item_save, item_transition
from portal_platform.errors import ApplicationError
from tenants.management.base import PortalCommand
from tenants.models import Portal

TYPES: dict[str, type[Publishable]] = {
    "article": Article,
    "legaldocument": LegalDocument,
    "announcement": Announcement,
    "workschedule": WorkSchedule,
    "page": Page,
}


class Command(PortalCommand):
    help = "Nhập tin bài, văn bản… vào một cổng dưới dạng bản nháp, qua quy trình duyệt."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path, help="JSON file: a list of {type, fields}")
        parser.add_argument("--as", dest="username", required=True, help="account of this portal that imports")
        parser.add_argument("--submit", action="store_true", help="also submit every item for review")

    def handle_portal(self, portal: Portal, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản đang hoạt động: {options['username']}")
        try:
            rows = json.loads(options["file"].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được tệp JSON: {exc}") from exc
        if not isinstance(rows, list):
            raise CommandError("Tệp JSON phải là một danh sách.")
        try:
            with transaction.atomic():
                for n, row in enumerate(rows, start=1):
                    self._import_one(n, row, user=user, submit=options["submit"])
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} ({exc.code}) {exc.extra.get('fields', '')}") from exc
        self.stdout.write(self.style.SUCCESS(f"Đã nhập {len(rows)} mục vào {portal.name} (bản nháp)."))

    def _import_one(self, n: int, row: Any, *, user: User, submit: bool) -> None:
        if not isinstance(row, dict) or row.get("type") not in TYPES or not isinstance(row.get("fields"), dict):
            raise CommandError(f"Mục {n}: cần {{'type': {sorted(TYPES)}, 'fields': {{...}}}}.")
        model = TYPES[row["type"]]
        fields = dict(row["fields"])
        if model is Article and fields.get("sections"):
            fields["sections"] = [self._section_id(n, s) for s in fields["sections"]]
        try:
            item = item_save(model=model, data=fields, user=user, comment="import")
            if submit:
                item_transition(item=item, action="submit", user=user)
        except ApplicationError as exc:
            raise CommandError(f"Mục {n}: {exc.message} ({exc.code}) {exc.extra.get('fields', '')}") from exc

    @staticmethod
    def _section_id(n: int, ref: Any) -> int:
        if isinstance(ref, int):
            return ref
        section = Category.objects.filter(slug=str(ref)).values_list("pk", flat=True).first()
        if section is None:
            raise CommandError(f"Mục {n}: không có chuyên mục “{ref}”.")
        return section
