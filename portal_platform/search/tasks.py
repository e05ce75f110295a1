"""Jobs of the shared search index (public schema; each job names the portal it reads)."""

from __future__ import annotations

import logging

import dramatiq

from portal_platform.search import services

log = logging.getLogger(__name__)


@dramatiq.actor(actor_name="search.index_item", time_limit=60_000, max_retries=10, min_backoff=2_000)
def index_item(*, schema_name: str, model_label: str, pk: int) -> None:
    """Make the index agree with one item as it is now (sent after commit when it changes)."""
    services.index_item_sync(schema_name=schema_name, model_label=model_label, pk=pk)


@dramatiq.actor(actor_name="search.index_repair_all", time_limit=3_600_000, max_retries=0)
def index_repair_all() -> None:
    """Sent by the scheduler every night: rebuild the portals whose entries drifted (a job lost to a
    broker outage, a renamed document field, a change of the indexing rules)."""
    for portal in services.indexable_portals():
        drift = services.index_portal_drift(portal=portal)
        if not drift.clean:
            log.warning(
                "search index drift on %s: %d missing, %d stale, %d orphaned; rebuilding",
                portal.abbreviation,
                len(drift.missing),
                len(drift.stale),
                len(drift.orphaned),
            )
            services.index_portal_rebuild(portal=portal)
