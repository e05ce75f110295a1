"""Reporting periods: the yearly report's cut-off year and the calendar periods of the provincial
unit's reports (monthly, quarterly, yearly).

A period is a pair of dates, both included, in the platform's time zone (Asia/Ho_Chi_Minh).

The yearly report's figures are "chốt" — closed — on the cut-off day (``REPORT_CUTOFF``, 10/12 by
default, Decision 80/2025 Đ15.7). The cut-off day belongs to the period it closes, so the report
for 2025 covers 11/12/2024 to 10/12/2025 and no day is counted in two reports; the report is due
on the cut-off day (it must arrive "before 11/12").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from portal_platform.errors import ValidationFailed


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"  # calendar year (the provincial unit's yearly report)
    REPORT_YEAR = "report_year"  # cut-off year (the agencies' yearly report)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: dt.date
    end: dt.date  # included

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return _("month %(month)02d/%(year)d") % {"month": self.start.month, "year": self.start.year}
        if self.kind is PeriodKind.QUARTER:
            return _("quarter %(quarter)d/%(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind is PeriodKind.YEAR:
            return _("year %(year)d") % {"year": self.start.year}
        return _("reporting year %(year)d") % {"year": self.end.year}

    @property
    def key(self) -> str:
        """A stable identifier, as the API and URLs take it: 2025-03, 2025-Q1, 2025, R2025."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return str(self.start.year)
        return f"R{self.end.year}"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: midnight local time of the first day and of the day after the last."""
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _cutoff(year: int) -> dt.date:
    month, day = settings.REPORT_CUTOFF
    return dt.date(year, month, day)


def report_year(year: int) -> Period:
    """The agencies' yearly report period closing on the cut-off day of ``year``."""
    return Period(PeriodKind.REPORT_YEAR, _cutoff(year - 1) + dt.timedelta(days=1), _cutoff(year))


def report_year_of(day: dt.date) -> Period:
    """The yearly report period that ``day`` falls in."""
    return report_year(day.year if day <= _cutoff(day.year) else day.year + 1)


def report_due_date(year: int) -> dt.date:
    """The last day the report for ``year`` may arrive: the cut-off day itself ("before 11/12")."""
    return _cutoff(year)


def month(year: int, month_number: int) -> Period:
    start = dt.date(year, month_number, 1)
    following = dt.date(year + month_number // 12, month_number % 12 + 1, 1)
    return Period(PeriodKind.MONTH, start, following - dt.timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period(PeriodKind.QUARTER, first.start, last.end)


def calendar_year(year: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def parse(value: str) -> Period:
    """A period from its key (``2025-03``, ``2025-Q1``, ``2025``, ``R2025``); bad input is a 400."""
    text = (value or "").strip().upper()
    try:
        if text.startswith("R") and text[1:].isdigit():
            period = report_year(int(text[1:]))
        elif "-Q" in text:
            year_text, number_text = text.split("-Q", 1)
            number = int(number_text)
            if not 1 <= number <= 4:
                raise ValueError(text)
            period = quarter(int(year_text), number)
        elif "-" in text:
            year_text, month_text = text.split("-", 1)
            period = month(int(year_text), int(month_text))
        else:
            period = calendar_year(int(text))
    except ValueError:
        raise ValidationFailed(
            _("Unknown period “%(value)s”: write a month (2025-03), a quarter (2025-Q1), a year (2025) or a reporting year (R2025).")
            % {"value": value},
            code="invalid_period",
            extra={"field": "period"},
        ) from None
    if not 2000 <= period.start.year <= 2100:
        raise ValidationFailed(_("The period must lie between 2000 and 2100."), code="invalid_period", extra={"field": "period"})
    return period


def today() -> dt.date:
    return timezone.localdate()
