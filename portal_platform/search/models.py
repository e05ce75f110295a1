"""The shared search index — public schema (control plane).

One table, ``search_entry``, holds every public item of every portal: one row per item and
language, with what a result shows (title, summary, the item's path on its own portal, dates) and
a stored search vector built in Python (``portal_platform.search.vietnamese``): every word folded
(no diacritics), which the GIN index matches on, plus the exact form of words with diacritics,
which ranking checks. No PostgreSQL extension is needed.

Storage (set by the migration): ``vector`` stays in the row, compressed (``STORAGE MAIN``), because
matching and ranking read it for many rows; ``summary`` and ``body`` go out of the row
(``EXTERNAL``), because only the page of results reads them. Checking a row then costs a fraction
of a TOAST lookup (measured: 1.5 µs against 6.4 µs per row), and the row stays narrow.

Rows are written only by ``portal_platform.search.services`` from the portals' own tables; they are
derived data: a rebuild recreates them, and a portal's rows go when the portal row goes. A
suspended or archived portal keeps its rows, and queries leave them out (``selectors``), so that
resuming a portal needs no rebuild.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Portal


class Entry(models.Model):
    portal = models.ForeignKey(Portal, verbose_name=_("portal"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    # The model the row comes from ("content.article") and its primary key in the portal's schema.
    source = models.CharField(_("source"), max_length=60)
    object_id = models.BigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=8, default="vi")
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    # Plain text (summary and body, tags removed) for highlighted snippets.
    body = models.TextField(_("text"), blank=True)
    # Path on the portal's primary domain; the domain is added at query time so that a change of
    # primary domain needs no reindexing.
    path = models.CharField(_("path"), max_length=500)
    date = models.DateField(_("date"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Legal documents: field of state management (slug and name) and issuer (name and folded key).
    doc_field = models.CharField(_("document field"), max_length=100, blank=True)
    doc_field_name = models.CharField(_("document field name"), max_length=200, blank=True)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    issuer_key = models.CharField(_("issuer key"), max_length=300, blank=True)
    # What a result shows besides the title: a document's number and form, an article's sections.
    data = models.JSONField(_("details"), default=dict, blank=True)
    vector = SearchVectorField(_("search vector"))
    # sha1 of everything the row was built from: an unchanged item is not rewritten, and the drift
    # check compares it with what the portal holds now.
    checksum = models.CharField(_("checksum"), max_length=40)
    indexed_at = models.DateTimeField(_("indexed at"))

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index")
        constraints = [
            models.UniqueConstraint(fields=["portal", "source", "object_id", "language"], name="search_entry_item"),
        ]
        indexes = [
            GinIndex(fields=["vector"], name="search_entry_vector"),
            # Candidates are taken newest first, and date sorting walks these.
            models.Index(fields=["date", "id"], name="search_entry_date"),
            models.Index(fields=["portal", "date", "id"], name="search_entry_portal_date"),
        ]

    def __str__(self) -> str:
        return self.title
