from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_exists

from provisioning import schemas
from provisioning.models import SpareSchema

pytestmark = pytest.mark.django_db


def test_pool_fills_to_size_and_claims_rename(settings: Any) -> None:
    result = schemas.pool_top_up(size=2)
    assert result["created"] == 2
    spares = list(SpareSchema.objects.values_list("schema_name", flat=True))
    assert all(schema_exists(name) for name in spares)
    assert schemas.pool_top_up(size=2)["created"] == 0  # already full

    assert schemas.spare_claim(target="portal_xa_pool")
    assert schema_exists("portal_xa_pool")
    assert SpareSchema.objects.count() == 1


def test_stale_spares_are_migrated_or_dropped_never_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    schemas.pool_top_up(size=1)
    spare = SpareSchema.objects.get()
    SpareSchema.objects.filter(pk=spare.pk).update(migration_state="old-deploy")
    assert not schemas.spare_claim(target="portal_xa_cu")  # a stale spare is not handed out
    assert not schema_exists("portal_xa_cu")

    result = schemas.pool_top_up(size=1)
    assert result == {"migrated": 1, "dropped": 0, "created": 0}
    assert SpareSchema.objects.get().migration_state == schemas.tenant_migration_state()

    SpareSchema.objects.update(migration_state="broken")
    monkeypatch.setattr(schemas, "schema_migrate", lambda name: (_ for _ in ()).throw(RuntimeError("bad")))
    result = schemas.pool_top_up(size=0)
    assert result["dropped"] == 1
    assert not schema_exists(spare.schema_name)


def test_pool_command_shows_the_pool() -> None:
    out = StringIO()
    call_command("pool", "--fill", "--size", "1", stdout=out)
    text = out.getvalue()
    assert "tạo 1" in text
    assert "Sẵn sàng (1)" in text
