"""Citizens' questions (hỏi đáp) and comments on draft documents (lấy ý kiến dự thảo).

Every write of this area comes through here — the public forms, the back office and any later API
call the same functions:

- a citizen submits a question (``question_submit``) or a comment (``consultation_comment_submit``);
  the input is checked here, field by field, with Vietnamese messages, and nothing is stored unless
  all of it is valid;
- staff route a question to a unit, answer it or set it aside (``question_route``,
  ``question_answer``, ``question_reject``), each needing its own permission, and moderate comments
  (``consultation_comment_moderate``);
- an answer of general interest becomes a ``QuestionAnswer`` draft without personal data
  (``question_publication_create``), which the editorial workflow then takes to the public.

Deadlines count working days as the platform does everywhere (``provisioning.services``:
Monday to Friday, minus ``settings.PUBLIC_HOLIDAYS``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from content import publishing, roles
from content.models import (
    OPEN_QUESTION_STATUSES,
    CommentStatus,
    Consultation,
    ConsultationComment,
    DocumentField,
    Question,
    QuestionAnswer,
    QuestionStatus,
    Unit,
)
from content.selectors_citizens import citizen_settings, consultation_is_open
from content.services.site import audit_event_record
from content.services.workflow import item_save
from portal_platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tenants.context import tenant_db

# A phone number as people type it: digits with spaces, dots, dashes, brackets and a leading +.
_PHONE_CHARS = re.compile(r"^\+?[0-9 .()\-]+$")
_PHONE_DIGITS = (9, 15)

# Actions recorded in the portal's audit trail (never with personal data).
AUDIT_QUESTION_ROUTE = "question.route"
AUDIT_QUESTION_ANSWER = "question.answer"
AUDIT_QUESTION_REJECT = "question.reject"
AUDIT_QUESTION_PUBLICATION = "question.publication_create"
AUDIT_COMMENT_MODERATE = "consultation_comment.moderate"

APPROVE = "approve"
REJECT = "reject"

# What each editorial role needs in this area's back office (for the site templates' role lists).
# Handling questions, and so seeing the citizen's contact details, is the board's and the editors'
# job; the portal administrator manages units and the deadline but reads no personal data.
_QUESTION_HANDLING = (
    "content.view_question",
    "content.change_question",
    "content.route_question",
    "content.answer_question",
    "content.view_citizen_personal_data",
    "content.view_unit",
)
_ITEMS = tuple(
    f"content.{verb}_{model}"
    for model in ("questionanswer", "consultation")
    for verb in ("add", "change", "delete", "view")
)
_MODERATION = (
    "content.view_consultationcomment",
    "content.change_consultationcomment",
    "content.moderate_consultationcomment",
)
_UNITS = ("content.add_unit", "content.change_unit", "content.view_unit")
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    roles.TENANT_ADMIN: (
        *_UNITS,
        "content.add_citizensettings",
        "content.change_citizensettings",
        "content.view_citizensettings",
    ),
    roles.BOARD_HEAD: (*_QUESTION_HANDLING, "content.delete_question", *_ITEMS, *_MODERATION, *_UNITS),
    roles.BOARD_DEPUTY: (*_QUESTION_HANDLING, *_ITEMS, *_MODERATION, *_UNITS),
    roles.EDITOR: (*_QUESTION_HANDLING, *_ITEMS, *_MODERATION),
    roles.CONTRIBUTOR: (),
}


# --- working days ----------------------------------------------------------------------------------


def working_days_add(*, start: dt.date, days: int) -> dt.date:
    """The day on which ``days`` working days after ``start`` have passed (``start`` itself not counted)."""
    # Imported here: provisioning.services imports content.services, which imports this module.
    from provisioning.services import working_days_between

    current, counted = start, 0
    while counted < days:
        previous, current = current, current + dt.timedelta(days=1)
        counted += working_days_between(previous, current)
    return current


# --- checking what citizens send -------------------------------------------------------------------


class _Errors:
    """Field errors collected over one submission, so that the citizen sees every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def text(self, name: str, value: str, *, max_length: int, required: str = "") -> str:
        value = (value or "").strip()
        if "\x00" in value:
            self.add(name, _("This text contains characters that are not allowed."))
        elif not value and required:
            self.add(name, required)
        elif len(value) > max_length:
            self.add(
                name,
                _("This text is too long: at most %(max)s characters (it has %(length)s).")
                % {"max": max_length, "length": len(value)},
            )
        return value

    def email(self, name: str, value: str, *, required: str = "") -> str:
        value = self.text(name, value, max_length=254, required=required)
        if value and name not in self.fields:
            try:
                validate_email(value)
            except ValidationError:
                self.add(name, _("Enter a valid email address, for example ten@example.com."))
        return value

    def raise_if_any(self, code: str) -> None:
        if self.fields:
            raise ValidationFailed(
                _("Some information is missing or not valid; see the messages next to the fields."),
                code=code,
                extra={"fields": self.fields},
            )


def _portal_check_accepting() -> None:
    """Only an active portal takes submissions (an archived one is kept for reference only)."""
    from tenants.models import Portal, PortalStatus

    status = Portal.objects.filter(schema_name=tenant_db.schema_name).values_list("status", flat=True).first()
    if status is not None and status != PortalStatus.ACTIVE:
        raise Conflict(_("This portal does not accept submissions at the moment."), code="portal_not_active")


def question_validate(
    *, name: str, email: str, phone: str, title: str, body: str, field_id: str | int | None
) -> dict[str, Any]:
    """The cleaned fields of a question; ``ValidationFailed`` (code ``invalid_question``) lists every error.

    The field (lĩnh vực) is required when the portal has any; an email or a phone, at least one.
    """
    errors = _Errors()
    cleaned: dict[str, Any] = {
        "name": errors.text("name", name, max_length=150, required=_("Enter your full name.")),
        "email": errors.email("email", email),
        "title": errors.text("title", title, max_length=300, required=_("Enter the subject of your question.")),
        "body": errors.text("body", body, max_length=5000, required=_("Enter your question.")),
    }
    phone = errors.text("phone", phone, max_length=20)
    if phone and "phone" not in errors.fields:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE_CHARS.match(phone) or not _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1]:
            errors.add("phone", _("Enter a valid phone number, for example 0912 345 678."))
    cleaned["phone"] = phone
    if not cleaned["email"] and not phone and "email" not in errors.fields and "phone" not in errors.fields:
        errors.add("email", _("Enter an email address or a phone number, so that the answer can reach you."))
    field: DocumentField | None = None
    raw_field = str(field_id if field_id is not None else "").strip()
    if raw_field:
        known = raw_field.isdigit() and len(raw_field) < 19  # beyond a bigint: no such row, and no DataError
        field = DocumentField.objects.filter(pk=int(raw_field)).first() if known else None
        if field is None:
            errors.add("field", _("Choose a field from the list."))
    elif DocumentField.objects.exists():
        errors.add("field", _("Choose the field your question is about."))
    cleaned["field"] = field
    errors.raise_if_any("invalid_question")
    return cleaned


@transaction.atomic
def question_submit(
    *, name: str, email: str, phone: str, title: str, body: str, field_id: str | int | None
) -> Question:
    """Receive a citizen's question; its deadline is today plus the portal's working days."""
    cleaned = question_validate(name=name, email=email, phone=phone, title=title, body=body, field_id=field_id)
    _portal_check_accepting()
    due = working_days_add(start=timezone.localdate(), days=citizen_settings().answer_working_days)
    return Question.objects.create(status=QuestionStatus.RECEIVED, due_date=due, **cleaned)


# --- handling questions --------------------------------------------------------------------------


def _require(user: User, permission: str, message: str) -> None:
    if not user.is_active or not user.has_perm(permission):
        raise Forbidden(message, code="citizens_forbidden")


def _question_locked(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def _question_check_open(question: Question) -> None:
    if question.status not in OPEN_QUESTION_STATUSES:
        raise Conflict(
            _("This question has already been answered or set aside (%(status)s).")
            % {"status": QuestionStatus(question.status).label},
            code="question_closed",
        )


@transaction.atomic
def question_route(*, question: Question, unit: Unit, user: User, note: str = "") -> Question:
    """Send an open question to the unit that will answer it (again, to re-route it)."""
    _require(user, "content.route_question", _("Your account may not route questions."))
    question = _question_locked(question)
    _question_check_open(question)
    if not unit.is_active:
        raise ValidationFailed(
            _("This unit no longer receives questions."),
            code="unit_inactive",
            extra={"fields": {"unit": [_("This unit no longer receives questions.")]}},
        )
    question.unit = unit
    question.status = QuestionStatus.ROUTED
    question.routed_at = timezone.now()
    question.routed_by = user.get_username()
    if note.strip():
        question.handling_note = note.strip()
    question.save()
    audit_event_record(
        action=AUDIT_QUESTION_ROUTE,
        actor=user.get_username(),
        object_repr=question.reference,
        data={"unit": unit.name},
    )
    return question


@transaction.atomic
def question_note_save(*, question: Question, note: str, user: User) -> Question:
    """Keep the staff's handling note of an open question (never shown to the public)."""
    _require(user, "content.route_question", _("Your account may not route questions."))
    question = _question_locked(question)
    _question_check_open(question)
    question.handling_note = note.strip()
    question.save(update_fields=["handling_note", "updated_at"])
    return question


@transaction.atomic
def question_answer(*, question: Question, answer: str, user: User) -> Question:
    """Record the answer to a routed question; an answered one may be corrected (its answer date stays)."""
    _require(user, "content.answer_question", _("Your account may not answer questions."))
    question = _question_locked(question)
    if question.status == QuestionStatus.RECEIVED:
        raise Conflict(_("Route the question to a unit before answering it."), code="question_not_routed")
    if question.status == QuestionStatus.REJECTED:
        _question_check_open(question)  # refuses: a question set aside is closed
    errors = _Errors()
    text = errors.text("answer", answer, max_length=20000, required=_("Write the answer."))
    errors.raise_if_any("invalid_answer")
    if text == question.answer:
        return question
    question.answer = text
    question.status = QuestionStatus.ANSWERED
    question.answered_at = question.answered_at or timezone.now()
    question.answered_by = user.get_username()
    question.save()
    audit_event_record(action=AUDIT_QUESTION_ANSWER, actor=user.get_username(), object_repr=question.reference)
    return question


@transaction.atomic
def question_reject(*, question: Question, user: User, reason: str) -> Question:
    """Set an open question aside (spam, a duplicate, not this agency's matter), with the reason."""
    _require(user, "content.route_question", _("Your account may not route questions."))
    question = _question_locked(question)
    _question_check_open(question)
    if not reason.strip():
        raise ValidationFailed(
            _("Give the reason the question is not handled."),
            code="comment_required",
            extra={"fields": {"handling_note": [_("This field is required.")]}},
        )
    question.status = QuestionStatus.REJECTED
    question.handling_note = reason.strip()
    question.save()
    audit_event_record(action=AUDIT_QUESTION_REJECT, actor=user.get_username(), object_repr=question.reference)
    return question


@transaction.atomic
def question_publication_create(
    *, question: Question, user: User, data: dict[str, Any] | None = None
) -> QuestionAnswer:
    """Start the public version of an answered question: a workflow draft with no personal data.

    The draft copies the subject, the question, the answer, the field and the unit (``data`` may
    reword them); the board edits out anything personal in the text, then submits it for approval
    like any item. Needs an editorial role (``item_save``).
    """
    question = _question_locked(question)
    if question.status != QuestionStatus.ANSWERED:
        raise Conflict(_("Only an answered question can be published."), code="question_not_answered")
    if question.publication_id is not None:
        raise Conflict(_("This question already has a public version."), code="question_already_published")
    fields: dict[str, Any] = {
        "title": question.title,
        "question": question.body,
        "answer": question.answer,
        "field": question.field_id,
        "unit": question.unit_id,
        "asked_on": timezone.localdate(question.received_at).isoformat(),
        "answered_on": timezone.localdate(question.answered_at).isoformat() if question.answered_at else None,
        **(data or {}),
    }
    # Revision data is JSON: dates travel as ISO text (content.revisions parses them back).
    fields = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()}
    item = item_save(
        model=QuestionAnswer,
        data=fields,
        user=user,
        comment=_("From question %(reference)s") % {"reference": question.reference},
    )
    question.publication = item
    question.save(update_fields=["publication", "updated_at"])
    audit_event_record(
        action=AUDIT_QUESTION_PUBLICATION,
        actor=user.get_username(),
        object_repr=question.reference,
        data={"question_answer": item.pk},
    )
    return item


# --- consultations -------------------------------------------------------------------------------


def consultation_comment_check_open(*, consultation: Consultation, today: dt.date | None = None) -> None:
    """Refuse a comment outside the consultation's open period, with the reason."""
    today = today or timezone.localdate()
    if not consultation.live:
        raise NotFound(_("This consultation does not exist."), code="consultation_not_found")
    if consultation_is_open(consultation, today=today):
        return
    if today < consultation.opens_on:
        raise Conflict(
            _("Comments on this draft are accepted from %(date)s.")
            % {"date": consultation.opens_on.strftime("%d/%m/%Y")},
            code="consultation_not_open",
        )
    raise Conflict(
        _("Comments on this draft closed on %(date)s; no more comments are accepted.")
        % {"date": consultation.closes_on.strftime("%d/%m/%Y")},
        code="consultation_closed",
    )


def consultation_comment_validate(*, name: str, email: str, body: str) -> dict[str, str]:
    """The cleaned fields of a comment; ``ValidationFailed`` (code ``invalid_comment``) lists every error."""
    errors = _Errors()
    cleaned = {
        "name": errors.text("name", name, max_length=150, required=_("Enter your full name.")),
        "email": errors.email("email", email, required=_("Enter your email address.")),
        "body": errors.text("body", body, max_length=5000, required=_("Write your comment.")),
    }
    errors.raise_if_any("invalid_comment")
    return cleaned


@transaction.atomic
def consultation_comment_submit(*, consultation: Consultation, name: str, email: str, body: str) -> ConsultationComment:
    """Receive a comment on an open consultation; it waits for moderation before anyone sees it."""
    cleaned = consultation_comment_validate(name=name, email=email, body=body)
    _portal_check_accepting()
    # Re-read: the page the citizen filled in may be older than the board's last change. (A race with
    # an unpublication is harmless: the comment waits for moderation and is never shown.)
    current = Consultation.objects.filter(pk=consultation.pk).first()
    if current is None:
        raise NotFound(_("This consultation does not exist."), code="consultation_not_found")
    consultation_comment_check_open(consultation=current)
    return ConsultationComment.objects.create(consultation=current, status=CommentStatus.PENDING, **cleaned)


@transaction.atomic
def consultation_comment_moderate(
    *, comment: ConsultationComment, decision: str, user: User, note: str = ""
) -> ConsultationComment:
    """Approve a comment (it appears on the consultation's page) or reject it (it never does).

    A decision may be revised: an approved comment rejected later disappears from the page.
    """
    _require(user, "content.moderate_consultationcomment", _("Your account may not moderate comments."))
    targets = {APPROVE: CommentStatus.APPROVED, REJECT: CommentStatus.REJECTED}
    if decision not in targets:
        raise ValidationFailed(_("Unknown moderation decision."), code="moderation_unknown_decision")
    comment = ConsultationComment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    was_public = comment.status == CommentStatus.APPROVED
    comment.status = targets[decision]
    comment.moderated_at = timezone.now()
    comment.moderated_by = user.get_username()
    comment.moderation_note = note.strip()[:500]
    comment.save()
    if was_public != (comment.status == CommentStatus.APPROVED) and comment.consultation.live:
        # The consultation's public page changed: caches and indexes listening must refresh it.
        publishing.item_changed(comment.consultation)
    audit_event_record(
        action=AUDIT_COMMENT_MODERATE,
        actor=user.get_username(),
        object_repr=str(comment),
        data={"decision": decision, "consultation": comment.consultation_id},
    )
    return comment


@transaction.atomic
def consultation_comments_moderate(
    *, comments: Iterable[ConsultationComment], decision: str, user: User, note: str = ""
) -> int:
    """Moderate several comments at once (all or none); returns how many."""
    count = 0
    for comment in comments:
        consultation_comment_moderate(comment=comment, decision=decision, user=user, note=note)
        count += 1
    return count
