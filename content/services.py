"""Writes inside one portal's schema. The caller has already entered the tenant."""

from __future__ import annotations

from typing import Any

from content.models import AuditEvent


def audit_event_record(
    *,
    action: str,
    actor: str = "",
    object_repr: str = "",
    data: dict[str, Any] | None = None,
    idempotency_key: str = "",
) -> AuditEvent:
    """Append one event to the current portal's audit trail.

    With an ``idempotency_key`` a second call (a redelivered job) returns the first event instead
    of recording it twice.
    """
    payload = dict(data or {})
    if idempotency_key:
        existing = AuditEvent.objects.filter(data__idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        payload["idempotency_key"] = idempotency_key
    return AuditEvent.objects.create(action=action, actor=actor, object_repr=object_repr, data=payload)
