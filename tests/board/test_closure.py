"""Closing an account (Đ10.2.e, Đ14.4.d): filed by the portal with a successor, executed by the
console; the account is disabled (never deleted), logged out, stripped of its groups, its work
handed over, and the whole of it recorded. Cross-portal attempts are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import handover
from accounts.models import User
from content import roles
from content.models import BoardMember, BoardPosition
from content.services import board_create, board_member_add
from portal_platform import audit
from portal_platform.errors import ApplicationError
from portal_platform.models import AuditLog
from provisioning import services
from provisioning.models import AccountClosure, ClosureStatus
from tenants.models import Portal
from tests.board import account, client_for, roles_ready
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

ADD = "/admin/provisioning/accountclosure/add/"
LIST = "/admin/provisioning/accountclosure/"


def _portal_a_people(portal_a: Portal) -> dict[str, User]:
    with schema_context(portal_a.schema_name):
        roles_ready()
        people = {
            "admin": account("admin.xa-a", roles=[roles.TENANT_ADMIN]),
            "leaver": account("nguyenvanan.xa-a", roles=[roles.CONTRIBUTOR]),
            "successor": account("tranthibinh.xa-a", roles=[roles.EDITOR]),
        }
        board = board_create(decision_number="125/QĐ-UBND", decision_date=dt.date(2026, 3, 2), issuer="UBND xã An")
        board_member_add(
            board=board, account=people["leaver"], position=BoardPosition.HEAD, starts_on=dt.date(2026, 3, 2)
        )
    return people


def _operator() -> User:
    user = User.objects.create_user(username="vanhanh", password="x", is_staff=True)
    user.password_changed_at = timezone.now()
    user.save()
    return user


def test_closure_disables_logs_out_strips_groups_and_hands_over(portal_a: Portal) -> None:
    people = _portal_a_people(portal_a)
    calls: list[tuple[str, str]] = []

    def drafts(from_user: User, to_user: User) -> int:
        calls.append((from_user.username, to_user.username))
        return 3

    handover.register(drafts, name="tests.drafts")
    try:
        with schema_context(portal_a.schema_name):
            leaver_client = client_for(portal_a, people["leaver"])
        assert leaver_client.get("/admin/").status_code == 200

        closure = services.account_closure_file(
            portal=portal_a,
            username="nguyenvanan.xa-a",
            successor_username="tranthibinh.xa-a",
            request_reference="45/UBND-VP ngày 20/11/2026",
            reason="Chuyển công tác",
            requested_by="admin.xa-a",
        )
        assert closure.status == ClosureStatus.REQUESTED
        with schema_context(portal_a.schema_name):
            assert User.objects.get(username="nguyenvanan.xa-a").is_active  # nothing happens before execution

        done = services.account_closure_execute(closure=closure, executed_by="vanhanh")
    finally:
        handover.unregister("tests.drafts")

    assert done.status == ClosureStatus.EXECUTED and done.decided_by == "vanhanh" and done.decided_at
    assert done.handed_over == {"content.board_seats": 1, "content.items": 0, "tests.drafts": 3}
    assert calls == [("nguyenvanan.xa-a", "tranthibinh.xa-a")]
    with schema_context(portal_a.schema_name):
        leaver = User.objects.get(username="nguyenvanan.xa-a")  # kept, not deleted
        assert not leaver.is_active
        assert not leaver.groups.exists()
        seat = BoardMember.objects.get(account=leaver)
        assert seat.ends_on is not None
        assert User.objects.get(username="tranthibinh.xa-a").is_active
    # Its open session is over.
    response = leaver_client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    entry = AuditLog.objects.get(action=audit.ACCOUNT_CLOSE, target="nguyenvanan.xa-a")
    assert entry.portal == portal_a and entry.actor == "vanhanh"
    assert entry.data["successor"] == "tranthibinh.xa-a" and entry.data["groups_removed"]
    assert AuditLog.objects.filter(action=audit.ACCOUNT_CLOSE_REQUEST, portal=portal_a, actor="admin.xa-a").exists()

    # Executing again changes nothing and records nothing more.
    again = services.account_closure_execute(closure=closure, executed_by="vanhanh")
    assert again.status == ClosureStatus.EXECUTED
    assert AuditLog.objects.filter(action=audit.ACCOUNT_CLOSE, target="nguyenvanan.xa-a").count() == 1
    with pytest.raises(ApplicationError) as rejected:
        services.account_closure_reject(closure=closure, reason="muộn", rejected_by="vanhanh")
    assert rejected.value.code == "closure_executed"


def test_a_failing_hand_over_leaves_everything_as_it_was(portal_a: Portal) -> None:
    _portal_a_people(portal_a)

    def broken(from_user: User, to_user: User) -> int:
        raise RuntimeError("hand-over failed")

    closure = services.account_closure_file(
        portal=portal_a,
        username="nguyenvanan.xa-a",
        successor_username="tranthibinh.xa-a",
        request_reference="45/UBND-VP",
    )
    handover.register(broken, name="tests.broken")
    try:
        with pytest.raises(RuntimeError):
            services.account_closure_execute(closure=closure, executed_by="vanhanh")
    finally:
        handover.unregister("tests.broken")
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.REQUESTED
    with schema_context(portal_a.schema_name):
        leaver = User.objects.get(username="nguyenvanan.xa-a")
        assert leaver.is_active and leaver.groups.exists()
        assert BoardMember.objects.get(account=leaver).ends_on is None
    assert not AuditLog.objects.filter(action=audit.ACCOUNT_CLOSE).exists()


@pytest.mark.parametrize(
    ("username", "successor", "code"),
    [
        ("nguyenvanan.xa-a", "", "successor_required"),
        ("nguyenvanan.xa-a", "nguyenvanan.xa-a", "successor_is_account"),
        ("khongco.xa-a", "tranthibinh.xa-a", "account_not_found"),
        ("levanbinh.xa-b", "tranthibinh.xa-a", "account_not_found"),  # portal B's account
        ("nguyenvanan.xa-a", "levanbinh.xa-b", "successor_not_found"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    portal_a: Portal, portal_b: Portal, username: str, successor: str, code: str
) -> None:
    _portal_a_people(portal_a)
    with schema_context(portal_b.schema_name):
        account("levanbinh.xa-b")
    with pytest.raises(ApplicationError) as refused:
        services.account_closure_file(
            portal=portal_a, username=username, successor_username=successor, request_reference="45/UBND-VP"
        )
    assert refused.value.code == code and refused.value.message
    assert not AccountClosure.objects.exists()
    with schema_context(portal_b.schema_name):
        assert User.objects.get(username="levanbinh.xa-b").is_active


def test_the_back_office_files_for_its_own_portal_only(portal_a: Portal, portal_b: Portal) -> None:
    people = _portal_a_people(portal_a)
    with schema_context(portal_b.schema_name):
        roles_ready()
        account("levanbinh.xa-b")
        account("admin.xa-b", roles=[roles.TENANT_ADMIN])
    other = services.account_closure_file(
        portal=portal_b, username="levanbinh.xa-b", successor_username="admin.xa-b", request_reference="9/UBND"
    )
    with schema_context(portal_a.schema_name):
        client = client_for(portal_a, people["admin"])
        leaver_client = client_for(portal_a, people["leaver"])

    page = client.get(ADD)
    assert page.status_code == 200
    choices = [value for value, _label in page.context["adminform"].form.fields["username"].choices]
    assert "nguyenvanan.xa-a" in choices and "levanbinh.xa-b" not in choices

    body = {"username": "nguyenvanan.xa-a", "successor_username": "", "request_reference": "45/UBND-VP"}
    refused = client.post(ADD, body)
    assert refused.status_code == 200 and "successor_username" in refused.context["adminform"].form.errors
    refused = client.post(ADD, {**body, "username": "levanbinh.xa-b", "successor_username": "tranthibinh.xa-a"})
    assert refused.status_code == 200 and "username" in refused.context["adminform"].form.errors
    assert AccountClosure.objects.filter(portal=portal_a).count() == 0

    filed = client.post(ADD, {**body, "successor_username": "tranthibinh.xa-a"})
    assert filed.status_code == 302
    mine = AccountClosure.objects.get(portal=portal_a)
    assert mine.requested_by == "admin.xa-a" and mine.username == "nguyenvanan.xa-a"

    listed = client.get(LIST).context["cl"].result_list
    assert [closure.pk for closure in listed] == [mine.pk]
    assert client.get(f"{LIST}{other.pk}/change/").status_code == 302  # "does not exist" here
    # A portal does not execute its own request: no actions, no edits.
    assert not client.get(LIST).context["cl"].model_admin.get_actions(client.get(LIST).wsgi_request)
    # Other roles cannot file at all.
    assert leaver_client.get(ADD).status_code == 403

    # A's session replayed on B's host is not a session there.
    cookie = client.cookies["sessionid"].value
    replay = client_for(None, host=host_of(portal_b))
    replay.cookies["sessionid"] = cookie
    response = replay.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert replay.post(ADD, {**body, "successor_username": "admin.xa-b"}).status_code == 302
    assert AccountClosure.objects.filter(portal=portal_b).count() == 1


def test_console_operators_execute_or_reject_with_a_reason(settings: Any, portal_a: Portal) -> None:
    _portal_a_people(portal_a)
    first = services.account_closure_file(
        portal=portal_a, username="nguyenvanan.xa-a", successor_username="tranthibinh.xa-a", request_reference="1/UB"
    )
    console = client_for(None, _operator())
    assert console.get(LIST).status_code == 200

    no_reason = console.post(LIST, {"action": "reject", "_selected_action": [first.pk], "reason": ""}, follow=True)
    assert no_reason.status_code == 200
    first.refresh_from_db()
    assert first.status == ClosureStatus.REQUESTED

    console.post(LIST, {"action": "reject", "_selected_action": [first.pk], "reason": "Thiếu chữ ký"})
    first.refresh_from_db()
    assert first.status == ClosureStatus.REJECTED and first.reject_reason == "Thiếu chữ ký"
    assert AuditLog.objects.filter(action=audit.ACCOUNT_CLOSE_REJECT, actor="vanhanh").exists()

    second = services.account_closure_file(
        portal=portal_a, username="nguyenvanan.xa-a", successor_username="tranthibinh.xa-a", request_reference="2/UB"
    )
    console.post(LIST, {"action": "execute", "_selected_action": [second.pk], "reason": ""})
    second.refresh_from_db()
    assert second.status == ClosureStatus.EXECUTED and second.decided_by == "vanhanh"
    with schema_context(portal_a.schema_name):
        assert not User.objects.get(username="nguyenvanan.xa-a").is_active
        assert not Group.objects.filter(user__username="nguyenvanan.xa-a").exists()
