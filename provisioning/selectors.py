from __future__ import annotations

from django.core.cache import cache
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from provisioning.models import DowntimeNotice, ProvisioningJob, ProvisioningRequest
from tenants.models import Portal, PortalKind


def request_list(*, status: str | None = None) -> QuerySet[ProvisioningRequest]:
    queryset = ProvisioningRequest.objects.select_related("job", "parent")
    return queryset.filter(status=status) if status else queryset


def job_with_steps(*, job_id: int) -> ProvisioningJob | None:
    return (
        ProvisioningJob.objects.select_related("request", "portal").prefetch_related("steps").filter(pk=job_id).first()
    )


def portal_list(*, status: str | None = None, kind: str | None = None) -> QuerySet[Portal]:
    # The provincial portal first, then departments, then communes.
    kind_order = Case(
        When(kind=PortalKind.PROVINCE, then=Value(0)), When(kind=PortalKind.DEPARTMENT, then=Value(1)), default=Value(2)
    )
    queryset = Portal.objects.prefetch_related("domains").order_by(kind_order, "name")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


DOWNTIME_CACHE_KEY = "downtime-notices"


def downtime_notices_current(*, portal: Portal) -> list[DowntimeNotice]:
    """Notices not yet over, for the banner on every page; cached a minute in the portal's cache."""
    notices: list[DowntimeNotice] | None = cache.get(DOWNTIME_CACHE_KEY)
    if notices is None:
        notices = list(DowntimeNotice.objects.filter(portal=portal, expected_end__gt=timezone.now()))
        cache.set(DOWNTIME_CACHE_KEY, notices, timeout=60)
    return notices
