"""Every page type of the public site, for two portals with different data (issue 6, items 1, 2, 5, 8, 10).

UI strings are compared through gettext (``_``) so the tests hold whether or not the Vietnamese
catalogue has been compiled with this branch's new strings yet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from content.models import Article, SiteSettings
from provisioning import services as provisioning_services
from tenants import services as tenant_services
from tenants.models import Portal, PortalStatus
from tenants.routing import router
from tests.conftest import host_of
from tests.site.content import SiteContent, forbidden_texts, publish

pytestmark = pytest.mark.django_db


def page_paths(content: SiteContent) -> list[str]:
    """One address of every page type, feed and map of the portal ``content`` belongs to."""
    return [
        "/",
        f"/chuyen-muc/{content.news.slug}/",
        f"/chuyen-muc/{content.sub.slug}/",
        f"/tin-tuc/{content.article.slug}/",
        f"/tin-tuc/{content.article.slug}/tai-ve/",
        "/van-ban/",
        f"/van-ban/?number={content.document.number[:6]}",
        f"/van-ban/{content.document.pk}/",
        "/gioi-thieu/",
        f"/gioi-thieu/{content.intro.slug}/",
        f"/gioi-thieu/{content.contacts.slug}/",
        f"/gioi-thieu/{content.spokesperson.slug}/",
        "/thong-bao/",
        f"/thong-bao/{content.announcement.slug}/",
        "/lich-cong-tac/",
        "/lien-ket/",
        "/so-do-cong/",
        "/sitemap.xml",
        "/robots.txt",
        f"/rss/chuyen-muc/{content.news.slug}/",
        "/rss/van-ban/",
    ]


def own_texts(content: SiteContent) -> dict[str, list[str]]:
    """For some pages, texts of this portal they must show."""
    return {
        "/": [content.featured.title, content.article.title, content.announcement.title, content.document.number],
        f"/chuyen-muc/{content.news.slug}/": [content.featured.title, content.article.title],  # subsection's too
        f"/tin-tuc/{content.article.slug}/": [content.article.title, content.article.author],
        "/van-ban/": [content.document.number, content.old_document.number],
        f"/van-ban/{content.document.pk}/": [content.document.number, content.document.signer],
        f"/gioi-thieu/{content.intro.slug}/": [content.intro.title],
        f"/thong-bao/{content.announcement.slug}/": [content.announcement.title],
        "/lich-cong-tac/": [f"Họp giao ban {content.marker}", f"Tiếp công dân {content.marker}"],
        "/so-do-cong/": [content.news.name, content.sub.name, content.intro.title],
        "/sitemap.xml": [f"/tin-tuc/{content.article.slug}/", f"/van-ban/{content.document.pk}/"],
        f"/rss/chuyen-muc/{content.news.slug}/": [content.article.title],
        "/rss/van-ban/": [content.document.number],
    }


def other_texts(content: SiteContent) -> list[str]:
    return [
        content.article.title,
        content.featured.title,
        content.document.number,
        content.announcement.title,
        content.intro.title,
        content.news.name,
        f"Chân trang {content.marker}",
    ]


def test_every_page_type_renders_each_portals_own_content_only(
    site_a: SiteContent, site_b: SiteContent, visitor_a: Client, visitor_b: Client
) -> None:
    for content, visitor, other in ((site_a, visitor_a, site_b), (site_b, visitor_b, site_a)):
        expected = own_texts(content)
        for path in page_paths(content):
            response = visitor.get(path)
            assert response.status_code == 200, path
            body = response.content.decode()
            for text in expected.get(path, []):
                assert text in body, (path, text)
            for text in other_texts(other):
                assert text not in body, (path, text)
        # The other portal's addresses do not exist here.
        for path in (
            f"/tin-tuc/{other.article.slug}/",
            f"/chuyen-muc/{other.news.slug}/",
            f"/thong-bao/{other.announcement.slug}/",
        ):
            assert visitor.get(path).status_code == 404, path


def test_nothing_unpublished_appears_on_any_page_feed_or_map(site_a: SiteContent, visitor_a: Client) -> None:
    forbidden = forbidden_texts(site_a)
    for path in page_paths(site_a):
        body = visitor_a.get(path).content.decode()
        for text in forbidden:
            assert text not in body, (path, text)
    for path in (
        f"/tin-tuc/{site_a.draft.slug}/",
        f"/tin-tuc/{site_a.withdrawn.slug}/",
        f"/tin-tuc/{site_a.withdrawn.slug}/tai-ve/",
        f"/van-ban/{site_a.draft_document.pk}/",
        f"/thong-bao/{site_a.draft_announcement.slug}/",
        f"/gioi-thieu/{site_a.draft_page.slug}/",
        f"/chuyen-muc/{site_a.hidden.slug}/",
        f"/rss/chuyen-muc/{site_a.hidden.slug}/",
    ):
        assert visitor_a.get(path).status_code == 404, path


def test_a_live_item_with_an_edit_under_review_shows_its_published_version(
    site_a: SiteContent, visitor_a: Client
) -> None:
    page = visitor_a.get(f"/tin-tuc/{site_a.pending.slug}/").content.decode()
    assert f"Bài đang sửa {site_a.marker}" in page
    assert "Tiêu đề chưa duyệt" not in page


def test_the_layout_comes_from_the_portals_own_data(site_a: SiteContent, visitor_a: Client, portal_a: Portal) -> None:
    body = visitor_a.get("/").content.decode()
    header = body.split("<main", 1)[0]
    footer = body.split("<footer", 1)[1]
    assert portal_a.name in header and "quoc-huy.svg" in header
    # Main menu: the template's entries, the visible section, the published page and its published
    # sub-page; never the hidden section or the unpublished page.
    menu = re.search(r'<nav class="main-menu".*?</nav>', body, re.S)
    assert menu is not None
    for text in (
        "Trang chủ",
        "Dịch vụ công trực tuyến",
        "/so-do-cong/",
        site_a.news.name,
        site_a.intro.slug,
        site_a.contacts.title,
    ):
        assert text in menu.group(0), text
    for text in (site_a.hidden.name, site_a.draft_page.title):
        assert text not in body, text
    assert f"Chân trang {site_a.marker}" in footer and f"© Bản quyền thuộc về cơ quan {site_a.marker}" in footer
    assert f"Cổng tỉnh {site_a.marker}" in footer
    assert 'action="/tim-kiem/"' in header and 'name="q"' in header  # the search box on every page
    assert "/ngon-ngu/en/" in header  # and the language switch

    with schema_context(portal_a.schema_name):
        site = SiteSettings.objects.get()
        site.header_mark = "logo"
        site.logo_url = "https://xa-a.thunghiem.test/logo.png"
        site.emc_script_url = "https://emc.example.gov.vn/script.js?id=xa-a"
        site.save()
    from content.public.cache import page_cache_invalidate

    page_cache_invalidate(portal_a.schema_name)  # the receiver does this after commit
    body = visitor_a.get("/so-do-cong/").content.decode()
    assert 'src="https://xa-a.thunghiem.test/logo.png"' in body and "quoc-huy.svg" not in body.split("<main", 1)[0]
    assert '<script src="https://emc.example.gov.vn/script.js?id=xa-a" async></script>' in body


def test_the_agency_details_in_the_footer_and_a_default_menu_without_a_site_template(province: Portal) -> None:
    # The provincial test portal was created without a site template: no menus, no settings row.
    body = Client(HTTP_HOST=host_of(province)).get("/").content.decode()
    footer = body.split("<footer", 1)[1]
    for text in (province.name, province.responsible_person, province.address, province.phone, province.email):
        assert text in footer, text
    assert f"© {timezone.localdate().year} {province.name}" in footer
    header = body.split("<main", 1)[0]
    assert 'href="/so-do-cong/"' in header and f'href="{settings.PUBLIC_SERVICE_URL}"' in header  # TT 22/2023 menu


def test_section_lists_are_paginated_and_include_subsections(
    site_a: SiteContent, visitor_a: Client, portal_a: Portal
) -> None:
    with schema_context(portal_a.schema_name):
        for n in range(22):
            publish(
                Article,
                {"title": f"Tin số {n:02d}", "body": "<p>x</p>", "author": "PV", "sections": [site_a.sub.pk]},
                site_a.head,
            )
    first = visitor_a.get(f"/chuyen-muc/{site_a.news.slug}/").content.decode()
    assert first.count('<li><article><h2 class="item-title">') == 20
    assert "Tin số 21" in first and "Tin số 00" not in first
    assert 'rel="next"' in first and "?page=2" in first
    second = visitor_a.get(f"/chuyen-muc/{site_a.news.slug}/?page=2").content.decode()
    # 22 + the live article in the subsection + the featured and pending ones in the section (the
    # English article is listed in English only).
    assert second.count('<li><article><h2 class="item-title">') == 22 + 3 - 20
    assert "Tin số 00" in second and 'aria-current="page">' in second
    assert visitor_a.get(f"/chuyen-muc/{site_a.news.slug}/?page=99").status_code == 200  # the last page
    assert visitor_a.get(f"/chuyen-muc/{site_a.news.slug}/?page=x").status_code == 200  # the first
    sub = visitor_a.get(f"/chuyen-muc/{site_a.sub.slug}/").content.decode()
    assert "Tin số 21" in sub and site_a.featured.title not in sub  # a parent's own articles stay there


def test_an_article_page_has_its_source_author_date_tools_and_metadata(site_a: SiteContent, visitor_a: Client) -> None:
    article = site_a.article
    url = f"http://{visitor_a.defaults['HTTP_HOST']}/tin-tuc/{article.slug}/"
    body = visitor_a.get(f"/tin-tuc/{article.slug}/").content.decode()
    assert article.published_at is not None
    assert timezone.localtime(article.published_at).strftime("%d/%m/%Y") in body
    assert article.author in body
    assert f'<a href="{article.source_url}" rel="noopener">{article.source_name}</a>' in body  # Đ3.3
    assert "data-print" in body and f'href="/tin-tuc/{article.slug}/tai-ve/" download' in body
    assert "facebook.com/sharer" in body and "mailto:?" in body
    related = body.split('id="h-related"', 1)[1]
    assert site_a.featured.title in related and article.title not in related  # shares a tag
    assert f'<link rel="canonical" href="{url}">' in body
    for meta in (
        f'<meta name="DC.title" content="{article.title}">',
        f'<meta name="DC.creator" content="{article.author}">',
        f'<meta name="DC.identifier" content="{url}">',
        '<meta name="DC.language" content="vi">',
        f'<meta name="DC.source" content="{article.source_url}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:title" content="{article.title}">',
    ):
        assert meta in body, meta

    download = visitor_a.get(f"/tin-tuc/{article.slug}/tai-ve/")
    assert download["Content-Disposition"] == f'attachment; filename="{article.slug}.html"'
    saved = download.content.decode()
    assert article.title in saved and "Nội dung của bài" in saved and article.source_name in saved
    assert "<script" not in saved and url in saved


def test_the_document_list_searches_by_number_issuer_field_dates_and_validity(
    site_a: SiteContent, visitor_a: Client
) -> None:
    new, old = site_a.document.number, site_a.old_document.number

    def found(query: str) -> tuple[bool, bool]:
        body = visitor_a.get(f"/van-ban/?{query}").content.decode()
        return new in body, old in body

    assert found("") == (True, True)
    assert found("number=12%2F2026") == (True, False)
    assert found("issuer=ubnd+x%C3%A3+an") == (True, True)  # case-insensitive
    assert found("issuer=UBND+x%C3%A3+binh") == (False, False)
    assert found(f"field={site_a.field.slug}") == (True, True)
    assert found("issued_from=2026-01-01") == (True, False)
    assert found("issued_to=31%2F12%2F2025") == (False, True)  # dd/mm/yyyy typed by hand
    assert found("validity=expired") == (False, False)
    assert found("type=quyet-dinh&q=qu%E1%BA%A3n+l%C3%BD") == (True, True)

    bad = visitor_a.get("/van-ban/?issued_from=32%2F13%2F2026&number=12%2F2026&issued_to=2020-01-01").content.decode()
    assert _("Enter a date as dd/mm/yyyy.") in bad
    assert 'value="12/2026"' in bad  # what the citizen typed is kept
    assert new not in bad  # no results for a search that could not be read
    reversed_dates = visitor_a.get("/van-ban/?issued_from=2026-02-01&issued_to=2026-01-01").content.decode()
    assert _("The end date is before the start date.") in reversed_dates
    unknown_field = visitor_a.get("/van-ban/?field=khong-co").content.decode()
    assert _("This field has no published documents; choose one from the list.") in unknown_field


def test_the_schedule_shows_the_current_week_and_moves_between_weeks(site_a: SiteContent, visitor_a: Client) -> None:
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    body = visitor_a.get("/lich-cong-tac/").content.decode()
    assert f"Họp giao ban {site_a.marker}" in body and '<th scope="rowgroup"' in body
    previous = (monday - dt.timedelta(days=7)).isoformat()
    assert f'href="/lich-cong-tac/?tuan={previous}"' in body
    earlier = visitor_a.get(f"/lich-cong-tac/?tuan={previous}").content.decode()
    assert f"Họp giao ban {site_a.marker}" not in earlier
    assert _("No schedule has been published for this week.") in earlier
    assert f"?tuan={monday.isoformat()}" in earlier  # the next published week is offered
    # Any day of a week shows that week.
    assert (
        f"Họp giao ban {site_a.marker}" in visitor_a.get(f"/lich-cong-tac/?tuan={today.isoformat()}").content.decode()
    )
    wrong = visitor_a.get("/lich-cong-tac/?tuan=hom-qua").content.decode()
    assert "hom-qua" in wrong and f"Họp giao ban {site_a.marker}" in wrong


def test_the_links_page_groups_links_and_lists_the_provinces_other_portals(
    site_a: SiteContent, visitor_a: Client, portal_a: Portal, portal_b: Portal, province: Portal
) -> None:
    body = visitor_a.get("/lien-ket/").content.decode()
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    assert f"Sở, ban, ngành {site_a.marker}" in main and f"https://stp-{site_a.marker}.example.vn" in main
    assert f'href="http://{host_of(portal_b)}/"' in main and f'href="http://{host_of(province)}/"' in main
    assert f'href="http://{host_of(portal_a)}/"' not in main  # not itself
    with schema_context(portal_a.schema_name):
        SiteSettings.objects.filter(pk=1).update(show_portal_directory=False)
    from content.public.cache import page_cache_invalidate

    page_cache_invalidate(portal_a.schema_name)
    main = visitor_a.get("/lien-ket/").content.decode().split("<main", 1)[1]
    assert host_of(portal_b) not in main.split("</main>", 1)[0]


def test_site_maps_feeds_and_robots(site_a: SiteContent, visitor_a: Client) -> None:
    tree = visitor_a.get("/so-do-cong/").content.decode()
    # The HTML site map is a tree: the subsection is nested in its section's list.
    nested = re.search(re.escape(site_a.news.name) + r"</a><ul><li><a [^>]*>" + re.escape(site_a.sub.name), tree)
    assert nested is not None
    for path in ("/hoi-dap/", "/gop-y-du-thao/", "/van-ban/", "/lich-cong-tac/", "/lien-ket/"):
        assert f'href="{path}"' in tree, path
    assert 'id="phim-tat"' in tree and 'accesskey="1"' in tree and 'accesskey="3"' in tree and 'accesskey="4"' in tree

    xml = visitor_a.get("/sitemap.xml")
    assert xml["Content-Type"].startswith("application/xml")
    host = visitor_a.defaults["HTTP_HOST"]
    assert f"<loc>http://{host}/tin-tuc/{site_a.article.slug}/</loc>" in xml.content.decode()
    assert f"<loc>http://{host}/chuyen-muc/{site_a.sub.slug}/</loc>" in xml.content.decode()

    robots = visitor_a.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and f"Sitemap: http://{host}/sitemap.xml" in robots

    feed = visitor_a.get(f"/rss/chuyen-muc/{site_a.news.slug}/")
    assert feed["Content-Type"].startswith("application/rss+xml")
    assert f"<link>http://{host}/tin-tuc/{site_a.article.slug}/</link>" in feed.content.decode()
    documents = visitor_a.get("/rss/van-ban/").content.decode()
    assert f"http://{host}/van-ban/{site_a.document.pk}/" in documents


@pytest.fixture
def english(visitor_a: Client) -> Iterator[Client]:
    response = visitor_a.get("/ngon-ngu/en/?next=/so-do-cong/")
    assert response.status_code == 302 and response["Location"] == "/so-do-cong/"
    assert response.cookies["django_language"].value == "en"
    yield visitor_a
    translation.activate("vi")


def test_english_shows_english_content_and_falls_back_to_vietnamese(site_a: SiteContent, english: Client) -> None:
    home = english.get("/").content.decode()
    assert '<html lang="en">' in home
    assert escape(f"People's Committee of {site_a.marker.title()} commune") in home  # the English agency name
    # Lists show the portal's English articles when it has some.
    assert site_a.english.title in home and site_a.article.title not in home
    assert '<a href="/" aria-current="page">Home</a>' in home  # the menu's English labels
    contacts = english.get(f"/gioi-thieu/{site_a.contacts.slug}/").content.decode()
    assert f"Contact officers {site_a.marker}" in contacts and f"Contact officer {site_a.marker}" in contacts
    intro = english.get(f"/gioi-thieu/{site_a.intro.slug}/").content.decode()
    # No English version: the Vietnamese one, marked as Vietnamese for screen readers, with a note.
    assert f'<h1 lang="vi">{site_a.intro.title}</h1>' in intro
    assert "This page is not available in English yet" in intro
    section = english.get(f"/chuyen-muc/{site_a.news.slug}/").content.decode()
    assert f"<h1>News {site_a.marker}</h1>" in section
    back = english.get("/ngon-ngu/vi/?next=https://evil.example/")
    assert back["Location"] == "/"  # never sends visitors off the portal
    assert '<html lang="vi">' in english.get("/").content.decode()


def test_404_is_friendly_and_inside_the_layout(site_a: SiteContent, visitor_a: Client, portal_a: Portal) -> None:
    response = visitor_a.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert portal_a.name in body and 'href="/so-do-cong/"' in body and _("Page not found") in body
    assert 'role="search"' in body


def test_500_needs_no_database_and_no_context(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        body = render_to_string("500.html")
    assert _("Temporary error") in body and 'href="#main"' in body and "site.css" in body


def test_archived_and_downtime_notices_show_in_the_layout(
    site_a: SiteContent, portal_a: Portal, visitor_a: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # A fresh row: the session's portal_a object must not carry this test's status changes.
    portal = Portal.objects.get(pk=portal_a.pk)
    start = timezone.now() + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):  # downtime_announce forgets the cached notices
        provisioning_services.downtime_announce(
            portal=portal, starts_at=start, expected_end=start + dt.timedelta(hours=2), message="Nâng cấp", urgent=True
        )
    from content.public.cache import notices_forget

    notices_forget()  # what the recheck interval does within a second
    body = visitor_a.get("/").content.decode()
    assert "Nâng cấp" in body and 'class="notice" role="status"' in body

    tenant_services.portal_set_status(portal=portal, status=PortalStatus.ARCHIVED)
    router.clear()
    archived = visitor_a.get(f"/tin-tuc/{site_a.article.slug}/")
    assert archived.status_code == 200
    assert (
        _("This e-portal has been archived: it is kept for reference and no longer updated.")
        in archived.content.decode()
    )
    tenant_services.portal_set_status(portal=portal, status=PortalStatus.SUSPENDED)
    router.clear()
    assert visitor_a.get("/").status_code == 503


def test_rich_text_is_cleaned_again_when_shown(site_a: SiteContent, visitor_a: Client, portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        item = publish(
            Article,
            {"title": "An toàn", "body": "<p>ok</p>", "author": "PV", "sections": [site_a.news.pk]},
            site_a.head,
        )
        # A row written around the services (an old import, a database fix): still no script out.
        Article.objects.filter(pk=item.pk).update(body='<p onclick="x()">ok</p><script>alert(1)</script>')
    body = visitor_a.get(f"/tin-tuc/{item.slug}/").content.decode()
    assert "<script>alert" not in body and "onclick" not in body
