"""Account commands act in one portal's schema (``--portal``/``--schema``) or the console's
(``--console``)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from tenants.models import Portal


class AccountCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--portal", help="abbreviation of the portal (tên viết tắt), e.g. sokhcn")
        target.add_argument("--schema", help="schema name of the portal, e.g. portal_sokhcn")
        target.add_argument("--console", action="store_true", help="the console's operators (public schema)")

    def handle(self, *args: Any, **options: Any) -> None:
        portal: Portal | None = None
        if options.get("console"):
            schema = settings.PUBLIC_SCHEMA_NAME
        else:
            lookup = (
                {"abbreviation": options["portal"]} if options.get("portal") else {"schema_name": options["schema"]}
            )
            portal = Portal.objects.filter(**lookup).first()
            if portal is None:
                raise CommandError(f"Không tìm thấy cổng thông tin: {next(iter(lookup.values()))}")
            schema = portal.schema_name
        rest = {key: value for key, value in options.items() if key not in {"portal", "schema", "console"}}
        with schema_context(schema):
            self.handle_accounts(portal, **rest)

    def handle_accounts(self, portal: Portal | None, **options: Any) -> None:
        raise NotImplementedError


def read_password_file(path: str) -> str:
    try:
        # Only the first line: a trailing newline is not part of the password.
        return Path(path).read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError) as exc:
        raise CommandError(f"Không đọc được mật khẩu từ tệp {path}") from exc
