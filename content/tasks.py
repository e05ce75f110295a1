"""Jobs inside one portal's schema. The tenant context middleware has entered the schema."""

from __future__ import annotations

from typing import Any

import dramatiq

from content import services


@dramatiq.actor(actor_name="content.audit_record", time_limit=60_000, max_retries=5)
def audit_record(
    *,
    action: str,
    actor: str = "",
    object_repr: str = "",
    data: dict[str, Any] | None = None,
    idempotency_key: str = "",
    schema_name: str = "",
) -> None:
    # schema_name is consumed by TenantContextMiddleware, which has already entered it.
    services.audit_event_record(
        action=action, actor=actor, object_repr=object_repr, data=data, idempotency_key=idempotency_key
    )


@dramatiq.actor(actor_name="content.publish_due", time_limit=300_000, max_retries=3)
def publish_due(*, schema_name: str = "") -> None:
    """Publish this portal's items whose scheduled minute has come (safe to run twice)."""
    from content.services.workflow import items_publish_due

    items_publish_due()


@dramatiq.actor(actor_name="content.publish_due_all", time_limit=60_000, max_retries=0)
def publish_due_all() -> None:
    """Sent by the scheduler at the start of every minute: one ``publish_due`` per active portal."""
    from django_tenants.utils import schema_context

    from tenants.jobs import enqueue
    from tenants.models import Portal, PortalStatus

    for schema in Portal.objects.filter(status=PortalStatus.ACTIVE).values_list("schema_name", flat=True):
        with schema_context(schema):
            enqueue(publish_due)
