"""Royalty writes (nhuận bút, Decision 80/2025 Đ12.2.d; amounts as in Nghị định 18/2014/NĐ-CP:
points × the value of one point). The caller has already entered the tenant.

The rate table (point values, grades) is the portal's; entries are proposed by the editorial staff
for published items and decided by the head of the current editorial board only — the rule is
checked here, so no screen, API or command can get around it. Every refused operation raises an
``ApplicationError`` with a stable code and changes nothing. See ``content.models.royalty`` for the
choices made (shares in per cent, approved entries final, corrections by cancelling).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from content import publishing
from content.models import (
    RoyaltyAuthor,
    RoyaltyEntry,
    RoyaltyGrade,
    RoyaltyPointValue,
    RoyaltyStatus,
    RoyaltyWorkKind,
)
from content.models.royalty import (
    ACTIVE_STATUSES,
    FULL_SHARE,
    MONEY_MAX_DIGITS,
    POINTS_DECIMALS,
    POINTS_MAX_DIGITS,
    SHARE_DECIMALS,
    format_number,
)
from content.selectors.royalty import (
    royalty_amount,
    royalty_entry_item,
    royalty_is_board_head,
    royalty_item_published_at,
    royalty_item_title,
    royalty_point_value_on,
)
from content.services.site import audit_event_record
from portal_platform.errors import Conflict, Forbidden, ValidationFailed


@dataclass(frozen=True)
class AuthorShare:
    """An author as the caller gives it: an account of this portal or an outside name, and a share in per cent."""

    share: Decimal
    account: User | None = None
    name: str = ""


def _actor_name(actor: User | None) -> str:
    return actor.get_username() if actor is not None else ""


def _decimal(value: Any, *, field: str, code: str, message: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(message, code=code, extra={"field": field}) from None
    if not number.is_finite():
        raise ValidationFailed(message, code=code, extra={"field": field})
    return number


def _fits(number: Decimal, *, max_digits: int, decimals: int) -> bool:
    """Whether ``number`` has at most ``decimals`` decimals and fits a column of ``max_digits``."""
    if abs(number) >= Decimal(10) ** (max_digits - decimals):
        return False
    return number == number.quantize(Decimal(1).scaleb(-decimals))


# --- point values -----------------------------------------------------------------------------------


def royalty_point_value_check(*, value: Any, valid_from: dt.date | None) -> Decimal:
    """The rules ``royalty_point_value_create`` enforces, for forms; returns the value as a Decimal."""
    message = _("The value of one point must be a whole number of đồng greater than zero.")
    number = _decimal(value, field="value", code="royalty_point_value_invalid", message=message)
    if (
        number <= 0
        or number != number.to_integral_value()
        or not _fits(number, max_digits=MONEY_MAX_DIGITS, decimals=0)
    ):
        raise ValidationFailed(message, code="royalty_point_value_invalid", extra={"field": "value"})
    if valid_from is None:
        raise ValidationFailed(
            _("Enter the date from which the value applies."),
            code="royalty_point_value_date_required",
            extra={"field": "valid_from"},
        )
    if RoyaltyPointValue.objects.filter(valid_from=valid_from).exists():
        raise Conflict(
            _("A value of one point already applies from %(date)s.") % {"date": valid_from.strftime("%d/%m/%Y")},
            code="royalty_point_value_date_taken",
            extra={"field": "valid_from"},
        )
    return number.quantize(Decimal(1))


def royalty_point_value_create(
    *, value: Any, valid_from: dt.date, note: str = "", actor: User | None = None
) -> RoyaltyPointValue:
    """Record the value of one point (đồng) that applies from ``valid_from`` until the next one.

    Entries already made keep the value they were computed with; entries proposed from now on for
    items published on or after ``valid_from`` use this one.
    """
    with transaction.atomic():
        number = royalty_point_value_check(value=value, valid_from=valid_from)
        try:
            with transaction.atomic():
                point_value = RoyaltyPointValue.objects.create(
                    value=number, valid_from=valid_from, note=note.strip(), created_by=_actor_name(actor)
                )
        except IntegrityError as exc:
            raise Conflict(
                _("A value of one point already applies from %(date)s.") % {"date": valid_from.strftime("%d/%m/%Y")},
                code="royalty_point_value_date_taken",
                extra={"field": "valid_from"},
            ) from exc
        audit_event_record(
            action="royalty.point_value_created",
            actor=_actor_name(actor),
            object_repr=str(point_value),
            data={"value": str(number), "valid_from": valid_from.isoformat()},
        )
    return point_value


def royalty_point_value_delete(*, point_value: RoyaltyPointValue, actor: User | None = None) -> None:
    """Remove a point value entered by mistake; refused once an entry was computed with it."""
    _unused_row_delete(
        row=point_value,
        used_by="point_value",
        refusal=Conflict(
            _("This value of one point has been used for royalties and cannot be deleted."),
            code="royalty_point_value_in_use",
        ),
        action="royalty.point_value_deleted",
        actor=actor,
    )


def _unused_row_delete(
    *, row: RoyaltyPointValue | RoyaltyGrade, used_by: str, refusal: Conflict, action: str, actor: User | None
) -> None:
    """Delete a rate-table row that no entry refers to (through the field ``used_by``), under a row
    lock so that an entry cannot start using it meanwhile; raise ``refusal`` when one does."""
    with transaction.atomic():
        locked = type(row).objects.select_for_update().filter(pk=row.pk).first()
        if locked is None:
            return
        if RoyaltyEntry.objects.filter(**{used_by: locked}).exists():
            raise refusal
        description = str(locked)
        locked.delete()
        audit_event_record(action=action, actor=_actor_name(actor), object_repr=description)


# --- grades -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _GradeInput:
    kind: str
    name: str
    min_points: Decimal
    max_points: Decimal


def royalty_grade_check(
    *, kind: str, name: str, min_points: Any, max_points: Any, grade: RoyaltyGrade | None = None
) -> _GradeInput:
    """The rules ``royalty_grade_create``/``royalty_grade_update`` enforce, for forms."""
    if kind not in RoyaltyWorkKind.values:
        raise ValidationFailed(
            _("Choose a kind of work from the list."), code="royalty_grade_kind_invalid", extra={"field": "kind"}
        )
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(
            _("Enter the name of the grade."), code="royalty_grade_name_required", extra={"field": "name"}
        )
    message = _("Points must be greater than zero, with at most one decimal.")
    low = _decimal(min_points, field="min_points", code="royalty_grade_points_invalid", message=message)
    high = _decimal(max_points, field="max_points", code="royalty_grade_points_invalid", message=message)
    for number, field in ((low, "min_points"), (high, "max_points")):
        if number <= 0 or not _fits(number, max_digits=POINTS_MAX_DIGITS, decimals=POINTS_DECIMALS):
            raise ValidationFailed(message, code="royalty_grade_points_invalid", extra={"field": field})
    if low > high:
        raise ValidationFailed(
            _("The maximum points cannot be less than the minimum points."),
            code="royalty_grade_range_invalid",
            extra={"field": "max_points"},
        )
    clash = RoyaltyGrade.objects.filter(kind=kind, name=name)
    if grade is not None:
        clash = clash.exclude(pk=grade.pk)
    if clash.exists():
        raise Conflict(
            _("This kind of work already has a grade of this name."),
            code="royalty_grade_name_taken",
            extra={"field": "name"},
        )
    return _GradeInput(kind=kind, name=name, min_points=low, max_points=high)


def royalty_grade_create(
    *,
    kind: str,
    name: str,
    min_points: Any,
    max_points: Any,
    order: int = 0,
    is_active: bool = True,
    actor: User | None = None,
) -> RoyaltyGrade:
    """Add a grade to the rate table: for one kind of work, the range of points an item earns."""
    with transaction.atomic():
        checked = royalty_grade_check(kind=kind, name=name, min_points=min_points, max_points=max_points)
        try:
            with transaction.atomic():
                grade = RoyaltyGrade.objects.create(
                    kind=checked.kind,
                    name=checked.name,
                    min_points=checked.min_points,
                    max_points=checked.max_points,
                    order=order,
                    is_active=is_active,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("This kind of work already has a grade of this name."),
                code="royalty_grade_name_taken",
                extra={"field": "name"},
            ) from exc
        audit_event_record(
            action="royalty.grade_created",
            actor=_actor_name(actor),
            object_repr=str(grade),
            data={"kind": grade.kind, "min": str(grade.min_points), "max": str(grade.max_points)},
        )
    return grade


def royalty_grade_update(
    *,
    grade: RoyaltyGrade,
    kind: str,
    name: str,
    min_points: Any,
    max_points: Any,
    order: int,
    is_active: bool,
    actor: User | None = None,
) -> RoyaltyGrade:
    """Change a grade. Entries already made keep their points and amount; proposed entries whose
    points fall outside a narrowed range are refused when they are approved."""
    with transaction.atomic():
        locked = RoyaltyGrade.objects.select_for_update().get(pk=grade.pk)
        checked = royalty_grade_check(kind=kind, name=name, min_points=min_points, max_points=max_points, grade=locked)
        before = {
            "kind": locked.kind,
            "name": locked.name,
            "min": str(locked.min_points),
            "max": str(locked.max_points),
        }
        locked.kind = checked.kind
        locked.name = checked.name
        locked.min_points = checked.min_points
        locked.max_points = checked.max_points
        locked.order = order
        locked.is_active = is_active
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:
            raise Conflict(
                _("This kind of work already has a grade of this name."),
                code="royalty_grade_name_taken",
                extra={"field": "name"},
            ) from exc
        audit_event_record(
            action="royalty.grade_updated",
            actor=_actor_name(actor),
            object_repr=str(locked),
            data={"before": before, "is_active": is_active},
        )
    return locked


def royalty_grade_delete(*, grade: RoyaltyGrade, actor: User | None = None) -> None:
    """Remove a grade entered by mistake; a grade used by an entry can only be retired (not in use)."""
    _unused_row_delete(
        row=grade,
        used_by="grade",
        refusal=Conflict(
            _("This grade has been used for royalties; mark it as no longer in use instead of deleting it."),
            code="royalty_grade_in_use",
        ),
        action="royalty.grade_deleted",
        actor=actor,
    )


# --- entries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Author:
    account: User | None
    name: str
    share: Decimal


def royalty_authors_check(*, authors: Sequence[AuthorShare]) -> list[AuthorShare]:
    """The rules on an entry's authors: at least one; each an account or a name, not both; each
    once; shares in per cent (greater than zero, at most two decimals) adding up to exactly 100.
    Returns the authors with names filled in from accounts and shares as Decimals."""
    if not authors:
        raise ValidationFailed(
            _("Add at least one author."), code="royalty_authors_required", extra={"field": "authors"}
        )
    message = _("Each author's share must be a percentage greater than zero, with at most two decimals.")
    cleaned: list[AuthorShare] = []
    accounts: set[int] = set()
    names: set[str] = set()
    for author in authors:
        name = " ".join(author.name.split())
        if author.account is not None and name and name != _account_name(author.account):
            raise ValidationFailed(
                _("Give each author either an account of this portal or a name, not both."),
                code="royalty_author_ambiguous",
                extra={"field": "authors"},
            )
        if author.account is None and not name:
            raise ValidationFailed(
                _("Give each author an account of this portal or a name."),
                code="royalty_author_missing",
                extra={"field": "authors"},
            )
        share = _decimal(author.share, field="authors", code="royalty_share_invalid", message=message)
        if share <= 0 or share > FULL_SHARE or not _fits(share, max_digits=SHARE_DECIMALS + 3, decimals=SHARE_DECIMALS):
            raise ValidationFailed(message, code="royalty_share_invalid", extra={"field": "authors"})
        if author.account is not None:
            if author.account.pk in accounts:
                raise ValidationFailed(
                    _("“%(name)s” is listed twice among the authors.") % {"name": author.account},
                    code="royalty_author_duplicate",
                    extra={"field": "authors"},
                )
            accounts.add(author.account.pk)
            name = _account_name(author.account)
        else:
            key = name.casefold()
            if key in names:
                raise ValidationFailed(
                    _("“%(name)s” is listed twice among the authors.") % {"name": name},
                    code="royalty_author_duplicate",
                    extra={"field": "authors"},
                )
            names.add(key)
        cleaned.append(AuthorShare(share=share, account=author.account, name=name[:255]))
    total = sum((author.share for author in cleaned), Decimal(0))
    if total != FULL_SHARE:
        raise ValidationFailed(
            _("The authors' shares add up to %(total)s%%; they must add up to 100%%.")
            % {"total": format_number(total)},
            code="royalty_shares_not_100",
            extra={"field": "authors"},
        )
    return cleaned


def _account_name(account: User) -> str:
    return " ".join((account.full_name or account.get_username()).split())


@dataclass(frozen=True)
class _EntryInput:
    published_at: dt.datetime
    points: Decimal
    point_value: RoyaltyPointValue


def royalty_content_type(*, model: type[models.Model]) -> ContentType:
    """This schema's content type row for ``model``, by query (ContentType's cache is not per
    schema); created if the schema has none yet, as Django's post-migrate step would."""
    opts = model._meta
    content_type, _created = ContentType.objects.get_or_create(app_label=opts.app_label, model=opts.model_name)
    return content_type


def _published_at(item: models.Model, published_at: dt.datetime | None) -> dt.datetime:
    own = royalty_item_published_at(item)
    when = own if own is not None else published_at
    if when is None:
        raise ValidationFailed(
            _("Enter when the item was published."),
            code="royalty_published_at_required",
            extra={"field": "published_at"},
        )
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now():
        raise ValidationFailed(
            _("The publication time cannot be in the future."),
            code="royalty_published_at_future",
            extra={"field": "published_at"},
        )
    return when


def _points_check(*, grade: RoyaltyGrade, points: Any) -> Decimal:
    message = _("Points must be greater than zero, with at most one decimal.")
    number = _decimal(points, field="points", code="royalty_points_invalid", message=message)
    if number <= 0 or not _fits(number, max_digits=POINTS_MAX_DIGITS, decimals=POINTS_DECIMALS):
        raise ValidationFailed(message, code="royalty_points_invalid", extra={"field": "points"})
    if not grade.min_points <= number <= grade.max_points:
        raise ValidationFailed(
            _("The grade “%(grade)s” allows from %(min)s to %(max)s points.")
            % {
                "grade": grade.name,
                "min": format_number(grade.min_points),
                "max": format_number(grade.max_points),
            },
            code="royalty_points_out_of_range",
            extra={"field": "points"},
        )
    return number.quantize(Decimal(1).scaleb(-POINTS_DECIMALS))


def _point_value_for(when: dt.datetime) -> RoyaltyPointValue:
    day = timezone.localtime(when).date()
    point_value = royalty_point_value_on(day=day)
    if point_value is None:
        raise ValidationFailed(
            _("No value of one point applies on %(date)s; add one to the rate table first.")
            % {"date": day.strftime("%d/%m/%Y")},
            code="royalty_no_point_value",
            extra={"field": "published_at"},
        )
    return point_value


def royalty_entry_check(
    *,
    item: models.Model,
    grade: RoyaltyGrade,
    points: Any,
    published_at: dt.datetime | None = None,
    entry: RoyaltyEntry | None = None,
) -> _EntryInput:
    """The rules on an entry's item, grade and points, for forms (``royalty_entry_propose`` and
    ``royalty_entry_update`` enforce them): the item is public right now and has no other active
    entry; the grade is in use (or already the entry's); the points lie in the grade's range; a
    value of one point applies on the item's publication date."""
    if item.pk is None or not publishing.is_public(item):
        raise ValidationFailed(
            _("Royalties are only paid for published items; this item is not public."),
            code="royalty_item_not_public",
            extra={"field": "object_id"},
        )
    content_type = royalty_content_type(model=type(item))
    others = RoyaltyEntry.objects.filter(content_type=content_type, object_id=item.pk, status__in=ACTIVE_STATUSES)
    if entry is not None:
        others = others.exclude(pk=entry.pk)
    if others.exists():
        raise Conflict(
            _("This item already has a royalty entry that is proposed or approved."),
            code="royalty_entry_exists",
            extra={"field": "object_id"},
        )
    if not grade.is_active and (entry is None or entry.grade_id != grade.pk):
        raise ValidationFailed(
            _("The grade “%(grade)s” is no longer in use.") % {"grade": grade.name},
            code="royalty_grade_inactive",
            extra={"field": "grade"},
        )
    number = _points_check(grade=grade, points=points)
    when = _published_at(item, published_at) if entry is None else entry.item_published_at
    return _EntryInput(published_at=when, points=number, point_value=_point_value_for(when))


def _authors_write(*, entry: RoyaltyEntry, authors: Sequence[AuthorShare]) -> None:
    entry.authors.all().delete()
    RoyaltyAuthor.objects.bulk_create(
        RoyaltyAuthor(entry=entry, account=author.account, name=author.name, share=author.share, order=index)
        for index, author in enumerate(authors)
    )


def _authors_data(authors: Sequence[AuthorShare]) -> list[dict[str, str]]:
    return [
        {
            "name": author.name,
            "account": author.account.get_username() if author.account else "",
            "share": str(author.share),
        }
        for author in authors
    ]


def royalty_entry_propose(
    *,
    item: models.Model,
    grade: RoyaltyGrade,
    points: Any,
    authors: Sequence[AuthorShare],
    proposed_by: User | None,
    note: str = "",
    published_at: dt.datetime | None = None,
) -> RoyaltyEntry:
    """Propose the royalty for a published item: its grade, points and authors with their shares.

    ``item`` is any model instance that ``content.publishing.is_public`` calls public; its title and
    publication time are copied into the entry. The publication time is the item's own
    (``published_at`` or ``first_published_at``); ``published_at`` is used only for items that do
    not record one (background pages). The amount is points × the value of one point in force on
    the publication date, in whole đồng. One proposed or approved entry per item (also a unique
    constraint, so two simultaneous proposals cannot both succeed).
    """
    with transaction.atomic():
        checked = royalty_entry_check(item=item, grade=grade, points=points, published_at=published_at)
        cleaned = royalty_authors_check(authors=authors)
        value = checked.point_value.value
        try:
            with transaction.atomic():
                entry = RoyaltyEntry.objects.create(
                    content_type=royalty_content_type(model=type(item)),
                    object_id=item.pk,
                    item_title=royalty_item_title(item),
                    item_published_at=checked.published_at,
                    grade=grade,
                    kind=grade.kind,
                    grade_name=grade.name,
                    points=checked.points,
                    point_value=checked.point_value,
                    value_per_point=value,
                    amount=royalty_amount(points=checked.points, value_per_point=value),
                    note=note.strip(),
                    status=RoyaltyStatus.PROPOSED,
                    proposed_by=proposed_by,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("This item already has a royalty entry that is proposed or approved."),
                code="royalty_entry_exists",
                extra={"field": "object_id"},
            ) from exc
        _authors_write(entry=entry, authors=cleaned)
        audit_event_record(
            action="royalty.proposed",
            actor=_actor_name(proposed_by),
            object_repr=entry.item_title,
            data={
                "entry": entry.pk,
                "item": f"{entry.content_type.app_label}.{entry.content_type.model}:{entry.object_id}",
                "grade": grade.name,
                "points": str(entry.points),
                "amount": str(entry.amount),
                "authors": _authors_data(cleaned),
            },
        )
    return entry


def _locked_entry(entry: RoyaltyEntry) -> RoyaltyEntry:
    return RoyaltyEntry.objects.select_for_update().get(pk=entry.pk)


def _require_status(entry: RoyaltyEntry, status: str, message: str) -> None:
    if entry.status != status:
        raise Conflict(message, code="royalty_status_conflict", extra={"status": entry.status})


def royalty_entry_update(
    *,
    entry: RoyaltyEntry,
    grade: RoyaltyGrade,
    points: Any,
    authors: Sequence[AuthorShare],
    note: str = "",
    actor: User | None = None,
) -> RoyaltyEntry:
    """Change a proposed entry's grade, points, authors or note (the amount follows). Decided
    entries are final."""
    with transaction.atomic():
        locked = _locked_entry(entry)
        _require_status(
            locked,
            RoyaltyStatus.PROPOSED,
            _("Only a proposed royalty entry can be changed; this one has been decided."),
        )
        item = _entry_item(locked)
        checked = royalty_entry_check(item=item, grade=grade, points=points, entry=locked)
        cleaned = royalty_authors_check(authors=authors)
        locked.grade = grade
        locked.kind = grade.kind
        locked.grade_name = grade.name
        locked.points = checked.points
        locked.point_value = checked.point_value
        locked.value_per_point = checked.point_value.value
        locked.amount = royalty_amount(points=checked.points, value_per_point=checked.point_value.value)
        locked.note = note.strip()
        locked.save()
        _authors_write(entry=locked, authors=cleaned)
        audit_event_record(
            action="royalty.updated",
            actor=_actor_name(actor),
            object_repr=locked.item_title,
            data={
                "entry": locked.pk,
                "grade": grade.name,
                "points": str(locked.points),
                "amount": str(locked.amount),
                "authors": _authors_data(cleaned),
            },
        )
    return locked


def _entry_item(entry: RoyaltyEntry) -> models.Model:
    item = royalty_entry_item(entry=entry)
    if item is None:
        raise ValidationFailed(_("The item of this royalty entry no longer exists."), code="royalty_item_missing")
    return item


def _head_check(*, actor: User | None, code: str, message: str) -> User:
    if actor is None or not royalty_is_board_head(account=actor):
        raise Forbidden(message, code=code)
    return actor


def royalty_entry_approve(*, entry: RoyaltyEntry, actor: User | None) -> RoyaltyEntry:
    """Approve a proposed entry. Only the account holding the sitting head seat on the current
    editorial board may (code ``royalty_approve_forbidden`` otherwise).

    The points are checked against the grade once more and the amount is computed again with the
    value of one point in force on the publication date as the rate table stands now, then fixed.
    """
    with transaction.atomic():
        head = _head_check(
            actor=actor,
            code="royalty_approve_forbidden",
            message=_("Only the head of the editorial board can approve royalties."),
        )
        locked = _locked_entry(entry)
        _require_status(
            locked,
            RoyaltyStatus.PROPOSED,
            _("Only a proposed royalty entry can be approved; this one has been decided."),
        )
        grade = RoyaltyGrade.objects.get(pk=locked.grade_id)
        points = _points_check(grade=grade, points=locked.points)
        point_value = _point_value_for(locked.item_published_at)
        locked.point_value = point_value
        locked.value_per_point = point_value.value
        locked.amount = royalty_amount(points=points, value_per_point=point_value.value)
        locked.status = RoyaltyStatus.APPROVED
        locked.decided_by = head
        locked.decided_at = timezone.now()
        locked.save()
        audit_event_record(
            action="royalty.approved",
            actor=head.get_username(),
            object_repr=locked.item_title,
            data={"entry": locked.pk, "points": str(locked.points), "amount": str(locked.amount)},
        )
    return locked


def _reason_check(reason: str, *, code: str, message: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(message, code=code, extra={"field": "reason"})
    return reason


def royalty_entry_reject(*, entry: RoyaltyEntry, actor: User | None, reason: str) -> RoyaltyEntry:
    """Reject a proposed entry, with a reason (the board head only). The item may then get a new entry."""
    with transaction.atomic():
        head = _head_check(
            actor=actor,
            code="royalty_reject_forbidden",
            message=_("Only the head of the editorial board can reject royalties."),
        )
        reason = _reason_check(
            reason, code="royalty_reason_required", message=_("Give the reason for rejecting this royalty.")
        )
        locked = _locked_entry(entry)
        _require_status(
            locked,
            RoyaltyStatus.PROPOSED,
            _("Only a proposed royalty entry can be rejected; this one has been decided."),
        )
        locked.status = RoyaltyStatus.REJECTED
        locked.decided_by = head
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        audit_event_record(
            action="royalty.rejected",
            actor=head.get_username(),
            object_repr=locked.item_title,
            data={"entry": locked.pk, "reason": reason},
        )
    return locked


def royalty_entry_cancel(*, entry: RoyaltyEntry, actor: User | None, reason: str) -> RoyaltyEntry:
    """Cancel an approved entry found to be wrong, with a reason (the board head only). The entry
    stays, marked cancelled, and leaves the reports; a corrected entry can then be proposed."""
    with transaction.atomic():
        head = _head_check(
            actor=actor,
            code="royalty_cancel_forbidden",
            message=_("Only the head of the editorial board can cancel an approved royalty."),
        )
        reason = _reason_check(
            reason, code="royalty_reason_required", message=_("Give the reason for cancelling this royalty.")
        )
        locked = _locked_entry(entry)
        _require_status(locked, RoyaltyStatus.APPROVED, _("Only an approved royalty entry can be cancelled."))
        locked.status = RoyaltyStatus.CANCELLED
        locked.cancelled_by = head
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        locked.save()
        audit_event_record(
            action="royalty.cancelled",
            actor=head.get_username(),
            object_repr=locked.item_title,
            data={"entry": locked.pk, "reason": reason, "amount": str(locked.amount)},
        )
    return locked
