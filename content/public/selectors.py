"""What the public may read of a portal. Every query here filters on ``live=True`` (items) and on
visibility (sections): nothing else decides what is public.

While a live item has an edit under review, its row still holds the published version
(``content.models.workflow``), so reading the row is reading the live version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q, QuerySet
from django.utils import timezone

from content.models import (
    Announcement,
    Article,
    Category,
    ContactOfficer,
    DocumentField,
    Leader,
    LegalDocument,
    Page,
    PageKind,
    WorkSchedule,
)
from tenants.models import Portal, PortalKind, PortalStatus

M = TypeVar("M", Article, Announcement)

# Sections whose content has a dedicated page: the menu and the site map link there, not to the
# generic section list. (The slugs are the site templates'.)
SECTION_PAGES: dict[str, str] = {
    "van-ban": "/van-ban/",
    "lich-cong-tac": "/lich-cong-tac/",
    "hoi-dap": "/hoi-dap/",
    "lay-y-kien-du-thao-van-ban": "/gop-y-du-thao/",
}


# --- sections --------------------------------------------------------------------------------------


@dataclass
class SectionNode:
    pk: int
    slug: str
    name: str
    name_en: str
    parent_id: int | None
    children: list[SectionNode] = field(default_factory=list)

    def label(self, language: str) -> tuple[str, str]:
        """(the name in ``language`` if the section has one, the language it is in)."""
        if language == "en" and self.name_en:
            return self.name_en, "en"
        return self.name, "vi"

    @property
    def url(self) -> str:
        return SECTION_PAGES.get(self.slug, f"/chuyen-muc/{self.slug}/")

    def descendant_ids(self) -> list[int]:
        ids = [self.pk]
        for child in self.children:
            ids.extend(child.descendant_ids())
        return ids


@dataclass
class SectionTree:
    roots: list[SectionNode]
    by_slug: dict[str, SectionNode]
    by_pk: dict[int, SectionNode]

    def ancestors(self, node: SectionNode) -> list[SectionNode]:
        chain: list[SectionNode] = []
        parent = self.by_pk.get(node.parent_id) if node.parent_id is not None else None
        while parent is not None:
            chain.insert(0, parent)
            parent = self.by_pk.get(parent.parent_id) if parent.parent_id is not None else None
        return chain


def sections_visible() -> SectionTree:
    """The visible sections as a tree: a section is visible when it and all its ancestors are."""
    rows: list[Any] = list(
        Category.objects.order_by("order", "name").values("pk", "slug", "name", "name_en", "parent_id", "is_visible")
    )
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    by_slug: dict[str, SectionNode] = {}
    by_pk: dict[int, SectionNode] = {}

    def build(parent_id: int | None) -> list[SectionNode]:
        nodes = []
        for row in children.get(parent_id, []):
            if not row["is_visible"] or row["pk"] in by_pk:
                continue
            node = SectionNode(row["pk"], row["slug"], row["name"], row["name_en"], row["parent_id"])
            by_slug[node.slug] = node
            by_pk[node.pk] = node
            node.children = build(node.pk)
            nodes.append(node)
        return nodes

    return SectionTree(roots=build(None), by_slug=by_slug, by_pk=by_pk)


# --- articles and announcements -------------------------------------------------------------------


def articles_live() -> QuerySet[Article]:
    return Article.objects.filter(live=True).order_by("-published_at", "-pk")


def in_language(queryset: QuerySet[M], language: str) -> tuple[QuerySet[M], bool]:
    """(the items in ``language`` if there are any, else all of them; whether it fell back)."""
    own = queryset.filter(language=language)
    if own.exists():
        return own, False
    return queryset, True


def articles_in_sections(section_ids: list[int]) -> QuerySet[Article]:
    return articles_live().filter(sections__in=section_ids).distinct()


@dataclass(frozen=True)
class PublicArticle:
    article: Article
    section_ids: list[int]
    tag_ids: list[int]
    tag_names: list[str]


def article_public(*, slug: str) -> PublicArticle | None:
    """The live article at ``slug`` with its sections' and tags' ids and tag names, in one query."""
    article = (
        Article.objects.filter(live=True, slug=slug)
        .select_related("cover")
        .annotate(
            section_ids=ArrayAgg("sections__id", distinct=True),
            tag_ids=ArrayAgg("tags__id", distinct=True),
            tag_names=ArrayAgg("tags__name", distinct=True),
        )
        .first()
    )
    if article is None:
        return None
    return PublicArticle(
        article=article,
        # A LEFT JOIN without rows aggregates to [NULL]: an article without tags.
        section_ids=[i for i in article.section_ids if i is not None],
        tag_ids=[i for i in article.tag_ids if i is not None],
        tag_names=sorted(n for n in article.tag_names if n is not None),
    )


def languages_of(queryset: QuerySet[Any]) -> frozenset[str]:
    """The languages the given items are written in."""
    return frozenset(queryset.order_by().values_list("language", flat=True).distinct())


def in_language_known(queryset: QuerySet[M], language: str, available: frozenset[str]) -> tuple[QuerySet[M], bool]:
    """``in_language`` when the languages present are already known (from the cached layout)."""
    if language in available:
        return queryset.filter(language=language), False
    return queryset, True


def articles_related(*, article: Article, section_ids: list[int], tag_ids: list[int], limit: int = 5) -> list[Article]:
    """The latest other live articles in the same language sharing a section or a tag with ``article``."""
    # Two semi-joins on the link tables rather than joins on both (which multiply rows): PostgreSQL
    # walks the live articles newest first and stops at ``limit``.
    in_sections = Article.sections.through.objects.filter(category_id__in=section_ids).values("article_id")
    in_tags = Article.tags.through.objects.filter(tag_id__in=tag_ids).values("article_id")
    return list(
        articles_live()
        .filter(Q(pk__in=in_sections) | Q(pk__in=in_tags), language=article.language)
        .exclude(pk=article.pk)
        .only("title", "slug", "published_at", "language")[:limit]
    )


def announcements_current(*, today: dt.date | None = None) -> QuerySet[Announcement]:
    today = today or timezone.localdate()
    return (
        Announcement.objects.filter(live=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-published_at", "-pk")
    )


def announcements_live() -> QuerySet[Announcement]:
    return Announcement.objects.filter(live=True).order_by("-published_at", "-pk")


def announcement_public(*, slug: str) -> Announcement | None:
    return announcements_live().filter(slug=slug).first()


# --- legal documents ------------------------------------------------------------------------------


def documents_live() -> QuerySet[LegalDocument]:
    return LegalDocument.objects.filter(live=True).select_related("field").order_by("-issue_date", "-pk")


@dataclass(frozen=True)
class DocumentFilters:
    number: str = ""
    issuer: str = ""
    text: str = ""
    field: DocumentField | None = None
    form: str = ""
    validity: str = ""
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None


def documents_search(*, filters: DocumentFilters) -> QuerySet[LegalDocument]:
    """Live documents matching every given filter (number, issuer and text are case-insensitive parts)."""
    queryset = documents_live()
    if filters.number:
        queryset = queryset.filter(number__icontains=filters.number)
    if filters.issuer:
        queryset = queryset.filter(issuer__icontains=filters.issuer)
    if filters.text:
        queryset = queryset.filter(abstract__icontains=filters.text)
    if filters.field is not None:
        queryset = queryset.filter(field=filters.field)
    if filters.form:
        queryset = queryset.filter(form=filters.form)
    if filters.validity:
        queryset = queryset.filter(validity=filters.validity)
    if filters.issued_from is not None:
        queryset = queryset.filter(issue_date__gte=filters.issued_from)
    if filters.issued_to is not None:
        queryset = queryset.filter(issue_date__lte=filters.issued_to)
    return queryset


def document_public(*, pk: int) -> LegalDocument | None:
    return documents_live().filter(pk=pk).select_related("replaced_by").first()


def document_fields_used() -> QuerySet[DocumentField]:
    """The fields at least one live document is filed under (the search form's choices)."""
    return DocumentField.objects.filter(documents__live=True).distinct().order_by("name")


# --- schedule and pages ---------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def schedule_for_week(*, monday: dt.date) -> WorkSchedule | None:
    return WorkSchedule.objects.filter(live=True, week_start=monday).first()


def schedule_weeks_around(*, monday: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The nearest earlier and later weeks that have a published schedule."""
    live = WorkSchedule.objects.filter(live=True)
    before = live.filter(week_start__lt=monday).order_by("-week_start").values_list("week_start", flat=True).first()
    after = live.filter(week_start__gt=monday).order_by("week_start").values_list("week_start", flat=True).first()
    return before, after


def pages_live() -> QuerySet[Page]:
    return Page.objects.filter(live=True).order_by("kind", "title")


def page_public(*, slug: str) -> Page | None:
    return pages_live().filter(slug=slug).first()


def page_of_kind(*, kind: str) -> Page | None:
    return pages_live().filter(kind=kind).first() if kind != PageKind.OTHER else None


# --- the province's other portals -----------------------------------------------------------------


@dataclass(frozen=True)
class PortalLink:
    name: str
    url: str


def portal_directory(*, current: Portal, scheme: str) -> list[tuple[str, list[PortalLink]]]:
    """Every other serving portal of the province with its primary address, grouped by kind."""
    portals = (
        Portal.objects.filter(status=PortalStatus.ACTIVE, domains__is_primary=True)
        .exclude(pk=current.pk)
        .values_list("kind", "name", "domains__domain")
        .order_by("name")
    )
    groups: dict[str, list[PortalLink]] = {kind: [] for kind in PortalKind.values}
    for kind, name, domain in portals:
        groups.setdefault(kind, []).append(PortalLink(name=name, url=f"{scheme}://{domain}/"))
    labels = dict(PortalKind.choices)
    return [(str(labels[kind]), links) for kind, links in groups.items() if links]


def leaders_live() -> QuerySet[Leader]:
    return Leader.objects.filter(live=True).select_related("photo").order_by("order", "name", "pk")


def contact_officers_live() -> QuerySet[ContactOfficer]:
    return ContactOfficer.objects.filter(live=True).order_by("order", "name", "pk")
