from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tenants.models import Domain, Portal


def portal_list_with_domains() -> QuerySet[Portal]:
    return Portal.objects.select_related("parent").prefetch_related(
        Prefetch("domains", queryset=Domain.objects.order_by("-is_primary", "domain"))
    )
