"""What the search index holds: one registered source per model.

A source names a model (``"content.article"``), the kind its rows get (``"article"``), which of its
rows are public (a queryset in the current portal's schema) and how one item becomes index
documents. The index knows nothing else about content: the citizens' questions and consultations
register their own source when they arrive, and search, rebuild and the drift check cover them with
no change here.

Builders read only what the public already sees on the item's page. Personal data (owners,
comments, a questioner's name or address) never goes into a document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class Document:
    """One row of the index for one item in one language (a page may have a Vietnamese and an
    English version). Text is plain (no HTML). Weights: title A, summary and keywords B, body C,
    metadata D."""

    title: str
    path: str
    date: dt.date
    published_at: dt.datetime | None = None
    language: str = "vi"
    summary: str = ""
    body: str = ""
    keywords: str = ""
    metadata: str = ""
    doc_field: str = ""
    doc_field_name: str = ""
    issuer: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    label: str
    kind: str
    kind_label: str | Promise
    # Every item of this model that the public may see now, in the current schema.
    public_items: Callable[[], QuerySet[Any]]
    build: Callable[[Any], list[Document]]


_sources: dict[str, Source] = {}
_kinds: dict[str, str | Promise] = {}


def register(source: Source) -> None:
    """Register (or replace) the source for ``source.label``."""
    _sources[source.label] = source
    _kinds[source.kind] = source.kind_label


def source_for(label: str) -> Source | None:
    return _sources.get(label)


def sources() -> list[Source]:
    return list(_sources.values())


def kinds() -> dict[str, str | Promise]:
    """Kind → its label, for filters and facets."""
    return dict(_kinds)
