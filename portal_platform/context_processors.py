"""Notices every page of a portal shows: archived, read-only during a restore, planned downtime."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from provisioning.selectors import downtime_notices_current
from tenants.models import Portal


def portal_notices(request: HttpRequest) -> dict[str, Any]:
    portal = getattr(request, "tenant", None)
    if not isinstance(portal, Portal):  # the console
        return {}
    return {
        "portal_archived": portal.status == "archived",
        "portal_read_only": portal.read_only,
        "downtime_notices": downtime_notices_current(portal=portal),
    }
