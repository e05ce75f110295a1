"""Accounts — in the public schema (the Provincial Portal unit's operators) and in every portal's
schema (that portal's editorial board and admins): the app is both shared and per-tenant, so an
account of portal A does not exist on portal B at all.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    # A password issued by someone else (first admin, reset) must be replaced at the next login
    # before anything else can be done (Đ10.2.đ).
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("The account must choose a new password at its next login before doing anything else."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Sessions remember the epoch they were opened in; raising it ends every older session
    # (logout, password change, closure), whatever session backend is in use.
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def password_expires_at(self) -> dt.datetime:
        # Accounts made before the rule (or by createsuperuser) count from the day they joined
        # rather than being expired at once.
        changed = self.password_changed_at or self.date_joined or timezone.now()
        return changed + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
