"""A new portal's first admin account: its one-time password, and the account a pre-seeded spare
holds ready (hashed ahead of time) until a job claims the spare and gives it the portal's names."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from content import roles as content_roles
from content.models import Role
from portal_platform.sealing import seal

PASSWORD_PURPOSE = "provisioning-admin-password"  # noqa: S105 - a key-derivation label, not a secret
# The name a spare's account has until a job renames it: it follows no naming rule (Đ10.2.d), so it
# can never be a portal's real account, and the account stays inactive until then.
SPARE_ADMIN_USERNAME = "spare-admin"


def one_time_password(user: Any = None) -> str:
    """16 characters with every class the password rules ask for (Đ10.2.đ), checked against those
    rules (``AUTH_PASSWORD_VALIDATORS``) for ``user`` when given."""
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%"]
    alphabet = "".join(classes)
    while True:
        chars = [secrets.choice(cls) for cls in classes] + [secrets.choice(alphabet) for _ in range(12)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        if user is None:
            return password
        try:
            validate_password(password, user)
        except ValidationError:
            continue  # astronomically rare: resembles the account's name or is a common password
        return password


def password_fits(password: str, user: Any) -> bool:
    """Whether ``password`` meets the password rules for ``user`` as it is now (names included)."""
    try:
        validate_password(password, user)
    except ValidationError:
        return False
    return True


def spare_admin_create() -> str:
    """In the current (spare) schema, make the future first admin: inactive, under the placeholder
    name, with a fresh one-time password hashed by the configured hasher, to be changed at the
    first login, in the tenant admin group. Returns the password sealed, never in clear."""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model(username=SPARE_ADMIN_USERNAME, is_staff=True, is_active=False, must_change_password=True)
        password = one_time_password(user)
        user.set_password(password)
        user.save()
        user.groups.add(Role.objects.select_related("group").get(key=content_roles.TENANT_ADMIN).group)
    return seal(password, purpose=PASSWORD_PURPOSE)
