"""RSS feeds: one per visible section and one for legal documents (live items only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from content.models import Article, LegalDocument
from content.public import selectors
from content.public.layout import layout_for

FEED_SIZE = 20


@dataclass(frozen=True)
class FeedSource:
    title: str
    link: str
    description: str
    items: list[Any]


class SectionFeed(Feed):  # type: ignore[type-arg]
    """The latest articles of a section and its subsections."""

    def get_object(self, request: HttpRequest, slug: str) -> FeedSource:
        node = layout_for(request).sections.by_slug.get(slug)
        if node is None:
            raise Http404(slug)
        language = "en" if (get_language() or "").startswith("en") else "vi"
        name, _lang = node.label(language)
        agency = layout_for(request).agency_name
        articles = selectors.articles_in_sections(node.descendant_ids())
        return FeedSource(
            title=f"{name} — {agency}",
            link=node.url,
            description=_("The latest articles of “%(section)s” on the e-portal of %(agency)s.")
            % {"section": name, "agency": agency},
            items=list(articles.only("title", "slug", "summary", "author", "published_at")[:FEED_SIZE]),
        )

    def title(self, obj: FeedSource) -> str:
        return obj.title

    def link(self, obj: FeedSource) -> str:
        return obj.link

    def description(self, obj: FeedSource) -> str:
        return obj.description

    def items(self, obj: FeedSource) -> list[Any]:
        return obj.items

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return f"/tin-tuc/{item.slug}/"

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.published_at

    def item_author_name(self, item: Article) -> str:
        return item.author


class DocumentFeed(Feed):  # type: ignore[type-arg]
    """The latest legal documents published on the portal."""

    def get_object(self, request: HttpRequest) -> FeedSource:
        agency = layout_for(request).agency_name
        return FeedSource(
            title=_("Legal documents — %(agency)s") % {"agency": agency},
            link="/van-ban/",
            description=_("The latest legal documents published on the e-portal of %(agency)s.") % {"agency": agency},
            items=list(selectors.documents_live()[:FEED_SIZE]),
        )

    def title(self, obj: FeedSource) -> str:
        return obj.title

    def link(self, obj: FeedSource) -> str:
        return obj.link

    def description(self, obj: FeedSource) -> str:
        return obj.description

    def items(self, obj: FeedSource) -> list[Any]:
        return obj.items

    def item_title(self, item: LegalDocument) -> str:
        return f"{item.number}: {item.abstract[:200]}"

    def item_description(self, item: LegalDocument) -> str:
        return f"{item.get_form_display()} — {item.issuer} — {item.issue_date:%d/%m/%Y}. {item.abstract}"

    def item_link(self, item: LegalDocument) -> str:
        return f"/van-ban/{item.pk}/"

    def item_pubdate(self, item: LegalDocument) -> dt.datetime | None:
        return item.published_at
