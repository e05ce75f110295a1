"""Roles and site content applied from a site template inside one portal's schema."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from content import roles
from content.models import AuditEvent, Category, Menu, MenuItem, Page, Role, SiteSettings
from content.services import site as services
from provisioning.site_templates import (
    RoleSpec,
    SectionSpec,
    SiteTemplate,
    TemplateError,
    available_templates,
    load_template,
)
from tenants.models import Portal

pytestmark = pytest.mark.django_db

AGENCY = "Ủy ban nhân dân xã An"
CONTENT_MODELS: list[Any] = [Category, Page, Menu, MenuItem, SiteSettings, Role]


def _apply(template: SiteTemplate, agency_name: str = AGENCY) -> dict[str, Group]:
    groups = services.roles_apply(roles=template.roles)
    services.site_content_apply(template=template, agency_name=agency_name)
    return groups


def _permissions(group: Group) -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _snapshot() -> dict[str, Any]:
    """Every row the two services write, with every column (updated_at included)."""
    rows: dict[str, Any] = {model.__name__: list(model.objects.order_by("pk").values()) for model in CONTENT_MODELS}
    rows["groups"] = [(group.pk, group.name, sorted(_permissions(group))) for group in Group.objects.order_by("pk")]
    rows["audit"] = list(AuditEvent.objects.order_by("pk").values_list("pk", "action"))
    return rows


@pytest.fixture
def commune() -> SiteTemplate:
    return load_template("commune")


def test_sections_pages_menus_and_footer(portal_a: Portal, commune: SiteTemplate) -> None:
    with schema_context(portal_a.schema_name):
        _apply(commune)

        top = list(Category.objects.filter(parent__isnull=True).order_by("order"))
        assert [c.slug for c in top] == [s.slug for s in commune.sections]
        assert [c.order for c in top] == [10 * (i + 1) for i in range(len(top))]
        assert all(c.is_visible and c.name_en for c in top)
        van_ban = Category.objects.get(slug="van-ban")
        assert [c.slug for c in van_ban.children.order_by("order")] == [
            "van-ban-quy-pham-phap-luat",
            "van-ban-chi-dao-dieu-hanh",
        ]
        assert Category.objects.get(slug="tin-tuc-su-kien").name_en == "News and events"

        pages = {page.kind: page for page in Page.objects.all()}
        assert set(pages) == {"intro", "functions", "organisation", "leaders", "contacts", "spokesperson"}
        for page in pages.values():
            # Placeholders wait for the board: not public, never reviewed, agency named.
            assert not page.live and page.status == "draft" and page.last_reviewed_at is None
            assert AGENCY in page.body and "{agency_name}" not in page.body
        for kind in ("intro", "functions", "organisation", "contacts"):
            assert pages[kind].title_en and AGENCY in pages[kind].body_en
        assert pages["organisation"].title_en == "Organisational structure"

        main = Menu.objects.get(key="main")
        items = list(main.items.filter(parent__isnull=True).select_related("category", "page").order_by("order"))
        labels = [item.display_label() for item in items]
        assert labels[:4] == ["Trang chủ", "Giới thiệu", "Dịch vụ công trực tuyến", "Sơ đồ cổng"]
        assert labels[4:] == [c.name for c in top]
        assert [item.display_label("en") for item in items[:4]] == [
            "Home",
            "About us",
            "Online public services",
            "Site map",
        ]
        assert items[4].display_label("en") == "News and events"
        assert items[2].url == "https://dichvucong.nghean.gov.vn" and items[3].url == "/so-do-cong/"
        about = items[1]
        assert about.page == pages["intro"]
        assert [child.page.kind for child in about.children.select_related("page").order_by("order")] == [  # type: ignore[union-attr]
            "intro",
            "functions",
            "organisation",
            "leaders",
            "contacts",
            "spokesperson",
        ]
        assert Menu.objects.get(key="footer").items.filter(url="https://dichvucong.gov.vn").exists()

        site = SiteSettings.objects.get()
        assert (site.template_key, site.template_version) == ("commune", "2")
        assert site.copyright == f"© Bản quyền thuộc về {AGENCY}"
        assert AGENCY in site.footer_text and AGENCY in site.copyright_en


def test_roles_get_exactly_the_template_permissions(portal_a: Portal, commune: SiteTemplate) -> None:
    with schema_context(portal_a.schema_name):
        groups = _apply(commune)
        assert set(groups) == set(roles.ROLE_KEYS)
        for spec in commune.roles:
            assert groups[spec.key].name == spec.name
            assert _permissions(groups[spec.key]) == set(spec.permissions)
            assert Role.objects.get(key=spec.key).group == groups[spec.key]
        assert groups[roles.BOARD_HEAD].name == "Trưởng Ban Biên tập"

        # What the permissions mean for an account in the role.
        user_model = get_user_model()
        editor = user_model.objects.create(username="bientap")
        editor.groups.add(groups[roles.EDITOR])
        editor = user_model.objects.get(pk=editor.pk)
        assert editor.has_perm("content.change_page")
        assert not editor.has_perm("content.review_page")
        assert not editor.has_perm("accounts.add_user")
        head = user_model.objects.create(username="truongban")
        head.groups.add(groups[roles.BOARD_HEAD])
        head = user_model.objects.get(pk=head.pk)
        assert head.has_perm("content.change_article") and head.has_perm("content.review_page")
        assert not head.has_perm("auth.change_group") and not head.has_perm("content.change_sitesettings")


def test_applying_twice_changes_nothing(portal_a: Portal, commune: SiteTemplate) -> None:
    with schema_context(portal_a.schema_name):
        _apply(commune)
        before = _snapshot()
        assert before["audit"], "the first run is recorded in the audit trail"
        _apply(commune)
        assert _snapshot() == before


def test_a_permission_removed_from_the_spec_is_removed_from_the_group(portal_a: Portal, commune: SiteTemplate) -> None:
    with schema_context(portal_a.schema_name):
        groups = _apply(commune)
        editor = commune.role(roles.EDITOR)
        assert "content.add_page" in _permissions(groups[roles.EDITOR])

        narrower = dataclasses.replace(
            editor, permissions=tuple(p for p in editor.permissions if p != "content.add_page")
        )
        renamed_specs = [narrower if spec.key == roles.EDITOR else spec for spec in commune.roles]
        groups = services.roles_apply(roles=renamed_specs)
        assert _permissions(groups[roles.EDITOR]) == set(editor.permissions) - {"content.add_page"}
        assert AuditEvent.objects.filter(
            action="roles.applied", data__changes__editor__removed=["content.add_page"]
        ).exists()

        # A renamed role renames its group, members and all.
        member = get_user_model().objects.create(username="thanhvien")
        member.groups.add(groups[roles.EDITOR])
        group_count = Group.objects.count()
        renamed = dataclasses.replace(narrower, name="Thành viên Ban Biên tập")
        groups = services.roles_apply(roles=[renamed])
        assert groups[roles.EDITOR].name == "Thành viên Ban Biên tập"
        assert Group.objects.count() == group_count
        assert member.groups.get() == groups[roles.EDITOR]


def test_an_unknown_permission_names_the_role_and_writes_nothing(portal_a: Portal, commune: SiteTemplate) -> None:
    with schema_context(portal_a.schema_name):
        before = _snapshot()
        bad = [
            *commune.roles[:-1],
            RoleSpec(key=roles.CONTRIBUTOR, name="Cộng tác viên", permissions=("content.add_press_release",)),
        ]
        with pytest.raises(TemplateError) as info:
            services.roles_apply(roles=bad)
        assert info.value.code == "invalid_template"
        assert "contributor" in info.value.message and "content.add_press_release" in info.value.message
        assert _snapshot() == before

        with pytest.raises(TemplateError):
            services.roles_apply(roles=[RoleSpec(key="webmaster", name="Webmaster", permissions=())])
        assert _snapshot() == before


def test_nothing_is_written_to_another_portal_or_the_control_plane(
    portal_a: Portal, portal_b: Portal, commune: SiteTemplate
) -> None:
    public_groups = Group.objects.count()
    with schema_context(portal_b.schema_name):
        before_b = _snapshot()
    with schema_context(portal_a.schema_name):
        _apply(commune)
        assert Category.objects.exists()
    with schema_context(portal_b.schema_name):
        assert _snapshot() == before_b
        assert not Category.objects.filter(slug="tin-tuc-su-kien").exists()
    assert Group.objects.count() == public_groups


@pytest.mark.parametrize("key", available_templates())
def test_every_shipped_template_applies(portal_a: Portal, key: str) -> None:
    # Every permission a template lists exists in a freshly migrated portal schema.
    template = load_template(key)
    with schema_context(portal_a.schema_name):
        _apply(template, agency_name="Sở Khoa học và Công nghệ")

        def count(sections: tuple[SectionSpec, ...]) -> int:
            return sum(1 + count(section.children) for section in sections)

        assert Category.objects.count() == count(template.sections)
        assert Menu.objects.count() == len(template.menus)
        assert SiteSettings.objects.get().template_key == key


def test_a_crash_midway_leaves_nothing_and_a_retry_completes(
    portal_a: Portal, commune: SiteTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    with schema_context(portal_a.schema_name):
        before = _snapshot()

        def crash(**kwargs: Any) -> None:
            raise RuntimeError("worker killed")

        with monkeypatch.context() as patch:
            patch.setattr(services, "_menu_item_apply", crash)
            with pytest.raises(RuntimeError):
                services.site_content_apply(template=commune, agency_name=AGENCY)
        assert _snapshot() == before

        services.site_content_apply(template=commune, agency_name=AGENCY)
        assert MenuItem.objects.filter(menu__key="main").count() == sum(
            1 + len(item.children) for item in commune.menus[0].items
        )


def test_a_newer_template_adds_what_is_missing_and_keeps_the_boards_edits(
    portal_a: Portal, commune: SiteTemplate
) -> None:
    with schema_context(portal_a.schema_name):
        _apply(commune)
        Category.objects.filter(slug="hoi-dap").update(name="Hỏi đáp - Phản ánh, kiến nghị")
        Page.objects.filter(kind="intro").update(body="Nội dung do Ban Biên tập viết.", status="returned")

        newer = dataclasses.replace(
            commune,
            version="2",
            sections=(
                *commune.sections,
                SectionSpec(slug="chuyen-doi-so", name="Chuyển đổi số", name_en="Digital transformation"),
            ),
        )
        services.site_content_apply(template=newer, agency_name=AGENCY)

        assert Category.objects.get(slug="hoi-dap").name == "Hỏi đáp - Phản ánh, kiến nghị"
        intro = Page.objects.get(kind="intro")
        assert intro.body == "Nội dung do Ban Biên tập viết." and intro.status == "returned"
        added = Category.objects.get(slug="chuyen-doi-so")
        assert added.parent is None and added.order == 10 * len(newer.sections)
        assert SiteSettings.objects.get().template_version == "2"
