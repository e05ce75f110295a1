"""The yearly activity report of a portal (Decision 80/2025 Đ15.7 and its Phụ lục).

The platform drafts the report for a portal and a year with the figures computed live from the data
(``figures.portal_figures`` over ``periods.report_year``); the editorial board writes the narrative
parts (I.–V.) and the header and signature fields, then submits it. Submission freezes the figures
into the report, so the provincial unit reads what the agency sent; a submitted report cannot be
changed until the provincial unit reopens it, with a reason. Every step is a ``ReportEvent``.

The document itself (``yearly_report_document``) follows the Phụ lục's structure exactly; its fixed
wording is Vietnamese because the form is prescribed by law and filed in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from content import roles
from portal_platform.errors import Conflict, NotFound, ValidationFailed
from portal_platform.reports import documents as doc
from portal_platform.reports import periods
from portal_platform.reports.figures import PortalFigures, portal_figures
from portal_platform.reports.models import ReportAction, ReportEvent, ReportStatus, YearlyReport
from tenants.models import Portal, PortalKind, PortalStatus

# The fields the board writes; everything else (status, figures, period) is the platform's.
EDITABLE_FIELDS = (
    "document_number",
    "place",
    "recipient",
    "signer_title",
    "signer_name",
    "direction",
    "compliance",
    "information",
    "operation",
    "strengths",
    "shortcomings",
    "causes",
    "next_year_tasks",
    "proposals",
)
NARRATIVE_FIELDS = EDITABLE_FIELDS[5:]

# Who may edit and submit a portal's report: its administrator and the head and deputy heads of its
# editorial board (the report is the board's, Đ15.7). Every other editorial role reads it.
EDITOR_ROLES = frozenset({roles.TENANT_ADMIN, roles.BOARD_HEAD, roles.BOARD_DEPUTY})
READER_ROLES = frozenset(roles.ROLE_KEYS)


def field_label(name: str) -> str:
    """The verbose name of one of the report's own fields (the form labels and the console)."""
    return str(YearlyReport._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def field_max_length(name: str) -> int | None:
    field = YearlyReport._meta.get_field(name)
    return getattr(field, "max_length", None)


def report_access(user_roles: frozenset[str]) -> str | None:
    """ "edit", "read" or None for an account holding ``user_roles`` in the report's portal."""
    if user_roles & EDITOR_ROLES:
        return "edit"
    if user_roles & READER_ROLES:
        return "read"
    return None


def check_year(year: int, *, today: dt.date | None = None) -> int:
    """A year that has a reporting period already begun (no report for a year still to come)."""
    current = periods.report_year_of(today or periods.today()).end.year
    if not 2000 <= year <= current:
        raise ValidationFailed(
            _("There is no yearly report for %(year)s: choose a year between 2000 and %(current)s.")
            % {"year": year, "current": current},
            code="invalid_period",
            extra={"field": "year"},
        )
    return year


def _record(report: YearlyReport, action: ReportAction, actor: str, reason: str = "") -> None:
    ReportEvent.objects.create(report=report, action=action, actor=actor, reason=reason)


def default_recipient() -> str:
    """The provincial unit's office, as the province portal names its agency."""
    province = Portal.objects.filter(kind=PortalKind.PROVINCE).only("name").first()
    return f"Văn phòng {province.name}" if province else "Văn phòng Ủy ban nhân dân tỉnh"


# --- services ------------------------------------------------------------------------------------------


def yearly_report_get_or_create(*, portal: Portal, year: int, actor: str) -> YearlyReport:
    """``portal``'s report for ``year``, drafted (and the creation recorded) the first time it is asked for."""
    check_year(year)
    existing = YearlyReport.objects.filter(portal=portal, year=year).first()
    if existing is not None:
        return existing
    period = periods.report_year(year)
    try:
        with transaction.atomic():
            report = YearlyReport.objects.create(
                portal=portal,
                year=year,
                period_start=period.start,
                period_end=period.end,
                recipient=default_recipient(),
                signer_title="Trưởng Ban Biên tập",
                updated_by=actor,
            )
            _record(report, ReportAction.CREATE, actor)
    except IntegrityError:
        # Two editors opened the report at once: the other request made it.
        return YearlyReport.objects.get(portal=portal, year=year)
    return report


def yearly_report_update(*, report: YearlyReport, data: dict[str, Any], actor: str) -> YearlyReport:
    """Save the board's fields (``EDITABLE_FIELDS``); refused once the report was submitted."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
            extra={"fields": unknown},
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, value in data.items():
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = _("This must be text.")
            continue
        limit = field_max_length(name)
        if limit and len(value.strip()) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
        cleaned[name] = value.strip()
    if errors:
        raise ValidationFailed(" ".join(errors.values()), code="invalid_report", extra={"fields": errors})
    with transaction.atomic():
        current = YearlyReport.objects.select_for_update().get(pk=report.pk)
        if current.status == ReportStatus.SUBMITTED:
            raise Conflict(
                _("This report was submitted to the provincial unit and can no longer be changed."),
                code="report_submitted",
            )
        for name, value in cleaned.items():
            setattr(current, name, value)
        current.updated_by = actor
        current.save()
        _record(current, ReportAction.EDIT, actor)
    return current


def yearly_report_submit(*, report: YearlyReport, actor: str, now: dt.datetime | None = None) -> YearlyReport:
    """Send the report to the provincial unit: its figures are computed one last time and frozen."""
    now = now or timezone.now()
    with transaction.atomic():
        current = YearlyReport.objects.select_for_update().select_related("portal").get(pk=report.pk)
        if current.status == ReportStatus.SUBMITTED:
            raise Conflict(_("This report was already submitted."), code="report_submitted")
        period = periods.Period(periods.PeriodKind.REPORT_YEAR, current.period_start, current.period_end)
        current.figures = portal_figures(portal=current.portal, period=period, now=now).to_dict()
        current.status = ReportStatus.SUBMITTED
        current.submitted_at, current.submitted_by = now, actor
        current.updated_by = actor
        current.save()
        _record(current, ReportAction.SUBMIT, actor)
    return current


def yearly_report_reopen(*, report: YearlyReport, actor: str, reason: str) -> YearlyReport:
    """The provincial unit sends a submitted report back to the board, saying why (recorded).

    The frozen figures are dropped: the draft shows live figures again, frozen anew when resubmitted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Give the reason for reopening the report: the agency will read it."),
            code="reason_required",
            extra={"field": "reason"},
        )
    if len(reason) > 500:
        raise ValidationFailed(_("At most %(limit)d characters.") % {"limit": 500}, code="reason_too_long")
    with transaction.atomic():
        current = YearlyReport.objects.select_for_update().get(pk=report.pk)
        if current.status != ReportStatus.SUBMITTED:
            raise Conflict(_("Only a submitted report can be reopened."), code="report_not_submitted")
        current.status = ReportStatus.DRAFT
        current.figures = {}
        current.submitted_at, current.submitted_by = None, ""
        current.save()
        _record(current, ReportAction.REOPEN, actor, reason)
    return current


# --- selectors ------------------------------------------------------------------------------------------


def yearly_report_get(*, report_id: int, portal: Portal | None = None) -> YearlyReport:
    """One report; with ``portal``, only that portal's (another's is "not found")."""
    found = YearlyReport.objects.select_related("portal", "portal__parent").filter(pk=report_id)
    if portal is not None:
        found = found.filter(portal=portal)
    report = found.first()
    if report is None:
        raise NotFound(_("This report does not exist."), code="report_not_found")
    return report


def yearly_report_list(*, portal: Portal) -> QuerySet[YearlyReport]:
    """A portal's reports, newest year first."""
    return YearlyReport.objects.filter(portal=portal).order_by("-year")


def yearly_report_figures(*, report: YearlyReport, now: dt.datetime | None = None) -> PortalFigures:
    """The frozen figures of a submitted report; live ones for a draft."""
    if report.status == ReportStatus.SUBMITTED and report.figures:
        return PortalFigures.from_dict(report.figures)
    period = periods.Period(periods.PeriodKind.REPORT_YEAR, report.period_start, report.period_end)
    return portal_figures(portal=report.portal, period=period, now=now)


def yearly_report_events(*, report: YearlyReport) -> QuerySet[ReportEvent]:
    return report.events.all()


class OverviewState:
    SUBMITTED = "submitted"
    DRAFT = "draft"
    NOT_STARTED = "not_started"


@dataclass
class OverviewRow:
    portal: Portal
    report: YearlyReport | None
    state: str  # OverviewState
    overdue: bool  # not submitted and the due date has passed
    late: bool  # submitted after the due date


def reporting_portals() -> QuerySet[Portal]:
    """The portals that owe a yearly report: every working portal but the province's own, whose unit
    receives the reports (provisioning and archived portals have nothing to report)."""
    return (
        Portal.objects.filter(status__in=[PortalStatus.ACTIVE, PortalStatus.SUSPENDED])
        .exclude(kind=PortalKind.PROVINCE)
        .order_by("name")
    )


def yearly_report_overview(*, year: int, today: dt.date | None = None, state: str | None = None) -> list[OverviewRow]:
    """Every reporting portal's report for ``year`` — sent, draft, or not started — and who is overdue."""
    today = today or periods.today()
    check_year(year, today=today)
    due = periods.report_due_date(year)
    reports = {report.portal_id: report for report in YearlyReport.objects.filter(year=year)}
    rows: list[OverviewRow] = []
    for portal in reporting_portals():
        report = reports.get(portal.pk)
        if report is None:
            current = OverviewState.NOT_STARTED
        elif report.status == ReportStatus.SUBMITTED:
            current = OverviewState.SUBMITTED
        else:
            current = OverviewState.DRAFT
        submitted_on = timezone.localdate(report.submitted_at) if report and report.submitted_at else None
        rows.append(
            OverviewRow(
                portal=portal,
                report=report,
                state=current,
                overdue=current != OverviewState.SUBMITTED and today > due,
                late=submitted_on is not None and submitted_on > due,
            )
        )
    if state == "overdue":
        return [row for row in rows if row.overdue]
    if state:
        return [row for row in rows if row.state == state]
    return rows


# How many days ahead of the due date the back office starts reminding the board.
NOTICE_DAYS = 14


@dataclass(frozen=True)
class DueNotice:
    """A reminder for the back office's home: the report for ``year`` is due soon, today, or overdue."""

    year: int
    due: dt.date
    days: int  # days left (due soon, 0 = today) or days past the due date (overdue)
    overdue: bool


def yearly_report_due_notices(*, portal: Portal, today: dt.date | None = None) -> list[DueNotice]:
    """What the back office should remind the board of: this period's report when it is due within
    ``NOTICE_DAYS`` days and not submitted; the previous period's when its due date has passed and it
    is still not submitted (a portal created after that due date owed nothing). Only portals that owe a
    report (``reporting_portals``) get notices."""
    if not reporting_portals().filter(pk=portal.pk).exists():
        return []
    today = today or periods.today()
    current = periods.report_year_of(today).end.year
    submitted = set(
        YearlyReport.objects.filter(
            portal=portal, year__in=[current - 1, current], status=ReportStatus.SUBMITTED
        ).values_list("year", flat=True)
    )
    notices: list[DueNotice] = []
    previous_due = periods.report_due_date(current - 1)
    if current - 1 not in submitted and timezone.localdate(portal.created_at) <= previous_due < today:
        notices.append(DueNotice(current - 1, previous_due, (today - previous_due).days, overdue=True))
    due = periods.report_due_date(current)
    if current not in submitted and 0 <= (due - today).days <= NOTICE_DAYS:
        notices.append(DueNotice(current, due, (due - today).days, overdue=False))
    return notices


# --- the document ---------------------------------------------------------------------------------------

PLACEHOLDER = "……"


def _n(value: int | float | None) -> str:
    """A number the Vietnamese way: 1.234 and 99,5."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".").rstrip("0").rstrip(",")
    return f"{int(value):,}".replace(",", ".")


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


KIND_NAMES = {
    "article": "Tin, bài",
    "legal_document": "Văn bản quy phạm pháp luật, văn bản chỉ đạo điều hành",
    "announcement": "Thông báo",
    "work_schedule": "Lịch công tác",
    "page": "Trang thông tin (giới thiệu, cơ cấu tổ chức, …)",
    "question_answer": "Hỏi đáp được công khai",
    "consultation": "Dự thảo lấy ý kiến",
}

EMPTY_PERIOD = (
    "Trong kỳ báo cáo không có số liệu về hoạt động của Cổng: không có tin, bài hay văn bản nào được đăng "
    "tải, không có câu hỏi, ý kiến góp ý, sự cố hay bản sao lưu nào được ghi nhận trên nền tảng."
)


def _narrative(text: str) -> list[doc.Block]:
    return [doc.Paragraph(text.strip() or PLACEHOLDER)]


def information_blocks(figures: PortalFigures) -> list[doc.Block]:
    """II.2 from the figures: sentences and tables (what the board used to count by hand)."""
    if not figures.has_data:
        return [doc.Paragraph(EMPTY_PERIOD)]
    blocks: list[doc.Block] = [
        doc.Paragraph(
            f"Trong kỳ báo cáo (từ ngày {_d(figures.period_start)} đến ngày {_d(figures.period_end)}), Cổng đã "
            f"đăng tải {_n(figures.published_total)} tin, bài, văn bản và thông tin các loại, trong đó "
            f"{_n(figures.published['article'])} tin, bài và {_n(figures.published['legal_document'])} văn bản."
        ),
        doc.Table(
            header=["STT", "Loại thông tin", "Số lượng"],
            rows=[
                [str(index), name, _n(figures.published.get(kind, 0))]
                for index, (kind, name) in enumerate(KIND_NAMES.items(), start=1)
            ]
            + [["", "Tổng cộng", _n(figures.published_total)]],
            widths=[1, 8, 2.5],
            numeric={2},
            centered={0},
            caption="Bảng 1. Số lượng thông tin đăng tải theo loại",
        ),
    ]
    if figures.articles_by_section:
        blocks.append(
            doc.Table(
                header=["STT", "Chuyên mục", "Số tin, bài"],
                rows=[
                    [str(index), row["section"], _n(row["count"])]
                    for index, row in enumerate(figures.articles_by_section, start=1)
                ],
                widths=[1, 8, 2.5],
                numeric={2},
                centered={0},
                caption="Bảng 2. Tin, bài đăng tải theo chuyên mục",
            )
        )
    docs = figures.legal_documents
    if docs.posted:
        blocks.append(
            doc.Paragraph(
                f"Về tiến độ đăng tải văn bản: {_n(docs.posted)} văn bản được đăng tải, trong đó "
                f"{_n(docs.posted_on_time)} văn bản được đăng trong vòng {settings.REPORT_LEGAL_DOCUMENT_DAYS} ngày "
                f"kể từ ngày ban hành; thời gian đăng tải trung bình (trung vị) là {_n(docs.median_delay_days)} "
                f"ngày, lâu nhất {_n(docs.max_delay_days)} ngày."
            )
        )
    else:
        blocks.append(doc.Paragraph("Về văn bản: trong kỳ báo cáo không có văn bản nào được đăng tải."))
    questions = figures.questions
    blocks.append(
        doc.Table(
            header=["Hỏi đáp của tổ chức, công dân", "Số lượng"],
            rows=[
                ["Câu hỏi tiếp nhận trong kỳ", _n(questions.received)],
                ["Câu hỏi đã trả lời trong kỳ", _n(questions.answered)],
                ["   – trả lời đúng hạn", _n(questions.answered_on_time)],
                ["   – trả lời trễ hạn", _n(questions.answered_late)],
                ["Câu hỏi chưa trả lời tại thời điểm cuối kỳ", _n(questions.open)],
                ["   – trong đó đã quá hạn", _n(questions.overdue)],
                ["Câu hỏi không xử lý", _n(questions.set_aside)],
                ["Hỏi đáp được đăng công khai", _n(questions.published_answers)],
            ],
            widths=[8, 2.5],
            numeric={1},
            caption="Bảng 3. Tiếp nhận và trả lời câu hỏi",
        )
    )
    consultations = figures.consultations
    blocks.append(
        doc.Paragraph(
            f"Về lấy ý kiến dự thảo văn bản: {_n(consultations.held)} dự thảo được lấy ý kiến trong kỳ, tiếp nhận "
            f"{_n(consultations.comments)} ý kiến góp ý ({_n(consultations.comments_published)} ý kiến được công "
            f"khai); {_n(consultations.syntheses)} dự thảo đã đăng báo cáo tổng hợp, tiếp thu, giải trình."
        )
    )
    background, english = figures.background, figures.english
    blocks.append(
        doc.Paragraph(
            f"Về thông tin giới thiệu: Cổng có {_n(background.pages)} trang thông tin, trong đó {_n(background.stale)} "
            f"trang chưa được rà soát, cập nhật đúng thời hạn; {_n(english.pages)} trang có bản tiếng Anh; "
            f"{_n(english.articles)} tin, bài tiếng Anh được đăng tải trong kỳ."
        )
    )
    return blocks


def operation_blocks(figures: PortalFigures) -> list[doc.Block]:
    """II.3 from the figures: incidents, availability and backups."""
    operation, backups = figures.operation, figures.backups
    if not figures.has_data and not operation.downtime_minutes:
        return [doc.Paragraph("Trong kỳ báo cáo không có số liệu về sự cố, gián đoạn hoạt động hay sao lưu dữ liệu.")]
    uptime = f"{_n(operation.uptime_percent)}%" if operation.uptime_percent is not None else "–"
    return [
        doc.Paragraph(
            f"Trong kỳ báo cáo, Cổng hoạt động {uptime} thời gian; ghi nhận {_n(operation.incidents)} sự cố kỹ thuật "
            f"và {_n(operation.security_risks)} nguy cơ mất an toàn thông tin đã báo cáo về đơn vị quản lý Cổng "
            f"tỉnh; dữ liệu được sao lưu {_n(backups.taken)} lần, {_n(backups.verified)} bản sao lưu đã được "
            f"kiểm tra."
        ),
        doc.Table(
            header=["Chỉ tiêu", "Số liệu"],
            rows=[
                ["Sự cố kỹ thuật", _n(operation.incidents)],
                ["Nguy cơ mất an toàn thông tin", _n(operation.security_risks)],
                ["Sự cố, nguy cơ chưa xử lý xong", _n(operation.incidents_open)],
                ["Thời gian gián đoạn ngoài kế hoạch (phút)", _n(operation.downtime_minutes)],
                ["Thời gian bảo trì có thông báo (phút)", _n(operation.planned_downtime_minutes)],
                ["Tỷ lệ thời gian hoạt động", uptime],
                ["Bản sao lưu thành công", _n(backups.taken)],
                ["Bản sao lưu không thành công", _n(backups.failed)],
                ["Bản sao lưu đã kiểm tra", _n(backups.verified)],
                ["Diễn tập khôi phục đạt / không đạt", f"{_n(backups.drills_passed)} / {_n(backups.drills_failed)}"],
            ],
            widths=[8, 2.5],
            numeric={1},
            caption="Bảng 4. Bảo đảm hoạt động của Cổng",
        ),
    ]


def yearly_report_document(*, report: YearlyReport, figures: PortalFigures) -> doc.Document:
    """The report in the Phụ lục's structure, figures filled in."""
    portal = report.portal
    parent = portal.parent.name if portal.parent_id and portal.parent else ""
    day = timezone.localdate(report.submitted_at) if report.submitted_at else None
    document = doc.Document(title=f"Báo cáo tình hình hoạt động năm {report.year} — {portal.name}", author=portal.name)
    document.add(
        doc.MottoHeader(
            agency=portal.name, parent_agency=parent, number=report.document_number, place=report.place, day=day
        ),
        doc.Title(
            kind="BÁO CÁO",
            subject=[
                f"Tình hình hoạt động của Cổng Thông tin điện tử {portal.name}",
                f"năm {report.year} (từ ngày {_d(report.period_start)} đến ngày {_d(report.period_end)})",
            ],
            addressed_to=report.recipient or PLACEHOLDER,
        ),
        doc.Heading("I. CÔNG TÁC CHỈ ĐẠO, QUẢN LÝ"),
        *_narrative(report.direction),
        doc.Heading("II. KẾT QUẢ HOẠT ĐỘNG"),
        doc.Heading("1. Về chấp hành các quy định của pháp luật", level=2),
        *_narrative(report.compliance),
        doc.Heading("2. Về việc cung cấp thông tin (số lượng, chất lượng, tiến độ)", level=2),
        *information_blocks(figures),
    )
    if report.information.strip():
        document.add(doc.Paragraph(report.information.strip()))
    document.add(
        doc.Heading("3. Công tác bảo đảm hoạt động Cổng Thông tin điện tử", level=2), *operation_blocks(figures)
    )
    if report.operation.strip():
        document.add(doc.Paragraph(report.operation.strip()))
    document.add(
        doc.Heading("III. ĐÁNH GIÁ CHUNG"),
        doc.Heading("1. Ưu điểm", level=2),
        *_narrative(report.strengths),
        doc.Heading("2. Tồn tại, hạn chế", level=2),
        *_narrative(report.shortcomings),
        doc.Heading("3. Nguyên nhân của tồn tại, hạn chế", level=2),
        *_narrative(report.causes),
        doc.Heading(f"IV. PHƯƠNG HƯỚNG, NHIỆM VỤ HOẠT ĐỘNG NĂM {report.year + 1}"),
        *_narrative(report.next_year_tasks),
        doc.Heading("V. ĐỀ XUẤT, KIẾN NGHỊ"),
        *_narrative(report.proposals),
        doc.Signature(
            recipients=["Như trên", PLACEHOLDER],
            archive="Lưu: VT.",
            title=report.signer_title or "ĐẠI DIỆN ĐƠN VỊ BÁO CÁO",
            name=report.signer_name,
        ),
    )
    return document


EXPORT_FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def yearly_report_export(*, report: YearlyReport, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the report as DOCX or PDF."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed(
            _("Unknown format “%(format)s”: choose docx or pdf.") % {"format": fmt},
            code="invalid_format",
            extra={"field": "format"},
        )
    document = yearly_report_document(report=report, figures=yearly_report_figures(report=report))
    content = doc.render_docx(document) if fmt == "docx" else doc.render_pdf(document)
    return content, EXPORT_FORMATS[fmt], f"bao-cao-nam-{report.year}-{report.portal.abbreviation}.{fmt}"
