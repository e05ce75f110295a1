"""Platform-wide jobs (public schema)."""

from __future__ import annotations

import time

import dramatiq
from django.core.cache import caches

HEARTBEAT_KEY = "worker:heartbeat"


@dramatiq.actor(actor_name="platform.heartbeat", time_limit=10_000, max_retries=0)
def heartbeat() -> None:
    """Sent by the scheduler every minute: proves that scheduler, broker and a worker all run."""
    caches["shared"].set(HEARTBEAT_KEY, time.time(), timeout=None)


@dramatiq.actor(actor_name="platform.audit_purge", time_limit=600_000, max_retries=3)
def audit_purge() -> None:
    """Sent by the scheduler every night: the audit log's retention (AUDIT_RETENTION_DAYS)."""
    from portal_platform.audit import audit_log_purge

    audit_log_purge(actor="scheduler")
