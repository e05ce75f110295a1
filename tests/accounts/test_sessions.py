"""Session idle time-out, absolute lifetime, and ending other sessions on logout/password change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import account_password_set, account_sessions_end
from portal_platform import audit
from portal_platform.models import AuditLog
from tenants.models import Portal
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

PASSWORD = "Sông-Lam#2026xanh"


def _staff(portal: Portal, username: str) -> User:
    with schema_context(portal.schema_name):
        return User.objects.create_user(username=username, password=PASSWORD, is_staff=True, is_superuser=True)


def _login(portal: Portal, username: str) -> Client:
    client = Client()
    response = client.post(
        "/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"}, HTTP_HOST=host_of(portal)
    )
    assert response.status_code == 302
    return client


def _in(client: Client, portal: Portal) -> bool:
    return client.get("/admin/", HTTP_HOST=host_of(portal)).status_code == 200


def test_idle_time_out(portal_a: Portal, settings: Any) -> None:
    _staff(portal_a, "nghi.xa-a")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = _login(portal_a, "nghi.xa-a")
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert _in(client, portal_a)  # activity renews the idle period
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert _in(client, portal_a)
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        assert not _in(client, portal_a)


def test_absolute_lifetime_even_when_active(portal_a: Portal, settings: Any) -> None:
    settings.SESSION_ABSOLUTE_SECONDS = 2 * settings.SESSION_COOKIE_AGE
    _staff(portal_a, "lau.xa-a")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = _login(portal_a, "lau.xa-a")
        step = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        traveller.shift(step)
        assert _in(client, portal_a)
        traveller.shift(step)
        assert _in(client, portal_a)
        traveller.shift(step)  # active all along, but past the absolute lifetime
        assert not _in(client, portal_a)


def test_logout_ends_the_accounts_other_sessions(portal_a: Portal) -> None:
    _staff(portal_a, "hai.xa-a")
    office = _login(portal_a, "hai.xa-a")
    home = _login(portal_a, "hai.xa-a")
    assert _in(office, portal_a) and _in(home, portal_a)
    office.post("/admin/logout/", HTTP_HOST=host_of(portal_a))
    assert not _in(home, portal_a)
    assert AuditLog.objects.filter(action=audit.LOGOUT, target="hai.xa-a", portal=portal_a).exists()


def test_password_change_keeps_this_session_and_ends_the_others(portal_a: Portal) -> None:
    _staff(portal_a, "doimk.xa-a")
    here = _login(portal_a, "doimk.xa-a")
    elsewhere = _login(portal_a, "doimk.xa-a")
    response = here.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "Hà-Tĩnh#Nghệ-An2026", "new_password2": "Hà-Tĩnh#Nghệ-An2026"},
        HTTP_HOST=host_of(portal_a),
    )
    assert response.status_code == 302
    assert _in(here, portal_a)
    assert not _in(elsewhere, portal_a)
    assert AuditLog.objects.filter(action=audit.PASSWORD_CHANGE, target="doimk.xa-a", portal=portal_a).exists()


def test_service_ends_sessions_and_other_portals_are_untouched(portal_a: Portal, portal_b: Portal) -> None:
    user_a = _staff(portal_a, "ketthuc.chung")
    _staff(portal_b, "ketthuc.chung")
    on_a = _login(portal_a, "ketthuc.chung")
    on_b = _login(portal_b, "ketthuc.chung")
    with schema_context(portal_a.schema_name):
        account_sessions_end(user=user_a)
    assert not _in(on_a, portal_a)
    assert _in(on_b, portal_b)


def test_login_success_and_failure_are_audited(portal_a: Portal) -> None:
    _staff(portal_a, "nhatky.xa-a")
    Client().post(
        "/admin/login/",
        {"username": "nhatky.xa-a", "password": "sai"},
        HTTP_HOST=host_of(portal_a),
        REMOTE_ADDR="10.1.2.3",
    )
    _login(portal_a, "nhatky.xa-a")
    failure = AuditLog.objects.get(action=audit.LOGIN_FAILURE, target="nhatky.xa-a")
    assert failure.portal == portal_a and failure.ip_address == "10.1.2.3"
    assert AuditLog.objects.filter(action=audit.LOGIN_SUCCESS, target="nhatky.xa-a", portal=portal_a).exists()


def test_issued_password_ends_sessions(portal_a: Portal) -> None:
    user = _staff(portal_a, "capmoi.xa-a")
    client = _login(portal_a, "capmoi.xa-a")
    with schema_context(portal_a.schema_name):
        account_password_set(user=user, password="Hà-Tĩnh#Nghệ-An2026", issued_by="manage.py")
    assert not _in(client, portal_a)
