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
