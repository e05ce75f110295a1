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
from django_tenants.utils import schema_context

from portal_platform.search import registry, vietnamese
from portal_platform.search.models import Entry
from portal_platform.search.registry import Document, Source
from tenants.models import Portal, PortalStatus

log = logging.getLogger(__name__)

# Plain text kept for snippets; the search vector covers the whole body.
STORED_BODY_CHARS = 8000
# Items read (and rows copied) at a time by a rebuild.
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
    "vector_exact",
    "checksum",
)
_TYPES = {"data": "jsonb", "vector": "tsvector", "vector_exact": "tsvector"}
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
    payload = [
        vietnamese.INDEX_FORMAT,
        source,
        kind,
        doc.language,
        doc.title,
        doc.path,
        doc.date.isoformat(),
        doc.published_at.isoformat() if doc.published_at else None,
        doc.summary,
        doc.body,
        doc.keywords,
        doc.metadata,
        doc.doc_field,
        doc.doc_field_name,
        doc.issuer,
        dict(doc.data),
    ]
    encoded = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha1(encoded, usedforsecurity=False).hexdigest()


def entry_row(*, portal_id: int, source: Source, object_id: int, doc: Document) -> tuple[Any, ...]:
    """The values of one index row, in ``COLUMNS`` order (vectors as ``tsvector`` literals)."""
    folded, exact = vietnamese.tsvectors(
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
        folded,
        exact,
        _checksum(source.label, source.kind, doc),
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
        removed, _ = stale.delete()
        written = 0
        with connection.cursor() as cursor:
            for row in rows:
                cursor.execute(_UPSERT, row)
                written += cursor.rowcount
    if rows:
        return "indexed" if written or removed else "unchanged"
    return "removed" if removed else "unchanged"


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


def _portal_rows(portal: Portal) -> Iterator[tuple[str, int, tuple[Any, ...]]]:
    """(source label, item id, row) for every public item of ``portal``; call inside its schema."""
    for source in registry.sources():
        for item in source.public_items().iterator(chunk_size=LOAD_CHUNK):
            for doc in source.build(item):
                yield source.label, item.pk, entry_row(portal_id=portal.pk, source=source, object_id=item.pk, doc=doc)


def _chunks(rows: Iterator[tuple[str, int, tuple[Any, ...]]]) -> Iterator[list[tuple[str, int, tuple[Any, ...]]]]:
    chunk: list[tuple[str, int, tuple[Any, ...]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= LOAD_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_LOAD_TABLE = """
CREATE TEMP TABLE search_load (
    portal_id bigint, kind text, source text, object_id bigint, language text, title text,
    summary text, body text, path text, date date, published_at timestamptz, doc_field text,
    doc_field_name text, issuer text, issuer_key text, data jsonb, vector tsvector,
    vector_exact tsvector, checksum text
) ON COMMIT DROP
"""


def index_portal_rebuild(*, portal: Portal) -> RebuildReport:
    """Make the index agree with every public item of ``portal``, in one transaction.

    Rows are loaded with COPY into a temporary table and merged: unchanged rows (same checksum) are
    not rewritten, rows of items that are no longer public are deleted. Readers see the old entries
    until the merge commits, never a half-built portal.
    """
    started = time.perf_counter()
    report = RebuildReport(portal=portal.abbreviation)
    items: set[tuple[str, int]] = set()
    with schema_context(portal.schema_name), transaction.atomic():
        _portal_lock(portal.pk, shared=False)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pg_temp.search_load")
            cursor.execute(_LOAD_TABLE)
            # Items are read in chunks between COPYs: the connection cannot run the items' queries
            # while a COPY is open on it.
            for chunk in _chunks(_portal_rows(portal)):
                with cursor.copy(f"COPY pg_temp.search_load ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for label, pk, row in chunk:
                        copy.write_row(row)
                        items.add((label, pk))
                report.entries += len(chunk)
            cursor.execute(
                f"INSERT INTO search_entry ({', '.join(COLUMNS)}, indexed_at) "  # noqa: S608 - this module's SQL; values are bound parameters
                f"SELECT {', '.join(COLUMNS)}, now() FROM pg_temp.search_load " + _ON_CONFLICT
            )
            report.written = cursor.rowcount
            cursor.execute(
                "DELETE FROM search_entry e WHERE e.portal_id = %s AND NOT EXISTS (SELECT 1 FROM pg_temp.search_load l "
                "WHERE l.source = e.source AND l.object_id = e.object_id AND l.language = e.language)",
                [portal.pk],
            )
            report.removed = cursor.rowcount
            cursor.execute("DROP TABLE pg_temp.search_load")
    report.items = len(items)
    report.seconds = time.perf_counter() - started
    return report


def indexable_portals() -> list[Portal]:
    """Portals whose schema holds content: every one but those still being provisioned."""
    return list(Portal.objects.exclude(status=PortalStatus.PROVISIONING).order_by("pk"))


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
    expected: dict[tuple[str, int, str], str] = {}
    with schema_context(portal.schema_name):
        for label, pk, row in _portal_rows(portal):
            expected[(label, pk, row[4])] = row[-1]
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
