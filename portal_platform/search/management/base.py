"""Base of the search commands: one portal (``--portal``/``--schema``, as ``tenants``' commands) or
``--all`` of them; the services enter each portal's schema themselves."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal_platform.search.services import indexable_portals
from tenants.models import Portal


class PortalsCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--portal", help="abbreviation of the portal (tên viết tắt), e.g. sokhcn")
        target.add_argument("--schema", help="schema name of the portal, e.g. portal_sokhcn")
        target.add_argument("--all", action="store_true", help="every portal (but those being provisioned)")

    def portals(self, options: dict[str, Any]) -> list[Portal]:
        if options.get("all"):
            return indexable_portals()
        lookup = {"abbreviation": options["portal"]} if options.get("portal") else {"schema_name": options["schema"]}
        portal = Portal.objects.filter(**lookup).first()
        if portal is None:
            raise CommandError(f"Không tìm thấy cổng thông tin: {next(iter(lookup.values()))}")
        return [portal]
