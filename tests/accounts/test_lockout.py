"""Lockout after repeated failures, per (username, address) and per portal; unlock."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import account_is_locked, account_unlock
from portal_platform import audit
from portal_platform.models import AuditLog
from tenants.models import Portal
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

PASSWORD = "Sông-Lam#2026xanh"
NAME = "nguoidung.chung"  # the same name on both portals: their accounts are separate


def _login(client: Client, portal: Portal, password: str, username: str = NAME) -> Any:
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        HTTP_HOST=host_of(portal),
    )


@pytest.fixture
def same_user_on_both(portal_a: Portal, portal_b: Portal) -> None:
    for portal in (portal_a, portal_b):
        with schema_context(portal.schema_name):
            User.objects.create_user(username=NAME, password=PASSWORD, is_staff=True)


def test_lock_on_one_portal_leaves_the_other_alone(
    same_user_on_both: None, portal_a: Portal, portal_b: Portal, settings: Any
) -> None:
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(attacker, portal_a, "sai-mat-khau").status_code == 200
    locked = _login(attacker, portal_a, "sai-mat-khau")
    assert locked.status_code == 429
    assert account_is_locked(username=NAME, portal=portal_a)
    # Now even the right password is refused on A, with the lockout page.
    assert _login(Client(), portal_a, PASSWORD).status_code == 429

    # The same name, from the same address, on portal B: not locked.
    assert not account_is_locked(username=NAME, portal=portal_b)
    assert _login(Client(), portal_b, PASSWORD).status_code == 302

    assert AuditLog.objects.filter(action=audit.LOCKOUT, target=NAME, portal=portal_a).exists()
    assert AuditLog.objects.filter(action=audit.LOGIN_FAILURE, target=NAME, portal=portal_a).count() >= 2
    assert AuditLog.objects.filter(action=audit.LOGIN_SUCCESS, target=NAME, portal=portal_b).exists()
    assert not AuditLog.objects.filter(action=audit.LOCKOUT, portal=portal_b).exists()


def test_lock_is_per_username(same_user_on_both: None, portal_a: Portal, settings: Any) -> None:
    with schema_context(portal_a.schema_name):
        User.objects.create_user(username="khac.xa-a", password=PASSWORD, is_staff=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, portal_a, "sai-mat-khau")
    assert _login(Client(), portal_a, PASSWORD, username="khac.xa-a").status_code == 302


def test_console_unlocks_an_account_on_a_portal(same_user_on_both: None, portal_a: Portal, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, portal_a, "sai-mat-khau")
    assert _login(client, portal_a, PASSWORD).status_code == 429
    assert account_unlock(username=NAME, portal=portal_a, actor="admin.cttdt") >= 1
    assert _login(Client(), portal_a, PASSWORD).status_code == 302
    entry = AuditLog.objects.get(action=audit.UNLOCK, target=NAME)
    assert entry.portal == portal_a and entry.actor == "admin.cttdt"


def test_portal_admin_unlocks_from_the_account_list(same_user_on_both: None, portal_a: Portal, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, portal_a, "sai-mat-khau")
    with schema_context(portal_a.schema_name):
        admin = User.objects.create_user(username="admin.xa-a.mo", password=PASSWORD, is_staff=True, is_superuser=True)
        target = User.objects.get(username=NAME)
    back_office = Client()
    with schema_context(portal_a.schema_name):
        back_office.force_login(admin)
    response = back_office.post(
        "/admin/accounts/user/",
        {"action": "unlock", "_selected_action": [str(target.pk)]},
        HTTP_HOST=host_of(portal_a),
    )
    assert response.status_code == 302
    assert not account_is_locked(username=NAME, portal=portal_a)
    assert _login(Client(), portal_a, PASSWORD).status_code == 302
