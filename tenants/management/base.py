"""Base for management commands that act inside one portal: ``--portal <abbreviation>`` or
``--schema <schema_name>``, entered explicitly (DESIGN.md §4: tenant context is explicit)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from tenants.models import Portal


class PortalCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--portal", help="abbreviation of the portal (tên viết tắt), e.g. sokhcn")
        target.add_argument("--schema", help="schema name of the portal, e.g. portal_sokhcn")

    def handle(self, *args: Any, **options: Any) -> None:
        lookup = {"abbreviation": options["portal"]} if options.get("portal") else {"schema_name": options["schema"]}
        portal = Portal.objects.filter(**lookup).first()
        if portal is None:
            raise CommandError(f"Không tìm thấy cổng thông tin: {next(iter(lookup.values()))}")
        with schema_context(portal.schema_name):
            rest = {key: value for key, value in options.items() if key not in {"portal", "schema"}}
            self.handle_portal(portal, **rest)

    def handle_portal(self, portal: Portal, **options: Any) -> None:
        """The command's work, inside ``portal``'s schema; ``options`` are the command's own."""
        raise NotImplementedError
