"""Site templates: every shipped one loads; every kind of bad entry is named with its path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from content import roles
from content.models import Category, Menu, MenuItem, Page, PageKind, SiteSettings
from portal_platform.errors import ApplicationError
from provisioning import site_templates
from provisioning.site_templates import (
    ENGLISH_PAGE_KINDS,
    REQUIRED_PAGE_KINDS,
    SiteTemplate,
    TemplateError,
    available_templates,
    load_template,
    load_template_file,
)
from tenants.models import PortalKind


def test_the_three_kinds_ship_a_template() -> None:
    assert available_templates() == ["commune", "department", "province"]


@pytest.mark.parametrize("key", ["province", "department", "commune"])
def test_each_shipped_template_loads_and_is_complete(key: str) -> None:
    template = load_template(key)
    assert isinstance(template, SiteTemplate)
    assert template.key == key and template.kind == key
    assert template.version == "2"
    assert template.name
    assert [role.key for role in template.roles] == list(roles.ROLE_KEYS)
    assert {page.kind for page in template.pages} >= set(REQUIRED_PAGE_KINDS)
    for page in template.pages:
        if page.kind in ENGLISH_PAGE_KINDS:
            assert page.title_en and page.body_en, page.kind
        assert "{agency_name}" in page.body
    # Top-level sections carry an English name for the English site's navigation.
    assert all(section.name_en for section in template.sections)

    main = next(menu for menu in template.menus if menu.key == "main")
    labels = [item.label for item in main.items[:4]]
    assert labels == ["Trang chủ", "Giới thiệu", "Dịch vụ công trực tuyến", "Sơ đồ cổng"]
    assert main.items[2].url.startswith("https://dichvucong.")
    assert main.items[3].url == "/so-do-cong/"
    assert [item.section for item in main.items[4:]] == [section.slug for section in template.sections]
    assert {child.page for child in main.items[1].children} == {
        page.slug for page in template.pages if page.kind != "other"
    }


def test_a_commune_has_fewer_sections_than_a_province() -> None:
    def count(sections: Any) -> int:
        return sum(1 + count(section.children) for section in sections)

    assert count(load_template("commune").sections) < count(load_template("department").sections)
    assert count(load_template("department").sections) < count(load_template("province").sections)


def test_roles_grant_account_and_group_management_to_the_admin_only() -> None:
    for key in available_templates():
        template = load_template(key)
        for role in template.roles:
            managing = [
                p for p in role.permissions if p.startswith(("accounts.", "auth.", "content.change_sitesettings"))
            ]
            if role.key == roles.TENANT_ADMIN:
                assert "accounts.change_user" in managing and "auth.change_group" in managing
            else:
                assert managing == [], (key, role.key)
        head = template.role(roles.BOARD_HEAD).permissions
        # Who may approve and publish is the workflow's rule (content.services.workflow), not a
        # permission a portal administrator could hand out; permissions only open the back office.
        assert "content.review_page" in head and "content.change_article" in head
        assert "content.review_page" in template.role(roles.BOARD_DEPUTY).permissions
        assert "content.review_page" not in template.role(roles.EDITOR).permissions
        assert "content.change_page" in template.role(roles.EDITOR).permissions
        assert "content.add_article" in template.role(roles.CONTRIBUTOR).permissions
        assert "content.change_article" not in template.role(roles.TENANT_ADMIN).permissions


def test_loading_is_cached_and_needs_no_database() -> None:
    # No django_db mark: any query here would fail the test.
    assert load_template("commune") is load_template("commune")


def test_an_unknown_template_key_is_refused_without_touching_the_file_system() -> None:
    for key in ["thanh-pho", "../commune", "commune.json", ""]:
        with pytest.raises(TemplateError) as info:
            load_template(key)
        assert info.value.code == "unknown_template"
        assert "commune, department, province" in info.value.message


def test_mirrored_constants_agree_with_the_models() -> None:
    assert set(site_templates.PORTAL_KINDS) == set(PortalKind.values)
    assert site_templates.PAGE_KINDS == tuple(PageKind.values)
    lengths: dict[int, list[Any]] = {
        site_templates.MAX_SLUG: [Category._meta.get_field("slug"), Page._meta.get_field("slug")],
        site_templates.MAX_NAME: [
            Category._meta.get_field("name"),
            Menu._meta.get_field("name"),
            MenuItem._meta.get_field("label"),
        ],
        site_templates.MAX_TITLE: [Page._meta.get_field("title"), SiteSettings._meta.get_field("copyright")],
        site_templates.MAX_URL: [MenuItem._meta.get_field("url")],
        site_templates.MAX_MENU_KEY: [Menu._meta.get_field("key")],
        site_templates.MAX_VERSION: [SiteSettings._meta.get_field("template_version")],
    }
    for limit, fields in lengths.items():
        for field in fields:
            assert field.max_length == limit, field


# --- bad files ----------------------------------------------------------------------------------

VALID = json.loads((site_templates.TEMPLATES_DIR / "commune.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: Any, name: str = "commune.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _pages_by_kind(doc: dict[str, Any]) -> dict[str, int]:
    return {page["kind"]: index for index, page in enumerate(doc["pages"])}


def _set(*keys: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def _delete(*keys: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


def _drop_role(key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        doc["roles"] = [role for role in doc["roles"] if role["key"] != key]

    return mutate


def _drop_page(kind: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        doc["pages"] = [page for page in doc["pages"] if page["kind"] != kind]

    return mutate


def _grandchild_menu_item(doc: dict[str, Any]) -> None:
    doc["menus"][0]["items"][1]["children"][0]["children"] = [{"key": "sau", "url": "/sau/", "label": "Sâu"}]


def _two_targets(doc: dict[str, Any]) -> None:
    doc["menus"][0]["items"][0]["page"] = "gioi-thieu-chung"


BAD_ENTRIES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("slug format", _set("sections", 2, "children", 0, "slug", value="Van Ban"), "sections[2].children[0].slug: "),
    ("duplicate slug", _set("sections", 3, "slug", value="tin-tuc-su-kien"), "sections[3].slug: "),
    ("missing name", _delete("sections", 1, "name"), "sections[1].name: "),
    ("empty name", _set("sections", 1, "name", value=""), "sections[1].name: "),
    ("name not text", _set("sections", 1, "name", value=7), "sections[1].name: "),
    ("visible not bool", _set("sections", 0, "visible", value="yes"), "sections[0].visible: "),
    ("unknown field", _set("sections", 0, "nme", value="x"), "sections[0].nme: "),
    ("too long", _set("sections", 0, "name", value="x" * 201), "sections[0].name: "),
    ("children not a list", _set("sections", 0, "children", value={}), "sections[0].children: "),
    ("kind", _set("kind", value="city"), "kind: "),
    ("version zero", _set("version", value=0), "version: "),
    ("version bool", _set("version", value=True), "version: "),
    ("version text", _set("version", value="mới"), "version: "),
    ("missing roles", _delete("roles"), "roles: "),
    ("sections empty", _set("sections", value=[]), "sections: "),
    ("unknown page kind", _set("pages", 0, "kind", value="history"), "pages[0].kind: "),
    ("page kind twice", _set("pages", 1, "kind", value="intro"), "pages[1].kind: "),
    ("page kind missing", _drop_page("spokesperson"), "pages: "),
    ("english body required", _delete("pages", 2, "body_en"), "pages[2].body_en: "),
    ("page slug twice", _set("pages", 3, "slug", value="gioi-thieu-chung"), "pages[3].slug: "),
    ("unknown placeholder", _set("pages", 0, "body", value="Trang của {ten_co_quan}."), "pages[0].body: "),
    ("menu section missing", _set("menus", 0, "items", 5, "section", value="khong-co"), "menus[0].items[5].section: "),
    ("menu page missing", _set("menus", 1, "items", 1, "page", value="khong-co"), "menus[1].items[1].page: "),
    ("menu two targets", _two_targets, "menus[0].items[0]: "),
    ("menu nested twice", _grandchild_menu_item, "menus[0].items[1].children[0].children: "),
    ("menu url", _set("menus", 0, "items", 2, "url", value="javascript:alert(1)"), "menus[0].items[2].url: "),
    ("menu url label", _delete("menus", 0, "items", 3, "label"), "menus[0].items[3].label: "),
    ("menu item key twice", _set("menus", 0, "items", 3, "key", value="trang-chu"), "menus[0].items[3].key: "),
    ("footer menu missing", _set("menus", 1, "key", value="phu"), "menus: "),
    ("role missing", _drop_role(roles.CONTRIBUTOR), "roles: "),
    ("unknown role", _set("roles", 0, "key", value="webmaster"), "roles[0].key: "),
    ("permission format", _set("roles", 1, "permissions", 0, value="publish_page"), "roles[1].permissions[0]: "),
    (
        "permission twice",
        _set("roles", 3, "permissions", 1, value="content.view_category"),
        "roles[3].permissions[1]: ",
    ),
    ("role name twice", _set("roles", 4, "name", value="Biên tập viên"), "roles[4].name: "),
    ("footer", _set("footer", value="© UBND"), "footer: "),
]


@pytest.mark.parametrize(("mutate", "where"), [case[1:] for case in BAD_ENTRIES], ids=[case[0] for case in BAD_ENTRIES])
def test_a_bad_entry_is_named_with_file_and_path(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], where: str
) -> None:
    doc = copy.deepcopy(VALID)
    mutate(doc)
    with pytest.raises(TemplateError) as info:
        load_template_file(_write(tmp_path, doc))
    error = info.value
    assert isinstance(error, ApplicationError)
    assert error.code == "invalid_template"
    assert error.message.startswith(f"commune.json: {where}"), error.message
    assert error.extra["file"] == "commune.json"


def test_the_valid_copy_loads(tmp_path: Path) -> None:
    # The bad-entry cases above differ from this one document by one change each.
    assert load_template_file(_write(tmp_path, VALID)).key == "commune"


def test_a_duplicate_names_where_the_first_one_is(tmp_path: Path) -> None:
    doc = copy.deepcopy(VALID)
    doc["sections"][2]["children"][1]["slug"] = "tin-tuc-su-kien"
    with pytest.raises(TemplateError) as info:
        load_template_file(_write(tmp_path, doc))
    assert "sections[2].children[1].slug" in info.value.message
    assert "sections[0].slug" in info.value.message


def test_the_version_may_be_semver_like_text(tmp_path: Path) -> None:
    doc = copy.deepcopy(VALID)
    doc["version"] = "2.1.0"
    assert load_template_file(_write(tmp_path, doc)).version == "2.1.0"


def test_the_key_must_match_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(TemplateError) as info:
        load_template_file(_write(tmp_path, VALID, name="xa.json"))
    assert info.value.message.startswith("xa.json: key: ")


def test_a_file_that_is_not_json_or_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "commune.json"
    path.write_text('{"key": "commune",', encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load_template_file(path)
    assert info.value.message.startswith("commune.json: ") and "JSON" in info.value.message

    with pytest.raises(TemplateError) as info:
        load_template_file(_write(tmp_path, [VALID]))
    assert info.value.message.startswith("commune.json: ")

    with pytest.raises(TemplateError) as info:
        load_template_file(tmp_path / "missing.json")
    assert info.value.message.startswith("missing.json: ")
