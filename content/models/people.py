"""The people a portal presents (Nghị định 42/2022 Đ4.1: leaders; contacts and contact officers) — tenant schema.

The leaders page and the contacts page are background pages (``Page`` of kinds ``leaders`` and
``contacts``); the people on them are rows of their own, so each leader's photo, position, phone,
email and profile, and each contact officer's area, can be listed, ordered and kept up to date one
by one. They are public information, so they go through the editorial workflow like everything else.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from content.models.workflow import Publishable


class Leader(Publishable):
    """A leader of the agency (lãnh đạo): shown on the leaders page, in ``order``."""

    revision_fields = ("name", "position", "position_en", "photo", "phone", "email", "profile", "profile_en", "order")
    html_fields = ("profile", "profile_en")

    name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    position_en = models.CharField(_("position in English"), max_length=300, blank=True)
    photo = models.ForeignKey(
        "content.MediaFile",
        verbose_name=_("photo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": "image"},
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    profile = models.TextField(_("profile"), blank=True)
    profile_en = models.TextField(_("profile in English"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")
        ordering = ["order", "name"]
        constraints = [*Publishable.status_constraints("leader")]

    def __str__(self) -> str:
        return f"{self.name} — {self.position}"

    def relation_errors(self, m2m: dict[str, list[int]]) -> dict[str, list[str]]:
        from content.models.media import MediaFile, MediaKind

        if self.photo_id is not None and not MediaFile.objects.filter(pk=self.photo_id, kind=MediaKind.IMAGE).exists():
            return {"photo": [str(_("The photo must be an image from the media library."))]}
        return {}


class ContactOfficer(Publishable):
    """An officer citizens and the press may contact (cán bộ đầu mối), for an area of work."""

    revision_fields = ("name", "position", "area", "area_en", "phone", "email", "order")
    html_fields = ()

    name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300)
    area = models.CharField(_("area of work"), max_length=300)
    area_en = models.CharField(_("area of work in English"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("contact officer")
        verbose_name_plural = _("contact officers")
        ordering = ["order", "name"]
        constraints = [
            *Publishable.status_constraints("contactofficer"),
            models.CheckConstraint(
                name="contactofficer_reachable",
                condition=~models.Q(phone="") | ~models.Q(email=""),
                violation_error_message=_("Give at least a phone number or an email address."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.area}"
