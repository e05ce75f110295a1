"""A portal seeded with known content and dates for the report tests.

Everything is placed around the boundaries of the 2025 reporting year (11/12/2024 – 10/12/2025,
Asia/Ho_Chi_Minh): on its first and last days and on the days just outside, at local midnight, so a
time-zone or off-by-one-day slip changes a count.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles
from content.models import Article, Category, Consultation, DocumentField, LegalDocument, Question, QuestionStatus, Unit
from portal_platform.reports.models import Incident, IncidentKind
from provisioning.backup_models import Backup, BackupStatus, BackupTrigger, VerifyStatus
from provisioning.models import DowntimeNotice
from tenants.models import Portal
from tests.board import account, roles_ready
from tests.board import client_for as _client_for
from tests.site.content import publish

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_serial = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A local (Vietnam) time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


# The 2025 reporting year's boundaries.
FIRST_DAY = at(2024, 12, 11, 0, 0)
DAY_BEFORE = at(2024, 12, 10, 23, 59)
LAST_DAY = at(2025, 12, 10, 23, 59)
DAY_AFTER = at(2025, 12, 11, 0, 0)
AFTER_THE_PERIOD = at(2026, 1, 15, 9, 0)  # "now" for the figures: the period is over


@dataclass
class Seeded:
    head: User
    section: Category


def _article(head: User, section: Category, title: str, first_published_at: dt.datetime, **extra: Any) -> Article:
    item = publish(
        Article,
        {
            "title": title,
            "summary": title,
            "body": f"<p>{title}</p>",
            "author": "Phóng viên",
            "sections": [section.pk],
            **extra,
        },
        head,
    )
    Article.objects.filter(pk=item.pk).update(first_published_at=first_published_at)
    return item


def _document(
    head: User, field: DocumentField, number: str, issued: dt.date, first_published_at: dt.datetime
) -> LegalDocument:
    item = publish(
        LegalDocument,
        {
            "form": "quyet-dinh",
            "issuer": "UBND xã",
            "signer": "Chủ tịch",
            "field": field.pk,
            "number": number,
            "issue_date": issued.isoformat(),
            "abstract": f"Văn bản {number}",
        },
        head,
    )
    LegalDocument.objects.filter(pk=item.pk).update(first_published_at=first_published_at)
    return item


def _question(
    unit: Unit,
    received: dt.datetime,
    due: dt.date,
    *,
    answered: dt.datetime | None = None,
    status: str = QuestionStatus.RECEIVED,
) -> Question:
    question = Question.objects.create(
        name="Công dân",
        email="congdan@example.vn",
        title=f"Câu hỏi {next(_serial)}",
        body="Nội dung",
        due_date=due,
        status=status,
        unit=unit if status in (QuestionStatus.ANSWERED, QuestionStatus.ROUTED) else None,
        answer="Trả lời" if answered else "",
        answered_at=answered,
    )
    Question.objects.filter(pk=question.pk).update(received_at=received)
    return question


def seed_content(*, marker: str) -> Seeded:
    """Portal content around the 2025 boundaries; call inside the portal's schema."""
    roles_ready()
    head = account(f"truongban.{marker}", roles=[roles.BOARD_HEAD])
    section = Category.objects.create(name=f"Tin tức {marker}", slug=f"tin-tuc-{marker}")
    other = Category.objects.create(name=f"Chính quyền {marker}", slug=f"chinh-quyen-{marker}")
    # Articles: in on the first and the last day (and one mid-year in another section), out just outside.
    _article(head, section, f"Ngày đầu {marker}", FIRST_DAY)
    _article(head, section, f"Ngày cuối {marker}", LAST_DAY)
    _article(head, other, f"Giữa năm {marker}", at(2025, 6, 15, 8), language="en")
    _article(head, section, f"Trước kỳ {marker}", DAY_BEFORE)
    _article(head, section, f"Sau kỳ {marker}", DAY_AFTER)
    field = DocumentField.objects.create(name=f"Đất đai {marker}", slug=f"dat-dai-{marker}")
    # Legal documents: one posted 4 days after issue, one 20 days after; one outside the period.
    _document(head, field, f"01/2025/QĐ-{marker}", dt.date(2025, 1, 1), at(2025, 1, 5, 10))
    _document(head, field, f"02/2025/QĐ-{marker}", dt.date(2025, 6, 1), at(2025, 6, 21, 10))
    _document(head, field, f"03/2025/QĐ-{marker}", dt.date(2025, 12, 1), DAY_AFTER)
    # Consultations: one open over the first day, one opening after the period.
    for slug, opens, closes in (
        (f"du-thao-1-{marker}", dt.date(2024, 12, 1), dt.date(2024, 12, 11)),
        (f"du-thao-2-{marker}", dt.date(2025, 12, 11), dt.date(2025, 12, 31)),
    ):
        item = publish(
            Consultation,
            {
                "title": f"Dự thảo {slug}",
                "slug": slug,
                "summary": "Tóm tắt",
                "opens_on": opens.isoformat(),
                "closes_on": closes.isoformat(),
            },
            head,
        )
        Consultation.objects.filter(pk=item.pk).update(first_published_at=at(opens.year, opens.month, opens.day))
    # Questions (see test_figures for what each one counts as).
    unit = Unit.objects.create(name=f"Văn phòng {marker}")
    _question(
        unit, at(2025, 3, 1, 9), dt.date(2025, 3, 20), answered=at(2025, 3, 15, 9), status=QuestionStatus.ANSWERED
    )
    _question(unit, at(2025, 4, 1, 9), dt.date(2025, 4, 20), answered=at(2025, 5, 1, 9), status=QuestionStatus.ANSWERED)
    _question(unit, at(2025, 11, 1, 9), dt.date(2025, 11, 20))  # open and overdue at the end
    _question(unit, at(2025, 12, 5, 9), dt.date(2025, 12, 25))  # open, not yet due
    # Received just before the period, answered on its first day: an answer of the period.
    _question(unit, DAY_BEFORE, dt.date(2024, 12, 30), answered=at(2024, 12, 11, 0, 30), status=QuestionStatus.ANSWERED)
    _question(unit, DAY_AFTER, dt.date(2025, 12, 31))  # after the period: counts nowhere
    _question(unit, at(2025, 2, 1, 9), dt.date(2025, 2, 20), status=QuestionStatus.REJECTED)
    return Seeded(head=head, section=section)


def seed_operation(portal: Portal) -> None:
    """Incidents, planned downtime and backups of ``portal`` (control plane rows)."""

    def incident(kind: str, start: dt.datetime, end: dt.datetime | None, down: bool) -> None:
        Incident.objects.create(
            portal=portal,
            kind=kind,
            title=f"Sự cố {next(_serial)}",
            started_at=start,
            ended_at=end,
            service_down=down,
            filed_by="admin",
        )

    # Two overlapping outages (10:00–12:00 and 11:00–13:00: 180 minutes in all), a security risk
    # without an outage, and an outage that started the evening before the period (60 minutes in it).
    incident(IncidentKind.INCIDENT, at(2025, 6, 1, 10), at(2025, 6, 1, 12), True)
    incident(IncidentKind.INCIDENT, at(2025, 6, 1, 11), at(2025, 6, 1, 13), True)
    incident(IncidentKind.SECURITY_RISK, at(2025, 8, 1, 9), None, False)
    incident(IncidentKind.INCIDENT, at(2024, 12, 10, 23), at(2024, 12, 11, 1), True)
    DowntimeNotice.objects.create(portal=portal, starts_at=at(2025, 7, 1, 1), expected_end=at(2025, 7, 1, 3))

    def backup(started: dt.datetime, status: str, verify: str = VerifyStatus.NEVER, drill: bool | None = None) -> None:
        row = Backup.objects.create(
            portal=portal,
            schema_name=portal.schema_name,
            portal_abbreviation=portal.abbreviation,
            trigger=BackupTrigger.SCHEDULED,
            status=status,
            bucket="b",
            prefix=f"test-reports/{portal.abbreviation}/{next(_serial)}",
            verify_status=verify,
            drilled_at=started + dt.timedelta(hours=1) if drill is not None else None,
            drill_ok=drill,
        )
        Backup.objects.filter(pk=row.pk).update(started_at=started)

    backup(FIRST_DAY, BackupStatus.GOOD, VerifyStatus.OK, drill=True)
    backup(at(2025, 5, 1, 2), BackupStatus.GOOD)
    backup(at(2025, 5, 2, 2), BackupStatus.FAILED)
    backup(DAY_AFTER, BackupStatus.GOOD, VerifyStatus.OK)


def seed_portal(portal: Portal, *, marker: str) -> Seeded:
    with schema_context(portal.schema_name):
        seeded = seed_content(marker=marker)
    seed_operation(portal)
    return seeded


def client_for(portal: Portal, user: User | None = None) -> Client:
    """A client on the portal's host, signed in inside its schema (sessions are per schema)."""
    with schema_context(portal.schema_name):
        return _client_for(portal, user)
