"""Royalties (nhuận bút) for published content — tenant schema (one copy of every table per portal).

Decision 80/2025 Đ12.2.d pays royalties for information provided on the portal "under the rules on
royalties in the press and publishing"; Nghị định 18/2014/NĐ-CP sets how: a royalty is a number of
points (điểm) for the work, within the range its grade allows for its kind (tin, bài, ảnh, dịch…),
times the value of one point (giá trị một điểm) the paying agency fixes.

Here: the portal's rate table (``RoyaltyPointValue``: the value of one point from a given date;
``RoyaltyGrade``: a grade per kind of work with its range of points), one ``RoyaltyEntry`` per
published item (any content type, through a generic reference, with a snapshot of its title and
publication time), and its authors (``RoyaltyAuthor``) with their shares in per cent.

Rows are written only by ``content.services.royalty``. Decisions that the design leaves open:

- Authors' shares are percentages of the entry that add up to 100; each author's points and amount
  are the entry's times the share (amounts rounded to whole đồng, the remainder going to the first
  author so that the parts add up to the entry).
- An approved entry is final and never edited. A mistake found later is corrected by the board head
  cancelling the entry (with a reason; the entry stays, marked cancelled) and a new entry being
  proposed and approved. Rejected and cancelled entries stay for the record; at most one entry per
  item is active (proposed or approved) at a time.
- An entry keeps the point value it was computed with, so a new value from a later date, or one
  added afterwards, never changes an approved amount.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Points have one decimal (grades like "0,5 – 1,5 điểm" exist); money is whole đồng.
POINTS_MAX_DIGITS = 7
POINTS_DECIMALS = 1
MONEY_MAX_DIGITS = 15
SHARE_MAX_DIGITS = 5
SHARE_DECIMALS = 2
FULL_SHARE = Decimal("100")


def format_number(value: Decimal) -> str:
    """A points or share figure as Vietnamese writes it: 2,5 — 33,33 — 100 (no trailing zeros)."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


class RoyaltyPointValue(models.Model):
    """The value of one point in đồng from ``valid_from`` on, until the next row's date.

    A row is a record of the agency's decision: it is added, never edited; it can be removed only
    while no entry uses it (PROTECT from the entries).
    """

    value = models.DecimalField(_("value of one point (VND)"), max_digits=MONEY_MAX_DIGITS, decimal_places=0)
    valid_from = models.DateField(_("applies from"), unique=True)
    note = models.CharField(
        _("basis"), max_length=255, blank=True, help_text=_("For example the decision that set this value.")
    )
    created_by = models.CharField(_("created by"), max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("royalty point value")
        verbose_name_plural = _("royalty point values")
        ordering = ["-valid_from"]
        default_permissions = ("add", "delete", "view")
        constraints = [
            models.CheckConstraint(
                name="royaltypointvalue_positive",
                condition=Q(value__gt=0),
                violation_error_message=_("The value of one point must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("%(value)s đ per point from %(date)s")
            % {"value": f"{self.value:,.0f}".replace(",", "."), "date": self.valid_from.strftime("%d/%m/%Y")}
        )


class RoyaltyWorkKind(models.TextChoices):
    """Kinds of work with their own grade tables (Nghị định 18/2014/NĐ-CP, annex on electronic press)."""

    NEWS = "news", pgettext_lazy("royalty kind", "News item")
    ARTICLE = "article", pgettext_lazy("royalty kind", "Article")
    INTERVIEW = "interview", pgettext_lazy("royalty kind", "Interview")
    PHOTO = "photo", pgettext_lazy("royalty kind", "Photograph")
    GRAPHIC = "graphic", pgettext_lazy("royalty kind", "Drawing or graphic")
    AUDIO_VIDEO = "audio_video", pgettext_lazy("royalty kind", "Audio or video")
    TRANSLATION = "translation", pgettext_lazy("royalty kind", "Translation")
    DOCUMENT = "document", pgettext_lazy("royalty kind", "Document or information provided")
    OTHER = "other", pgettext_lazy("royalty kind", "Other work")


class RoyaltyGrade(models.Model):
    """A grade of the rate table: for one kind of work, the range of points an item of it earns."""

    kind = models.CharField(_("kind of work"), max_length=20, choices=RoyaltyWorkKind.choices)
    name = models.CharField(_("grade"), max_length=200)
    min_points = models.DecimalField(_("minimum points"), max_digits=POINTS_MAX_DIGITS, decimal_places=POINTS_DECIMALS)
    max_points = models.DecimalField(_("maximum points"), max_digits=POINTS_MAX_DIGITS, decimal_places=POINTS_DECIMALS)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Grades no longer in use cannot be chosen for new entries.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("royalty grade")
        verbose_name_plural = _("royalty grades")
        ordering = ["kind", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="royaltygrade_unique_name_per_kind",
                violation_error_message=_("This kind of work already has a grade of this name."),
            ),
            models.CheckConstraint(name="royaltygrade_kind_valid", condition=Q(kind__in=RoyaltyWorkKind.values)),
            models.CheckConstraint(
                name="royaltygrade_min_positive",
                condition=Q(min_points__gt=0),
                violation_error_message=_("The minimum points must be greater than zero."),
            ),
            models.CheckConstraint(
                name="royaltygrade_range_valid",
                condition=Q(max_points__gte=F("min_points")),
                violation_error_message=_("The maximum points cannot be less than the minimum points."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.name} ({format_number(self.min_points)}–{format_number(self.max_points)})"


class RoyaltyStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which an entry counts for its item: a new entry for the item waits until it leaves them.
ACTIVE_STATUSES: tuple[str, ...] = (RoyaltyStatus.PROPOSED, RoyaltyStatus.APPROVED)


class RoyaltyEntry(models.Model):
    """The royalty for one published item: its grade, points and amount, and the board head's decision.

    ``item`` is any content type (articles, legal documents, pages…); its title and publication
    time are copied when the entry is made, so the report still reads right if the item is later
    renamed, unpublished or archived. ``point_value`` and ``amount`` are fixed when the entry is
    proposed or edited and once more at approval (a value added in between for an earlier date
    counts); after approval they never change.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("content type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("item number"))
    item = GenericForeignKey("content_type", "object_id")
    item_title = models.CharField(_("title"), max_length=500)
    item_published_at = models.DateTimeField(_("published at"), db_index=True)

    grade = models.ForeignKey(RoyaltyGrade, verbose_name=_("grade"), on_delete=models.PROTECT, related_name="entries")
    # The grade as it read when the entry was made (grades can be renamed or retired later).
    kind = models.CharField(_("kind of work"), max_length=20, choices=RoyaltyWorkKind.choices)
    grade_name = models.CharField(_("grade"), max_length=200)
    points = models.DecimalField(_("points"), max_digits=POINTS_MAX_DIGITS, decimal_places=POINTS_DECIMALS)
    point_value = models.ForeignKey(
        RoyaltyPointValue, verbose_name=_("point value"), on_delete=models.PROTECT, related_name="entries"
    )
    value_per_point = models.DecimalField(_("value of one point (VND)"), max_digits=MONEY_MAX_DIGITS, decimal_places=0)
    amount = models.DecimalField(_("amount (VND)"), max_digits=MONEY_MAX_DIGITS, decimal_places=0)
    note = models.TextField(_("note"), blank=True)

    status = models.CharField(_("status"), max_length=16, choices=RoyaltyStatus.choices, default=RoyaltyStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("royalty entry")
        verbose_name_plural = _("royalty entries")
        ordering = ["-item_published_at", "-pk"]
        # Entries are records: never deleted (rejected or cancelled instead).
        default_permissions = ("add", "change", "view")
        indexes = [models.Index(fields=["content_type", "object_id"], name="royaltyentry_item")]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                # OR rather than IN: PostgreSQL prints "IN (…)" back in a form that re-parses
                # differently, and the spare pool's schema copy compares definitions as text.
                condition=Q(status=RoyaltyStatus.PROPOSED) | Q(status=RoyaltyStatus.APPROVED),
                name="royaltyentry_one_active_per_item",
                violation_error_message=_("This item already has a royalty entry that is proposed or approved."),
            ),
            models.CheckConstraint(name="royaltyentry_status_valid", condition=Q(status__in=RoyaltyStatus.values)),
            models.CheckConstraint(
                name="royaltyentry_points_positive",
                condition=Q(points__gt=0),
                violation_error_message=_("Points must be greater than zero."),
            ),
            models.CheckConstraint(name="royaltyentry_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="royaltyentry_rejection_has_reason",
                condition=~Q(status=RoyaltyStatus.REJECTED) | ~Q(decision_reason=""),
            ),
            models.CheckConstraint(
                name="royaltyentry_decided_has_decider",
                condition=Q(status=RoyaltyStatus.PROPOSED) | Q(decided_at__isnull=False),
            ),
            models.CheckConstraint(
                name="royaltyentry_cancel_has_reason",
                condition=~Q(status=RoyaltyStatus.CANCELLED) | (~Q(cancel_reason="") & Q(cancelled_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.item_title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RoyaltyAuthor(models.Model):
    """An author of an entry's item and their share of its royalty, in per cent.

    An author is either an account of this portal (``account``; ``name`` keeps the name it had) or
    someone outside it (``name`` only: a contributor from another agency, a photographer…).
    """

    entry = models.ForeignKey(
        RoyaltyEntry, verbose_name=_("royalty entry"), on_delete=models.CASCADE, related_name="authors"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="royalty_shares",
    )
    name = models.CharField(_("author's name"), max_length=255)
    share = models.DecimalField(_("share (%)"), max_digits=SHARE_MAX_DIGITS, decimal_places=SHARE_DECIMALS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["entry", "order", "pk"]
        default_permissions = ("view",)
        constraints = [
            models.CheckConstraint(
                name="royaltyauthor_share_range",
                condition=Q(share__gt=0) & Q(share__lte=FULL_SHARE),
                violation_error_message=_("A share must be more than 0% and at most 100%."),
            ),
            models.CheckConstraint(name="royaltyauthor_has_name", condition=~Q(name="")),
            models.UniqueConstraint(
                fields=["entry", "account"],
                condition=Q(account__isnull=False),
                name="royaltyauthor_account_once_per_entry",
            ),
            models.UniqueConstraint(
                fields=["entry", "name"],
                condition=Q(account__isnull=True),
                name="royaltyauthor_name_once_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({format_number(self.share)}%)"
