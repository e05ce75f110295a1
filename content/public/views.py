"""The public pages of a portal. Thin: reads come from ``content.public.selectors``.

Every page view here is marked ``public_page`` (the same for every anonymous visitor, so the page
cache may keep it; see ``content.public.cache``). None of them uses a CSRF token or the session.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from content.models import PageKind, WorkSchedule
from content.public import selectors, stats
from content.public.cache import count_article_view, public_page
from content.public.forms import DocumentSearchForm
from content.public.layout import Layout, layout_for
from content.public.sitemaps import SITEMAPS
from portal_platform.errors import ApplicationError
from tenants.models import Portal, PortalKind

log = logging.getLogger(__name__)

ARTICLES_PER_PAGE = 20
DOCUMENTS_PER_PAGE = 20


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "vi"


def _paginate(request: HttpRequest, items: QuerySet[Any], per_page: int) -> PaginatorPage[Any]:
    # get_page: a bad or out-of-range ?page= shows the nearest real page rather than an error.
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _canonical(request: HttpRequest, layout: Layout) -> str:
    return layout.absolute(request.scheme or "https", request.path)


def _portal(request: HttpRequest) -> Portal:
    portal = request.tenant  # type: ignore[attr-defined]
    assert isinstance(portal, Portal)
    return portal


@dataclass(frozen=True)
class ScheduleDay:
    date: dt.date
    entries: list[dict[str, Any]]


def _schedule_days(schedule: WorkSchedule | None) -> list[ScheduleDay]:
    if schedule is None:
        return []
    days: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for entry in schedule.entries or []:
        try:
            day = parse_date(str(entry.get("date", ""))) if isinstance(entry, dict) else None
        except ValueError:  # well-formed but impossible, e.g. 2026-02-30: the entry is skipped
            day = None
        if day is not None:
            days[day].append(entry)
    return [
        ScheduleDay(date=day, entries=sorted(days[day], key=lambda e: str(e.get("time", "")))) for day in sorted(days)
    ]


# --- home ------------------------------------------------------------------------------------------


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    language = _language()
    layout = layout_for(request)
    news, news_fallback = selectors.in_language_known(selectors.articles_live(), language, layout.article_languages)
    featured = list(news.filter(featured=True).only("title", "slug", "summary", "published_at", "language")[:3])
    latest = list(
        news.exclude(pk__in=[a.pk for a in featured]).only("title", "slug", "summary", "published_at", "language")[:8]
    )
    announcements, _fallback = selectors.in_language_known(
        selectors.announcements_current(), language, layout.announcement_languages
    )
    today = timezone.localdate()
    schedule = selectors.schedule_for_week(monday=selectors.week_start(today))
    today_entries = next((day.entries for day in _schedule_days(schedule) if day.date == today), [])
    portal = _portal(request)
    integration = _integration(request) if portal.kind == PortalKind.PROVINCE else []
    footer_urls = {link.url.rstrip("/") for link in layout.footer_menu}
    public_service = "" if settings.PUBLIC_SERVICE_URL.rstrip("/") in footer_urls else settings.PUBLIC_SERVICE_URL
    return render(
        request,
        "content/public/home.html",
        {
            "featured": featured,
            "latest": latest,
            "news_fallback": news_fallback and language == "en",
            "announcements": list(announcements[:5]),
            "documents": list(selectors.documents_live()[:5]),
            "schedule": schedule,
            "today": today,
            "today_entries": today_entries,
            "public_service_url": public_service,
            "integration": integration,
        },
    )


@dataclass(frozen=True)
class IntegrationGroup:
    """One kind of component portal on the provincial home page, with its newest items."""

    key: str
    heading: str
    hits: list[Any]


INTEGRATION_ITEMS = 6


def _integration(request: HttpRequest) -> list[IntegrationGroup]:
    """The newest news and legal documents of the province's component portals, by kind of portal
    (Decision 80/2025 Đ14.4.c), read from the shared search index: nothing is copied, each item
    links to its own portal's domain. The index tells this page's cache when they change
    (``portal_platform.search.services``)."""
    from portal_platform.search import selectors as search

    link = search.LinkStyle(scheme=request.scheme or "https", port=str(request.get_port()))
    headings = {
        PortalKind.DEPARTMENT: _("Departments and agencies"),
        PortalKind.COMMUNE: _("Communes, wards and towns"),
    }
    groups = []
    for kind in search.COMPONENT_KINDS:
        try:
            hits = search.component_latest(portal_kinds=(kind,), limit=INTEGRATION_ITEMS, link=link)
        except ApplicationError:
            # A slow index (search_timeout) must not take the home page down: the block is left out.
            log.warning("home page: the component portals' items could not be read", exc_info=True)
            hits = []
        groups.append(IntegrationGroup(key=str(kind), heading=headings[kind], hits=hits))
    return groups


# --- sections and articles ---------------------------------------------------------------------------


@require_safe
@public_page
def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tree = layout_for(request).sections
    node = tree.by_slug.get(slug)
    if node is None:
        raise Http404(slug)
    language = _language()
    articles, fallback = selectors.in_language(selectors.articles_in_sections(node.descendant_ids()), language)
    page = _paginate(request, articles.only("title", "slug", "summary", "published_at", "language"), ARTICLES_PER_PAGE)
    name, name_lang = node.label(language)
    return render(
        request,
        "content/public/section.html",
        {
            "section": node,
            "section_name": name,
            "section_lang": name_lang,
            "ancestors": [(a, *a.label(language)) for a in tree.ancestors(node)],
            "subsections": [(c, *c.label(language)) for c in node.children],
            "page_obj": page,
            "fallback": fallback and language == "en",
            "dedicated_url": selectors.SECTION_PAGES.get(node.slug),
        },
    )


def _share_links(url: str, title: str) -> list[tuple[str, str]]:
    q = quote(url, safe="")
    return [
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={q}"),
        ("X", f"https://twitter.com/intent/tweet?{urlencode({'url': url, 'text': title})}"),
        ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={q}"),
        (_("Email"), f"mailto:?{urlencode({'subject': title, 'body': url}, quote_via=quote)}"),
    ]


def _article_or_404(slug: str) -> selectors.PublicArticle:
    found = selectors.article_public(slug=slug)
    if found is None:
        raise Http404(slug)
    return found


@require_safe
@public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    found = _article_or_404(slug)
    article = found.article
    layout = layout_for(request)
    tree = layout.sections
    language = _language()
    sections = [(tree.by_pk[pk], *tree.by_pk[pk].label(language)) for pk in found.section_ids if pk in tree.by_pk]
    canonical = _canonical(request, layout)
    visits, views = stats.visit_summary(schema=_portal(request).schema_name, article_pk=article.pk)
    response = render(
        request,
        "content/public/article.html",
        {
            "article": article,
            # The largest resized copy the site uses (the original when the image is smaller).
            "cover_url": article.cover.url("large") if article.cover is not None else "",
            "sections": sections,
            "tags": found.tag_names,
            "related": selectors.articles_related(
                article=article, section_ids=found.section_ids, tag_ids=found.tag_ids
            ),
            "canonical": canonical,
            "share_links": _share_links(canonical, article.title),
            "views": views,
            "visits": visits,  # the footer's figures, fetched with the article's in one round trip
        },
    )
    count_article_view(response, article.pk)
    return response


@require_safe
@public_page
def article_download(request: HttpRequest, slug: str) -> HttpResponse:
    """The article as one self-contained HTML file, to keep or forward (NĐ 42/2022 Đ7.1: save)."""
    article = _article_or_404(slug).article
    layout = layout_for(request)
    canonical = layout.absolute(request.scheme or "https", f"/tin-tuc/{article.slug}/")
    response = render(request, "content/public/article_download.html", {"article": article, "canonical": canonical})
    response["Content-Disposition"] = f'attachment; filename="{article.slug}.html"'
    return response


# --- legal documents -----------------------------------------------------------------------------


@require_safe
@public_page
def document_list(request: HttpRequest) -> HttpResponse:
    searched = any(request.GET.get(name) for name in DocumentSearchForm.base_fields)
    form = DocumentSearchForm(request.GET if searched else None)
    if searched and not form.is_valid():
        page = None
    else:
        documents = selectors.documents_search(filters=form.filters()) if searched else selectors.documents_live()
        page = _paginate(request, documents, DOCUMENTS_PER_PAGE)
    return render(request, "content/public/documents.html", {"form": form, "page_obj": page, "searched": searched})


@require_safe
@public_page
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_public(pk=pk)
    if document is None:
        raise Http404(pk)
    replaced_by = document.replaced_by if document.replaced_by is not None and document.replaced_by.live else None
    replaces = list(document.replaces.filter(live=True).only("number", "abstract"))
    return render(
        request,
        "content/public/document.html",
        {
            "document": document,
            "replaced_by": replaced_by,
            "replaces": replaces,
            "canonical": _canonical(request, layout_for(request)),
        },
    )


# --- background pages and announcements ------------------------------------------------------------


@require_safe
@public_page
def page_index(request: HttpRequest) -> HttpResponse:
    language = _language()
    pages = [
        (page, *((page.title_en, "en") if language == "en" and page.title_en else (page.title, "vi")))
        for page in selectors.pages_live()
    ]
    return render(request, "content/public/pages.html", {"pages": pages})


@require_safe
@public_page
def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.page_public(slug=slug)
    if page is None:
        raise Http404(slug)
    english = _language() == "en"
    title, title_lang = (page.title_en, "en") if english and page.title_en else (page.title, "vi")
    body, body_lang = (page.body_en, "en") if english and page.body_en else (page.body, "vi")
    return render(
        request,
        "content/public/page.html",
        {
            "page": page,
            "title": title,
            "title_lang": title_lang,
            "body": body,
            "body_lang": body_lang,
            "fallback": english and body_lang == "vi",
            "is_contact": page.kind in (PageKind.CONTACTS, PageKind.SPOKESPERSON),
            # The people on the leaders and contacts pages are workflow items of their own.
            "leaders": selectors.leaders_live() if page.kind == PageKind.LEADERS else (),
            "officers": selectors.contact_officers_live() if page.kind == PageKind.CONTACTS else (),
            "canonical": _canonical(request, layout_for(request)),
        },
    )


@require_safe
@public_page
def announcement_list(request: HttpRequest) -> HttpResponse:
    announcements, fallback = selectors.in_language(selectors.announcements_live(), _language())
    page = _paginate(request, announcements, ARTICLES_PER_PAGE)
    return render(
        request,
        "content/public/announcements.html",
        {"page_obj": page, "fallback": fallback and _language() == "en", "today": timezone.localdate()},
    )


@require_safe
@public_page
def announcement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    announcement = selectors.announcement_public(slug=slug)
    if announcement is None:
        raise Http404(slug)
    today = timezone.localdate()
    return render(
        request,
        "content/public/announcement.html",
        {
            "announcement": announcement,
            "expired": announcement.valid_until is not None and announcement.valid_until < today,
            "canonical": _canonical(request, layout_for(request)),
        },
    )


# --- schedule, links, site map ---------------------------------------------------------------------


@require_safe
@public_page
def schedule(request: HttpRequest) -> HttpResponse:
    """The leaders' schedule of one week (this week unless ?tuan=yyyy-mm-dd names another)."""
    today = timezone.localdate()
    monday = selectors.week_start(today)
    error = ""
    raw = request.GET.get("tuan", "").strip()
    if raw:
        try:
            chosen = parse_date(raw)
        except ValueError:
            chosen = None
        if chosen is None:
            error = _("“%(value)s” is not a date; the current week is shown.") % {"value": raw[:40]}
        else:
            monday = selectors.week_start(chosen)
    week = selectors.schedule_for_week(monday=monday)
    earlier, later = selectors.schedule_weeks_around(monday=monday)
    return render(
        request,
        "content/public/schedule.html",
        {
            "week": week,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "days": _schedule_days(week),
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "is_current": monday == selectors.week_start(today),
            "earlier": earlier,
            "later": later,
            "error": error,
            "today": today,
        },
    )


@require_safe
@public_page
def links(request: HttpRequest) -> HttpResponse:
    layout = layout_for(request)
    english = _language() == "en"
    groups = [
        ((group.title_en, "en") if english and group.title_en else (group.title, "vi"), group.links)
        for group in layout.link_groups
    ]
    directory = (
        selectors.portal_directory(current=_portal(request), scheme=request.scheme or "https")
        if layout.show_portal_directory
        else []
    )
    return render(request, "content/public/links.html", {"groups": groups, "directory": directory})


@require_safe
@public_page
def site_map(request: HttpRequest) -> HttpResponse:
    """The HTML site map, a tree (TT 32/2017 Đ16.4), and the keyboard shortcuts."""
    language = _language()
    tree = layout_for(request).sections
    pages = [
        (page, *((page.title_en, "en") if language == "en" and page.title_en else (page.title, "vi")))
        for page in selectors.pages_live()
    ]
    return render(
        request,
        "content/public/site_map.html",
        {"sections": tree.roots, "pages": pages, "language": language},
    )


@require_safe
@public_page
def sitemap_xml(request: HttpRequest) -> HttpResponseBase:
    return sitemap_view(request, sitemaps=SITEMAPS)


@require_safe
@public_page
def robots_txt(request: HttpRequest) -> HttpResponse:
    host = request.get_host()
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /tai-khoan/",
        "Disallow: /tim-kiem/",
        "Disallow: /ngon-ngu/",
        f"Sitemap: {request.scheme}://{host}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# --- language ----------------------------------------------------------------------------------------


@require_safe
def language_switch(request: HttpRequest, language: str) -> HttpResponseRedirect:
    """Switch the site's language with a plain link, then go back to the page.

    Django's ``set_language`` needs a POST with a CSRF token, which would put a per-visitor token
    into every page and so make pages uncacheable. Choosing a language is a preference, not an
    action anyone could abuse, so a GET that sets the same cookie is enough; ``next`` must be a
    path on this host.
    """
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 60 * 60,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
