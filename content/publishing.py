"""What "public" means for any item a portal publishes, and who hears when that changes.

Items with the editorial workflow carry a ``live`` flag; ``is_public`` answers for any item so that
callers (royalties, media, feeds, search) never guess.

Parts that keep a copy of public content — the shared search index, the public site's page cache,
media visibility — register a listener here instead of being called by name from the workflow, so
the workflow does not depend on them. ``item_changed`` is called by ``content.services.workflow``
whenever what the public sees of an item changes (published, republished with an edit,
unpublished, published on schedule); listeners run after the transaction commits, with ids only
(schema, model label, primary key), so they can enqueue a job and return.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from tenants.context import tenant_db

log = logging.getLogger(__name__)

# (schema_name, model label such as "content.article", primary key)
Listener = Callable[[str, str, int], None]

_listeners: dict[str, Listener] = {}


def is_public(item: Any) -> bool:
    """True when ``item`` is visible to the public right now."""
    return bool(getattr(item, "live", False))


def listen(name: str, fn: Listener) -> None:
    """Register ``fn`` under ``name`` (registering a name again replaces it)."""
    _listeners[name] = fn


def unlisten(name: str) -> None:
    _listeners.pop(name, None)


def item_changed(item: Any) -> None:
    """Tell every listener, after commit, that what the public sees of ``item`` changed."""
    schema, label, pk = tenant_db.schema_name, item._meta.label_lower, int(item.pk)

    def notify() -> None:
        for name, fn in list(_listeners.items()):
            try:
                fn(schema, label, pk)
            except Exception:
                # A listener (say, a broker outage while enqueueing) must not undo a publication
                # that has committed; its own periodic check (index drift, cache expiry) catches up.
                log.exception("publication listener %s failed for %s %s in %s", name, label, pk, schema)

    transaction.on_commit(notify)
