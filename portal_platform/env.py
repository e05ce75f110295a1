"""Typed readers for settings that come from the environment.

Every reader fails at start-up with a message that names the variable and the expected form, so a
typo in a deployment surfaces as one clear line instead of a stack trace minutes later. Secrets can
also come from ``<NAME>_FILE`` (Docker/Kubernetes secrets), which wins over ``<NAME>``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ImproperlyConfigured):
    """A missing or malformed environment setting."""

    def __init__(self, name: str, expected: str, got: str | None = None) -> None:
        shown = "unset" if got is None else repr(got)
        super().__init__(f"Setting {name} is {shown}; expected {expected}.")
        self.name = name


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    file_path = env.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingError(f"{name}_FILE", "the path of a readable file", file_path) from exc
    return env.get(name)


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None or value == "":
        if default is None:
            raise SettingError(name, "a non-empty value")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingError(name, "one of 1/0, true/false, yes/no, on/off", value)


def env_int(name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, "an integer", value) from None
    if minimum is not None and number < minimum:
        raise SettingError(name, f"an integer ≥ {minimum}", value)
    return number


def env_float(name: str, default: float, *, minimum: float = 0.0, environ: Mapping[str, str] | None = None) -> float:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingError(name, "a number", value) from None
    if number < minimum:
        raise SettingError(name, f"a number ≥ {minimum}", value)
    return number


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(
    name: str,
    schemes: tuple[str, ...],
    default: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """A URL whose scheme is one of ``schemes`` and which names a host."""
    value = _raw(name, environ)
    if value is None or value == "":
        if default is None:
            raise SettingError(name, f"a URL like {schemes[0]}://host:port/…")
        value = default
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - touching .port validates it
    except ValueError:
        raise SettingError(name, f"a URL like {schemes[0]}://host:port/…", value) from None
    if parts.scheme not in schemes or not parts.hostname:
        raise SettingError(name, f"a URL with scheme {' or '.join(schemes)} and a host", value)
    return value


def env_hostname(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ).strip().lower()
    labels = value.split(".")
    if not all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels):
        raise SettingError(name, "a DNS host name such as nghean.gov.vn", value)
    return value


def env_map(name: str, default: dict[str, str], *, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``key=value`` pairs separated by commas."""
    value = _raw(name, environ)
    if value is None or not value.strip():
        return dict(default)
    result = {}
    for item in value.split(","):
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise SettingError(name, "comma-separated key=value pairs", value)
        result[key.strip()] = val.strip()
    return result


def env_month_day(name: str, default: tuple[int, int], *, environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """A day of the year written dd/mm (e.g. ``10/12``), as (month, day)."""
    value = _raw(name, environ)
    if value is None or not value.strip():
        return default
    try:
        # 2024 is a leap year, so 29/02 is accepted as a day of the year.
        parsed = dt.datetime.strptime(f"{value.strip()}/2024", "%d/%m/%Y").date()
    except ValueError:
        raise SettingError(name, "a day of the year written dd/mm, such as 10/12", value) from None
    if (parsed.month, parsed.day) == (2, 29):
        raise SettingError(name, "a day that every year has (not 29/02)", value)
    return parsed.month, parsed.day


def env_dates(name: str, default: list[dt.date], *, environ: Mapping[str, str] | None = None) -> list[dt.date]:
    """Dates written dd/mm/yyyy, separated by commas."""
    value = _raw(name, environ)
    if value is None or not value.strip():
        return list(default)
    try:
        return [dt.datetime.strptime(item.strip(), "%d/%m/%Y").date() for item in value.split(",") if item.strip()]
    except ValueError:
        raise SettingError(name, "dates written dd/mm/yyyy, separated by commas", value) from None
