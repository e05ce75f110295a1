"""The rules of Decision 80/2025 Đ10.2.d (account names) and Đ10.2.đ (passwords).

The password validators are Django password validators (``AUTH_PASSWORD_VALIDATORS``), so every
path that sets a password — Django's own forms, the back office, the services, the management
commands — applies the same rules with the same Vietnamese messages.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation as django_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tenants.models import ABBREVIATION_PATTERN

# --- Passwords ---------------------------------------------------------------------------------

# Anything that is neither a letter nor a digit counts as special (!, @, #, space, …).
_CLASSES: tuple[tuple[str, Any], ...] = (
    ("upper", lambda ch: ch.isupper()),
    ("lower", lambda ch: ch.islower()),
    ("digit", lambda ch: ch.isdigit()),
    ("special", lambda ch: not ch.isalnum()),
)


def _missing_label(key: str) -> str:
    return {
        "upper": _("an upper-case letter"),
        "lower": _("a lower-case letter"),
        "digit": _("a digit"),
        "special": _("a special character such as ! @ # $ &"),
    }[key]


class CharacterClassesValidator:
    """Upper case, lower case, a digit and a special character (Đ10.2.đ)."""

    def validate(self, password: str, user: object = None) -> None:
        missing = [key for key, test in _CLASSES if not any(test(ch) for ch in password)]
        if missing:
            raise ValidationError(
                _("The password must also contain %(missing)s."),
                code="password_character_classes",
                params={"missing": ", ".join(_missing_label(key) for key in missing)},
            )

    def get_help_text(self) -> str:
        return _("Your password must contain upper-case and lower-case letters, a digit and a special character.")


class MinimumLengthValidator(django_validators.MinimumLengthValidator):
    """Django's length check with the platform's default and a Vietnamese message."""

    def __init__(self, min_length: int | None = None) -> None:
        super().__init__(min_length=min_length if min_length is not None else settings.PASSWORD_MIN_LENGTH)

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: it must have at least %(min_length)d character.",
            "The password is too short: it must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must have at least %(min_length)d character.",
            "Your password must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator(django_validators.CommonPasswordValidator):
    """Django's list of 20,000 common (breached) passwords, with a Vietnamese message."""

    def get_error_message(self) -> str:
        return _("This password is too common and easy to guess. Choose another one.")

    def get_help_text(self) -> str:
        return _("Your password must not be a commonly used password.")


class UserAttributeSimilarityValidator(django_validators.UserAttributeSimilarityValidator):
    """Not too close to the account's name, full name or e-mail address."""

    def get_error_message(self) -> str:
        # Django fills %(verbose_name)s with the field's (translated) verbose name.
        return _("The password is too similar to the account's %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Your password must not resemble your account name, full name or e-mail address.")


# --- Account names -------------------------------------------------------------------------------

# The part before the abbreviation: a person's name written together, unaccented, lower case.
PERSONAL_PART = r"[a-z][a-z0-9]{1,39}"
_ABBREVIATION = ABBREVIATION_PATTERN.removeprefix("^").removesuffix("$")
ADMIN_USERNAME_PATTERN = rf"^admin(?:\.{_ABBREVIATION})?\.{_ABBREVIATION}$"
STAFF_USERNAME_PATTERN = rf"^{PERSONAL_PART}\.{_ABBREVIATION}$"


def current_abbreviation() -> str:
    """The abbreviation that account names end with where the connection is: the portal's own,
    or the console's (``CONSOLE_ABBREVIATION``) in the public schema."""
    from portal_platform.audit import current_portal

    portal = current_portal()
    return portal.abbreviation if portal is not None else str(settings.CONSOLE_ABBREVIATION)


def username_rule_text(abbreviation: str) -> str:
    return _(
        "An account name is admin.%(abbr)s (or admin.<department>.%(abbr)s) for the administrator, "
        "and <name>.%(abbr)s for everyone else, where <name> is the person's name written together "
        "in lower-case letters without accents, optionally followed by digits (2 to 40 characters, "
        "starting with a letter), for example nguyenvanan.%(abbr)s."
    ) % {"abbr": abbreviation}


def validate_username(username: str, *, abbreviation: str | None = None) -> None:
    """Đ10.2.d: ``admin.<abbreviation>``, ``admin.<department>.<abbreviation>`` or
    ``<name>.<abbreviation>`` where ``<name>`` is e.g. ``nguyenvanan`` or ``tranthibinh2``."""
    abbr = abbreviation if abbreviation is not None else current_abbreviation()
    valid = False
    if username.endswith(f".{abbr}"):
        # The pattern ends with "any abbreviation"; the suffix check pins it to this portal's.
        if username.startswith("admin."):
            valid = re.fullmatch(ADMIN_USERNAME_PATTERN, username) is not None
        else:
            valid = re.fullmatch(STAFF_USERNAME_PATTERN, username) is not None
    if not valid:
        raise ValidationError(
            _("“%(username)s” does not follow the naming rule. %(rule)s")
            % {"username": username, "rule": username_rule_text(abbr)},
            code="invalid_username",
        )


def username_suggest(full_name: str, *, abbreviation: str | None = None) -> str:
    """``Nguyễn Văn An`` → ``nguyenvanan.<abbreviation>`` (diacritics removed, đ → d)."""
    abbr = abbreviation if abbreviation is not None else current_abbreviation()
    text = full_name.lower().replace("đ", "d")
    text = unicodedata.normalize("NFKD", text)
    name = "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    name = name.lstrip("0123456789")[:40] or "taikhoan"
    return f"{name}.{abbr}"
