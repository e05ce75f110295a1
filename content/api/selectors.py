"""Reads of the content API, inside the current portal's schema.

Public reads filter on ``live=True`` and nothing else decides what the public sees (see
``content.models.workflow``): while an item is live its row holds the published version, so a
pending edit never shows. Staff reads decide who may see unpublished work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from content import roles
from content.models import (
    Announcement,
    Article,
    Category,
    ContactOfficer,
    DocumentField,
    Leader,
    LegalDocument,
    Page,
    Publishable,
    Tag,
    WorkSchedule,
)
from content.services.workflow import REVIEWERS, actor_roles

P = TypeVar("P", bound=Publishable)


# --- public -----------------------------------------------------------------------------------------


def sections_public_ids() -> set[int]:
    """Sections the public may see: visible, and so is every section above them."""
    rows = {pk: (parent, visible) for pk, parent, visible in Category.objects.values_list("pk", "parent", "is_visible")}
    public: dict[int, bool] = {}

    def shown(pk: int, depth: int = 0) -> bool:
        if pk not in public:
            parent, visible = rows[pk]
            # The depth guard ends a cycle the database cannot forbid (only "own parent" is a CHECK).
            public[pk] = visible and depth < 100 and (parent is None or shown(parent, depth + 1))
        return public[pk]

    return {pk for pk in rows if shown(pk)}


def sections_public() -> QuerySet[Category]:
    return Category.objects.filter(pk__in=sections_public_ids()).order_by("order", "name", "pk")


def articles_public(
    *,
    section: str | None = None,
    tag: str | None = None,
    language: str | None = None,
    featured: bool | None = None,
) -> QuerySet[Article]:
    rows = Article.objects.filter(live=True)
    if section is not None:
        rows = rows.filter(sections__slug=section, sections__in=sections_public_ids())
    if tag is not None:
        rows = rows.filter(tags__slug=tag)
    if language is not None:
        rows = rows.filter(language=language)
    if featured is not None:
        rows = rows.filter(featured=featured)
    return (
        rows.select_related("cover")
        .prefetch_related(
            Prefetch("sections", queryset=sections_public()), Prefetch("tags", queryset=Tag.objects.order_by("name"))
        )
        .order_by("-published_at", "-pk")
    )


def tags_public() -> QuerySet[Tag]:
    """Tags of published articles only: a tag made for a draft names what the draft is about."""
    return Tag.objects.filter(articles__live=True).distinct().order_by("name", "pk")


def legal_documents_public(
    *,
    number: str | None = None,
    issuer: str | None = None,
    field: str | None = None,
    form: str | None = None,
    validity: str | None = None,
    issue_date_from: dt.date | None = None,
    issue_date_to: dt.date | None = None,
    effective_date_from: dt.date | None = None,
    effective_date_to: dt.date | None = None,
) -> QuerySet[LegalDocument]:
    rows = LegalDocument.objects.filter(live=True)
    lookups: dict[str, Any] = {
        "number__icontains": number,
        "issuer__icontains": issuer,
        "field__slug": field,
        "form": form,
        "validity": validity,
        "issue_date__gte": issue_date_from,
        "issue_date__lte": issue_date_to,
        "effective_date__gte": effective_date_from,
        "effective_date__lte": effective_date_to,
    }
    rows = rows.filter(**{lookup: value for lookup, value in lookups.items() if value is not None})
    # The replacing document is named only if it is public itself (see the output serializer).
    return rows.select_related("field", "replaced_by").prefetch_related("attachments").order_by("-issue_date", "-pk")


def document_fields_public() -> QuerySet[DocumentField]:
    return DocumentField.objects.order_by("name", "pk")


def pages_public(*, kind: str | None = None) -> QuerySet[Page]:
    rows = Page.objects.filter(live=True)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.order_by("kind", "title", "pk")


def week_monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def schedules_public(*, week_from: dt.date | None = None, week_to: dt.date | None = None) -> QuerySet[WorkSchedule]:
    rows = WorkSchedule.objects.filter(live=True)
    if week_from is not None:
        rows = rows.filter(week_start__gte=week_monday(week_from))
    if week_to is not None:
        rows = rows.filter(week_start__lte=week_monday(week_to))
    return rows.order_by("-week_start")


def announcements_public(*, language: str | None = None, include_expired: bool = False) -> QuerySet[Announcement]:
    rows = Announcement.objects.filter(live=True)
    if language is not None:
        rows = rows.filter(language=language)
    if not include_expired:
        rows = rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
    return rows.order_by("-published_at", "-pk")


def leaders_public() -> QuerySet[Leader]:
    return Leader.objects.filter(live=True).select_related("photo").order_by("order", "name", "pk")


def contact_officers_public() -> QuerySet[ContactOfficer]:
    return ContactOfficer.objects.filter(live=True).order_by("order", "name", "pk")


# --- staff ------------------------------------------------------------------------------------------


def items_for_staff(*, model: type[P], user: User) -> QuerySet[P]:
    """The items of ``model`` that ``user`` may see with their unpublished work.

    Editors and the board see every item; a contributor sees only their own (an outside
    contributor is not entitled to the board's drafts); anyone else sees none.
    """
    rows = model._default_manager.select_related("owner", "working_revision", "live_revision")
    held = actor_roles(user)
    if held & REVIEWERS:
        return rows.order_by("-updated_at", "-pk")
    if roles.CONTRIBUTOR in held:
        return rows.filter(owner=user).order_by("-updated_at", "-pk")
    return rows.none()
