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
