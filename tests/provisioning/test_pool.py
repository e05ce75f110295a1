from __future__ import annotations

import dataclasses
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_tenants.utils import schema_context, schema_exists

from content.models import Category, Page, Role, SiteSettings
from content.services import AGENCY_NAME_PLACEHOLDER
from provisioning import schemas
from provisioning.models import SpareSchema
from provisioning.site_templates import FooterSpec, load_template

pytestmark = pytest.mark.django_db


def test_pool_keeps_pre_seeded_spares_per_template_and_hands_each_to_its_own_template() -> None:
    result = schemas.pool_top_up(size=2, templates=["commune", "department"])
    assert result == {"migrated": 0, "dropped": 0, "created": 4, "failed": 0}
    spares = list(SpareSchema.objects.all())
    assert sorted(s.template_key for s in spares) == ["commune", "commune", "department", "department"]
    assert all(schema_exists(s.schema_name) for s in spares)
    commune = load_template("commune")
    for spare in spares:
        assert spare.migration_state == schemas.tenant_migration_state()
        assert spare.template_version == str(load_template(spare.template_key).version)
        assert spare.template_fingerprint == schemas.template_fingerprint(load_template(spare.template_key))
    assert schemas.pool_top_up(size=2, templates=["commune", "department"])["created"] == 0  # already full

    # Roles and site content are already in a spare, with the placeholder for the agency's name.
    spare = next(s for s in spares if s.template_key == "commune")
    with schema_context(spare.schema_name):
        assert set(Role.objects.values_list("key", flat=True)) == {r.key for r in commune.roles}
        assert Group.objects.count() == len(commune.roles)
        assert Category.objects.count() > 0
        assert Page.objects.filter(body__contains=AGENCY_NAME_PLACEHOLDER).exists()
        settings_row = SiteSettings.objects.get()
        assert (settings_row.template_key, settings_row.template_version) == ("commune", commune.version)
        assert AGENCY_NAME_PLACEHOLDER in settings_row.copyright

    claimed = schemas.spare_claim(target="portal_xa_pool", template=commune)
    assert claimed is not None and claimed.template_key == "commune"
    assert schema_exists("portal_xa_pool") and not schema_exists(claimed.schema_name)
    assert SpareSchema.objects.filter(template_key="commune").count() == 1
    # No spare of the province template, and no bare one: nothing is handed out for it.
    assert schemas.spare_claim(target="portal_tinh_pool", template=load_template("province")) is None
    assert not schema_exists("portal_tinh_pool")

    status = schemas.pool_status()
    assert status.ready_by_template["commune"] == 1 and status.ready_by_template["department"] == 2
    assert {s.template for s in status.spares} == {
        f"commune v{commune.version}",
        f"department v{load_template('department').version}",
    }


def test_a_spare_of_an_older_template_version_is_never_handed_out_and_is_replaced() -> None:
    commune = load_template("commune")
    schemas.pool_top_up(size=1, templates=["commune"])
    old = SpareSchema.objects.get()
    SpareSchema.objects.filter(pk=old.pk).update(template_version="0")  # seeded before a version bump
    assert schemas.spare_claim(target="portal_xa_cu", template=commune) is None
    assert not schema_exists("portal_xa_cu")
    assert schemas.pool_status().stale == [old.schema_name]

    assert schemas.pool_top_up(size=1, templates=["commune"]) == {
        "migrated": 0,
        "dropped": 1,
        "created": 1,
        "failed": 0,
    }
    assert not schema_exists(old.schema_name)
    fresh = SpareSchema.objects.get()
    assert fresh.template_version == str(commune.version)
    assert schemas.spare_claim(target="portal_xa_moi", template=commune) is not None


def test_a_template_changed_without_a_version_bump_is_caught_by_its_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = load_template("commune")
    schemas.pool_top_up(size=1, templates=["commune"])
    old = SpareSchema.objects.get()
    edited = dataclasses.replace(
        original,
        footer=FooterSpec(text="Nguồn: Cổng Thông tin điện tử {agency_name}.", copyright="© {agency_name}, bản sửa"),
    )
    assert edited.version == original.version
    assert schemas.template_fingerprint(edited) != schemas.template_fingerprint(original)
    assert schemas.spare_claim(target="portal_xa_sua", template=edited) is None

    monkeypatch.setattr(schemas, "load_template", lambda key: edited if key == "commune" else load_template(key))
    assert schemas.pool_top_up(size=1, templates=["commune"]) == {
        "migrated": 0,
        "dropped": 1,
        "created": 1,
        "failed": 0,
    }
    assert not schema_exists(old.schema_name)
    spare = schemas.spare_claim(target="portal_xa_sua", template=edited)
    assert spare is not None
    with schema_context("portal_xa_sua"):
        assert SiteSettings.objects.get().copyright == "© {agency_name}, bản sửa"


def test_stale_migrations_migrate_bare_spares_and_drop_pre_seeded_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    schemas.pool_top_up(size=1, templates=["commune"])
    seeded = SpareSchema.objects.get()
    # A bare spare, as pools made before spares were pre-seeded hold.
    schemas.schema_clone("spare_tran")
    bare = SpareSchema.objects.create(schema_name="spare_tran", migration_state="old-deploy")
    SpareSchema.objects.filter(pk=seeded.pk).update(migration_state="old-deploy")
    commune = load_template("commune")
    assert schemas.spare_claim(target="portal_xa_cu", template=commune) is None  # neither is handed out
    assert not schema_exists("portal_xa_cu")

    result = schemas.pool_top_up(size=1, templates=["commune"])
    assert result == {"migrated": 1, "dropped": 1, "created": 1, "failed": 0}
    assert not schema_exists(seeded.schema_name)
    assert SpareSchema.objects.get(pk=bare.pk).migration_state == schemas.tenant_migration_state()

    # A bare spare is still a fallback for a template without spares of its own.
    claimed = schemas.spare_claim(target="portal_tinh_tran", template=load_template("province"))
    assert claimed is not None and claimed.schema_name == "spare_tran"

    SpareSchema.objects.update(migration_state="broken", template_key="")
    monkeypatch.setattr(schemas, "schema_migrate", lambda name: (_ for _ in ()).throw(RuntimeError("bad")))
    result = schemas.pool_top_up(size=0, templates=[])
    assert result["dropped"] == 1
    assert not SpareSchema.objects.exists()


def test_a_template_that_cannot_be_seeded_does_not_starve_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    commune = load_template("commune")
    broken_roles = tuple(
        dataclasses.replace(role, permissions=(*role.permissions, "content.fly_to_the_moon")) for role in commune.roles
    )
    broken = dataclasses.replace(commune, roles=broken_roles)
    monkeypatch.setattr(schemas, "load_template", lambda key: broken if key == "commune" else load_template(key))
    result = schemas.pool_top_up(size=1, templates=["commune", "department"])
    assert result == {"migrated": 0, "dropped": 0, "created": 1, "failed": 1}
    assert list(SpareSchema.objects.values_list("template_key", flat=True)) == ["department"]
    assert not schema_exists("portal_tpl_commune")


def test_pre_seeded_template_schema_is_rebuilt_only_when_it_changes() -> None:
    commune = load_template("commune")
    name = schemas.seeded_template_ensure(commune)
    assert name == "portal_tpl_commune"
    assert schemas._schema_state(name) == schemas.seed_state(commune)
    with schema_context(name):
        first = Category.objects.order_by("pk").values_list("pk", "created_at").first()
    assert schemas.seeded_template_ensure(commune) == name
    with schema_context(name):
        assert Category.objects.order_by("pk").values_list("pk", "created_at").first() == first  # not rebuilt


def test_pool_command_shows_the_pool() -> None:
    out = StringIO()
    call_command("pool", "--fill", "--size", "1", "--template", "commune", stdout=out)
    text = out.getvalue()
    assert "tạo 1" in text
    assert "Sẵn sàng (1)" in text
    assert "commune: 1" in text


def test_pool_fills_every_template_by_default(settings: Any) -> None:
    settings.PROVISIONING_POOL_TEMPLATES = []
    assert schemas.pool_template_keys() == ["commune", "department", "province"]
    settings.PROVISIONING_POOL_TEMPLATES = ["department"]
    assert schemas.pool_template_keys() == ["department"]
    assert schemas.pool_top_up(size=1)["created"] == 1
    assert SpareSchema.objects.get().template_key == "department"
