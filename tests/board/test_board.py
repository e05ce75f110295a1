"""The editorial board: its decision, its members and their positions, the role groups that follow
them, and who may manage it (the tenant admin's role only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from content import roles, services
from content.models import BoardMember, BoardPosition, EditorialBoard
from portal_platform import audit
from portal_platform.errors import ApplicationError
from portal_platform.models import AuditLog
from tenants.models import Portal
from tests.board import account, client_for, roles_ready

pytestmark = pytest.mark.django_db

DECISION: dict[str, Any] = {
    "decision_number": "125/QĐ-UBND",
    "decision_date": dt.date(2026, 3, 2),
    "issuer": "Chủ tịch UBND xã An",
}


def _group_keys(user: object) -> set[str]:
    return set(user.groups.values_list("portal_role__key", flat=True))  # type: ignore[attr-defined]


def test_positions_give_their_role_groups_and_one_head_per_board(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        roles_ready()
        head = account("nguyenvanan.xa-a")
        other_head = account("tranthibinh.xa-a")
        deputy = account("levancuong.xa-a")
        member = account("phamthidung.xa-a")
        board = services.board_create(**DECISION, actor="admin.xa-a")
        assert board.is_current

        seat = services.board_member_add(
            board=board, account=head, position=BoardPosition.HEAD, starts_on=dt.date(2026, 3, 2), actor="admin.xa-a"
        )
        services.board_member_add(board=board, account=deputy, position=BoardPosition.DEPUTY)
        services.board_member_add(board=board, account=member, position=BoardPosition.MEMBER)
        assert _group_keys(head) == {roles.BOARD_HEAD}
        assert _group_keys(deputy) == {roles.BOARD_DEPUTY}
        assert _group_keys(member) == {roles.EDITOR}

        with pytest.raises(ApplicationError) as refused:
            services.board_member_add(board=board, account=other_head, position=BoardPosition.HEAD)
        assert refused.value.code == "board_has_head" and refused.value.message
        assert _group_keys(other_head) == set()
        with pytest.raises(ApplicationError) as twice:
            services.board_member_add(board=board, account=member, position=BoardPosition.DEPUTY)
        assert twice.value.code == "already_member"

        # The database decides too (a race between two appointments).
        with pytest.raises(IntegrityError), transaction.atomic():
            BoardMember.objects.create(
                board=board, account=other_head, position=BoardPosition.HEAD, starts_on=dt.date(2026, 3, 3)
            )

        ended = services.board_member_end(seat=seat, ends_on=dt.date(2026, 6, 1), actor="admin.xa-a")
        assert ended.ends_on == dt.date(2026, 6, 1) and BoardMember.objects.filter(pk=seat.pk).exists()
        assert _group_keys(head) == set()
        assert services.board_member_end(seat=seat).ends_on == dt.date(2026, 6, 1)  # idempotent
        services.board_member_add(board=board, account=other_head, position=BoardPosition.HEAD)
        assert _group_keys(other_head) == {roles.BOARD_HEAD}

    entries = AuditLog.objects.filter(portal=portal_a, action=audit.BOARD_CHANGE)
    ops = list(entries.order_by("id").values_list("data__op", flat=True))
    assert ops == ["board.create", "member.add", "member.add", "member.add", "member.end", "member.add"]
    assert entries.filter(actor="admin.xa-a", target="nguyenvanan.xa-a").count() == 2


def test_a_new_decision_makes_a_new_board_and_keeps_the_old_one(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        roles_ready()
        head = account("nguyenvanan.xa-a")
        first = services.board_create(**DECISION)
        services.board_member_add(
            board=first, account=head, position=BoardPosition.HEAD, starts_on=DECISION["decision_date"]
        )

        with pytest.raises(ApplicationError) as early:
            services.board_create(decision_number="1/QĐ-UBND", decision_date=dt.date(2025, 1, 1), issuer="UBND xã")
        assert early.value.code == "decision_date_too_early"
        with pytest.raises(ApplicationError) as no_number:
            services.board_create(decision_number=" ", decision_date=dt.date(2026, 9, 1), issuer="UBND xã")
        assert no_number.value.code == "decision_number_required"

        second = services.board_create(
            decision_number="300/QĐ-UBND", decision_date=dt.date(2026, 9, 1), issuer="Chủ tịch UBND xã An"
        )
        first.refresh_from_db()
        assert second.is_current and not first.is_current
        assert EditorialBoard.objects.count() == 2
        assert first.members.get().ends_on == dt.date(2026, 9, 1)
        assert _group_keys(head) == set()
        with pytest.raises(ApplicationError) as old:
            services.board_member_add(board=first, account=head, position=BoardPosition.MEMBER)
        assert old.value.code == "board_not_current"


def test_only_the_tenant_admin_role_manages_the_board_in_the_back_office(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        roles_ready()
        admin = account("admin.xa-a", roles=[roles.TENANT_ADMIN])
        head = account("nguyenvanan.xa-a", roles=[roles.BOARD_HEAD])
        other = account("tranthibinh.xa-a")
        admin_client = client_for(portal_a, admin)
        head_client = client_for(portal_a, head)

    assert head_client.get("/admin/content/editorialboard/").status_code == 403
    assert head_client.get("/admin/content/boardmember/add/").status_code == 403
    assert admin_client.get("/admin/content/editorialboard/add/").status_code == 200

    response = admin_client.post(
        "/admin/content/editorialboard/add/",
        {"decision_number": "125/QĐ-UBND", "decision_date": "02/03/2026", "issuer": "Chủ tịch UBND xã An"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        board = EditorialBoard.objects.get(is_current=True)

    page = admin_client.get("/admin/content/boardmember/add/")
    assert page.status_code == 200
    for user, position in ((head, "head"), (other, "head")):
        response = admin_client.post(
            "/admin/content/boardmember/add/",
            {"board": board.pk, "account": user.pk, "position": position, "starts_on": "03/03/2026"},
        )
        if user is head:
            assert response.status_code == 302
        else:
            # A second head: the form says why and nothing is saved.
            assert response.status_code == 200
            assert response.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        assert list(BoardMember.objects.values_list("account__username", "position")) == [("nguyenvanan.xa-a", "head")]
        assert _group_keys(head) == {roles.BOARD_HEAD}
        # No one deletes a board or a seat: they are the record.
        seat = BoardMember.objects.get()
    assert admin_client.post(f"/admin/content/boardmember/{seat.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/content/boardmember/{seat.pk}/change/", {"ends_on": "01/06/2026"})
    assert response.status_code == 302
    with schema_context(portal_a.schema_name):
        seat.refresh_from_db()
        assert seat.ends_on == dt.date(2026, 6, 1)
        assert _group_keys(head) == set()
