"""The public site in a real Chromium against a real gunicorn (issue 6, items 6, 7 and Speed).

axe-core runs on every page type at desktop width and at phone width (375 px), and must find
nothing; at phone width no page may scroll sideways. The text-size and contrast controls, the skip
link and the access keys are exercised with the keyboard and the mouse. Chromium resolves the
portals' test host names to the live server with ``--host-resolver-rules``.

The portal and its content are committed (``live_site``): the web server is another process.
No test here touches the database while the browser runs (Playwright's loop would give the ORM a
connection of its own, left open).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from content.public.cache import page_cache_invalidate
from portal_platform.search.models import Entry
from portal_platform.search.services import index_portal_rebuild
from tenants.models import Portal
from tests.conftest import host_of
from tests.site.conftest import LiveSite
from tests.site.content import SiteContent

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def province_base(live_site: LiveSite, province: Portal, django_db_blocker: Any) -> Iterator[str]:
    """The provincial portal on the live server, its home page showing the live portal's news and
    documents (indexed, committed; removed at the end). Made before the browser starts: the ORM
    refuses to run while Playwright's event loop does."""
    with django_db_blocker.unblock():
        index_portal_rebuild(portal=live_site.portal)
        page_cache_invalidate(province.schema_name)
        host = host_of(province)
    try:
        yield live_site.base.replace(live_site.host, host)
    finally:
        with django_db_blocker.unblock():
            Entry.objects.filter(portal=live_site.portal).delete()
            page_cache_invalidate(province.schema_name)


@pytest.fixture(scope="module")
def browser(live_site: LiveSite, province_base: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--host-resolver-rules=MAP *.thunghiem.test 127.0.0.1, MAP thunghiem.test 127.0.0.1"],
        )
        yield chromium
        chromium.close()


def page_types(content: SiteContent) -> dict[str, str]:
    return {
        "home": "/",
        "section": f"/chuyen-muc/{content.news.slug}/",
        "article": f"/tin-tuc/{content.article.slug}/",
        "documents": "/van-ban/",
        "document search with an error": "/van-ban/?number=12&issued_from=32%2F13%2F2026",
        "document": f"/van-ban/{content.document.pk}/",
        "background pages": "/gioi-thieu/",
        "page (contacts)": f"/gioi-thieu/{content.contacts.slug}/",
        "page (spokesperson)": f"/gioi-thieu/{content.spokesperson.slug}/",
        "announcements": "/thong-bao/",
        "announcement": f"/thong-bao/{content.announcement.slug}/",
        "schedule": "/lich-cong-tac/",
        "links": "/lien-ket/",
        "site map": "/so-do-cong/",
        "not found": "/khong-co-trang-nay/",
    }


def _axe_report(page: Page) -> tuple[int, str]:
    results = Axe().run(page)
    return results.violations_count, results.generate_report()


def _open(page: Page, url: str) -> int:
    response = page.goto(url, wait_until="load")
    assert response is not None
    return response.status


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_type_passes_axe_with_zero_violations(
    live_site: LiveSite, browser: Browser, viewport: dict[str, int]
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    failures: list[str] = []
    try:
        for name, path in page_types(live_site.content).items():
            status = _open(page, live_site.base + path)
            assert status == (404 if name == "not found" else 200), name
            assert page.evaluate("document.documentElement.lang") == "vi", name
            assert page.locator('form[role="search"][action="/tim-kiem/"] input[name="q"]').count() == 1, name
            count, report = _axe_report(page)
            if count:
                failures.append(f"--- {name} ({path}) ---\n{report}")
            if viewport is PHONE:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    failures.append(f"--- {name} ({path}): scrolls sideways by {overflow}px at 375 px")
    finally:
        context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_provincial_home_page_with_the_component_portals_block_passes_axe(
    live_site: LiveSite, province_base: str, browser: Browser, viewport: dict[str, int]
) -> None:
    context = browser.new_context(locale="vi-VN", viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        assert _open(page, province_base + "/") == 200
        block = page.locator("section[aria-labelledby='h-integration']")
        link = block.locator(f"a[href$='/tin-tuc/{live_site.content.article.slug}/']")
        assert link.count() == 1 and live_site.host in (link.get_attribute("href") or "")
        assert block.get_by_role("link", name=live_site.portal.name).count() >= 1
        count, report = _axe_report(page)
        assert count == 0, report
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.locator("[data-contrast]").click()
        _open(page, province_base + "/")
        count, report = _axe_report(page)
        assert count == 0, "high contrast\n" + report
    finally:
        context.close()


def test_english_pages_and_high_contrast_pass_axe_too(live_site: LiveSite, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        _open(page, live_site.base + "/ngon-ngu/en/?next=/")
        assert page.evaluate("document.documentElement.lang") == "en"
        failures = []
        for path in ("/", f"/gioi-thieu/{live_site.content.intro.slug}/", "/so-do-cong/"):
            _open(page, live_site.base + path)
            count, report = _axe_report(page)
            if count:
                failures.append(f"--- en {path} ---\n{report}")
        page.get_by_role("button", name="High contrast").click()
        for path in ("/", f"/tin-tuc/{live_site.content.article.slug}/", "/van-ban/"):
            _open(page, live_site.base + path)
            assert page.evaluate("document.documentElement.classList.contains('hc')")
            count, report = _axe_report(page)
            if count:
                failures.append(f"--- high contrast {path} ---\n{report}")
        assert not failures, "\n".join(failures)
    finally:
        context.close()


def test_text_size_and_contrast_controls_are_remembered(live_site: LiveSite, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        _open(page, live_site.base + "/")
        size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
        assert page.evaluate(size) == 16
        larger = page.locator("[data-font='1']")
        larger.click()
        larger.click()
        assert page.evaluate(size) == 20
        page.locator("[data-contrast]").click()
        assert page.locator("[data-contrast]").get_attribute("aria-pressed") == "true"
        _open(page, live_site.base + "/so-do-cong/")  # another page, same browser: both remembered
        assert page.evaluate(size) == 20
        assert page.evaluate("document.documentElement.classList.contains('hc')")
        assert page.locator("[data-contrast]").get_attribute("aria-pressed") == "true"
        page.locator("[data-font='0']").click()
        page.locator("[data-contrast]").click()
        assert page.evaluate(size) == 16 and not page.evaluate("document.documentElement.classList.contains('hc')")
        page.locator("[data-font='-1']").click()
        assert page.evaluate(size) == 14
    finally:
        context.close()


def test_the_keyboard_reaches_content_home_site_map_and_search(live_site: LiveSite, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        _open(page, live_site.base + f"/tin-tuc/{live_site.content.article.slug}/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        keys = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('[accesskey]')].map(e => [e.accessKey, e.getAttribute('href') || e.name]))"
        )
        assert keys == {"1": "/", "3": "/so-do-cong/", "4": "q"}
        page.fill("#site-search-q", "nghe an")
        page.keyboard.press("Enter")
        page.wait_for_url("**/tim-kiem/?q=nghe+an")
    finally:
        context.close()


def test_the_phone_menu_opens_and_closes(live_site: LiveSite, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        _open(page, live_site.base + "/")
        toggle = page.locator(".menu-toggle")
        menu = page.locator("#main-menu-list")
        assert toggle.is_visible() and not menu.is_visible()
        toggle.click()
        assert menu.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        toggle.click()
        assert not menu.is_visible()
    finally:
        context.close()


def test_without_javascript_every_link_and_the_menu_still_work(live_site: LiveSite, browser: Browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        _open(page, live_site.base + "/")
        assert page.locator("#main-menu-list").is_visible()  # no toggle needed without the script
        assert not page.locator(".display-tools").is_visible()  # controls that need the script are hidden
        page.get_by_role("link", name="English", exact=True).click()
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        context.close()
