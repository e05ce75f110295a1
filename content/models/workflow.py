"""The editorial workflow's records — tenant schema.

Every item the public can see (articles, legal documents, announcements, work schedules, background
pages) derives from ``Publishable`` and goes through the same states (Decision 80/2025 Đ3.5:
nothing reaches the public before the editorial board approves it):

    draft → submitted → [reviewed →] approved → published (now, or at ``publish_at``)
    submitted/reviewed → returned (with a comment) → submitted …
    published → unpublished (with a reason) → archived

Two flags keep "what the board is working on" apart from "what the public reads":

- ``status`` is the state of the item's *working version* (its latest revision);
- ``live`` says whether the row is public. While an item is live, its columns hold the published
  version; an edit goes into a new revision (``working_revision``) that runs through the workflow,
  and only publishing it copies it into the columns. While not live, the columns hold the working
  version. Public reads filter on ``live`` alone.

``Revision`` and ``Transition`` are shared by all item types (generic reference), so the history
and the revision diff work the same everywhere.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    REVIEWED = "reviewed", _("Reviewed, waiting for approval")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    ARCHIVED = "archived", _("Archived")


class Language(models.TextChoices):
    VI = "vi", _("Vietnamese")
    EN = "en", _("English")


class Revision(models.Model):
    """One saved version of an item: every field the workflow tracks, as JSON.

    Numbers count from 1 per item. Revisions are never changed or deleted; restoring an old one
    saves its data as a new revision.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    number = models.PositiveIntegerField(_("revision"))
    data = models.JSONField(_("content"))
    created_by = models.CharField(_("saved by"), max_length=150, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["content_type", "object_id", "-number"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "number"], name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return str(_("Revision %(number)s") % {"number": self.number})


class Transition(models.Model):
    """One workflow step taken on an item: who, when, from which state to which, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.CharField(_("by"), max_length=150, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    revision = models.ForeignKey(
        Revision, verbose_name=_("revision"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["content_type", "object_id", "-created_at", "-pk"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["content_type", "object_id"], name="transition_item")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class Publishable(models.Model):
    """What every workflow item has. Subclasses list the fields a revision keeps in ``revision_fields``.

    Rows are written only by ``content.services.workflow`` (``item_save``, ``item_transition``).
    """

    # Fields a revision records (and publishing copies into the row); many-to-many ones included.
    revision_fields: ClassVar[tuple[str, ...]] = ()
    # Fields that hold rich text; sanitised on every save.
    html_fields: ClassVar[tuple[str, ...]] = ()

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False, db_index=True
    )
    live = models.BooleanField(_("public"), default=False, editable=False, db_index=True)
    publish_at = models.DateTimeField(_("scheduled for"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True, editable=False)
    status_comment = models.TextField(_("last comment"), blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    working_revision = models.ForeignKey(
        Revision,
        verbose_name=_("working revision"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    live_revision = models.ForeignKey(
        Revision,
        verbose_name=_("published revision"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def relation_errors(self, m2m: dict[str, list[int]]) -> dict[str, list[str]]:
        """Rules on related rows (which files may be attached …) that field validation cannot see.

        ``m2m`` holds the many-to-many ids about to be set; returns messages by field name.
        """
        return {}

    @property
    def has_pending_changes(self) -> bool:
        """A live item whose working version is not the published one."""
        return self.live and self.working_revision_id != self.live_revision_id

    @classmethod
    def status_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """The database's share of the rules: a live item was published, an archived one is not live."""
        return [
            models.CheckConstraint(name=f"{prefix}_status_valid", condition=Q(status__in=Status.values)),
            models.CheckConstraint(
                name=f"{prefix}_live_was_published",
                condition=Q(live=False) | (Q(published_at__isnull=False) & Q(live_revision__isnull=False)),
            ),
            models.CheckConstraint(
                name=f"{prefix}_not_live_when_withdrawn",
                condition=~Q(status__in=[Status.UNPUBLISHED, Status.ARCHIVED]) | Q(live=False),
            ),
        ]
