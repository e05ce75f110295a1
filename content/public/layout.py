"""The three-part layout of every public page (TT 22/2023, TT 32/2017 Đ16), from the portal's own data.

Header: the national emblem or the agency's logo, the agency's full name, the main menu. Footer: the
agency's name, the person responsible, address, phone, email, copyright, the footer menu. The
agency's details live on ``tenants.Portal`` (set at provisioning, edited in the console); the rest
on ``content.SiteSettings`` and ``content.Menu`` (edited by the tenant admin in the back office).

Menu entries pointing at a hidden section or an unpublished page are left out: the menu never links
to something the public cannot open. A portal without menus (created without a site template) gets
a default main menu of the home page, the background pages, the site map and its sections.

The built layout is cached in Redis per portal, language and page-cache version, so a page that is
rendered (not served from the page cache) reads it with one GET instead of six queries.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from content.linkgroups import LinkGroup, link_groups_parse
from content.models import Menu, MenuItem, SiteSettings
from content.public import selectors
from content.public.cache import layout_key, page_cache_version
from content.public.store import StoreError, redis_client
from tenants.models import Domain, Portal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MenuLink:
    label: str
    lang: str  # the language the label is written in
    url: str
    children: tuple[MenuLink, ...] = ()

    @property
    def external(self) -> bool:
        return self.url.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Layout:
    language: str
    agency_name: str
    agency_name_lang: str
    header_mark: str
    logo_url: str
    main_menu: tuple[MenuLink, ...]
    footer_menu: tuple[MenuLink, ...]
    footer_text: str
    footer_text_lang: str
    copyright: str
    copyright_lang: str
    responsible_person: str
    address: str
    phone: str
    email: str
    emc_script_url: str
    primary_host: str
    # Also cached here because nearly every page needs them: the visible section tree, and the
    # languages the live articles and current announcements are written in (for the lists' choice).
    sections: selectors.SectionTree
    article_languages: frozenset[str]
    announcement_languages: frozenset[str]
    link_groups: tuple[LinkGroup, ...] = field(default=())
    show_portal_directory: bool = True

    def absolute(self, scheme: str, path: str) -> str:
        """``path`` on the portal's primary host: the canonical address of a page."""
        return f"{scheme}://{self.primary_host}{path}"


def _pick(language: str, vietnamese: str, english: str) -> tuple[str, str]:
    if language == "en" and english:
        return english, "en"
    return vietnamese, "vi"


def _item_link(item: MenuItem, language: str, tree: selectors.SectionTree) -> MenuLink | None:
    """The item as a link, or None when its target is not public."""
    if item.category_id is not None:
        node = tree.by_pk.get(item.category_id)
        if node is None:
            return None
        url = node.url
        fallback_en = item.category.name_en if item.category is not None else ""
    elif item.page_id is not None:
        if item.page is None or not item.page.live:
            return None
        url = f"/gioi-thieu/{item.page.slug}/"
        fallback_en = item.page.title_en
    else:
        url, fallback_en = item.url, ""
    label, lang = _pick(language, item.display_label("vi"), item.label_en or fallback_en)
    return MenuLink(label=label, lang=lang, url=url)


def _menu(items: list[MenuItem], language: str, tree: selectors.SectionTree) -> tuple[MenuLink, ...]:
    children: dict[int, list[MenuItem]] = {}
    for item in items:
        if item.parent_id is not None:
            children.setdefault(item.parent_id, []).append(item)
    links: list[MenuLink] = []
    for item in items:
        if item.parent_id is not None:
            continue
        subs = tuple(
            link for link in (_item_link(child, language, tree) for child in children.get(item.pk, [])) if link
        )
        own = _item_link(item, language, tree)
        if own is None and subs:
            # The entry's own target is not public, but its sub-items are: it opens the first one.
            label, lang = _pick(language, item.display_label("vi"), item.label_en)
            own = MenuLink(label=label, lang=lang, url=subs[0].url)
        if own is not None:
            links.append(MenuLink(label=own.label, lang=own.lang, url=own.url, children=subs))
    return tuple(links)


def _default_main_menu(language: str, tree: selectors.SectionTree) -> tuple[MenuLink, ...]:
    lang = "en" if language == "en" else "vi"
    links = [MenuLink(label=_("Home"), lang=lang, url="/")]
    if selectors.pages_live().exists():
        links.append(MenuLink(label=_("About us"), lang=lang, url="/gioi-thieu/"))
    links.append(MenuLink(label=_("Online public services"), lang=lang, url=settings.PUBLIC_SERVICE_URL))
    links.append(MenuLink(label=_("Site map"), lang=lang, url="/so-do-cong/"))
    for node in tree.roots:
        label, label_lang = node.label(language)
        links.append(MenuLink(label=label, lang=label_lang, url=node.url))
    return tuple(links)


def layout_build(*, portal: Portal, language: str) -> Layout:
    """The layout of ``portal``'s pages in ``language`` (queries the portal's schema)."""
    site = SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_PK).first() or SiteSettings()
    tree = selectors.sections_visible()
    items = list(
        MenuItem.objects.filter(menu__key__in=("main", "footer"))
        .select_related("menu", "category", "page")
        .order_by("order", "pk")
    )
    by_menu: dict[str, list[MenuItem]] = {"main": [], "footer": []}
    for item in items:
        by_menu[item.menu.key].append(item)
    has_main = bool(by_menu["main"]) or Menu.objects.filter(key="main").exists()
    main_menu = _menu(by_menu["main"], language, tree) if has_main else _default_main_menu(language, tree)

    agency_name, agency_lang = _pick(language, portal.name, site.agency_name_en)
    footer_text, footer_lang = _pick(language, site.footer_text, site.footer_text_en)
    copyright_line, copyright_lang = _pick(language, site.copyright, site.copyright_en)
    if not copyright_line:
        copyright_line, copyright_lang = f"© {timezone.localdate().year} {agency_name}", agency_lang
    groups, _errors = link_groups_parse(site.link_groups)
    primary = (
        Domain.objects.filter(tenant_id=portal.pk, is_primary=True).values_list("domain", flat=True).first()
        or Domain.objects.filter(tenant_id=portal.pk).values_list("domain", flat=True).first()
        or ""
    )
    return Layout(
        language=language,
        agency_name=agency_name,
        agency_name_lang=agency_lang,
        header_mark=site.header_mark,
        logo_url=site.logo_url,
        main_menu=main_menu,
        footer_menu=_menu(by_menu["footer"], language, tree),
        footer_text=footer_text,
        footer_text_lang=footer_lang,
        copyright=copyright_line,
        copyright_lang=copyright_lang,
        responsible_person=portal.responsible_person,
        address=portal.address,
        phone=portal.phone,
        email=portal.email,
        emc_script_url=site.emc_script_url,
        primary_host=primary,
        sections=tree,
        article_languages=selectors.languages_of(selectors.articles_live()),
        announcement_languages=selectors.languages_of(selectors.announcements_current()),
        link_groups=tuple(groups),
        show_portal_directory=site.show_portal_directory,
    )


def layout_for(request: HttpRequest) -> Layout:
    """The layout of the request's portal in the active language, from the cache when it can be."""
    language = get_language() or settings.LANGUAGE_CODE
    remembered: Layout | None = getattr(request, "_site_layout", None)
    if remembered is not None and remembered.language == language:
        return remembered  # the view and the context processor both ask: build it once per request
    layout = _layout_for(request, language)
    request._site_layout = layout  # type: ignore[attr-defined]
    return layout


def _layout_for(request: HttpRequest, language: str) -> Layout:
    portal: Portal = request.tenant  # type: ignore[attr-defined]
    version = getattr(request, "site_cache_version", None)
    if version is None:
        version = page_cache_version(portal.schema_name)
    if version < 0 or settings.PUBLIC_CACHE_SECONDS <= 0:  # no Redis, or caching switched off
        return layout_build(portal=portal, language=language)
    cache_key = layout_key(portal, language, version)
    raw = getattr(request, "site_layout_raw", None)  # fetched with the page-cache lookup
    try:
        if raw is None:
            raw = redis_client().get(cache_key)
        if raw is not None:
            cached: Layout = pickle.loads(cast(bytes, raw))  # noqa: S301 - written only by this module to our cache server
            return cached
    except StoreError:
        return layout_build(portal=portal, language=language)
    layout = layout_build(portal=portal, language=language)
    try:
        redis_client().set(
            cache_key, pickle.dumps(layout, protocol=pickle.HIGHEST_PROTOCOL), ex=settings.PUBLIC_CACHE_SECONDS
        )
    except StoreError:
        log.warning("layout cache: Redis unavailable for %s", portal.schema_name)
    return layout
