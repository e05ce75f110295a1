"""The anonymous page cache and the visit counters (issue 6: Speed, item 9)."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from content.models import Article, MenuItem, SiteSettings
from content.public import stats, store
from content.public.cache import CACHE_HEADER, PublicPageCacheMiddleware, public_page
from content.services.workflow import item_transition
from tenants.context import tenant_db
from tenants.models import Portal
from tests.conftest import host_of
from tests.site.content import SiteContent, publish

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_cached_per_portal_host_and_language(
    site_a: SiteContent, site_b: SiteContent, visitor_a: Client, visitor_b: Client
) -> None:
    first = visitor_a.get("/")
    again = visitor_a.get("/")
    assert (first[CACHE_HEADER], again[CACHE_HEADER]) == ("miss", "hit")
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] and again["X-Frame-Options"] == first["X-Frame-Options"]
    assert "Cookie" in again["Vary"] and "Accept-Language" in again["Vary"]
    # Portal B's home page is its own, never A's cached one.
    other = visitor_b.get("/")
    assert other[CACHE_HEADER] == "miss" and site_b.article.title in other.content.decode()
    # Another language is another page.
    english = visitor_a.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english[CACHE_HEADER] == "miss" and '<html lang="en">' in english.content.decode()
    assert visitor_a.get("/", HTTP_ACCEPT_LANGUAGE="en")[CACHE_HEADER] == "hit"
    visitor_a.cookies["django_language"] = "en"
    assert visitor_a.get("/")[CACHE_HEADER] == "hit" and '<html lang="en">' in visitor_a.get("/").content.decode()


def test_publishing_and_unpublishing_refresh_cached_pages(
    site_a: SiteContent, visitor_a: Client, portal_a: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    section = f"/chuyen-muc/{site_a.news.slug}/"
    for path in ("/", section, "/sitemap.xml"):
        visitor_a.get(path)
        assert visitor_a.get(path)[CACHE_HEADER] == "hit"
    with schema_context(portal_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        fresh = publish(
            Article,
            {"title": "Tin mới xuất bản", "body": "<p>x</p>", "author": "PV", "sections": [site_a.news.pk]},
            site_a.head,
        )
    for path in ("/", section, "/sitemap.xml"):
        response = visitor_a.get(path)
        assert response[CACHE_HEADER] == "miss", path
        assert fresh.slug in response.content.decode(), path
    with schema_context(portal_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        item_transition(item=fresh, action="unpublish", user=site_a.head, comment="Nhầm")
    for path in ("/", section, "/sitemap.xml", "/rss/chuyen-muc/" + site_a.news.slug + "/"):
        assert fresh.slug not in visitor_a.get(path).content.decode(), path
    assert visitor_a.get(f"/tin-tuc/{fresh.slug}/").status_code == 404


def test_changes_to_menus_sections_and_settings_refresh_cached_pages(
    site_a: SiteContent, visitor_a: Client, portal_a: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    visitor_a.get("/")
    assert visitor_a.get("/")[CACHE_HEADER] == "hit"
    with schema_context(portal_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        site = SiteSettings.objects.get()
        site.footer_text = "Chân trang đã đổi"
        site.save()
    assert "Chân trang đã đổi" in visitor_a.get("/").content.decode()
    with schema_context(portal_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        MenuItem.objects.create(menu=MenuItem.objects.first().menu, label="Mục mới", url="/lien-ket/", order=99)  # type: ignore[union-attr]
    assert "Mục mới" in visitor_a.get("/").content.decode()
    with schema_context(portal_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        site_a.news.name = "Tin tức đổi tên"
        site_a.news.save()
    assert "Tin tức đổi tên" in visitor_a.get(f"/tin-tuc/{site_a.article.slug}/").content.decode()


def test_staff_never_get_a_cached_page_and_their_pages_are_never_stored(site_a: SiteContent, portal_a: Portal) -> None:
    staff = Client(HTTP_HOST=host_of(portal_a))
    staff.force_login(site_a.head)
    for _ in range(2):
        response = staff.get("/")
        assert response.status_code == 200 and CACHE_HEADER not in response
    # What the staff member was shown was not stored for citizens: the first anonymous visit renders.
    assert Client(HTTP_HOST=host_of(portal_a)).get("/")[CACHE_HEADER] == "miss"
    # A cached anonymous page is not what staff get either.
    assert Client(HTTP_HOST=host_of(portal_a)).get("/")[CACHE_HEADER] == "hit"
    assert CACHE_HEADER not in staff.get("/")


def test_cached_pages_carry_no_cookie_and_no_csrf_token(site_a: SiteContent, visitor_a: Client) -> None:
    for path in ("/", "/van-ban/", f"/tin-tuc/{site_a.article.slug}/", "/so-do-cong/"):
        visitor_a.get(path)
        response = visitor_a.get(path)
        assert response[CACHE_HEADER] == "hit", path
        assert not response.cookies, path
        assert "csrfmiddlewaretoken" not in response.content.decode(), path


def test_a_page_that_used_a_csrf_token_or_set_a_cookie_is_never_stored(portal_a: Portal) -> None:
    @public_page
    def with_token(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"<form>{get_token(request)}</form>", content_type="text/html")

    @public_page
    def with_cookie(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("<p>x</p>", content_type="text/html")
        response.set_cookie("seen", "1")
        return response

    tenant_db.set_tenant(portal_a)
    for view in (with_token, with_cookie):
        middleware = PublicPageCacheMiddleware(view)
        for _ in range(2):
            request = RequestFactory(HTTP_HOST=host_of(portal_a)).get(f"/thu-{view.__name__}/")
            request.tenant = portal_a
            response = middleware(request)
            assert CACHE_HEADER not in response, view.__name__


def test_visits_are_counted_for_cached_and_rendered_pages(
    site_a: SiteContent, visitor_a: Client, portal_a: Portal
) -> None:
    schema = portal_a.schema_name
    before = stats.visit_counts(schema=schema)
    article = site_a.article.pk
    views_before = stats.article_views(schema=schema, pks=[article])[article]
    path = f"/tin-tuc/{site_a.article.slug}/"
    statuses = [visitor_a.get(path)[CACHE_HEADER] for _ in range(3)]
    assert statuses == ["miss", "hit", "hit"]
    visitor_a.get("/")
    visitor_a.get("/rss/van-ban/")  # a feed is not a page view
    visitor_a.get("/khong-co/")  # nor is a 404
    visitor_a.get("/", HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")  # nor a crawler
    after = stats.visit_counts(schema=schema)
    assert after.today - before.today == 4 and after.total - before.total == 4
    assert after.online >= 1
    assert stats.article_views(schema=schema, pks=[article])[article] - views_before == 3
    # The footer shows the figures.
    footer = visitor_a.get("/so-do-cong/").content.decode().split("<footer", 1)[1]
    assert f"<strong>{stats.visit_counts(schema=schema).total - 1:,}".replace(",", ".") in footer


def test_pages_are_served_when_redis_is_down(
    site_a: SiteContent, visitor_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A client pointed at a port where nothing listens: a real connection failure.
    monkeypatch.setattr(store, "_client", redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.2))
    response = visitor_a.get(f"/tin-tuc/{site_a.article.slug}/")
    assert response.status_code == 200 and site_a.article.title in response.content.decode()
    assert CACHE_HEADER not in response


def test_only_the_parameters_pages_read_are_cached(site_a: SiteContent, visitor_a: Client) -> None:
    visitor_a.get("/")
    # Tracking parameters added by social networks do not make another page.
    assert visitor_a.get("/?fbclid=abc&utm_source=zalo")[CACHE_HEADER] == "hit"
    # Any other parameter is served, rendered, and never stored (random strings cannot fill the cache).
    for _ in range(2):
        response = visitor_a.get("/?x=1")
        assert response.status_code == 200 and CACHE_HEADER not in response
    # The parameters a page reads are part of the key.
    assert visitor_a.get("/van-ban/?number=12")[CACHE_HEADER] == "miss"
    assert visitor_a.get("/van-ban/?number=12")[CACHE_HEADER] == "hit"
    assert visitor_a.get("/van-ban/?number=01")[CACHE_HEADER] == "miss"


def test_a_visitor_with_a_pending_message_sees_it_on_a_rendered_page(site_a: SiteContent, visitor_a: Client) -> None:
    """A form (questions, consultations) that redirects here with a message: the page shows it, and
    the messages cookie keeps that visitor off the page cache until it is shown."""
    from django.contrib.messages.storage.cookie import CookieStorage

    visitor_a.get("/")
    request = RequestFactory().get("/")
    storage = CookieStorage(request)
    storage.add(25, "Câu hỏi của bạn đã được gửi.")
    response = HttpResponse()
    storage.update(response)
    visitor_a.cookies["messages"] = response.cookies["messages"].value
    shown = visitor_a.get("/")
    assert CACHE_HEADER not in shown and "Câu hỏi của bạn đã được gửi." in shown.content.decode()
    assert visitor_a.get("/")[CACHE_HEADER] == "hit"  # shown once, the cookie is gone
