"""The layout every page of a portal gets: ``site`` (header, menus, footer) and ``visits``.

Both are lazy: a page that does not extend ``base.html``'s portal layout (the back office, the
console) costs nothing, and on the console host (no portal) neither is set.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from content.public import stats
from content.public.layout import layout_for
from tenants.models import Portal


def site_layout(request: HttpRequest) -> dict[str, Any]:
    portal = getattr(request, "tenant", None)
    if not isinstance(portal, Portal):
        return {}
    return {
        "site": SimpleLazyObject(lambda: layout_for(request)),
        "visits": SimpleLazyObject(lambda: stats.visit_counts(schema=portal.schema_name)),
    }
