from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from portal_platform.errors import Conflict, ValidationFailed
from provisioning import services
from tenants.models import Portal, PortalStatus
from tenants.routing import router
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def _get(portal: Portal, method: str = "get") -> Any:
    router.clear()
    return getattr(Client(), method)("/", HTTP_HOST=host_of(portal))


def test_suspend_resume_archive(portal_a: Portal) -> None:
    portal = services.portal_suspend(portal=portal_a)
    assert portal.status == PortalStatus.SUSPENDED
    response = _get(portal)
    assert response.status_code == 503
    assert "tạm ngừng" in response.content.decode()

    with pytest.raises(Conflict) as info:
        services.portal_suspend(portal=portal)
    assert info.value.code == "invalid_transition"

    portal = services.portal_resume(portal=portal)
    assert _get(portal).status_code == 200

    portal = services.portal_archive(portal=portal)
    response = _get(portal)
    assert response.status_code == 200  # kept and readable
    assert "lưu trữ" in response.content.decode()
    assert _get(portal, "post").status_code == 403  # but read-only
    with pytest.raises(Conflict):
        services.portal_resume(portal=portal)


def test_working_days_skip_weekends_and_holidays(settings: Any) -> None:
    friday = dt.date(2026, 11, 27)
    assert services.working_days_between(friday, dt.date(2026, 11, 30)) == 1  # Monday
    assert services.working_days_between(friday, dt.date(2026, 12, 8)) == 7
    settings.PUBLIC_HOLIDAYS = [dt.date(2026, 12, 1)]
    assert services.working_days_between(friday, dt.date(2026, 12, 8)) == 6


def test_downtime_notice_needs_seven_working_days_unless_urgent(portal_b: Portal) -> None:
    soon = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationFailed) as info:
        services.downtime_announce(portal=portal_b, starts_at=soon, expected_end=soon + dt.timedelta(hours=2))
    assert info.value.code == "notice_too_short"
    assert "7" in info.value.message

    urgent = services.downtime_announce(
        portal=portal_b,
        starts_at=soon,
        expected_end=soon + dt.timedelta(hours=2),
        urgent=True,
        message="Nâng cấp máy chủ.",
    )
    later = timezone.now() + dt.timedelta(days=14)
    services.downtime_announce(portal=portal_b, starts_at=later, expected_end=later + dt.timedelta(hours=4))
    with pytest.raises(ValidationFailed) as info:
        services.downtime_announce(portal=portal_b, starts_at=later, expected_end=later, urgent=True)
    assert info.value.code == "invalid_period"

    with schema_context(portal_b.schema_name):
        from django.core.cache import cache

        from provisioning.selectors import DOWNTIME_CACHE_KEY

        cache.delete(DOWNTIME_CACHE_KEY)  # on_commit never fires inside the test transaction
    body = _get(portal_b).content.decode()
    assert "Nâng cấp máy chủ." in body
    assert timezone.localtime(urgent.expected_end).strftime("%d/%m/%Y") in body
