"""Writes to accounts, in whichever schema the caller is in (console: public; a portal: its own)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from portal_platform.errors import ValidationFailed


def account_password_set(*, user: User, password: str) -> User:
    """Set a password chosen by the account's owner; lifts the must-change-at-next-login flag."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="weak_password", extra={"field": "password"}) from exc
    user.set_password(password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    return user
