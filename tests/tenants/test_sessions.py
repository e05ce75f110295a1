from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django_tenants.utils import schema_context

from tenants.middleware import SESSION_SCHEMA_KEY
from tenants.models import Portal
from tests.conftest import host_of

pytestmark = pytest.mark.django_db


def _staff_client(portal: Portal, username: str) -> Client:
    client = Client()
    with schema_context(portal.schema_name):
        user = get_user_model().objects.create_user(username=username, password="x", is_staff=True, is_superuser=True)
        # Log in through the portal's own host, as a browser would.
        client.defaults["HTTP_HOST"] = host_of(portal)
        client.force_login(user)
    return client


def test_session_cookie_replayed_on_another_portal_is_refused(portal_a: Portal, portal_b: Portal) -> None:
    client = _staff_client(portal_a, "admin.xa-a")
    assert client.get("/admin/", HTTP_HOST=host_of(portal_a)).status_code == 200

    # The same cookie jar sent to portal B's host: B does not know the session.
    response = client.get("/admin/", HTTP_HOST=host_of(portal_b))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_session_bound_to_another_schema_is_flushed(portal_a: Portal, portal_b: Portal) -> None:
    """Even if B's store held the same key (a shared session backend), the binding refuses it."""
    client = _staff_client(portal_a, "admin2.xa-a")
    client.get("/admin/", HTTP_HOST=host_of(portal_a))
    key = client.cookies["sessionid"].value
    with schema_context(portal_a.schema_name):
        data = SessionStore(session_key=key).load()
    assert data[SESSION_SCHEMA_KEY] == portal_a.schema_name

    with schema_context(portal_b.schema_name):
        user_b = get_user_model().objects.create_user(
            username="admin.xa-b", password="x", is_staff=True, is_superuser=True
        )
        forged = SessionStore(session_key=key)
        forged.update({**data, "_auth_user_id": str(user_b.pk)})
        forged.save(must_create=True)

    response = client.get("/admin/", HTTP_HOST=host_of(portal_b))
    assert response.status_code == 302  # flushed: not logged in on B


def test_session_and_csrf_cookies_are_host_only(portal_a: Portal) -> None:
    client = Client()
    with schema_context(portal_a.schema_name):
        get_user_model().objects.create_user(username="admin3.xa-a", password="Mật-khẩu-1!", is_staff=True)
    response = client.get("/admin/login/", HTTP_HOST=host_of(portal_a))
    assert response.cookies["csrftoken"]["domain"] == ""
    response = client.post(
        "/admin/login/",
        {"username": "admin3.xa-a", "password": "Mật-khẩu-1!", "next": "/admin/"},
        HTTP_HOST=host_of(portal_a),
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["domain"] == ""
    assert response.cookies["sessionid"]["httponly"]
