"""Reads for citizens' questions and consultations, inside one portal's schema.

Public reads filter on ``live`` (published through the editorial workflow) and, for comments, on
the moderators' approval; they never select a field of personal data, so a template cannot show one
by mistake.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from content.models import (
    OPEN_QUESTION_STATUSES,
    CitizenSettings,
    CommentStatus,
    Consultation,
    ConsultationComment,
    DocumentField,
    Question,
    QuestionAnswer,
)

# What a public page of questions may read: never the citizen's name, email or phone.
PUBLIC_QA_FIELDS = ("id", "title", "question", "answer", "field", "unit", "asked_on", "answered_on", "published_at")
PUBLIC_COMMENT_FIELDS = ("id", "consultation", "name", "body", "created_at")


def citizen_settings() -> CitizenSettings:
    """The portal's settings row, or the defaults (unsaved) while the board has not saved any."""
    row = CitizenSettings.objects.filter(pk=CitizenSettings.SINGLETON_PK).first()
    return row if row is not None else CitizenSettings()


# --- questions: the back office ----------------------------------------------------------------


def _overdue_q(today: dt.date) -> Q:
    return Q(status__in=OPEN_QUESTION_STATUSES, due_date__lt=today)


def questions_with_overdue(queryset: QuerySet[Question], *, today: dt.date | None = None) -> QuerySet[Question]:
    """``queryset`` with ``is_overdue``: still open after its due date (the due date itself is on time)."""
    today = today or timezone.localdate()
    return queryset.annotate(is_overdue=ExpressionWrapper(_overdue_q(today), output_field=BooleanField()))


def questions_overdue(*, today: dt.date | None = None) -> QuerySet[Question]:
    return Question.objects.filter(_overdue_q(today or timezone.localdate()))


def questions_overdue_count(*, today: dt.date | None = None) -> int:
    return questions_overdue(today=today).count()


def question_is_overdue(question: Question, *, today: dt.date | None = None) -> bool:
    return question.status in OPEN_QUESTION_STATUSES and question.due_date < (today or timezone.localdate())


def question_fields() -> QuerySet[DocumentField]:
    """The fields (lĩnh vực) a citizen chooses from: the portal's legal-document fields."""
    return DocumentField.objects.order_by("name")


# --- questions: the public site ----------------------------------------------------------------


def question_answers_public(*, field_slug: str = "") -> QuerySet[QuestionAnswer]:
    """Published questions and answers, newest first, optionally of one field."""
    rows = (
        QuestionAnswer.objects.filter(live=True)
        .select_related("field", "unit")
        .only(*PUBLIC_QA_FIELDS, "field__name", "field__slug", "unit__name")
    )
    if field_slug:
        rows = rows.filter(field__slug=field_slug)
    return rows.order_by("-published_at", "-pk")


def question_answer_public(*, pk: int) -> QuestionAnswer | None:
    return question_answers_public().filter(pk=pk).first()


def question_fields_public() -> QuerySet[DocumentField]:
    """The fields that have at least one published answer (the public page's filter)."""
    return (
        DocumentField.objects.annotate(n=Count("question_answers", filter=Q(question_answers__live=True)))
        .filter(n__gt=0)
        .order_by("name")
    )


# --- consultations -----------------------------------------------------------------------------


def consultation_is_open(consultation: Consultation, *, today: dt.date | None = None) -> bool:
    """Comments are accepted: published, and today within the open and close dates (both included)."""
    today = today or timezone.localdate()
    return bool(consultation.live) and consultation.opens_on <= today <= consultation.closes_on


# A consultation's period as of a day: comments not yet accepted, accepted, or no longer accepted.
CONSULTATION_UPCOMING, CONSULTATION_OPEN, CONSULTATION_CLOSED = "upcoming", "open", "closed"


def consultation_period(consultation: Consultation, *, today: dt.date | None = None) -> str:
    """Where ``today`` falls against the comment period (the published consultation's own dates)."""
    today = today or timezone.localdate()
    if today < consultation.opens_on:
        return CONSULTATION_UPCOMING
    return CONSULTATION_OPEN if today <= consultation.closes_on else CONSULTATION_CLOSED


def consultations_public(*, period: str | None = None, today: dt.date | None = None) -> QuerySet[Consultation]:
    """Published consultations with their number of approved comments; the latest to open first.

    ``period`` keeps those whose comment period, as of ``today`` (the portal's local date), is
    ``upcoming``, ``open`` (both ends included) or ``closed``.
    """
    rows = Consultation.objects.filter(live=True)
    if period is not None:
        today = today or timezone.localdate()
        rows = rows.filter(
            {
                CONSULTATION_UPCOMING: Q(opens_on__gt=today),
                CONSULTATION_OPEN: Q(opens_on__lte=today, closes_on__gte=today),
                CONSULTATION_CLOSED: Q(closes_on__lt=today),
            }[period]
        )
    approved = Count("comments", filter=Q(comments__status=CommentStatus.APPROVED))
    return rows.annotate(comment_count=approved).order_by("-opens_on", "-pk")


def consultation_public(*, slug: str) -> Consultation | None:
    return Consultation.objects.filter(live=True, slug=slug).first()


def consultation_comments_public(*, consultation: Consultation) -> QuerySet[ConsultationComment]:
    """Approved comments, oldest first, without the commenter's email."""
    return (
        ConsultationComment.objects.filter(consultation=consultation, status=CommentStatus.APPROVED)
        .only(*PUBLIC_COMMENT_FIELDS)
        .order_by("created_at", "pk")
    )


def consultation_comments_pending_count(*, consultation: Consultation | None = None) -> int:
    rows = ConsultationComment.objects.filter(status=CommentStatus.PENDING)
    if consultation is not None:
        rows = rows.filter(consultation=consultation)
    return rows.count()
