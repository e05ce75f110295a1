"""Accounts — in the public schema (the Provincial Portal unit's operators) and in every portal's
schema (that portal's editorial board and admins): the app is both shared and per-tenant, so an
account of portal A does not exist on portal B at all.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    # A password issued by someone else (first admin, reset) must be replaced at the next login
    # before anything else can be done (Đ10.2.đ).
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.full_name or self.username
