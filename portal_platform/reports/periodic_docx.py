"""The provincial periodic report as a DOCX file: the national-motto header, a summary, one table
per kind of portal, and the charts with their numbers (built on ``documents``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal_platform.reports import charts, documents
from portal_platform.reports.documents import (
    Block,
    Document,
    Heading,
    Image,
    MottoHeader,
    Paragraph,
    Signature,
    Table,
    Title,
)
from portal_platform.reports.figures import ITEM_KINDS
from portal_platform.reports.periodic import (
    PeriodicReport,
    format_value,
    item_kind_label,
    report_column_parts,
    report_row,
)
from portal_platform.reports.periods import today
from tenants.models import Portal, PortalKind


def _province_name() -> str:
    province = Portal.objects.filter(kind=PortalKind.PROVINCE).order_by("pk").first()
    return province.name if province else ""


def summary_lines(report: PeriodicReport) -> list[str]:
    """The summary in sentences (the DOCX and the console say the same)."""
    total = report.total
    if not report.has_data:
        return [report.empty_message]
    lines = [
        _(
            "In %(period)s, %(portals)d portals published %(items)s items for the first time, of which %(articles)s articles and %(documents)s legal documents."
        )
        % {
            "period": report.period.label,
            "portals": len(report.portals),
            "items": format_value(total.published_total),
            "articles": format_value(total.published["article"]),
            "documents": format_value(total.legal_documents.posted),
        }
    ]
    if total.legal_documents.posted:
        lines.append(
            _("%(on_time)s of %(posted)s legal documents were posted on time.")
            % {
                "on_time": format_value(total.legal_documents.posted_on_time),
                "posted": format_value(total.legal_documents.posted),
            }
        )
    questions = total.questions
    lines.append(
        _(
            "Citizens asked %(received)s questions; %(answered)s were answered (%(on_time)s on time) and %(overdue)s are overdue."
        )
        % {
            "received": format_value(questions.received),
            "answered": format_value(questions.answered),
            "on_time": format_value(questions.answered_on_time),
            "overdue": format_value(questions.overdue),
        }
    )
    operation = total.operation
    lines.append(
        _("%(incidents)s incidents and %(risks)s security risks were reported.")
        % {"incidents": format_value(operation.incidents), "risks": format_value(operation.security_risks)}
    )
    if operation.uptime_percent is not None:
        lines.append(_("Overall uptime: %(uptime)s %%.") % {"uptime": format_value(operation.uptime_percent)})
    return lines


def _portal_tables(report: PeriodicReport, group_index: int) -> list[Block]:
    """One table per part of the columns (all of them would not fit across a portrait A4 page)."""
    group = report.groups[group_index]
    blocks: list[Block] = []
    totals = report_row(group.total)
    for letter, (title, columns) in zip("abc", report_column_parts(), strict=False):
        rows = []
        for number, figures in enumerate(group.portals, start=1):
            values = report_row(figures)
            rows.append([str(number), figures.portal_name, *[format_value(values[column.key]) for column in columns]])
        rows.append(["", _("Total"), *[format_value(totals[column.key]) for column in columns]])
        blocks.append(Heading(f"{letter}) {title}", level=3))
        blocks.append(
            Table(
                header=[_("No."), _("Portal"), *[column.label for column in columns]],
                rows=rows,
                widths=[0.6, 3.4, *[1.0] * len(columns)],
                numeric=set(range(2, 2 + len(columns))),
            )
        )
    return blocks


def periodic_document(report: PeriodicReport) -> Document:
    """The report as the neutral document model (see ``documents``)."""
    province = _province_name()
    document = Document(title=_("Periodic report on the portals, %(period)s") % {"period": report.period.label})
    document.add(
        MottoHeader(agency="CỔNG THÔNG TIN ĐIỆN TỬ TỈNH", parent_agency=province.upper(), day=today()),
        Title(
            kind="BÁO CÁO",
            subject=[
                _("Information provided on the e-portals"),
                _("%(period)s (from %(start)s to %(end)s)")
                % {
                    "period": report.period.label,
                    "start": report.period.start.strftime("%d/%m/%Y"),
                    "end": report.period.end.strftime("%d/%m/%Y"),
                },
            ],
        ),
        Heading(_("I. SUMMARY"), level=1),
        *[Paragraph(line) for line in summary_lines(report)],
    )
    if report.has_data:
        document.add(
            Table(
                header=[_("Kind of item"), _("Number published")],
                rows=[
                    *[[item_kind_label(kind), format_value(report.total.published[kind])] for kind in ITEM_KINDS],
                    [_("Total"), format_value(report.total.published_total)],
                ],
                widths=[3, 1],
                numeric={1},
                caption=_("Items first published in the period, all portals"),
            )
        )
    document.add(Heading(_("II. FIGURES PER PORTAL"), level=1))
    if not report.portals:
        document.add(Paragraph(_("There is no portal to report on.")))
    for index, group in enumerate(report.groups, start=1):
        document.add(Heading(f"{index}. {group.label}", level=2), *_portal_tables(report, index - 1))
    if report.has_data:
        document.add(Heading(_("III. CHARTS"), level=1))
        for draw, tabulate in (
            (charts.publication_chart, charts.publication_table),
            (charts.timeliness_chart, charts.timeliness_table),
        ):
            image = draw(report)
            table = tabulate(report)
            if image is None:
                continue
            document.add(
                Image(image, width_cm=16, caption=table.title),
                Table(
                    header=table.columns,
                    rows=[[str(cell) for cell in row] for row in table.rows],
                    numeric=set(range(1, len(table.columns))),
                ),
            )
    document.add(Signature(title="ĐẠI DIỆN ĐƠN VỊ BÁO CÁO", recipients=["Văn phòng UBND tỉnh"]))
    return document


def periodic_docx(report: PeriodicReport) -> bytes:
    return documents.render_docx(periodic_document(report))


def export_filename(report: PeriodicReport, extension: str) -> str:
    return f"bao-cao-cong-ttdt-{report.period.key}.{extension}"
