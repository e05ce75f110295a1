"""The provincial periodic report as an XLSX workbook (openpyxl), for officials who want the numbers
in a spreadsheet: a summary sheet, one row of figures per portal, publication over time and
timeliness — each with a native Excel chart drawn over its own cells, so the chart follows the
numbers if someone corrects a cell."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from portal_platform.reports import charts
from portal_platform.reports.figures import ITEM_KINDS
from portal_platform.reports.periodic import (
    PeriodicReport,
    item_kind_label,
    kind_label,
    report_columns,
    report_row,
)
from portal_platform.reports.periodic_docx import summary_lines

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
WRAP = Alignment(wrap_text=True, vertical="top")


def _header(sheet: Worksheet, row: int, values: list[str]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def _widths(sheet: Worksheet, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def _summary_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    sheet.title = pgettext("workbook sheet", "Summary")[:31]
    sheet["A1"] = _("Periodic report on the portals, %(period)s") % {"period": report.period.label}
    sheet["A1"].font = TITLE
    sheet["A2"] = _("From %(start)s to %(end)s") % {
        "start": report.period.start.strftime("%d/%m/%Y"),
        "end": report.period.end.strftime("%d/%m/%Y"),
    }
    row = 4
    for line in summary_lines(report):
        sheet.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=False)
        row += 1
    row += 1
    _header(sheet, row, [_("Kind of item"), _("Number published")])
    first = row + 1
    for kind in ITEM_KINDS:
        row += 1
        sheet.cell(row=row, column=1, value=item_kind_label(kind))
        sheet.cell(row=row, column=2, value=report.total.published[kind])
    last = row
    row += 1
    sheet.cell(row=row, column=1, value=_("Total")).font = BOLD
    sheet.cell(row=row, column=2, value=report.total.published_total).font = BOLD
    _widths(sheet, {1: 34, 2: 14})
    if report.has_data:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Items first published in the period, all portals")
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
        chart.height, chart.width = 9, 18
        sheet.add_chart(chart, f"D{first - 1}")


def _portals_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    columns = report_columns()
    _header(
        sheet, 1, [_("No."), _("Portal"), _("Abbreviation"), _("Kind of portal"), *[column.label for column in columns]]
    )
    row = 1
    for number, figures in enumerate(report.portals, start=1):
        row += 1
        values = report_row(figures)
        sheet.cell(row=row, column=1, value=number)
        sheet.cell(row=row, column=2, value=figures.portal_name)
        sheet.cell(row=row, column=3, value=figures.portal_abbreviation)
        sheet.cell(row=row, column=4, value=kind_label(figures.portal_kind))
        for offset, column in enumerate(columns, start=5):
            sheet.cell(row=row, column=offset, value=values[column.key])
    last_portal = row
    for group in report.groups:
        row += 1
        _total_row(sheet, row, _("Total: %(group)s") % {"group": group.label}, report_row(group.total))
    row += 1
    _total_row(sheet, row, _("Total, all portals"), report_row(report.total))
    sheet.freeze_panes = "C2"
    _widths(sheet, {1: 6, 2: 40, 3: 16, 4: 22, **{index: 13 for index in range(5, 5 + len(columns))}})
    if report.portals:
        published = 5 + [column.key for column in columns].index("published_total")
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Items published per portal")
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=published, min_row=1, max_row=last_portal), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=3, min_row=2, max_row=last_portal))
        chart.height, chart.width = max(8.0, 0.5 * len(report.portals) + 3), 20
        sheet.add_chart(chart, f"B{row + 3}")


def _total_row(sheet: Worksheet, row: int, label: str, values: dict[str, Any]) -> None:
    sheet.cell(row=row, column=2, value=label).font = BOLD
    for offset, column in enumerate(report_columns(), start=5):
        sheet.cell(row=row, column=offset, value=values[column.key]).font = BOLD


def _table_sheet(sheet: Worksheet, table: charts.ChartTable) -> tuple[int, int]:
    sheet["A1"] = table.title
    sheet["A1"].font = TITLE
    _header(sheet, 2, table.columns)
    for index, values in enumerate(table.rows, start=3):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=index, column=column, value=value)
    _widths(sheet, {1: 36, **{index: 14 for index in range(2, len(table.columns) + 1)}})
    return 2, 2 + len(table.rows)


def _publication_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    table = charts.publication_table(report)
    header, last = _table_sheet(sheet, table)
    buckets = len(table.columns) - 2
    if not report.total.published_total or not buckets:
        return
    chart = LineChart()
    chart.title = table.title
    chart.y_axis.title = _("Items published")
    # One line per portal row (the last row, the total, is left out: it would dwarf the others).
    chart.add_data(
        Reference(sheet, min_col=1, max_col=1 + buckets, min_row=header + 1, max_row=last - 1),
        from_rows=True,
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=2, max_col=1 + buckets, min_row=header))
    chart.height, chart.width = 10, 22
    sheet.add_chart(chart, f"A{last + 3}")


def _timeliness_sheet(sheet: Worksheet, report: PeriodicReport) -> None:
    table = charts.timeliness_table(report)
    header, last = _table_sheet(sheet, table)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = table.title
    chart.add_data(
        Reference(sheet, min_col=2, max_col=len(table.columns), min_row=header, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.height, chart.width = 10, 22
    sheet.add_chart(chart, f"A{last + 3}")


def periodic_xlsx(report: PeriodicReport) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    _summary_sheet(summary, report)
    _portals_sheet(workbook.create_sheet(_("Per portal")[:31]), report)
    _publication_sheet(workbook.create_sheet(_("Over time")[:31]), report)
    _timeliness_sheet(workbook.create_sheet(_("Timeliness")[:31]), report)
    workbook.properties.title = _("Periodic report on the portals, %(period)s") % {"period": report.period.label}
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
