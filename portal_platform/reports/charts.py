"""Charts of the periodic reports, drawn with matplotlib (Agg, no display): PNG bytes that go into
the DOCX and onto the console page.

An official should read them at a glance: Vietnamese labels, large type, a title that says what
and when, every bar labelled with its value. Each chart has a ``*_table`` function returning the
same numbers, which the console shows beside the image (its text alternative) and the exports
write as a table.

Figures are made with ``matplotlib.figure.Figure`` directly, never through pyplot's global state,
so two requests drawing at once do not draw into each other's chart.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from matplotlib import rc_context
from matplotlib.figure import Figure

from portal_platform.reports.figures import PortalFigures
from portal_platform.reports.periodic import PeriodicReport
from portal_platform.reports.periods import PeriodKind

TOP_PORTALS = 6
# Colour-blind-safe (Okabe–Ito), with grey for "other portals".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
ON_TIME, LATE, OVERDUE = "#009E73", "#E69F00", "#D55E00"
# Typed loosely: matplotlib's stubs key rcParams by a Literal of every known name.
STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib and covers Vietnamese
    "font.size": 15,
    "axes.titlesize": 19,
    "axes.titleweight": "bold",
    "axes.labelsize": 15,
    "legend.fontsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass
class ChartTable:
    """The numbers of one chart, as a table: the chart's text alternative."""

    title: str
    columns: list[str]  # the header row
    rows: list[list[str | int]]  # the first cell names the row


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


# --- publication over time -------------------------------------------------------------------------


def _buckets(report: PeriodicReport) -> tuple[list[str], list[str], dict[int, dict[str, int]]]:
    """The keys of the time buckets, their labels and each portal's count per key."""
    if report.period.kind is PeriodKind.MONTH:
        keys = report.weeks()
        labels = [_("week from %(day)s") % {"day": dt.date.fromisoformat(key).strftime("%d/%m")} for key in keys]
        return keys, labels, report.published_by_week
    keys = []
    year, month = report.period.start.year, report.period.start.month
    while dt.date(year, month, 1) <= report.period.end:
        keys.append(f"{year}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    counts = {
        row.portal_id: {entry["month"]: int(entry["count"]) for entry in row.published_by_month}
        for row in report.portals
    }
    labels = [f"{key[5:]}/{key[:4]}" for key in keys]
    return keys, labels, counts


def publication_table(report: PeriodicReport) -> ChartTable:
    """Items first published per month (per week for a monthly report): the busiest portals, the
    rest summed as "other portals", and the total."""
    keys, labels, counts = _buckets(report)
    ranked = sorted(
        (row for row in report.portals if row.published_total), key=lambda row: (-row.published_total, row.portal_name)
    )
    top, rest = ranked[:TOP_PORTALS], ranked[TOP_PORTALS:]
    rows: list[list[str | int]] = []
    for row in top:
        per = counts.get(row.portal_id, {})
        rows.append([row.portal_name, *[per.get(key, 0) for key in keys], row.published_total])
    if rest:
        others = [sum(counts.get(row.portal_id, {}).get(key, 0) for row in rest) for key in keys]
        rows.append(
            [_("Other portals (%(count)d)") % {"count": len(rest)}, *others, sum(row.published_total for row in rest)]
        )
    totals = [sum(int(row[index + 1]) for row in rows) for index in range(len(keys))]
    rows.append([_("Total"), *totals, report.total.published_total])
    step = _("per week") if report.period.kind is PeriodKind.MONTH else _("per month")
    return ChartTable(
        title=_("Items published %(step)s, %(period)s") % {"step": step, "period": report.period.label},
        columns=[_("Portal"), *labels, _("Total")],
        rows=rows,
    )


def publication_chart(report: PeriodicReport) -> bytes | None:
    """Stacked bars: items first published in each month (week) by the busiest portals; None when
    nothing was published (the report then says it is empty)."""
    if not report.total.published_total:
        return None
    table = publication_table(report)
    labels = table.columns[1:-1]
    series = table.rows[:-1]
    with rc_context(STYLE):
        figure = Figure(figsize=(12, 6.5))
        axes = figure.subplots()
        bottoms = [0] * len(labels)
        for index, row in enumerate(series):
            values = [int(value) for value in row[1:-1]]
            colour = PALETTE[-1] if index == TOP_PORTALS else PALETTE[index % (len(PALETTE) - 1)]
            axes.bar(range(len(labels)), values, bottom=bottoms, label=str(row[0]), color=colour, edgecolor="white")
            bottoms = [a + b for a, b in zip(bottoms, values, strict=True)]
        for x, total in enumerate(bottoms):
            axes.annotate(
                str(total),
                (x, total),
                ha="center",
                va="bottom",
                fontsize=15,
                fontweight="bold",
                xytext=(0, 4),
                textcoords="offset points",
            )
        axes.set_xticks(range(len(labels)), labels)
        axes.set_title(table.title)
        axes.set_ylabel(_("Items published"))
        axes.set_ylim(0, max(bottoms) * 1.18 + 1)
        # Listed top to bottom as the segments are stacked.
        handles, names = axes.get_legend_handles_labels()
        axes.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        if len(labels) > 6:
            axes.tick_params(axis="x", labelrotation=45)
        return _png(figure)


# --- timeliness --------------------------------------------------------------------------------------


def _rows_for_timeliness(report: PeriodicReport) -> list[tuple[str, PortalFigures]]:
    rows = [(group.label, group.total) for group in report.groups]
    rows.append((_("All portals"), report.total))
    return rows


def timeliness_table(report: PeriodicReport) -> ChartTable:
    """Legal documents posted on time or late, and questions answered on time, late or overdue,
    per kind of portal and in total."""
    rows: list[list[str | int]] = []
    for label, figures in _rows_for_timeliness(report):
        documents = figures.legal_documents
        questions = figures.questions
        rows.append(
            [
                label,
                documents.posted_on_time,
                documents.posted - documents.posted_on_time,
                questions.answered_on_time,
                questions.answered_late,
                questions.overdue,
            ]
        )
    return ChartTable(
        title=_("Timeliness, %(period)s") % {"period": report.period.label},
        columns=[
            _("Portals"),
            _("Documents posted on time"),
            _("Documents posted late"),
            _("Questions answered on time"),
            _("Questions answered late"),
            _("Questions overdue"),
        ],
        rows=rows,
    )


def _stacked_horizontal(axes: object, labels: list[str], parts: list[tuple[str, str, list[int]]], title: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    lefts = [0] * len(labels)
    for name, colour, values in parts:
        bars = axes.barh(range(len(labels)), values, left=lefts, label=name, color=colour, edgecolor="white")
        axes.bar_label(
            bars,
            labels=[str(v) if v else "" for v in values],
            label_type="center",
            fontsize=14,
            fontweight="bold",
            color="black",
        )
        lefts = [a + b for a, b in zip(lefts, values, strict=True)]
    axes.set_yticks(range(len(labels)), labels)
    axes.set_title(title)
    axes.invert_yaxis()
    axes.set_xlim(0, max([*lefts, 1]) * 1.05)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=len(parts), frameon=False)


def timeliness_chart(report: PeriodicReport) -> bytes | None:
    """Two panels: legal documents posted on time vs late; questions answered on time, late, or
    still overdue. None when there is neither a document nor a question to show."""
    table = timeliness_table(report)
    if not any(int(value) for row in table.rows for value in row[1:]):
        return None
    labels = [str(row[0]) for row in table.rows]
    column = {index: [int(row[index]) for row in table.rows] for index in range(1, 6)}
    with rc_context(STYLE):
        figure = Figure(figsize=(12, 4 + 1.6 * len(labels)))
        top, bottom = figure.subplots(2, 1)
        _stacked_horizontal(
            top,
            labels,
            [
                (pgettext("timeliness", "on time"), ON_TIME, column[1]),
                (pgettext("timeliness", "late"), LATE, column[2]),
            ],
            _("Legal documents posted, %(period)s") % {"period": report.period.label},
        )
        _stacked_horizontal(
            bottom,
            labels,
            [
                (_("answered on time"), ON_TIME, column[3]),
                (_("answered late"), LATE, column[4]),
                (_("overdue"), OVERDUE, column[5]),
            ],
            _("Citizens' questions, %(period)s") % {"period": report.period.label},
        )
        figure.subplots_adjust(hspace=0.75)
        return _png(figure)
