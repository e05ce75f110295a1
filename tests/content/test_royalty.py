"""Royalties (nhuận bút, Decision 80/2025 Đ12.2.d): the rate table, entries for published items, the
board head's decisions, the per-period, per-author report and its XLSX export, the back office, and
isolation between portals."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles, services
from content.models import (
    AuditEvent,
    BoardPosition,
    Page,
    PageKind,
    RoyaltyAuthor,
    RoyaltyEntry,
    RoyaltyGrade,
    RoyaltyPointValue,
    RoyaltyStatus,
    RoyaltyWorkKind,
)
from content.selectors import royalty as selectors
from content.services import AuthorShare
from portal_platform.errors import ApplicationError, Forbidden
from tenants.models import Portal
from tests.board import account, client_for, roles_ready

pytestmark = pytest.mark.django_db

ZONE = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh, no daylight saving


def at(day: str, clock: str = "09:00") -> dt.datetime:
    """A local (UTC+7) time from "dd/mm/yyyy" and "HH:MM"."""
    return dt.datetime.strptime(f"{day} {clock}", "%d/%m/%Y %H:%M").replace(tzinfo=ZONE)


@dataclass
class Board:
    head: User
    deputy: User
    member: User
    contributor: User
    outsider: User


def _board(suffix: str) -> Board:
    """Roles, a current board with a head, a deputy and a member, and a contributor (not on the board)."""
    roles_ready()
    people = Board(
        head=account(f"nguyenvanan.{suffix}", full_name="Nguyễn Văn An"),
        deputy=account(f"tranthibinh.{suffix}", full_name="Trần Thị Bình"),
        member=account(f"levancuong.{suffix}", full_name="Lê Văn Cường"),
        contributor=account(f"phamthidung.{suffix}", full_name="Phạm Thị Dung", roles=[roles.CONTRIBUTOR]),
        outsider=account(f"hoangvanem.{suffix}", full_name="Hoàng Văn Em", is_superuser=True),
    )
    board = services.board_create(
        decision_number="125/QĐ-UBND", decision_date=dt.date(2026, 1, 5), issuer="Chủ tịch UBND xã"
    )
    for user, position in (
        (people.head, BoardPosition.HEAD),
        (people.deputy, BoardPosition.DEPUTY),
        (people.member, BoardPosition.MEMBER),
    ):
        services.board_member_add(board=board, account=user, position=position, starts_on=dt.date(2026, 1, 5))
    return people


@dataclass
class Rates:
    january: RoyaltyPointValue
    july: RoyaltyPointValue
    news: RoyaltyGrade
    article: RoyaltyGrade
    photo: RoyaltyGrade


def _rates() -> Rates:
    return Rates(
        january=services.royalty_point_value_create(value=100_000, valid_from=dt.date(2026, 1, 1)),
        july=services.royalty_point_value_create(
            value=Decimal("120000"), valid_from=dt.date(2026, 7, 1), note="Quyết định 45/QĐ-UBND"
        ),
        news=services.royalty_grade_create(kind=RoyaltyWorkKind.NEWS, name="Tin thường", min_points=1, max_points=3),
        article=services.royalty_grade_create(
            kind=RoyaltyWorkKind.ARTICLE, name="Bài phản ánh", min_points=4, max_points=10
        ),
        photo=services.royalty_grade_create(
            kind=RoyaltyWorkKind.PHOTO, name="Ảnh tin", min_points=Decimal("0.5"), max_points=2
        ),
    )


_pages = iter(range(1, 1_000_000))


def _page(title: str, *, published: bool = True) -> Page:
    """A background page, live when ``published`` (as the workflow leaves it: a live revision)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from content.models import Revision

    page = Page.objects.create(kind=PageKind.OTHER, slug=f"trang-{next(_pages)}", title=title)
    if published:
        revision = Revision.objects.create(
            content_type=ContentType.objects.get_for_model(Page), object_id=page.pk, number=1, data={"title": title}
        )
        page.live, page.status, page.published_at = True, "published", timezone.now()
        page.live_revision = page.working_revision = revision
        page.save()
    return page


# .values() with no names trips django-stubs on the generic ``item`` field; list the columns.
_ENTRY_COLUMNS = [f.attname for f in RoyaltyEntry._meta.concrete_fields]


def _state() -> dict[str, Any]:
    """Every royalty row with every column, and the audit trail's length."""
    return {
        "values": list(RoyaltyPointValue.objects.order_by("pk").values()),
        "grades": list(RoyaltyGrade.objects.order_by("pk").values()),
        "entries": list(RoyaltyEntry.objects.order_by("pk").values(*_ENTRY_COLUMNS)),
        "authors": list(RoyaltyAuthor.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


def _refused(code: str, call: Any, **kwargs: Any) -> ApplicationError:
    """``call(**kwargs)`` raises an ApplicationError with ``code`` and a message, and changes nothing."""
    before = _state()
    with pytest.raises(ApplicationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value.message
    assert info.value.message
    assert _state() == before
    return info.value


def _propose(item: Page, grade: RoyaltyGrade, points: Any, authors: list[AuthorShare], **kwargs: Any) -> RoyaltyEntry:
    kwargs.setdefault("published_at", at("10/10/2026"))
    kwargs.setdefault("proposed_by", None)
    if item.live:
        # The item's own publication time is what counts; make it the one the test names.
        Page.objects.filter(pk=item.pk).update(published_at=kwargs["published_at"])
        item.refresh_from_db()
    return services.royalty_entry_propose(item=item, grade=grade, points=points, authors=authors, **kwargs)


def one(user: User, share: Any = 100) -> list[AuthorShare]:
    return [AuthorShare(account=user, share=Decimal(share))]


# --- the rate table ---------------------------------------------------------------------------------


def test_rate_table_validation(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        rates = _rates()
        assert str(rates.july.value) == "120000" and rates.july.note == "Quyết định 45/QĐ-UBND"
        create_value = services.royalty_point_value_create
        for bad in (0, -5, "abc", Decimal("1000.5"), Decimal("NaN"), 10**15):
            _refused("royalty_point_value_invalid", create_value, value=bad, valid_from=dt.date(2026, 3, 1))
        _refused("royalty_point_value_date_taken", create_value, value=90_000, valid_from=dt.date(2026, 7, 1))

        create_grade = services.royalty_grade_create
        news = RoyaltyWorkKind.NEWS
        _refused("royalty_grade_range_invalid", create_grade, kind=news, name="Tin ngắn", min_points=3, max_points=2)
        for low, high in ((0, 2), (-1, 2), (Decimal("1.25"), 2), (1, "x")):
            _refused(
                "royalty_grade_points_invalid",
                create_grade,
                kind=news,
                name="Tin ngắn",
                min_points=low,
                max_points=high,
            )
        _refused(
            "royalty_grade_name_taken", create_grade, kind=news, name="  Tin   thường ", min_points=1, max_points=2
        )
        _refused("royalty_grade_name_required", create_grade, kind=news, name="  ", min_points=1, max_points=2)
        _refused("royalty_grade_kind_invalid", create_grade, kind="poem", name="Thơ", min_points=1, max_points=2)
        # The same name under another kind is another grade; min = max is a fixed number of points.
        fixed = create_grade(kind=RoyaltyWorkKind.TRANSLATION, name="Tin thường", min_points=2, max_points=2)
        assert (fixed.min_points, fixed.max_points) == (Decimal(2), Decimal(2))

        _refused(
            "royalty_grade_range_invalid",
            services.royalty_grade_update,
            grade=rates.news,
            kind=news,
            name="Tin thường",
            min_points=5,
            max_points=4,
            order=0,
            is_active=True,
        )

        # The database holds the same rules for any writer that bypasses the services.
        for bad_row in (
            {"kind": news, "name": "A", "min_points": 3, "max_points": 2},
            {"kind": news, "name": "B", "min_points": 0, "max_points": 2},
            {"kind": "poem", "name": "C", "min_points": 1, "max_points": 2},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                RoyaltyGrade.objects.create(**bad_row)
        with pytest.raises(IntegrityError), transaction.atomic():
            RoyaltyPointValue.objects.create(value=0, valid_from=dt.date(2026, 2, 2))


def test_used_rates_cannot_be_deleted(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        spare = services.royalty_grade_create(kind=RoyaltyWorkKind.OTHER, name="Khác", min_points=1, max_points=1)
        services.royalty_grade_delete(grade=spare)
        assert not RoyaltyGrade.objects.filter(pk=spare.pk).exists()
        _propose(_page("Tin một"), rates.news, 2, one(people.member))
        _refused("royalty_point_value_in_use", services.royalty_point_value_delete, point_value=rates.july)
        _refused("royalty_grade_in_use", services.royalty_grade_delete, grade=rates.news)
        services.royalty_point_value_delete(point_value=rates.january)  # unused
        assert list(RoyaltyPointValue.objects.all()) == [rates.july]


# --- entries ----------------------------------------------------------------------------------------


def test_amount_is_points_times_the_point_value_in_force_at_publication(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()

        # 30/06 23:30 in Vinh is still June (16:30 UTC); 01/07 00:10 is July (30/06 17:10 UTC).
        june = _propose(
            _page("Tin cuối tháng 6"), rates.photo, "1.5", one(people.member), published_at=at("30/06/2026", "23:30")
        )
        july = _propose(
            _page("Tin đầu tháng 7"), rates.photo, "1.5", one(people.member), published_at=at("01/07/2026", "00:10")
        )
        assert (june.point_value, june.value_per_point, june.amount) == (
            rates.january,
            Decimal(100_000),
            Decimal(150_000),
        )
        assert (july.point_value, july.value_per_point, july.amount) == (rates.july, Decimal(120_000), Decimal(180_000))
        assert june.item_published_at == at("30/06/2026", "23:30")
        assert (
            june.item_title == "Tin cuối tháng 6"
            and june.kind == RoyaltyWorkKind.PHOTO
            and june.grade_name == "Ảnh tin"
        )

        # Rounded to whole đồng, half up: 2.5 points × 33 333 đ = 83 332,5 đ.
        odd = services.royalty_point_value_create(value=33_333, valid_from=dt.date(2026, 8, 1))
        august = _propose(_page("Tin tháng 8"), rates.news, "2.5", one(people.member), published_at=at("05/08/2026"))
        assert (august.point_value, august.amount) == (odd, Decimal(83_333))

        mid_june = _propose(
            _page("Tin giữa tháng 6"), rates.photo, 2, one(people.member), published_at=at("20/06/2026")
        )
        assert mid_june.amount == Decimal(200_000)
        services.royalty_entry_approve(entry=june, actor=people.head)
        # A value added afterwards from a date before the items: the approved entry keeps its
        # amount; a proposed one is computed again when the head approves it.
        mid = services.royalty_point_value_create(value=110_000, valid_from=dt.date(2026, 6, 15))
        june.refresh_from_db()
        assert (june.point_value, june.value_per_point, june.amount) == (
            rates.january,
            Decimal(100_000),
            Decimal(150_000),
        )
        mid_june = services.royalty_entry_approve(entry=mid_june, actor=people.head)
        assert (mid_june.point_value, mid_june.value_per_point, mid_june.amount) == (
            mid,
            Decimal(110_000),
            Decimal(220_000),
        )
        july = services.royalty_entry_approve(entry=july, actor=people.head)  # 01/07: still the July value
        assert (july.point_value, july.amount) == (rates.july, Decimal(180_000))
        june.refresh_from_db()
        assert (june.point_value, june.amount) == (rates.january, Decimal(150_000))

        before_rates = _page("Tin năm 2025")
        Page.objects.filter(pk=before_rates.pk).update(published_at=at("31/12/2025", "23:59"))
        before_rates.refresh_from_db()
        _refused(
            "royalty_no_point_value",
            services.royalty_entry_propose,
            item=before_rates,
            grade=rates.news,
            points=1,
            authors=one(people.member),
            proposed_by=None,
            published_at=at("31/12/2025", "23:59"),
        )


def test_points_outside_the_grade_and_bad_authors_are_refused(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        page = _page("Tin hoạt động")
        propose = services.royalty_entry_propose
        base: dict[str, Any] = {
            "item": page,
            "grade": rates.news,
            "authors": one(people.member),
            "proposed_by": people.member,
            "published_at": at("10/10/2026"),
        }
        for points in (Decimal("0.9"), Decimal("3.1"), 4):
            error = _refused("royalty_points_out_of_range", propose, **base, points=points)
            assert "Tin thường" in error.message
        for bad_points in (0, Decimal("1.25"), "hai", -1):
            _refused("royalty_points_invalid", propose, **base, points=bad_points)
        # Bounds are inclusive.
        assert _propose(_page("Tin một điểm"), rates.news, 1, one(people.member)).points == Decimal("1.0")
        assert _propose(_page("Tin ba điểm"), rates.news, 3, one(people.member)).points == Decimal("3.0")

        retired = services.royalty_grade_update(
            grade=rates.article,
            kind=RoyaltyWorkKind.ARTICLE,
            name="Bài phản ánh",
            min_points=4,
            max_points=10,
            order=0,
            is_active=False,
        )
        _refused("royalty_grade_inactive", propose, **{**base, "grade": retired}, points=5)
        # Every live item carries its own publication time (the workflow sets it), so the
        # "publication time required / in the future" refusals cannot arise for them.

        def authors(*given: AuthorShare) -> dict[str, Any]:
            return {**base, "points": 2, "authors": list(given)}

        member, contributor = people.member, people.contributor
        _refused("royalty_authors_required", propose, **authors())
        _refused("royalty_shares_not_100", propose, **authors(AuthorShare(account=member, share=Decimal(60))))
        _refused(
            "royalty_shares_not_100",
            propose,
            **authors(
                AuthorShare(account=member, share=Decimal(60)), AuthorShare(name="Ngô Văn Phúc", share=Decimal(50))
            ),
        )
        _refused(
            "royalty_author_duplicate",
            propose,
            **authors(AuthorShare(account=member, share=Decimal(50)), AuthorShare(account=member, share=Decimal(50))),
        )
        _refused(
            "royalty_author_duplicate",
            propose,
            **authors(
                AuthorShare(name="Ngô Văn Phúc", share=Decimal(50)),
                AuthorShare(name="ngô văn  phúc", share=Decimal(50)),
            ),
        )
        _refused("royalty_author_missing", propose, **authors(AuthorShare(name="  ", share=Decimal(100))))
        _refused(
            "royalty_author_ambiguous",
            propose,
            **authors(AuthorShare(account=contributor, name="Người khác", share=Decimal(100))),
        )
        for share in (Decimal(0), Decimal(-10), Decimal("33.333"), Decimal(101)):
            _refused("royalty_share_invalid", propose, **authors(AuthorShare(account=member, share=share)))


def test_only_public_items_and_one_active_entry_per_item(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        draft = _page("Bản nháp", published=False)
        _refused(
            "royalty_item_not_public",
            services.royalty_entry_propose,
            item=draft,
            grade=rates.news,
            points=2,
            authors=one(people.member),
            proposed_by=people.member,
            published_at=at("10/10/2026"),
        )

        @dataclass
        class Live:
            """An item of the workflow's kind: a ``live`` flag and its own publication time (a model's
            instance in real use; here a stand-in to show which fields the service reads)."""

            pk: int
            title: str
            live: bool
            published_at: dt.datetime

        assert selectors.royalty_item_published_at(Live(1, "x", True, at("02/02/2026"))) == at("02/02/2026")  # type: ignore[arg-type]

        page = _page("Tin đã đăng")
        entry = _propose(page, rates.news, 2, one(people.member), proposed_by=people.member)
        assert entry.status == RoyaltyStatus.PROPOSED and entry.proposed_by == people.member
        assert selectors.royalty_entry_item(entry=entry) == page
        _refused(
            "royalty_entry_exists",
            services.royalty_entry_propose,
            item=page,
            grade=rates.news,
            points=3,
            authors=one(people.member),
            proposed_by=people.member,
            published_at=at("10/10/2026"),
        )
        services.royalty_entry_reject(entry=entry, actor=people.head, reason="Tin không đạt chất lượng.")
        again = _propose(page, rates.news, 1, one(people.member))
        services.royalty_entry_approve(entry=again, actor=people.head)
        _refused(
            "royalty_entry_exists",
            services.royalty_entry_propose,
            item=page,
            grade=rates.news,
            points=3,
            authors=one(people.member),
            proposed_by=None,
            published_at=at("10/10/2026"),
        )
        # The database decides a race between two proposals.
        with pytest.raises(IntegrityError), transaction.atomic():
            RoyaltyEntry.objects.create(
                content_type=again.content_type,
                object_id=page.pk,
                item_title="x",
                item_published_at=at("10/10/2026"),
                grade=rates.news,
                kind=RoyaltyWorkKind.NEWS,
                grade_name="x",
                points=1,
                point_value=rates.july,
                value_per_point=1,
                amount=1,
            )
        # The snapshot stays when the item changes.
        page.title = "Tiêu đề mới"
        page.live, page.status = False, "unpublished"
        page.save()
        again.refresh_from_db()
        assert again.item_title == "Tin đã đăng"


def test_a_proposed_entry_can_be_changed_a_decided_one_cannot(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        entry = _propose(_page("Bài viết"), rates.news, 2, one(people.member))
        changed = services.royalty_entry_update(
            entry=entry,
            grade=rates.article,
            points=Decimal("6.5"),
            authors=[
                AuthorShare(account=people.member, share=Decimal(70)),
                AuthorShare(name="Ngô Văn Phúc", share=Decimal(30)),
            ],
            note="Bài có ảnh",
            actor=people.member,
        )
        assert (changed.kind, changed.points, changed.amount) == (
            RoyaltyWorkKind.ARTICLE,
            Decimal("6.5"),
            Decimal(780_000),
        )
        assert [(a.name, a.share, a.account) for a in changed.authors.all()] == [
            ("Lê Văn Cường", Decimal(70), people.member),
            ("Ngô Văn Phúc", Decimal(30), None),
        ]
        _refused(
            "royalty_points_out_of_range",
            services.royalty_entry_update,
            entry=entry,
            grade=rates.article,
            points=11,
            authors=one(people.member),
        )
        services.royalty_entry_approve(entry=entry, actor=people.head)
        _refused(
            "royalty_status_conflict",
            services.royalty_entry_update,
            entry=entry,
            grade=rates.article,
            points=5,
            authors=one(people.member),
        )


# --- decisions --------------------------------------------------------------------------------------


def test_only_the_board_head_approves(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        entry = _propose(_page("Tin hội nghị"), rates.news, 2, one(people.member), proposed_by=people.member)
        # Deputy, member (editor), contributor, a superuser off the board, nobody: refused.
        for actor in (people.deputy, people.member, people.contributor, people.outsider, None):
            error = _refused("royalty_approve_forbidden", services.royalty_entry_approve, entry=entry, actor=actor)
            assert isinstance(error, Forbidden) and error.http_status == 403
        entry.refresh_from_db()
        assert entry.status == RoyaltyStatus.PROPOSED and entry.decided_by is None

        approved = services.royalty_entry_approve(entry=entry, actor=people.head)
        assert approved.status == RoyaltyStatus.APPROVED and approved.decided_by == people.head
        assert approved.decided_at is not None and abs(timezone.now() - approved.decided_at) < dt.timedelta(minutes=1)
        assert AuditEvent.objects.filter(action="royalty.approved", actor=people.head.username).exists()
        _refused("royalty_status_conflict", services.royalty_entry_approve, entry=entry, actor=people.head)
        _refused("royalty_status_conflict", services.royalty_entry_reject, entry=entry, actor=people.head, reason="x")

        # A head whose seat has ended is no longer the head.
        seat = people.head.board_seats.get(ends_on__isnull=True)
        services.board_member_end(seat=seat, ends_on=timezone.localdate())
        later = _propose(_page("Tin sau"), rates.news, 2, one(people.member))
        _refused("royalty_approve_forbidden", services.royalty_entry_approve, entry=later, actor=people.head)
        assert selectors.royalty_board_head() is None
        board = seat.board
        services.board_member_add(board=board, account=people.outsider, position=BoardPosition.HEAD)
        assert selectors.royalty_board_head() == people.outsider
        assert services.royalty_entry_approve(entry=later, actor=people.outsider).status == RoyaltyStatus.APPROVED


def test_reject_needs_a_reason_and_cancel_corrects_an_approved_entry(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        page = _page("Tin lễ hội")
        entry = _propose(page, rates.news, 3, one(people.member))
        for reason in ("", "   \n "):
            _refused(
                "royalty_reason_required", services.royalty_entry_reject, entry=entry, actor=people.head, reason=reason
            )
        for actor in (people.deputy, people.member, people.contributor):
            _refused(
                "royalty_reject_forbidden", services.royalty_entry_reject, entry=entry, actor=actor, reason="Không đạt"
            )
        rejected = services.royalty_entry_reject(entry=entry, actor=people.head, reason="  Trùng tin đã đăng. ")
        assert (rejected.status, rejected.decision_reason, rejected.decided_by) == (
            RoyaltyStatus.REJECTED,
            "Trùng tin đã đăng.",
            people.head,
        )

        approved = services.royalty_entry_approve(
            entry=_propose(page, rates.news, 3, one(people.member)), actor=people.head
        )
        _refused(
            "royalty_cancel_forbidden", services.royalty_entry_cancel, entry=approved, actor=people.deputy, reason="Sai"
        )
        _refused(
            "royalty_reason_required", services.royalty_entry_cancel, entry=approved, actor=people.head, reason=" "
        )
        cancelled = services.royalty_entry_cancel(entry=approved, actor=people.head, reason="Sai mức điểm")
        assert cancelled.status == RoyaltyStatus.CANCELLED and cancelled.cancelled_by == people.head
        assert cancelled.amount == Decimal(360_000)  # kept as it was, for the record
        # The correction: a new entry for the same item.
        corrected = services.royalty_entry_approve(
            entry=_propose(page, rates.news, 2, one(people.member)), actor=people.head
        )
        assert RoyaltyEntry.objects.filter(object_id=page.pk).count() == 3
        report = selectors.royalty_report(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
        assert [line.entry_id for line in report.lines] == [corrected.pk]
        # Rejected and cancelled entries are never approved.
        _refused("royalty_status_conflict", services.royalty_entry_approve, entry=rejected, actor=people.head)
        _refused("royalty_status_conflict", services.royalty_entry_approve, entry=cancelled, actor=people.head)


# --- the report -------------------------------------------------------------------------------------


@pytest.fixture
def october(portal_a: Portal) -> dict[str, Any]:
    """Approved royalties around October 2026 in portal A, and what the report must say."""
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        member, contributor, head = people.member, people.contributor, people.head

        def approved(
            title: str, grade: RoyaltyGrade, points: Any, authors: list[AuthorShare], when: dt.datetime
        ) -> RoyaltyEntry:
            entry = _propose(_page(title), grade, points, authors, published_at=when)
            return services.royalty_entry_approve(entry=entry, actor=head)

        # In the period (October, local dates; the edges included).
        first = approved("Tin khai mạc", rates.news, 2, one(member), at("01/10/2026", "00:00"))
        second = approved(
            "Bài về nông thôn mới",
            rates.article,
            Decimal("7.5"),
            [AuthorShare(account=member, share=Decimal(60)), AuthorShare(name="Ngô Văn Phúc", share=Decimal(40))],
            at("15/10/2026", "14:30"),
        )
        third = approved(
            "Ảnh lễ hội",
            rates.photo,
            1,
            [
                AuthorShare(name="Ngô  Văn Phúc", share=Decimal("33.33")),
                AuthorShare(account=contributor, share=Decimal("33.33")),
                AuthorShare(account=member, share=Decimal("33.34")),
            ],
            at("31/10/2026", "23:59"),
        )
        # Outside it, or not approved.
        approved("Tin tháng 9", rates.news, 3, one(member), at("30/09/2026", "23:59"))
        approved("Tin tháng 11", rates.news, 3, one(member), at("01/11/2026", "00:00"))
        _propose(_page("Tin chờ duyệt"), rates.news, 3, one(member), published_at=at("20/10/2026"))
        rejected = _propose(_page("Tin bị từ chối"), rates.news, 3, one(contributor), published_at=at("21/10/2026"))
        services.royalty_entry_reject(entry=rejected, actor=head, reason="Không đạt")
        return {"people": people, "rates": rates, "entries": (first, second, third)}


def test_report_totals_per_author(portal_a: Portal, october: dict[str, Any]) -> None:
    people: Board = october["people"]
    first, second, third = october["entries"]
    with schema_context(portal_a.schema_name):
        report = selectors.royalty_report(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
        # 2 × 120 000; 7,5 × 120 000 = 900 000 (60/40); 1 × 120 000 in thirds.
        assert (first.amount, second.amount, third.amount) == (Decimal(240_000), Decimal(900_000), Decimal(120_000))
        assert (report.items, report.points, report.amount) == (3, Decimal("10.5"), Decimal(1_260_000))
        # "Ngô  Văn Phúc" and "Ngô Văn Phúc" are one outside author; accounts are grouped by account.
        assert [(t.name, t.account_username, t.items, t.points, t.amount) for t in report.authors] == [
            ("Lê Văn Cường", people.member.username, 3, Decimal("6.83"), Decimal(820_008)),
            ("Ngô Văn Phúc", "", 2, Decimal("3.34"), Decimal(399_996)),
            ("Phạm Thị Dung", people.contributor.username, 1, Decimal("0.33"), Decimal(39_996)),
        ]
        # Line by line: 60 % of 900 000 = 540 000. The photo's 120 000 đ in 33,33/33,33/33,34 % is
        # 39 996 + 39 996 + 40 008; its 1 point is 0,33 each, the first author taking the 0,01 left.
        lines = [(line.title, line.author_name, line.share, line.points, line.amount) for line in report.lines]
        assert lines == [
            ("Tin khai mạc", "Lê Văn Cường", Decimal(100), Decimal(2), Decimal(240_000)),
            ("Bài về nông thôn mới", "Lê Văn Cường", Decimal(60), Decimal("4.5"), Decimal(540_000)),
            ("Bài về nông thôn mới", "Ngô Văn Phúc", Decimal(40), Decimal(3), Decimal(360_000)),
            ("Ảnh lễ hội", "Ngô Văn Phúc", Decimal("33.33"), Decimal("0.34"), Decimal(39_996)),
            ("Ảnh lễ hội", "Phạm Thị Dung", Decimal("33.33"), Decimal("0.33"), Decimal(39_996)),
            ("Ảnh lễ hội", "Lê Văn Cường", Decimal("33.34"), Decimal("0.33"), Decimal(40_008)),
        ]
        assert sum(line.amount for line in report.lines) == report.amount
        assert report.lines[0].published_on == dt.date(2026, 10, 1)
        assert report.lines[-1].published_on == dt.date(2026, 10, 31)

        # A narrower period; a period that runs backwards is refused.
        assert selectors.royalty_report(date_from=dt.date(2026, 10, 2), date_to=dt.date(2026, 10, 30)).items == 1
        with pytest.raises(ApplicationError) as backwards:
            selectors.royalty_report(date_from=dt.date(2026, 10, 31), date_to=dt.date(2026, 10, 1))
        assert backwards.value.code == "royalty_period_invalid"


def test_shares_split_adds_up(portal_a: Portal) -> None:
    split = selectors.royalty_shares_split
    thirds = [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert split(total=Decimal(120_000), shares=thirds, quantum=Decimal(1)) == [39_996, 39_996, 40_008]
    # 50 % of 100 001 rounds half up to 50 001 twice: the first share gives back the extra đồng.
    assert split(total=Decimal(100_001), shares=[Decimal(50), Decimal(50)], quantum=Decimal(1)) == [50_000, 50_001]
    assert split(total=Decimal(1), shares=thirds, quantum=Decimal("0.01")) == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    assert split(total=Decimal(5), shares=[], quantum=Decimal(1)) == []


def test_xlsx_export_cell_by_cell(portal_a: Portal, october: dict[str, Any]) -> None:
    people: Board = october["people"]
    with schema_context(portal_a.schema_name), translation.override("vi"):
        report = selectors.royalty_report(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
        data = selectors.royalty_report_xlsx(report=report)
        title = gettext("Royalty report from %(from)s to %(to)s") % {"from": "01/10/2026", "to": "31/10/2026"}
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        assert workbook.sheetnames == [pgettext("royalty report", "By author"), pgettext("royalty report", "Details")]

        summary = workbook[pgettext("royalty report", "By author")]
        assert summary["A1"].value == portal_a.name == "Ủy ban nhân dân xã An"
        assert summary["A2"].value == title
        assert "A1:F1" in {str(r) for r in summary.merged_cells.ranges}
        headers = ["No.", "Author", "Account", "Items", "Points", "Amount (VND)"]
        assert [cell.value for cell in summary[4]] == [pgettext("royalty report", h) for h in headers]
        rows = [[cell.value for cell in row] for row in summary.iter_rows(min_row=5, max_row=8)]
        assert rows == [
            [1, "Lê Văn Cường", people.member.username, 3, 6.83, 820_008],
            [2, "Ngô Văn Phúc", None, 2, 3.34, 399_996],
            [3, "Phạm Thị Dung", people.contributor.username, 1, 0.33, 39_996],
            [None, pgettext("royalty report", "Total"), None, 3, 10.5, 1_260_000],
        ]
        assert summary.max_row == 8
        assert summary["F5"].number_format == '#,##0 "₫"' and summary["F8"].number_format == '#,##0 "₫"'
        assert summary["E5"].number_format == "#,##0.0#"
        assert summary["B8"].font.bold

        detail = workbook[pgettext("royalty report", "Details")]
        assert (detail["A1"].value, detail["A2"].value) == (portal_a.name, title)
        assert [cell.value for cell in detail[4]] == [
            pgettext("royalty report", h)
            for h in (
                "No.",
                "Published on",
                "Title",
                "Kind of work",
                "Grade",
                "Item points",
                "Value of one point (VND)",
                "Item royalty (VND)",
                "Author",
                "Account",
                "Share (%)",
                "Author's points",
                "Author's amount (VND)",
            )
        ]
        article = pgettext("royalty kind", "Article")
        photo = pgettext("royalty kind", "Photograph")
        news = pgettext("royalty kind", "News item")
        member = people.member.username
        rows = [[cell.value for cell in row] for row in detail.iter_rows(min_row=5, max_row=11)]
        assert rows == [
            [
                1,
                dt.datetime(2026, 10, 1),
                "Tin khai mạc",
                news,
                "Tin thường",
                2,
                120_000,
                240_000,
                "Lê Văn Cường",
                member,
                100,
                2,
                240_000,
            ],
            [
                2,
                dt.datetime(2026, 10, 15),
                "Bài về nông thôn mới",
                article,
                "Bài phản ánh",
                7.5,
                120_000,
                900_000,
                "Lê Văn Cường",
                member,
                60,
                4.5,
                540_000,
            ],
            [
                3,
                dt.datetime(2026, 10, 15),
                "Bài về nông thôn mới",
                article,
                "Bài phản ánh",
                7.5,
                120_000,
                900_000,
                "Ngô Văn Phúc",
                None,
                40,
                3,
                360_000,
            ],
            [
                4,
                dt.datetime(2026, 10, 31),
                "Ảnh lễ hội",
                photo,
                "Ảnh tin",
                1,
                120_000,
                120_000,
                "Ngô Văn Phúc",
                None,
                33.33,
                0.34,
                39_996,
            ],
            [
                5,
                dt.datetime(2026, 10, 31),
                "Ảnh lễ hội",
                photo,
                "Ảnh tin",
                1,
                120_000,
                120_000,
                "Phạm Thị Dung",
                people.contributor.username,
                33.33,
                0.33,
                39_996,
            ],
            [
                6,
                dt.datetime(2026, 10, 31),
                "Ảnh lễ hội",
                photo,
                "Ảnh tin",
                1,
                120_000,
                120_000,
                "Lê Văn Cường",
                member,
                33.34,
                0.33,
                40_008,
            ],
            [
                None,
                None,
                pgettext("royalty report", "Total"),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                10.5,
                1_260_000,
            ],
        ]
        assert detail["B5"].number_format == "dd/mm/yyyy" and detail["B5"].is_date
        for column in "GHM":
            assert detail[f"{column}5"].number_format == '#,##0 "₫"'

        assert (
            selectors.royalty_report_filename(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
            == "nhuan-but-2026-10.xlsx"
        )
        assert (
            selectors.royalty_report_filename(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
            == "nhuan-but-2026-02.xlsx"
        )
        assert (
            selectors.royalty_report_filename(date_from=dt.date(2026, 10, 3), date_to=dt.date(2026, 11, 17))
            == "nhuan-but-2026-10-03-2026-11-17.xlsx"
        )

        # An empty period still gives a workbook with its title and a zero totals row.
        empty = openpyxl.load_workbook(
            io.BytesIO(
                selectors.royalty_report_xlsx(
                    report=selectors.royalty_report(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31))
                )
            )
        )
        assert [cell.value for cell in empty[pgettext("royalty report", "By author")][5]] == [
            None,
            pgettext("royalty report", "Total"),
            None,
            0,
            0,
            0,
        ]


# --- isolation --------------------------------------------------------------------------------------


def test_two_portals_royalties_are_isolated(portal_a: Portal, portal_b: Portal, october: dict[str, Any]) -> None:
    with schema_context(portal_b.schema_name):
        assert not RoyaltyEntry.objects.exists() and not RoyaltyPointValue.objects.exists()
        report = selectors.royalty_report(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
        assert (report.items, report.amount, report.authors) == (0, Decimal(0), [])
        # Portal B's own table and board: its head cannot act on A's entries (they do not exist here).
        people = _board("xa-b")
        services.royalty_point_value_create(value=50_000, valid_from=dt.date(2026, 1, 1))
        grade = services.royalty_grade_create(kind=RoyaltyWorkKind.NEWS, name="Tin thường", min_points=1, max_points=3)
        page = _page("Tin xã Bình")
        entry = services.royalty_entry_approve(
            entry=_propose(page, grade, 2, one(people.member), published_at=at("10/10/2026")), actor=people.head
        )
        assert entry.amount == Decimal(100_000)
        a_entry = october["entries"][0]
        assert not RoyaltyEntry.objects.filter(pk=a_entry.pk, item_title=a_entry.item_title).exists()
        b_report = selectors.royalty_report(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
        assert [(t.name, t.amount) for t in b_report.authors] == [("Lê Văn Cường", Decimal(100_000))]
        xlsx = openpyxl.load_workbook(io.BytesIO(selectors.royalty_report_xlsx(report=b_report)))
        assert xlsx.worksheets[0]["A1"].value == portal_b.name
    with schema_context(portal_a.schema_name):
        report = selectors.royalty_report(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
        assert report.amount == Decimal(1_260_000)
        assert not RoyaltyEntry.objects.filter(item_title="Tin xã Bình").exists()
        # A's head is not B's: approving B's pending entry from A's accounts is impossible too.
        assert RoyaltyPointValue.objects.count() == 2


# --- back office ------------------------------------------------------------------------------------


def test_back_office_report_and_download(portal_a: Portal, october: dict[str, Any]) -> None:
    people: Board = october["people"]
    with schema_context(portal_a.schema_name):
        head = client_for(portal_a, people.head)
        contributor = client_for(portal_a, people.contributor)
    url = "/admin/content/royaltyentry/report/"

    page = head.get(url)
    assert page.status_code == 200 and 'name="date_from"' in page.content.decode()
    page = head.get(url, {"date_from": "01/10/2026", "date_to": "31/10/2026"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ngô Văn Phúc" in html and "Ảnh lễ hội" in html and "1.260.000 ₫" in html and "820.008 ₫" in html
    assert "Tin tháng 11" not in html and "Tin chờ duyệt" not in html
    assert "export=xlsx" in html

    download = head.get(url, {"date_from": "01/10/2026", "date_to": "31/10/2026", "export": "xlsx"})
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download["Content-Disposition"] == 'attachment; filename="nhuan-but-2026-10.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(download.content)).worksheets[0]
    assert sheet["F8"].value == 1_260_000

    with translation.override("vi"):
        backwards = head.get(url, {"date_from": "31/10/2026", "date_to": "01/10/2026"})
        assert (
            escape(gettext("The first day of the period cannot be after the last day.")) in backwards.content.decode()
        )
    # A contributor has no royalty permission in the template.
    assert contributor.get(url).status_code == 403
    assert head.get("/admin/content/royaltyentry/").status_code == 200


def test_back_office_propose_with_authors_then_decide(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        page = _page("Tin tiếp công dân")
        Page.objects.filter(pk=page.pk).update(published_at=at("10/10/2026", "08:30"))
        draft = _page("Bản nháp", published=False)
        content_type = selectors.royalty_item_content_types().get(model="page")
        member = client_for(portal_a, people.member)
        deputy = client_for(portal_a, people.deputy)
        head = client_for(portal_a, people.head)
    add_url = "/admin/content/royaltyentry/add/"
    assert member.get(add_url).status_code == 200

    def form(shares: list[tuple[Any, str, str]], points: str = "2") -> dict[str, Any]:
        data: dict[str, Any] = {
            "content_type": content_type.pk,
            "object_id": page.pk,
            "published_at_0": "10/10/2026",
            "published_at_1": "08:30",
            "grade": rates.news.pk,
            "points": points,
            "note": "",
            "authors-TOTAL_FORMS": len(shares),
            "authors-INITIAL_FORMS": 0,
            "authors-MIN_NUM_FORMS": 0,
            "authors-MAX_NUM_FORMS": 1000,
        }
        for index, (account_pk, name, share) in enumerate(shares):
            data[f"authors-{index}-account"] = account_pk or ""
            data[f"authors-{index}-name"] = name
            data[f"authors-{index}-share"] = share
        return data

    with schema_context(portal_a.schema_name):
        before = _state()
    with translation.override("vi"):
        bad = member.post(add_url, form([(people.member.pk, "", "60"), (None, "Ngô Văn Phúc", "30")]))
        assert bad.status_code == 200
        shares_message = gettext("The authors' shares add up to %(total)s%%; they must add up to 100%%.")
        assert escape(shares_message % {"total": "90"}) in bad.content.decode()
        out_of_range = member.post(add_url, form([(people.member.pk, "", "100")], points="5"))
        assert out_of_range.status_code == 200
        assert out_of_range.context["adminform"].form.errors["points"]
        not_public = member.post(add_url, {**form([(people.member.pk, "", "100")]), "object_id": draft.pk})
        assert escape(gettext("Royalties are only paid for published items; this item is not public.")) in (
            not_public.content.decode()
        )
    with schema_context(portal_a.schema_name):
        assert _state() == before

    good = member.post(add_url, form([(people.member.pk, "", "60"), (None, "Ngô Văn Phúc", "40")]))
    assert good.status_code == 302, good.context and good.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        entry = RoyaltyEntry.objects.get(object_id=page.pk)
        assert (entry.status, entry.proposed_by, entry.amount) == (
            RoyaltyStatus.PROPOSED,
            people.member,
            Decimal(240_000),
        )
        assert entry.item_published_at == at("10/10/2026", "08:30")
        assert [(a.name, a.share) for a in entry.authors.all()] == [
            ("Lê Văn Cường", Decimal(60)),
            ("Ngô Văn Phúc", Decimal(40)),
        ]
        before = _state()

    change_url = f"/admin/content/royaltyentry/{entry.pk}/change/"
    approve_url = f"/admin/content/royaltyentry/{entry.pk}/approve/"
    assert approve_url in head.get(change_url).content.decode()
    assert approve_url not in deputy.get(change_url).content.decode()
    with translation.override("vi"):
        refused = deputy.post(approve_url, {})
        assert refused.status_code == 200
        assert (
            escape(gettext("Only the head of the editorial board can approve royalties.")) in refused.content.decode()
        )
        no_reason = head.post(f"/admin/content/royaltyentry/{entry.pk}/reject/", {"reason": " "})
        assert no_reason.status_code == 200 and no_reason.context["form"].errors
    with schema_context(portal_a.schema_name):
        assert _state() == before

    done = head.post(approve_url, {})
    assert done.status_code == 302 and done["Location"] == change_url
    with schema_context(portal_a.schema_name):
        entry.refresh_from_db()
        assert entry.status == RoyaltyStatus.APPROVED and entry.decided_by == people.head
    # Decided: read-only for everyone, the head may only cancel it.
    page_html = head.get(change_url).content.decode()
    assert f"/admin/content/royaltyentry/{entry.pk}/cancel/" in page_html and approve_url not in page_html
    assert member.post(change_url, form([(people.member.pk, "", "100")])).status_code == 403


def test_back_office_rate_table_and_bulk_approval(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        people = _board("xa-a")
        rates = _rates()
        entries = [_propose(_page(f"Tin số {n}"), rates.news, 2, one(people.member)) for n in (1, 2)]
        head = client_for(portal_a, people.head)
        deputy = client_for(portal_a, people.deputy)
        before = _state()

    values_url = "/admin/content/royaltypointvalue/add/"
    grades_url = "/admin/content/royaltygrade/add/"
    with translation.override("vi"):
        taken = head.post(values_url, {"value": "90000", "valid_from": "01/07/2026", "note": ""})
        assert taken.status_code == 200
        message = gettext("A value of one point already applies from %(date)s.") % {"date": "01/07/2026"}
        assert escape(message) in taken.content.decode()
        zero = head.post(values_url, {"value": "0", "valid_from": "01/03/2026", "note": ""})
        assert zero.status_code == 200 and zero.context["adminform"].form.errors["value"]
        backwards = head.post(
            grades_url, {"kind": "news", "name": "Tin ngắn", "min_points": "3", "max_points": "2", "order": "0"}
        )
        assert escape(gettext("The maximum points cannot be less than the minimum points.")) in (
            backwards.content.decode()
        )
        # Only the head's role may set the rate table; the deputy may read it.
        assert deputy.post(values_url, {"value": "90000", "valid_from": "01/03/2026"}).status_code == 403
        assert deputy.get("/admin/content/royaltypointvalue/").status_code == 200
    with schema_context(portal_a.schema_name):
        assert _state() == before

    added = head.post(values_url, {"value": "95000", "valid_from": "01/03/2026", "note": "QĐ 12"})
    assert added.status_code == 302
    grade = head.post(
        grades_url,
        {"kind": "news", "name": "Tin ngắn", "min_points": "0.5", "max_points": "1.5", "order": "5", "is_active": "on"},
    )
    assert grade.status_code == 302
    with schema_context(portal_a.schema_name):
        point_value = RoyaltyPointValue.objects.get(valid_from=dt.date(2026, 3, 1))
        assert (point_value.value, point_value.note, point_value.created_by) == (
            Decimal(95_000),
            "QĐ 12",
            people.head.username,
        )
        assert RoyaltyGrade.objects.filter(
            name="Tin ngắn", min_points=Decimal("0.5"), max_points=Decimal("1.5")
        ).exists()
        before = _state()

    changelist = "/admin/content/royaltyentry/"
    selected = {"action": "approve_selected", "_selected_action": [entry.pk for entry in entries]}
    with translation.override("vi"):
        refused = deputy.post(changelist, selected, follow=True)
        assert (
            escape(gettext("Only the head of the editorial board can approve royalties.")) in refused.content.decode()
        )
    with schema_context(portal_a.schema_name):
        assert _state() == before
    head.post(changelist, selected, follow=True)
    with schema_context(portal_a.schema_name):
        assert {entry.status for entry in RoyaltyEntry.objects.filter(pk__in=[e.pk for e in entries])} == {
            RoyaltyStatus.APPROVED
        }
