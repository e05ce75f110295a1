"""The console's API for a portal's accounts, account closures and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from accounts.models import User
from content import roles
from portal_platform import audit
from provisioning.models import AccountClosure
from tenants.models import Portal
from tests.board import account, roles_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    operator = User.objects.create_user(username="vanhanh", password="x", is_staff=True)
    operator.password_changed_at = timezone.now()
    operator.save()
    token = Token.objects.create(user=operator)
    return Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")


@pytest.fixture
def people(portal_a: Portal, portal_b: Portal) -> None:
    with schema_context(portal_a.schema_name):
        roles_ready()
        account("admin.xa-a", roles=[roles.TENANT_ADMIN], full_name="Quản trị xã An")
        account("nguyenvanan.xa-a", roles=[roles.EDITOR, roles.CONTRIBUTOR])
        account("tranthibinh.xa-a")
    with schema_context(portal_b.schema_name):
        account("levanbinh.xa-b")


def test_wrong_token_and_non_operators_are_refused(portal_a: Portal) -> None:
    client = Client(HTTP_HOST=settings.CONSOLE_HOST)
    for path in (f"/api/v1/portals/{portal_a.pk}/accounts/", "/api/v1/closures/", "/api/v1/audit/"):
        response = client.get(path, HTTP_AUTHORIZATION="Token sai-ma")
        assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    citizen = User.objects.create_user(username="congdan", password="x")
    token = Token.objects.create(user=citizen)
    response = client.get("/api/v1/audit/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403


def test_list_accounts_of_one_portal(api: Client, portal_a: Portal, portal_b: Portal, people: None) -> None:
    response = api.get(f"/api/v1/portals/{portal_a.pk}/accounts/")
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()}
    assert set(rows) == {"admin.xa-a", "nguyenvanan.xa-a", "tranthibinh.xa-a"}  # nothing of portal B
    assert rows["admin.xa-a"]["roles"] == ["tenant_admin"] and rows["admin.xa-a"]["full_name"] == "Quản trị xã An"
    assert rows["nguyenvanan.xa-a"]["roles"] == ["contributor", "editor"]
    assert rows["nguyenvanan.xa-a"]["is_active"] and not rows["nguyenvanan.xa-a"]["locked"]
    assert set(rows["tranthibinh.xa-a"]) >= {"email", "is_staff", "last_login", "must_change_password"}
    assert [row["username"] for row in api.get(f"/api/v1/portals/{portal_b.pk}/accounts/").json()] == ["levanbinh.xa-b"]
    missing = api.get("/api/v1/portals/999999/accounts/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "portal_not_found"


def test_unlock_lifts_a_lockout_on_that_portal_only(
    api: Client, portal_a: Portal, portal_b: Portal, people: None
) -> None:
    for portal, username in ((portal_a, "nguyenvanan.xa-a"), (portal_b, "levanbinh.xa-b")):
        with schema_context(portal.schema_name):
            AccessAttempt.objects.create(
                username=username,
                ip_address="10.0.0.9",
                user_agent="test",
                http_accept="*/*",
                path_info="/admin/login/",
                get_data="",
                post_data="",
                failures_since_start=settings.AXES_FAILURE_LIMIT,
            )
    rows = {row["username"]: row for row in api.get(f"/api/v1/portals/{portal_a.pk}/accounts/").json()}
    assert rows["nguyenvanan.xa-a"]["locked"]

    response = api.post(f"/api/v1/portals/{portal_a.pk}/accounts/nguyenvanan.xa-a/unlock/")
    assert response.status_code == 200 and response.json() == {"username": "nguyenvanan.xa-a", "unlocked": True}
    rows = {row["username"]: row for row in api.get(f"/api/v1/portals/{portal_a.pk}/accounts/").json()}
    assert not rows["nguyenvanan.xa-a"]["locked"]
    assert api.get(f"/api/v1/portals/{portal_b.pk}/accounts/").json()[0]["locked"]  # B untouched
    # Portal B's account does not exist on portal A.
    response = api.post(f"/api/v1/portals/{portal_a.pk}/accounts/levanbinh.xa-b/unlock/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "account_not_found"
    assert audit.UNLOCK in {entry["action"] for entry in api.get("/api/v1/audit/").json()["results"]}


def test_close_an_account_through_the_api(api: Client, portal_a: Portal, portal_b: Portal, people: None) -> None:
    body: dict[str, Any] = {
        "portal": portal_a.pk,
        "username": "nguyenvanan.xa-a",
        "successor_username": "tranthibinh.xa-a",
        "request_reference": "45/UBND-VP",
    }
    missing = api.post("/api/v1/closures/", {**body, "successor_username": ""}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "successor_required"
    assert missing.json()["error"]["details"]["field"] == "successor_username"
    no_ref = {key: value for key, value in body.items() if key != "request_reference"}
    invalid = api.post("/api/v1/closures/", no_ref, content_type="application/json")
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "invalid_input"
    assert "request_reference" in invalid.json()["error"]["details"]
    other = api.post("/api/v1/closures/", {**body, "username": "levanbinh.xa-b"}, content_type="application/json")
    assert other.status_code == 404 and other.json()["error"]["code"] == "account_not_found"
    assert not AccountClosure.objects.exists()

    created = api.post("/api/v1/closures/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    closure = created.json()
    assert closure["status"] == "requested" and closure["requested_by"] == "vanhanh"
    twice = api.post("/api/v1/closures/", body, content_type="application/json")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "closure_already_requested"

    listed = api.get(f"/api/v1/closures/?portal={portal_a.pk}&status=requested").json()
    assert [row["id"] for row in listed] == [closure["id"]]
    assert api.get(f"/api/v1/closures/?portal={portal_b.pk}").json() == []

    executed = api.post(f"/api/v1/closures/{closure['id']}/execute/")
    assert executed.status_code == 200 and executed.json()["status"] == "executed"
    assert executed.json()["handed_over"] == {"content.board_seats": 0, "content.items": 0}
    again = api.post(f"/api/v1/closures/{closure['id']}/execute/")
    assert again.status_code == 200 and again.json()["decided_at"] == executed.json()["decided_at"]
    late = api.post(f"/api/v1/closures/{closure['id']}/reject/", {"reason": "x"}, content_type="application/json")
    assert late.status_code == 409 and late.json()["error"]["code"] == "closure_executed"
    with schema_context(portal_a.schema_name):
        assert not User.objects.get(username="nguyenvanan.xa-a").is_active
    unknown = api.post("/api/v1/closures/999999/execute/")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "closure_not_found"


def test_reject_needs_a_reason(api: Client, portal_a: Portal, people: None) -> None:
    body = {
        "portal": portal_a.pk,
        "username": "nguyenvanan.xa-a",
        "successor_username": "tranthibinh.xa-a",
        "request_reference": "45/UBND-VP",
    }
    closure = api.post("/api/v1/closures/", body, content_type="application/json").json()
    path = f"/api/v1/closures/{closure['id']}/reject/"
    refused = api.post(path, {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "reason_required"
    done = api.post(path, {"reason": "Văn bản chưa có chữ ký"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    with schema_context(portal_a.schema_name):
        assert User.objects.get(username="nguyenvanan.xa-a").is_active


def test_audit_filters_and_pages(api: Client, portal_a: Portal, portal_b: Portal) -> None:
    audit.audit_log_record(action=audit.LOGIN_FAILURE, actor="ke-gian", portal=portal_a, ip_address="10.0.0.1")
    audit.audit_log_record(action=audit.LOGIN_SUCCESS, actor="admin.xa-a", portal=portal_a)
    audit.audit_log_record(action=audit.LOGIN_FAILURE, actor="ke-gian", portal=portal_b)
    for index in range(3):
        audit.audit_log_record(action=audit.PASSWORD_CHANGE, actor=f"nguoi{index}.xa-a", portal=portal_a)

    def results(query: str) -> list[dict[str, Any]]:
        response = api.get(f"/api/v1/audit/?{query}")
        assert response.status_code == 200, response.json()
        return list(response.json()["results"])

    by_portal = results(f"portal={portal_b.pk}")
    assert [(row["action"], row["portal"], row["portal_abbreviation"]) for row in by_portal] == [
        (audit.LOGIN_FAILURE, portal_b.pk, "xa-b")
    ]
    assert {row["portal"] for row in results(f"action={audit.LOGIN_FAILURE}&actor=ke-gian")} == {
        portal_a.pk,
        portal_b.pk,
    }
    assert results("ip_address=10.0.0.1")[0]["actor"] == "ke-gian"
    now = timezone.now()
    assert (
        len(results(f"portal={portal_a.pk}&since={(now - dt.timedelta(minutes=5)).isoformat()}".replace("+", "%2B")))
        == 5
    )
    assert results(f"until={(now - dt.timedelta(days=1)).isoformat()}".replace("+", "%2B")) == []

    page = api.get(f"/api/v1/audit/?portal={portal_a.pk}&page_size=2").json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    assert page["results"][0]["actor"] == "nguoi2.xa-a"  # newest first
    bad = api.get("/api/v1/audit/?since=hom-qua")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    assert "since" in bad.json()["error"]["details"]


def test_the_new_operations_are_in_the_openapi_schema(api: Client) -> None:
    schema = api.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/portals/{id}/accounts/",
        "/api/v1/portals/{id}/accounts/{username}/unlock/",
        "/api/v1/closures/",
        "/api/v1/closures/{id}/execute/",
        "/api/v1/closures/{id}/reject/",
        "/api/v1/audit/",
    ):
        assert path in paths, sorted(paths)
