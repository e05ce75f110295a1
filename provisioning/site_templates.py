"""Site templates: the versioned description of what a new portal starts with.

A template (``provisioning/templates/<key>.json``, one per portal kind) lists the section tree that
NĐ 42/2022 Đ4 expects of that kind of portal, the background pages, the menus, the footer wording
and the editorial roles with their permissions. ``load_template`` reads and validates one into
frozen dataclasses, without touching the database, so a bad file fails when it is loaded — with the
file and the path of the bad entry, e.g. ``commune.json: sections[2].children[0].slug: …`` — rather
than half-way through provisioning a portal. ``content.services`` then applies it inside the new
portal's schema.

Templates are data: Vietnamese text with ``*_en`` fields for what must also exist in English
(NĐ 42/2022 Đ7.2). Page texts and the footer may use the placeholder ``{agency_name}``.
Bump ``version`` whenever a template changes: each portal records the version it was made from.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NoReturn, TypeVar

from django.utils.translation import gettext as _

from content import roles
from portal_platform.errors import ApplicationError

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"

# These mirror values defined on models (tenants.models.PortalKind, content.models.PageKind and
# field lengths) without importing them, so that loading a template needs neither the app registry
# nor a database; tests/provisioning/test_site_templates.py checks that they still agree.
PORTAL_KINDS: Final[tuple[str, ...]] = ("province", "department", "commune")
PAGE_KINDS: Final[tuple[str, ...]] = (
    "intro",
    "functions",
    "organisation",
    "leaders",
    "contacts",
    "spokesperson",
    "other",
)
# NĐ 42/2022 Đ4: every portal carries these; "other" pages are optional and may repeat.
REQUIRED_PAGE_KINDS: Final[tuple[str, ...]] = PAGE_KINDS[:-1]
# NĐ 42/2022 Đ7.2 asks for the organisation, functions and contact officers in English at least;
# the introduction comes along because the English site needs a landing text.
ENGLISH_PAGE_KINDS: Final[tuple[str, ...]] = ("intro", "functions", "organisation", "contacts")
REQUIRED_MENUS: Final[tuple[str, ...]] = ("main", "footer")
PLACEHOLDERS: Final[frozenset[str]] = frozenset({"agency_name"})

MAX_SLUG: Final = 100
MAX_NAME: Final = 200  # Category.name, Menu.name, MenuItem.label
MAX_TITLE: Final = 255  # Page.title, SiteSettings.copyright
MAX_URL: Final = 500  # MenuItem.url
MAX_MENU_KEY: Final = 50  # Menu.key
MAX_ROLE_NAME: Final = 150  # auth.Group.name
MAX_VERSION: Final = 50  # SiteSettings.template_version

_SLUG = re.compile(r"^[a-z0-9-]+$")
_TEMPLATE_KEY = re.compile(r"^[a-z0-9-]{1,50}$")
_VERSION = re.compile(r"^\d+(?:\.\d+){0,2}(?:[-+][0-9A-Za-z.-]+)?$")
_PERMISSION = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
_URL = re.compile(r"^(/|https?://)\S*$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateError(ApplicationError):
    """A site template that cannot be used; the message names the file and the bad entry."""

    code = "invalid_template"
    http_status = 500  # templates ship with the platform: a bad one is our fault, not the caller's


@dataclass(frozen=True)
class SectionSpec:
    slug: str
    name: str
    name_en: str = ""
    description: str = ""
    visible: bool = True
    children: tuple[SectionSpec, ...] = ()


@dataclass(frozen=True)
class PageSpec:
    kind: str
    slug: str
    title: str
    body: str
    title_en: str = ""
    body_en: str = ""


@dataclass(frozen=True)
class MenuItemSpec:
    """One menu entry; exactly one of ``section`` (a section slug), ``page`` (a page slug), ``url``."""

    key: str
    label: str = ""
    label_en: str = ""
    section: str = ""
    page: str = ""
    url: str = ""
    children: tuple[MenuItemSpec, ...] = ()


@dataclass(frozen=True)
class MenuSpec:
    key: str
    name: str
    items: tuple[MenuItemSpec, ...]


@dataclass(frozen=True)
class FooterSpec:
    text: str = ""
    text_en: str = ""
    copyright: str = ""
    copyright_en: str = ""


@dataclass(frozen=True)
class RoleSpec:
    """An editorial role (key from ``content.roles``), its group name and its exact permissions."""

    key: str
    name: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class SiteTemplate:
    key: str
    version: str  # "1", "2", or a semver-like "1.2.0"; always text so it can be stored as is
    kind: str
    sections: tuple[SectionSpec, ...]
    pages: tuple[PageSpec, ...]
    menus: tuple[MenuSpec, ...]
    footer: FooterSpec
    roles: tuple[RoleSpec, ...]
    name: str = ""  # a human name for the console, e.g. "Cổng TTĐT xã, phường, đặc khu"

    def role(self, key: str) -> RoleSpec:
        for spec in self.roles:
            if spec.key == key:
                return spec
        raise KeyError(key)


# --- loading ------------------------------------------------------------------------------------


def available_templates() -> list[str]:
    """The keys of the shipped templates (file names without ``.json``), sorted."""
    return sorted(path.stem for path in TEMPLATES_DIR.glob("*.json"))


@functools.cache
def load_template(key: str) -> SiteTemplate:
    """Read and validate ``provisioning/templates/<key>.json``; cached (templates ship with the code)."""
    if not _TEMPLATE_KEY.match(key) or not (TEMPLATES_DIR / f"{key}.json").is_file():
        raise TemplateError(
            _("There is no site template “%(key)s” (available: %(available)s).")
            % {"key": key, "available": ", ".join(available_templates())},
            code="unknown_template",
            extra={"template": key},
        )
    return load_template_file(TEMPLATES_DIR / f"{key}.json")


def load_template_file(path: Path) -> SiteTemplate:
    """Read and validate one template file (any path; the file's name must be its key)."""
    reader = _Reader(path.name)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reader.fail_file(_("cannot be read: %(error)s") % {"error": exc.strerror or exc})
    except UnicodeDecodeError:
        reader.fail_file(_("is not UTF-8 text"))
    except json.JSONDecodeError as exc:
        reader.fail_file(
            _("is not valid JSON (line %(line)d, column %(column)d): %(error)s")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
        )
    return reader.template(raw, expected_key=path.stem)


# --- validation ---------------------------------------------------------------------------------

T = TypeVar("T")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Reader:
    """Turns parsed JSON into specs, failing on the first bad entry with its path."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        # Cross-references, filled as the document is read: sections and pages are read before
        # the menus that link to them.
        self.section_paths: dict[str, str] = {}
        self.page_slugs: set[str] = set()
        self.item_keys: dict[str, str] = {}

    # -- errors --

    def fail(self, path: str, problem: str) -> NoReturn:
        raise TemplateError(
            f"{self.file_name}: {path}: {problem}",
            extra={"file": self.file_name, "path": path, "problem": problem},
        )

    def fail_file(self, problem: str) -> NoReturn:
        raise TemplateError(
            f"{self.file_name}: {problem}", extra={"file": self.file_name, "path": "", "problem": problem}
        )

    # -- primitives --

    def obj(
        self, value: Any, path: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            if path:
                self.fail(path, _("must be an object"))
            self.fail_file(_("must contain a JSON object"))
        allowed = required + optional
        for field in value:
            if field not in allowed:
                self.fail(_join(path, field), _("unknown field (allowed: %(fields)s)") % {"fields": ", ".join(allowed)})
        for field in required:
            if field not in value:
                self.fail(_join(path, field), _("is required"))
        return value

    def items(self, value: Any, path: str, *, allow_empty: bool = False) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
        if not value and not allow_empty:
            self.fail(path, _("must not be empty"))
        return value

    def text(
        self,
        data: Mapping[str, Any],
        field: str,
        path: str,
        *,
        max_length: int | None = None,
        blank: bool = False,
        placeholders: bool = False,
    ) -> str:
        where = _join(path, field)
        value = data.get(field, "")
        if not isinstance(value, str):
            self.fail(where, _("must be text"))
        if not blank and not value.strip():
            self.fail(where, _("must not be empty"))
        if value != value.strip():
            self.fail(where, _("must not start or end with spaces"))
        if max_length is not None and len(value) > max_length:
            self.fail(where, _("is longer than %(max)d characters") % {"max": max_length})
        if placeholders:
            for name in _PLACEHOLDER.findall(value):
                if name not in PLACEHOLDERS:
                    self.fail(
                        where,
                        _("unknown placeholder “{%(name)s}” (only {agency_name} is available)") % {"name": name},
                    )
        return value

    def slug(self, data: Mapping[str, Any], field: str, path: str, *, max_length: int = MAX_SLUG) -> str:
        value = self.text(data, field, path, max_length=max_length)
        if not _SLUG.match(value):
            self.fail(_join(path, field), _("must contain only lower-case unaccented letters, digits and hyphens"))
        return value

    def flag(self, data: Mapping[str, Any], field: str, path: str, *, default: bool) -> bool:
        value = data.get(field, default)
        if not isinstance(value, bool):
            self.fail(_join(path, field), _("must be true or false"))
        return value

    def choice(self, data: Mapping[str, Any], field: str, path: str, choices: tuple[str, ...]) -> str:
        value = self.text(data, field, path)
        if value not in choices:
            self.fail(_join(path, field), _("must be one of: %(choices)s") % {"choices": ", ".join(choices)})
        return value

    def each(self, values: list[Any], path: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
        return tuple(read(value, _join(path, index)) for index, value in enumerate(values))

    # -- the document --

    def template(self, raw: Any, *, expected_key: str) -> SiteTemplate:
        data = self.obj(
            raw,
            "",
            required=("key", "version", "kind", "sections", "pages", "menus", "footer", "roles"),
            optional=("name",),
        )
        key = self.slug(data, "key", "", max_length=50)
        if key != expected_key:
            self.fail("key", _("must match the file name (%(expected)s)") % {"expected": expected_key})
        version = self.version(data.get("version"), "version")
        kind = self.choice(data, "kind", "", PORTAL_KINDS)
        name = self.text(data, "name", "", max_length=MAX_NAME, blank=True)

        sections = self.each(self.items(data["sections"], "sections"), "sections", self.section)
        pages = self.pages(data["pages"])
        page_slugs = {page.slug for page in pages}
        menus = self.menus(data["menus"], page_slugs)
        footer = self.footer(data["footer"])
        role_specs = self.roles(data["roles"])
        return SiteTemplate(
            key=key,
            version=version,
            kind=kind,
            name=name,
            sections=sections,
            pages=pages,
            menus=menus,
            footer=footer,
            roles=role_specs,
        )

    def version(self, value: Any, path: str) -> str:
        problem = _("must be a positive integer or a version such as 1.2.0")
        if isinstance(value, bool):
            self.fail(path, problem)
        if isinstance(value, int):
            if value < 1:
                self.fail(path, problem)
            return str(value)
        if not isinstance(value, str) or not _VERSION.match(value) or len(value) > MAX_VERSION:
            self.fail(path, problem)
        if value.isdigit() and int(value) < 1:
            self.fail(path, problem)
        return value

    def section(self, raw: Any, path: str) -> SectionSpec:
        data = self.obj(
            raw, path, required=("slug", "name"), optional=("name_en", "description", "visible", "children")
        )
        slug = self.slug(data, "slug", path)
        # Section slugs are unique in the whole portal (see content.models.Category).
        if slug in self.section_paths:
            self.fail(
                _join(path, "slug"),
                _("duplicate slug “%(slug)s” (already used at %(other)s)")
                % {"slug": slug, "other": self.section_paths[slug]},
            )
        self.section_paths[slug] = _join(path, "slug")
        children_path = _join(path, "children")
        return SectionSpec(
            slug=slug,
            name=self.text(data, "name", path, max_length=MAX_NAME),
            name_en=self.text(data, "name_en", path, max_length=MAX_NAME, blank=True),
            description=self.text(data, "description", path, blank=True),
            visible=self.flag(data, "visible", path, default=True),
            children=self.each(
                self.items(data.get("children", []), children_path, allow_empty=True), children_path, self.section
            ),
        )

    def pages(self, raw: Any) -> tuple[PageSpec, ...]:
        pages = self.each(self.items(raw, "pages"), "pages", self.page)
        slug_paths: dict[str, str] = {}
        kind_paths: dict[str, str] = {}
        for index, page in enumerate(pages):
            path = _join("pages", index)
            if page.slug in slug_paths:
                self.fail(
                    _join(path, "slug"),
                    _("duplicate slug “%(slug)s” (already used at %(other)s)")
                    % {"slug": page.slug, "other": slug_paths[page.slug]},
                )
            slug_paths[page.slug] = _join(path, "slug")
            if page.kind != "other":
                if page.kind in kind_paths:
                    self.fail(
                        _join(path, "kind"),
                        _("the page type “%(kind)s” appears twice (already at %(other)s)")
                        % {"kind": page.kind, "other": kind_paths[page.kind]},
                    )
                kind_paths[page.kind] = _join(path, "kind")
        missing = [kind for kind in REQUIRED_PAGE_KINDS if kind not in kind_paths]
        if missing:
            self.fail("pages", _("the page types %(kinds)s are missing") % {"kinds": ", ".join(missing)})
        return pages

    def page(self, raw: Any, path: str) -> PageSpec:
        data = self.obj(raw, path, required=("kind", "slug", "title", "body"), optional=("title_en", "body_en"))
        kind = self.choice(data, "kind", path, PAGE_KINDS)
        english_required = kind in ENGLISH_PAGE_KINDS
        spec = PageSpec(
            kind=kind,
            slug=self.slug(data, "slug", path),
            title=self.text(data, "title", path, max_length=MAX_TITLE, placeholders=True),
            body=self.text(data, "body", path, placeholders=True),
            title_en=self.text(data, "title_en", path, max_length=MAX_TITLE, blank=True, placeholders=True),
            body_en=self.text(data, "body_en", path, blank=True, placeholders=True),
        )
        if english_required:
            for field, value in (("title_en", spec.title_en), ("body_en", spec.body_en)):
                if not value:
                    self.fail(
                        _join(path, field),
                        _("is required: pages of type “%(kind)s” must also exist in English (NĐ 42/2022 Đ7.2)")
                        % {"kind": kind},
                    )
        return spec

    def menus(self, raw: Any, page_slugs: set[str]) -> tuple[MenuSpec, ...]:
        self.page_slugs = page_slugs
        menus = self.each(self.items(raw, "menus"), "menus", self.menu)
        seen: dict[str, str] = {}
        for index, menu in enumerate(menus):
            where = _join(_join("menus", index), "key")
            if menu.key in seen:
                self.fail(
                    where,
                    _("duplicate key “%(key)s” (already used at %(other)s)")
                    % {"key": menu.key, "other": seen[menu.key]},
                )
            seen[menu.key] = where
        missing = [key for key in REQUIRED_MENUS if key not in seen]
        if missing:
            self.fail("menus", _("the menus %(keys)s are missing") % {"keys": ", ".join(missing)})
        return menus

    def menu(self, raw: Any, path: str) -> MenuSpec:
        data = self.obj(raw, path, required=("key", "name", "items"))
        self.item_keys = {}  # item keys are unique per menu
        items_path = _join(path, "items")
        return MenuSpec(
            key=self.slug(data, "key", path, max_length=MAX_MENU_KEY),
            name=self.text(data, "name", path, max_length=MAX_NAME),
            items=self.each(self.items(data["items"], items_path), items_path, self.top_item),
        )

    def top_item(self, raw: Any, path: str) -> MenuItemSpec:
        return self.item(raw, path, nested=False)

    def child_item(self, raw: Any, path: str) -> MenuItemSpec:
        return self.item(raw, path, nested=True)

    def item(self, raw: Any, path: str, *, nested: bool) -> MenuItemSpec:
        data = self.obj(
            raw, path, required=("key",), optional=("label", "label_en", "section", "page", "url", "children")
        )
        key = self.slug(data, "key", path)
        if key in self.item_keys:
            self.fail(
                _join(path, "key"),
                _("duplicate key “%(key)s” (already used at %(other)s)") % {"key": key, "other": self.item_keys[key]},
            )
        self.item_keys[key] = _join(path, "key")
        targets = [field for field in ("section", "page", "url") if field in data]
        if len(targets) != 1:
            self.fail(path, _("must link to exactly one of: section, page, url"))
        section = page = url = ""
        if "section" in data:
            section = self.slug(data, "section", path)
            if section not in self.section_paths:
                self.fail(
                    _join(path, "section"), _("no section with slug “%(slug)s” in this template") % {"slug": section}
                )
        elif "page" in data:
            page = self.slug(data, "page", path)
            if page not in self.page_slugs:
                self.fail(_join(path, "page"), _("no page with slug “%(slug)s” in this template") % {"slug": page})
        else:
            url = self.text(data, "url", path, max_length=MAX_URL)
            if not _URL.match(url):
                self.fail(_join(path, "url"), _("must be a path starting with / or an address starting with https://"))
        label = self.text(data, "label", path, max_length=MAX_NAME, blank=True)
        if url and not label:
            self.fail(_join(path, "label"), _("is required for a link to an address"))
        children: tuple[MenuItemSpec, ...] = ()
        if "children" in data:
            children_path = _join(path, "children")
            if nested:
                self.fail(children_path, _("menus have only one level of sub-items"))
            children = self.each(
                self.items(data["children"], children_path, allow_empty=True), children_path, self.child_item
            )
        return MenuItemSpec(
            key=key,
            label=label,
            label_en=self.text(data, "label_en", path, max_length=MAX_NAME, blank=True),
            section=section,
            page=page,
            url=url,
            children=children,
        )

    def footer(self, raw: Any) -> FooterSpec:
        data = self.obj(raw, "footer", required=(), optional=("text", "text_en", "copyright", "copyright_en"))
        return FooterSpec(
            text=self.text(data, "text", "footer", blank=True, placeholders=True),
            text_en=self.text(data, "text_en", "footer", blank=True, placeholders=True),
            copyright=self.text(data, "copyright", "footer", max_length=MAX_TITLE, blank=True, placeholders=True),
            copyright_en=self.text(data, "copyright_en", "footer", max_length=MAX_TITLE, blank=True, placeholders=True),
        )

    def roles(self, raw: Any) -> tuple[RoleSpec, ...]:
        specs = self.each(self.items(raw, "roles"), "roles", self.role)
        key_paths: dict[str, str] = {}
        name_paths: dict[str, str] = {}
        for index, spec in enumerate(specs):
            path = _join("roles", index)
            if spec.key in key_paths:
                self.fail(
                    _join(path, "key"),
                    _("duplicate key “%(key)s” (already used at %(other)s)")
                    % {"key": spec.key, "other": key_paths[spec.key]},
                )
            key_paths[spec.key] = _join(path, "key")
            # Group names are unique in a schema.
            if spec.name in name_paths:
                self.fail(
                    _join(path, "name"),
                    _("duplicate name “%(name)s” (already used at %(other)s)")
                    % {"name": spec.name, "other": name_paths[spec.name]},
                )
            name_paths[spec.name] = _join(path, "name")
        missing = [key for key in roles.ROLE_KEYS if key not in key_paths]
        if missing:
            self.fail("roles", _("the roles %(keys)s are missing") % {"keys": ", ".join(missing)})
        return specs

    def role(self, raw: Any, path: str) -> RoleSpec:
        data = self.obj(raw, path, required=("key", "name", "permissions"))
        key = self.choice(data, "key", path, roles.ROLE_KEYS)
        name = self.text(data, "name", path, max_length=MAX_ROLE_NAME)
        permissions_path = _join(path, "permissions")
        # An empty list is allowed: a role may exist before it is granted anything.
        values = self.items(data["permissions"], permissions_path, allow_empty=True)
        permissions: list[str] = []
        for index, value in enumerate(values):
            where = _join(permissions_path, index)
            if not isinstance(value, str):
                self.fail(where, _("must be text"))
            if not _PERMISSION.match(value):
                self.fail(where, _("must be written app_label.codename (for example: content.change_page)"))
            if value in permissions:
                self.fail(where, _("the permission “%(permission)s” is listed twice") % {"permission": value})
            permissions.append(value)
        return RoleSpec(key=key, name=name, permissions=tuple(permissions))
