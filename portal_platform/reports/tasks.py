"""Jobs of the reports (public schema): the monthly evaluation run."""

from __future__ import annotations

import datetime as dt

import dramatiq


@dramatiq.actor(actor_name="reports.evaluation_monthly", time_limit=1_800_000, max_retries=2)
def evaluation_monthly(today: str = "") -> None:
    """Sent by the scheduler on the 1st of each month: scores every portal for the month that has
    just ended and for the reporting year it belongs to (so the yearly ranking is never more than a
    month behind). Safe to run twice: ``evaluation_compute`` replaces the scores."""
    from portal_platform.reports import periods
    from portal_platform.reports.evaluation import evaluation_compute
    from portal_platform.reports.periodic import default_period

    day = dt.date.fromisoformat(today) if today else periods.today()
    month = default_period(today=day)
    evaluation_compute(period=month)
    evaluation_compute(period=periods.report_year_of(month.end))
