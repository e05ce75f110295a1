"""Writes to the shared search index. Everything here is safe to run twice.

- ``index_item_sync``: make the index agree with one item now (the actor calls it after every
  publication change);
- ``index_portal_rebuild``: make the index agree with a whole portal in one transaction;
- ``index_portal_drift``: what differs between the index and a portal, without changing anything.

Each reads the item's *current* state rather than trusting the message that triggered it, so jobs
arriving late, twice or out of order still leave the right row. Concurrency: the item row is
locked (``SELECT … FOR UPDATE``) while its entries are written, so two jobs for one item run one
after the other and the second sees what the first saw or later; a rebuild holds the portal's
advisory lock exclusively and item jobs hold it shared, so a publication during a rebuild is
written after the rebuild, from the state it left.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_platform.search import registry, vietnamese
from portal_platform.search.models import Entry
from portal_platform.search.registry import Document, Source
from tenants.models import Portal, PortalKind, PortalStatus

log = logging.getLogger(__name__)

# Plain text kept for snippets; the search vector covers the whole body.
STORED_BODY_CHARS = 8000
# Items read (and rows written) at a time by a rebuild.
LOAD_CHUNK = 1000
_LOCK_SPACE = 0x5EA4C4  # first key of the portal's advisory lock (the second is the portal id)

COLUMNS = (
    "portal_id",
    "kind",
    "source",
    "object_id",
    "language",
    "title",
    "summary",
    "body",
    "path",
    "date",
    "published_at",
    "doc_field",
    "doc_field_name",
    "issuer",
    "issuer_key",
    "data",
    "vector",
    "checksum",
)
_TYPES = {"data": "jsonb", "vector": "tsvector"}
_KEY = ("portal_id", "source", "object_id", "language")
_UPDATED = [c for c in COLUMNS if c not in _KEY]
_ON_CONFLICT = (
    "ON CONFLICT ON CONSTRAINT search_entry_item DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATED)
    + ", indexed_at = EXCLUDED.indexed_at WHERE search_entry.checksum <> EXCLUDED.checksum"
)
_UPSERT = (
    f"INSERT INTO search_entry ({', '.join(COLUMNS)}, indexed_at) VALUES ("  # noqa: S608 - this module's SQL; values are bound parameters
    + ", ".join(f"%s::{_TYPES[c]}" if c in _TYPES else "%s" for c in COLUMNS)
    + ", now()) "
    + _ON_CONFLICT
)


def _checksum(source: str, kind: str, doc: Document) -> str:
    # Fields joined by a separator no text contains (ASCII unit separator); data as sorted JSON.
    payload = "\x1f".join(
        [
            str(vietnamese.INDEX_FORMAT),
            source,
            kind,
            doc.language,
            doc.title,
            doc.path,
            doc.date.isoformat(),
            doc.published_at.isoformat() if doc.published_at else "",
            doc.summary,
            doc.body,
            doc.keywords,
            doc.metadata,
            doc.doc_field,
            doc.doc_field_name,
            doc.issuer,
            json.dumps(dict(doc.data), ensure_ascii=False, sort_keys=True, default=str) if doc.data else "",
        ]
    )
    return hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()


def document_checksum(source: Source, doc: Document) -> str:
    """What an entry is compared by: cheap (no vectors), so unchanged items are skipped early."""
    return _checksum(source.label, source.kind, doc)


def entry_row(
    *, portal_id: int, source: Source, object_id: int, doc: Document, checksum: str | None = None
) -> tuple[Any, ...]:
    """The values of one index row, in ``COLUMNS`` order (the vector as a ``tsvector`` literal)."""
    vector = vietnamese.tsvector(
        [
            ("A", doc.title),
            ("B", doc.summary),
            ("B", doc.keywords),
            ("C", doc.body),
            ("D", doc.metadata),
        ]
    )
    body = doc.body if not doc.summary else f"{doc.summary} {doc.body}".strip()
    return (
        portal_id,
        source.kind,
        source.label,
        object_id,
        doc.language,
        doc.title[:500],
        doc.summary,
        body[:STORED_BODY_CHARS],
        doc.path[:500],
        doc.date,
        doc.published_at,
        doc.doc_field[:100],
        doc.doc_field_name[:200],
        doc.issuer[:300],
        vietnamese.fold_key(doc.issuer)[:300],
        json.dumps(dict(doc.data), ensure_ascii=False, default=str),
        vector,
        checksum or document_checksum(source, doc),
    )


def _portal_lock(portal_id: int, *, shared: bool) -> None:
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_SPACE, portal_id])


# --- one item --------------------------------------------------------------------------------------


def index_item_sync(*, schema_name: str, model_label: str, pk: int) -> str:
    """Make the index agree with one item as it is now; returns "indexed", "unchanged" or "removed".

    A public item gets its rows (one per language) written, others of it removed; an item that is
    not public (unpublished, archived, scheduled, deleted) loses its rows. Unknown models and
    portals that no longer exist are ignored.
    """
    source = registry.source_for(model_label)
    portal = Portal.objects.filter(schema_name=schema_name).first()
    if source is None or portal is None:
        return "ignored"
    with schema_context(schema_name), transaction.atomic():
        _portal_lock(portal.pk, shared=True)
        model = source.public_items().model
        # Lock the item's row (if it still exists) so that two jobs for it take turns.
        list(model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))
        item = source.public_items().filter(pk=pk).first()
        documents = source.build(item) if item is not None else []
        rows = [entry_row(portal_id=portal.pk, source=source, object_id=pk, doc=doc) for doc in documents]
        languages = [row[4] for row in rows]
        stale = Entry.objects.filter(portal=portal, source=source.label, object_id=pk).exclude(language__in=languages)
        removed = _delete(list(stale.values_list("id", flat=True)))
        written = 0
        with connection.cursor() as cursor:
            for row in rows:
                cursor.execute(_UPSERT, row)
                written += cursor.rowcount
        if written or removed:
            _integration_changed(portal, kinds={source.kind})
    if rows:
        return "indexed" if written or removed else "unchanged"
    return "removed" if removed else "unchanged"


def _integration_changed(portal: Portal, *, kinds: set[str] | None) -> None:
    """After commit, retire the cached pages of the provincial portal when what its home page shows
    of ``portal`` may have changed: the newest news and legal documents of the component portals
    (``selectors.component_latest``) come from this index, not from the province's own content,
    so the province's own publication listener never hears of them. ``kinds=None``: any kind."""
    from portal_platform.search.selectors import COMPONENT_KINDS, INTEGRATED_KINDS

    if portal.kind not in COMPONENT_KINDS or (kinds is not None and not kinds & set(INTEGRATED_KINDS)):
        return
    schemas = list(Portal.objects.filter(kind=PortalKind.PROVINCE).values_list("schema_name", flat=True))

    def bump() -> None:
        from content.public.cache import page_cache_invalidate

        for schema in schemas:
            page_cache_invalidate(schema)

    transaction.on_commit(bump)


# --- a whole portal --------------------------------------------------------------------------------


@dataclass
class RebuildReport:
    portal: str
    items: int = 0
    entries: int = 0
    written: int = 0
    removed: int = 0
    seconds: float = 0.0

    @property
    def items_per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


Key = tuple[str, int, str]  # (source label, item id, language)


def _portal_documents(portal: Portal) -> Iterator[tuple[Source, int, Document, str]]:
    """(source, item id, document, checksum) for every public item of ``portal``; call inside its
    schema. Items are read in chunks (a server-side cursor)."""
    for source in registry.sources():
        for item in source.public_items().iterator(chunk_size=LOAD_CHUNK):
            for doc in source.build(item):
                yield source, item.pk, doc, document_checksum(source, doc)


def index_portal_rebuild(*, portal: Portal) -> RebuildReport:
    """Make the index agree with every public item of ``portal``, in one transaction.

    The entries' checksums are read first; an item whose document has not changed is skipped
    before its vectors are even built; new and changed ones are written with COPY straight into
    the table (a changed one's old row deleted first), and entries of items no longer public are
    deleted. Readers see the old entries until the transaction commits, never a half-built portal.
    """
    started = time.perf_counter()
    report = RebuildReport(portal=portal.abbreviation)
    items: set[tuple[str, int]] = set()
    with schema_context(portal.schema_name), transaction.atomic():
        _portal_lock(portal.pk, shared=False)
        existing: dict[Key, tuple[int, str]] = {
            (source, object_id, language): (entry_id, checksum)
            for entry_id, source, object_id, language, checksum in Entry.objects.filter(portal=portal).values_list(
                "id", "source", "object_id", "language", "checksum"
            )
        }
        seen: set[Key] = set()
        replaced: list[int] = []
        pending: list[tuple[Source, int, Document, str]] = []
        for source, pk, doc, checksum in _portal_documents(portal):
            key = (source.label, pk, doc.language)
            seen.add(key)
            items.add((source.label, pk))
            report.entries += 1
            found = existing.get(key)
            if found is not None and found[1] == checksum:
                continue
            if found is not None:
                replaced.append(found[0])
            pending.append((source, pk, doc, checksum))
            if len(pending) >= LOAD_CHUNK:
                # Written between two fetches of the items' cursor: a COPY cannot share the
                # connection with a fetch in progress.
                report.written += _write(portal, pending, replaced)
                pending, replaced = [], []
        report.written += _write(portal, pending, replaced)
        orphaned = [entry_id for key, (entry_id, _checksum) in existing.items() if key not in seen]
        report.removed = _delete(orphaned)
        if report.written or report.removed:
            _integration_changed(portal, kinds=None)
    report.items = len(items)
    report.seconds = time.perf_counter() - started
    return report


_COPY = f"COPY search_entry ({', '.join(COLUMNS)}, indexed_at) FROM STDIN"


def _delete(entry_ids: list[int]) -> int:
    """One DELETE (the ORM's would first select the rows, for dependants the index has none)."""
    if not entry_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_entry WHERE id = ANY(%s)", [entry_ids])
        return cursor.rowcount


def _write(portal: Portal, pending: list[tuple[Source, int, Document, str]], replaced: list[int]) -> int:
    """Write the entries of ``pending`` documents (after deleting the rows they replace).

    Each row's vectors are built while the COPY is open: rows stream to the server as they are
    made, so PostgreSQL parses and stores one while Python builds the next (two cores at work
    instead of one after the other).
    """
    _delete(replaced)
    if not pending:
        return 0
    now = timezone.now()
    with connection.cursor() as cursor, cursor.copy(_COPY) as copy:
        for source, pk, doc, checksum in pending:
            copy.write_row(
                (*entry_row(portal_id=portal.pk, source=source, object_id=pk, doc=doc, checksum=checksum), now)
            )
    return len(pending)


def indexable_portals() -> list[Portal]:
    """Portals whose schema holds content: every one but those still being provisioned (and any
    row whose schema is gone, which a later provisioning clean-up removes)."""
    portals = list(Portal.objects.exclude(status=PortalStatus.PROVISIONING).order_by("pk"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [[portal.schema_name for portal in portals]]
        )
        existing = {name for (name,) in cursor.fetchall()}
    return [portal for portal in portals if portal.schema_name in existing]


def index_rebuild_all() -> list[RebuildReport]:
    """Rebuild every portal's entries, one transaction per portal."""
    return [index_portal_rebuild(portal=portal) for portal in indexable_portals()]


# --- drift -------------------------------------------------------------------------------------------


@dataclass
class Drift:
    """What differs between the index and a portal's public items (keys: (source, id, language))."""

    portal: str
    missing: list[tuple[str, int, str]] = field(default_factory=list)
    stale: list[tuple[str, int, str]] = field(default_factory=list)
    orphaned: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def index_portal_drift(*, portal: Portal) -> Drift:
    """Compare the index with ``portal``'s public items now: missing, stale (changed since it was
    indexed, or indexed under older rules) and orphaned (no longer public) entries. Changes nothing."""
    expected: dict[Key, str] = {}
    with schema_context(portal.schema_name):
        for source, pk, doc, checksum in _portal_documents(portal):
            expected[(source.label, pk, doc.language)] = checksum
    actual = {
        (source, object_id, language): checksum
        for source, object_id, language, checksum in Entry.objects.filter(portal=portal).values_list(
            "source", "object_id", "language", "checksum"
        )
    }
    drift = Drift(portal=portal.abbreviation)
    for key, checksum in expected.items():
        if key not in actual:
            drift.missing.append(key)
        elif actual[key] != checksum:
            drift.stale.append(key)
    drift.orphaned = [key for key in actual if key not in expected]
    for keys in (drift.missing, drift.stale, drift.orphaned):
        keys.sort()
    return drift


def index_drift_all() -> list[Drift]:
    return [index_portal_drift(portal=portal) for portal in indexable_portals()]
