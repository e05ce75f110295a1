from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from portal_platform.errors import Conflict, ValidationFailed
from tenants import services
from tenants.context import tenant_db
from tenants.models import Domain, Portal, PortalKind, PortalStatus

pytestmark = pytest.mark.django_db


def test_portal_create_makes_schema_domains_and_activates(province: Portal) -> None:
    portal = services.portal_create(
        name="Ủy ban nhân dân xã Mới",
        abbreviation="xa-moi",
        kind=PortalKind.COMMUNE,
        parent=province,
        domains=["xa-moi.thunghiem.test", "XaMoi.Example.VN"],
        email="xamoi@thunghiem.test",
    )
    assert portal.status == PortalStatus.ACTIVE
    assert portal.schema_name == "portal_xa_moi"
    assert schema_exists("portal_xa_moi")
    domains = {d.domain: d.is_primary for d in Domain.objects.filter(tenant=portal)}
    assert domains == {"xa-moi.thunghiem.test": True, "xamoi.example.vn": False}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('portal_xa_moi.content_auditevent')")
        assert cursor.fetchone() != (None,)
    assert tenant_db.schema_name == "public"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"abbreviation": "Xã-Mới"}, "invalid_abbreviation"),
        ({"abbreviation": "xa_moi"}, "invalid_abbreviation"),
        ({"abbreviation": "-xa"}, "invalid_abbreviation"),
        ({"name": "  "}, "name_required"),
        ({"domains": []}, "domain_required"),
        ({"domains": ["khong hop le"]}, "invalid_domain"),
        ({"domains": ["a.test", "A.test"]}, "duplicate_domain"),
        ({"kind": "village"}, "invalid_kind"),
        ({"parent": None}, "invalid_parent"),
        ({"email": "not-an-email"}, "invalid_email"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_leaves_nothing(
    province: Portal, kwargs: dict[str, Any], code: str
) -> None:
    base = {
        "name": "Xã Lỗi",
        "abbreviation": "xa-loi",
        "kind": PortalKind.COMMUNE,
        "parent": province,
        "domains": ["xa-loi.thunghiem.test"],
    }
    before = (Portal.objects.count(), Domain.objects.count())
    with pytest.raises(ValidationFailed) as info:
        services.portal_create(**{**base, **kwargs})
    assert info.value.code == code
    assert info.value.message  # a Vietnamese sentence for the screen
    assert (Portal.objects.count(), Domain.objects.count()) == before
    assert not schema_exists("portal_xa_loi")


def test_taken_names_conflict(portal_a: Portal, province: Portal) -> None:
    with pytest.raises(Conflict) as info:
        services.portal_create(
            name="X",
            abbreviation=portal_a.abbreviation,
            kind=PortalKind.COMMUNE,
            parent=province,
            domains=["khac.thunghiem.test"],
        )
    assert info.value.code == "abbreviation_taken"
    with pytest.raises(Conflict) as info:
        services.portal_create(
            name="X",
            abbreviation="xa-khac",
            kind=PortalKind.COMMUNE,
            parent=province,
            domains=[portal_a.get_primary_domain().domain],
        )
    assert info.value.code == "domain_taken"
    with pytest.raises(ValidationFailed):
        services.portal_create(
            name="Tỉnh thứ hai", abbreviation="tinh2", kind=PortalKind.PROVINCE, domains=["tinh2.test"], parent=province
        )


def test_failure_midway_leaves_no_half_made_portal(province: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_create_schema(self: Portal, **kwargs: object) -> None:
        raise RuntimeError("migrations failed")

    monkeypatch.setattr(Portal, "create_schema", broken_create_schema)
    with pytest.raises(RuntimeError):
        services.portal_create(
            name="Xã Hỏng",
            abbreviation="xa-hong",
            kind=PortalKind.COMMUNE,
            parent=province,
            domains=["xa-hong.thunghiem.test"],
        )
    assert not Portal.objects.filter(abbreviation="xa-hong").exists()
    assert not Domain.objects.filter(domain="xa-hong.thunghiem.test").exists()


def test_domain_add_primary_demotes_the_old_one(portal_a: Portal) -> None:
    old = portal_a.get_primary_domain()
    services.domain_add(portal=portal_a, domain="xa-a.example.vn", is_primary=True)
    assert portal_a.get_primary_domain().domain == "xa-a.example.vn"
    old.refresh_from_db()
    assert not old.is_primary
    with pytest.raises(ValidationFailed):
        services.domain_remove(domain=portal_a.get_primary_domain())
