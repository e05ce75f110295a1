"""Royalty reads: who may decide, which item an entry is about, the point value in force, and the
per-period, per-author report with its XLSX export.

Content types are always looked up by query here, never through ContentType's process-wide cache
(``get_for_model``/``get_for_id``): that cache is keyed by database alias, not by schema, and
content type ids are per schema.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import User
from content.models import (
    BoardMember,
    BoardPosition,
    RoyaltyEntry,
    RoyaltyPointValue,
    RoyaltyStatus,
    RoyaltyWorkKind,
)
from content.models.royalty import FULL_SHARE
from portal_platform.audit import current_portal
from portal_platform.errors import ValidationFailed

# The attributes a published item may carry its publication time in, in order of preference
# (the workflow's content types record when they went live; background pages have none).
PUBLISHED_AT_ATTRIBUTES: tuple[str, ...] = ("published_at", "first_published_at")
# The field that makes a model "publishable" for content.publishing.is_public.
PUBLIC_FLAG_FIELDS: tuple[str, ...] = ("live",)

MONEY = Decimal("1")
AUTHOR_POINTS = Decimal("0.01")

# --- who decides ------------------------------------------------------------------------------------


def royalty_board_head() -> User | None:
    """The account holding the sitting head seat on the current editorial board, if any."""
    seat = (
        BoardMember.objects.select_related("account")
        .filter(board__is_current=True, position=BoardPosition.HEAD, ends_on__isnull=True)
        .first()
    )
    return seat.account if seat is not None else None


def royalty_is_board_head(*, account: User | None) -> bool:
    """True when ``account`` is active and holds the sitting head seat on the current board."""
    if account is None or account.pk is None or not account.is_active:
        return False
    return BoardMember.objects.filter(
        board__is_current=True, position=BoardPosition.HEAD, ends_on__isnull=True, account=account
    ).exists()


# --- items by generic reference -------------------------------------------------------------------


def _is_publishable(model: type[models.Model] | None) -> bool:
    if model is None:
        return False
    for name in PUBLIC_FLAG_FIELDS:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return True
    return False


def royalty_item_content_types() -> QuerySet[ContentType]:
    """The content types of this schema whose items can be published (they carry ``live``), for
    choosing an entry's item."""
    candidates = ContentType.objects.filter(app_label="content").order_by("model")
    wanted = [ct.pk for ct in candidates if _is_publishable(ct.model_class())]
    return ContentType.objects.filter(pk__in=wanted).order_by("model")


def royalty_item_find(*, content_type: ContentType, object_id: int) -> models.Model | None:
    """The item ``object_id`` of ``content_type`` in this schema, or None."""
    model = content_type.model_class()
    if model is None:
        return None
    return model._default_manager.filter(pk=object_id).first()


def royalty_entry_item(*, entry: RoyaltyEntry) -> models.Model | None:
    """The item an entry is about (None if its model or row is gone)."""
    content_type = ContentType.objects.get(pk=entry.content_type_id)
    return royalty_item_find(content_type=content_type, object_id=entry.object_id)


def royalty_item_title(item: models.Model) -> str:
    title = getattr(item, "title", None) or getattr(item, "name", None) or str(item)
    return str(title).strip()[:500]


def royalty_item_published_at(item: models.Model) -> dt.datetime | None:
    """When the item went public, if it records that itself."""
    for name in PUBLISHED_AT_ATTRIBUTES:
        value = getattr(item, name, None)
        if isinstance(value, dt.datetime):
            return value
    return None


# --- the rate table -------------------------------------------------------------------------------


def royalty_point_value_on(*, day: dt.date) -> RoyaltyPointValue | None:
    """The value of one point in force on ``day``: the latest one applying from that day or before."""
    return RoyaltyPointValue.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def royalty_amount(*, points: Decimal, value_per_point: Decimal) -> Decimal:
    """points × value of one point, in whole đồng (half up, as accounting rounds)."""
    return (points * value_per_point).quantize(MONEY, rounding=ROUND_HALF_UP)


def royalty_shares_split(*, total: Decimal, shares: Sequence[Decimal], quantum: Decimal) -> list[Decimal]:
    """``total`` divided by ``shares`` (per cent, adding up to 100), each part rounded to
    ``quantum``; what rounding leaves over goes to the first share, so the parts add up to ``total``."""
    if not shares:
        return []
    parts = [(total * share / FULL_SHARE).quantize(quantum, rounding=ROUND_HALF_UP) for share in shares]
    parts[0] += total - sum(parts, Decimal(0))
    return parts


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoyaltyReportLine:
    """One author's part of one approved entry."""

    entry_id: int
    published_on: dt.date
    title: str
    kind: str
    kind_label: str
    grade_name: str
    entry_points: Decimal
    value_per_point: Decimal
    entry_amount: Decimal
    author_name: str
    account_username: str
    share: Decimal
    points: Decimal
    amount: Decimal


@dataclass
class RoyaltyAuthorTotal:
    """An author's totals over the period, with their lines."""

    key: str
    name: str
    account_username: str
    items: int = 0
    points: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    lines: list[RoyaltyReportLine] = field(default_factory=list)


@dataclass(frozen=True)
class RoyaltyReport:
    """Approved royalties of items published between ``date_from`` and ``date_to`` (inclusive)."""

    date_from: dt.date
    date_to: dt.date
    authors: list[RoyaltyAuthorTotal]
    lines: list[RoyaltyReportLine]
    items: int
    points: Decimal
    amount: Decimal


def _author_key(author_account_id: int | None, name: str) -> str:
    if author_account_id is not None:
        return f"account:{author_account_id}"
    # Outside authors are known only by name: the same name, however spaced or cased, is one person.
    return "name:" + " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min), zone)
    return start, end


def royalty_report_check(*, date_from: dt.date | None, date_to: dt.date | None) -> None:
    """The rules of a report's period, for forms to show before asking."""
    if date_from is None or date_to is None:
        raise ValidationFailed(
            _("Enter both the first and the last day of the period."),
            code="royalty_period_required",
            extra={"field": "date_from" if date_from is None else "date_to"},
        )
    if date_from > date_to:
        raise ValidationFailed(
            _("The first day of the period cannot be after the last day."),
            code="royalty_period_invalid",
            extra={"field": "date_to"},
        )


def royalty_report(*, date_from: dt.date, date_to: dt.date) -> RoyaltyReport:
    """Approved entries of items published in the period (by the item's publication date, local
    time), one line per author per entry, and per-author totals: number of items, points and amount.

    Each author's points and amount are the entry's split by their shares (``royalty_shares_split``),
    so the authors' amounts add up to the entries' amounts exactly. Authors are ordered by name.
    """
    royalty_report_check(date_from=date_from, date_to=date_to)
    start, end = _period_bounds(date_from, date_to)
    entries = (
        RoyaltyEntry.objects.filter(
            status=RoyaltyStatus.APPROVED, item_published_at__gte=start, item_published_at__lt=end
        )
        .select_related("grade")
        .prefetch_related("authors__account")
        .order_by("item_published_at", "pk")
    )
    kind_labels: dict[str, str] = {str(value): str(label) for value, label in RoyaltyWorkKind.choices}
    zone = timezone.get_current_timezone()
    totals: dict[str, RoyaltyAuthorTotal] = {}
    lines: list[RoyaltyReportLine] = []
    item_count = 0
    points_total = Decimal(0)
    amount_total = Decimal(0)
    for entry in entries:
        item_count += 1
        points_total += entry.points
        amount_total += entry.amount
        authors = list(entry.authors.all())
        shares = [author.share for author in authors]
        amounts = royalty_shares_split(total=entry.amount, shares=shares, quantum=MONEY)
        points = royalty_shares_split(total=entry.points, shares=shares, quantum=AUTHOR_POINTS)
        for author, author_points, author_amount in zip(authors, points, amounts, strict=True):
            username = author.account.get_username() if author.account is not None else ""
            line = RoyaltyReportLine(
                entry_id=entry.pk,
                published_on=timezone.localtime(entry.item_published_at, zone).date(),
                title=entry.item_title,
                kind=entry.kind,
                kind_label=kind_labels.get(entry.kind, entry.kind),
                grade_name=entry.grade_name,
                entry_points=entry.points,
                value_per_point=entry.value_per_point,
                entry_amount=entry.amount,
                author_name=author.name,
                account_username=username,
                share=author.share,
                points=author_points,
                amount=author_amount,
            )
            lines.append(line)
            key = _author_key(author.account_id, author.name)
            total = totals.get(key)
            if total is None:
                total = totals[key] = RoyaltyAuthorTotal(key=key, name=author.name, account_username=username)
            total.items += 1
            total.points += author_points
            total.amount += author_amount
            total.lines.append(line)
    authors_sorted = sorted(totals.values(), key=lambda t: (t.name.casefold(), t.account_username, t.key))
    return RoyaltyReport(
        date_from=date_from,
        date_to=date_to,
        authors=authors_sorted,
        lines=lines,
        items=item_count,
        points=points_total,
        amount=amount_total,
    )


# --- XLSX export ----------------------------------------------------------------------------------

VND_FORMAT = '#,##0 "₫"'
POINTS_FORMAT = "#,##0.0#"
SHARE_FORMAT = "0.##"
DATE_FORMAT = "dd/mm/yyyy"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def royalty_report_filename(*, date_from: dt.date, date_to: dt.date) -> str:
    """``nhuan-but-2026-11.xlsx`` for a calendar month, ``nhuan-but-2026-11-03-2026-11-17.xlsx`` otherwise."""
    next_day = date_to + dt.timedelta(days=1)
    if date_from.day == 1 and next_day.day == 1 and (date_from.year, date_from.month) == (date_to.year, date_to.month):
        return f"nhuan-but-{date_from:%Y-%m}.xlsx"
    return f"nhuan-but-{date_from:%Y-%m-%d}-{date_to:%Y-%m-%d}.xlsx"


def royalty_report_summary_headers() -> list[str]:
    """Column headers of the per-author table (screen and XLSX alike)."""
    return [
        pgettext("royalty report", "No."),
        pgettext("royalty report", "Author"),
        pgettext("royalty report", "Account"),
        pgettext("royalty report", "Items"),
        pgettext("royalty report", "Points"),
        pgettext("royalty report", "Amount (VND)"),
    ]


def royalty_report_detail_headers() -> list[str]:
    """Column headers of the line items (screen and XLSX alike)."""
    return [
        pgettext("royalty report", "No."),
        pgettext("royalty report", "Published on"),
        pgettext("royalty report", "Title"),
        pgettext("royalty report", "Kind of work"),
        pgettext("royalty report", "Grade"),
        pgettext("royalty report", "Item points"),
        pgettext("royalty report", "Value of one point (VND)"),
        pgettext("royalty report", "Item royalty (VND)"),
        pgettext("royalty report", "Author"),
        pgettext("royalty report", "Account"),
        pgettext("royalty report", "Share (%)"),
        pgettext("royalty report", "Author's points"),
        pgettext("royalty report", "Author's amount (VND)"),
    ]


def royalty_report_title(*, report: RoyaltyReport) -> str:
    return _("Royalty report from %(from)s to %(to)s") % {
        "from": report.date_from.strftime("%d/%m/%Y"),
        "to": report.date_to.strftime("%d/%m/%Y"),
    }


def _sheet_start(sheet: Worksheet, *, portal_name: str, title: str, headers: Sequence[str]) -> int:
    """Title rows (portal, report and period), a blank row and the header row; returns the next row."""
    width = len(headers)
    for row, (text, font) in enumerate(((portal_name, _BOLD), (title, _TITLE)), start=1):
        sheet.cell(row=row, column=1, value=text).font = font
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    header_row = 4
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=header)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = f"A{header_row + 1}"
    return header_row + 1


def _row_write(sheet: Worksheet, row: int, values: Sequence[tuple[Any, str | None]], *, bold: bool = False) -> None:
    for column, (value, number_format) in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = _BORDER
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = _BOLD


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def royalty_report_xlsx(*, report: RoyaltyReport, portal_name: str | None = None) -> bytes:
    """The report as an XLSX workbook: a sheet of per-author totals and a sheet of line items, each
    with the portal's name and the period on top, Vietnamese headers and a totals row.

    Amounts are whole numbers in a đồng format, dates real dates shown dd/mm/yyyy, so the
    accountant's spreadsheet can sum and sort them.
    """
    if portal_name is None:
        portal = current_portal()
        portal_name = portal.name if portal is not None else ""
    title = royalty_report_title(report=report)
    workbook = Workbook()

    summary = workbook.active
    assert summary is not None  # a new workbook always has its first sheet
    summary.title = pgettext("royalty report", "By author")
    headers = royalty_report_summary_headers()
    row = _sheet_start(summary, portal_name=portal_name, title=title, headers=headers)
    for number, author in enumerate(report.authors, start=1):
        _row_write(
            summary,
            row,
            [
                (number, None),
                (author.name, None),
                (author.account_username or None, None),
                (author.items, "0"),
                (author.points, POINTS_FORMAT),
                (int(author.amount), VND_FORMAT),
            ],
        )
        row += 1
    _row_write(
        summary,
        row,
        [
            (None, None),
            (pgettext("royalty report", "Total"), None),
            (None, None),
            (report.items, "0"),
            (report.points, POINTS_FORMAT),
            (int(report.amount), VND_FORMAT),
        ],
        bold=True,
    )
    _widths(summary, [6, 32, 22, 10, 10, 18])

    detail = workbook.create_sheet(pgettext("royalty report", "Details"))
    headers = royalty_report_detail_headers()
    row = _sheet_start(detail, portal_name=portal_name, title=title, headers=headers)
    for number, line in enumerate(report.lines, start=1):
        _row_write(
            detail,
            row,
            [
                (number, None),
                (line.published_on, DATE_FORMAT),
                (line.title, None),
                (line.kind_label, None),
                (line.grade_name, None),
                (line.entry_points, POINTS_FORMAT),
                (int(line.value_per_point), VND_FORMAT),
                (int(line.entry_amount), VND_FORMAT),
                (line.author_name, None),
                (line.account_username or None, None),
                (line.share, SHARE_FORMAT),
                (line.points, POINTS_FORMAT),
                (int(line.amount), VND_FORMAT),
            ],
        )
        row += 1
    # An item with several authors has several lines: only the authors' columns add up.
    _row_write(
        detail,
        row,
        [
            (None, None),
            (None, None),
            (pgettext("royalty report", "Total"), None),
            *[(None, None)] * 8,
            (report.points, POINTS_FORMAT),
            (int(report.amount), VND_FORMAT),
        ],
        bold=True,
    )
    _widths(detail, [6, 13, 48, 16, 22, 10, 16, 16, 28, 20, 10, 12, 18])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
