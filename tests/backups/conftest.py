from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tenants.models import Portal
from tests.conftest import make_portal


@pytest.fixture(autouse=True)
def _quick(settings: Any) -> None:
    """Short pauses: the settle time after going read-only, the pause between storage retries."""
    settings.BACKUP_READ_ONLY_SETTLE_SECONDS = 0.1
    settings.BACKUP_RETRY_DELAY_SECONDS = 0.05


@pytest.fixture
def committed(django_db_blocker: Any, province: Portal) -> Iterator[None]:
    """Backups read the database through other connections (pg_dump, psql): everything commits."""
    with django_db_blocker.unblock():
        yield
        connection.close()


@pytest.fixture(scope="session")
def portal_sl(province: Portal, django_db_blocker: Any) -> Portal:
    """A portal whose schema name is a prefix of portal_sl1's (portal_xa_sl vs portal_xa_sl1)."""
    with django_db_blocker.unblock():
        return make_portal("xa-sl", "Ủy ban nhân dân xã Sao Lưu", province)


@pytest.fixture(scope="session")
def portal_sl1(province: Portal, django_db_blocker: Any) -> Portal:
    with django_db_blocker.unblock():
        return make_portal("xa-sl1", "Ủy ban nhân dân xã Sao Lưu Một", province)
