"""sitemap.xml for search engines (TT 32/2017 Đ16.4): only what the public can open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap

from content.models import Announcement, Article, LegalDocument, Page
from content.public import selectors

# Pages that exist on every portal (questions and consultations included, from their own apps).
FIXED_PATHS = (
    "/",
    "/gioi-thieu/",
    "/van-ban/",
    "/thong-bao/",
    "/lich-cong-tac/",
    "/lien-ket/",
    "/so-do-cong/",
    "/hoi-dap/",
    "/gop-y-du-thao/",
)


class FixedSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "daily"

    def items(self) -> list[str]:
        return list(FIXED_PATHS)

    def location(self, item: str) -> str:
        return item


class SectionSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "daily"

    def items(self) -> list[str]:
        tree = selectors.sections_visible()
        return sorted(node.url for node in tree.by_pk.values() if node.url not in FIXED_PATHS)

    def location(self, item: str) -> str:
        return item


class _ItemSitemap(Sitemap):  # type: ignore[type-arg]
    def lastmod(self, item: Any) -> dt.datetime | None:
        return item.published_at


class ArticleSitemap(_ItemSitemap):
    def items(self) -> Any:
        return Article.objects.filter(live=True).only("slug", "published_at").order_by("-published_at", "-pk")

    def location(self, item: Article) -> str:
        return f"/tin-tuc/{item.slug}/"


class DocumentSitemap(_ItemSitemap):
    def items(self) -> Any:
        return LegalDocument.objects.filter(live=True).only("pk", "published_at").order_by("-issue_date", "-pk")

    def location(self, item: LegalDocument) -> str:
        return f"/van-ban/{item.pk}/"


class AnnouncementSitemap(_ItemSitemap):
    def items(self) -> Any:
        return Announcement.objects.filter(live=True).only("slug", "published_at").order_by("-published_at", "-pk")

    def location(self, item: Announcement) -> str:
        return f"/thong-bao/{item.slug}/"


class PageSitemap(_ItemSitemap):
    def items(self) -> Any:
        return Page.objects.filter(live=True).only("slug", "published_at").order_by("kind", "slug")

    def location(self, item: Page) -> str:
        return f"/gioi-thieu/{item.slug}/"


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "fixed": FixedSitemap,
    "sections": SectionSitemap,
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "documents": DocumentSitemap,
    "announcements": AnnouncementSitemap,
}
