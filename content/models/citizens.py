"""What citizens send to a portal — tenant schema (one copy of every table per portal).

Two services of a state e-portal (issue 6, items 3 and 4):

- **Questions** (hỏi đáp, NĐ 43/2011 precedent). A citizen's ``Question`` is a private record: it
  holds the personal data (name, email, phone) and the handling — the unit it is routed to, the
  deadline in working days, the answer. Nothing of it is public. An answer of general interest is
  published as a separate ``QuestionAnswer``, a workflow item whose revisions hold only the public
  text (the question as the board words it, the answer, the field and the answering unit), so that
  personal data never enters a revision, a diff, a feed or the search index, and nothing reaches
  the public without the head's or a deputy's approval (Decision 80/2025 Đ3.5).
- **Consultations** on draft documents (lấy ý kiến dự thảo, NĐ 42/2022 practice). A
  ``Consultation`` is a workflow item (the draft, its summary, the open and close dates and, once
  the board has it, the synthesis report); ``ConsultationComment`` rows are citizens' comments,
  shown only after a moderator approves them, never with the commenter's email.

``Unit`` lists the portal's units that handle questions (đơn vị xử lý); ``CitizenSettings`` is this
area's singleton of per-portal settings (the answer deadline). The field of a question (lĩnh vực) is
the portal's ``DocumentField`` list, the same fields legal documents are filed under.

Rows are written only by ``content.services.citizens`` (and the workflow service for the two
workflow items).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from content.models.items import DocumentField
from content.models.site import SLUG_PATTERN, validate_slug
from content.models.workflow import Publishable

# The legal precedent (NĐ 43/2011) is 15 working days; each portal may set its own.
DEFAULT_ANSWER_WORKING_DAYS = 15


class CitizenSettings(models.Model):
    """The portal's settings for questions and consultations — one row per schema (primary key 1).

    Kept apart from ``SiteSettings`` so that this area owns its own table. Absent until the board
    first saves it; ``content.selectors_citizens.citizen_settings`` gives the defaults meanwhile.
    """

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    answer_working_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=DEFAULT_ANSWER_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "A question's deadline is its receipt date plus this many working days (weekends and public "
            "holidays do not count). A change applies to questions received afterwards."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("questions and consultations settings")
        verbose_name_plural = _("questions and consultations settings")
        default_permissions = ("add", "change", "view")
        constraints = [
            models.CheckConstraint(name="citizensettings_singleton", condition=Q(id=1)),
            models.CheckConstraint(
                name="citizensettings_answer_days",
                condition=Q(answer_working_days__gte=1, answer_working_days__lte=365),
            ),
        ]

    def __str__(self) -> str:
        return str(_("questions and consultations settings"))


class Unit(models.Model):
    """A unit of the agency that questions are routed to (đơn vị xử lý): an office, a division."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    email = models.EmailField(_("email"), blank=True, help_text=_("The unit's shared address, if it has one."))
    is_active = models.BooleanField(
        _("receives questions"), default=True, help_text=_("Units no longer in use stay for the record.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["order", "name"]
        # Questions keep their unit: a unit is retired (is_active), not deleted.
        default_permissions = ("add", "change", "view")

    def __str__(self) -> str:
        return self.name


class QuestionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ROUTED = "routed", _("Routed to a unit")
    ANSWERED = "answered", _("Answered")
    REJECTED = "rejected", _("Not handled")


# A question is open (its deadline runs) until it is answered or set aside.
OPEN_QUESTION_STATUSES = (QuestionStatus.RECEIVED, QuestionStatus.ROUTED)


class QuestionAnswer(Publishable):
    """A question and its answer as the public reads them (hỏi đáp công khai): no personal data.

    Made by the board from an answered ``Question`` (``question_publication_create``) and published
    through the editorial workflow like any item. The board words the question text itself, so a
    name or an address the citizen wrote into it is removed before anyone approves it.
    """

    revision_fields = ("title", "question", "answer", "field", "unit", "asked_on", "answered_on")
    html_fields = ()

    title = models.CharField(_("subject"), max_length=300)
    question = models.TextField(_("question"), max_length=5000)
    answer = models.TextField(_("answer"), max_length=20000)
    field = models.ForeignKey(
        DocumentField,
        verbose_name=_("field"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="question_answers",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("answered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    asked_on = models.DateField(_("asked on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        verbose_name = _("published question and answer")
        verbose_name_plural = _("published questions and answers")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["live", "-published_at"], name="qa_live_published")]
        constraints = [*Publishable.status_constraints("questionanswer")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question a citizen sent (câu hỏi của công dân): private, with the citizen's contact details.

    ``due_date`` is fixed at receipt (received date + the portal's working days then), so a later
    change of the setting does not move the deadlines already promised. Only staff with the
    ``view_citizen_personal_data`` permission see ``name``, ``email`` and ``phone``.
    """

    # Personal data: shown only with the permission below; never copied into a public item.
    PERSONAL_FIELDS = ("name", "email", "phone")

    name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    title = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("question"), max_length=5000)
    field = models.ForeignKey(
        DocumentField, verbose_name=_("field"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    due_date = models.DateField(_("answer due by"), db_index=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("handling unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    routed_by = models.CharField(_("routed by"), max_length=150, blank=True)
    answer = models.TextField(_("answer"), max_length=20000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=150, blank=True)
    handling_note = models.TextField(_("handling note"), blank=True, help_text=_("For staff only."))
    publication = models.OneToOneField(
        QuestionAnswer,
        verbose_name=_("public version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("citizen's question")
        verbose_name_plural = _("citizens' questions")
        ordering = ["-received_at", "-pk"]
        # Questions come from the public form only.
        default_permissions = ("change", "delete", "view")
        permissions = [
            ("route_question", _("Can route citizens' questions to a unit")),
            ("answer_question", _("Can answer citizens' questions")),
            ("view_citizen_personal_data", _("Can see the names and contact details of citizens")),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="question_status_due")]
        constraints = [
            models.CheckConstraint(name="question_status_valid", condition=Q(status__in=QuestionStatus.values)),
            models.CheckConstraint(name="question_has_contact", condition=~Q(email="") | ~Q(phone="")),
            models.CheckConstraint(
                name="question_routed_has_unit",
                condition=~Q(status__in=[QuestionStatus.ROUTED, QuestionStatus.ANSWERED]) | Q(unit__isnull=False),
            ),
            models.CheckConstraint(
                name="question_answered_has_answer",
                condition=~Q(status=QuestionStatus.ANSWERED) | (~Q(answer="") & Q(answered_at__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        # No personal data: this string reaches the admin's history and delete pages.
        return f"{self.reference}: {self.title[:80]}"

    @property
    def reference(self) -> str:
        """The number the citizen is given on submission (mã câu hỏi)."""
        return f"HD-{self.pk:06d}" if self.pk else "HD-?"


class Consultation(Publishable):
    """A draft document put to the public for comment (lấy ý kiến dự thảo).

    Comments are accepted from ``opens_on`` to ``closes_on`` inclusive (the portal's local dates)
    while the consultation is published. The synthesis report (báo cáo tổng hợp) is part of the
    item, so it too is public only once the board approves the version that carries it.
    The draft's files (the draft itself, its explanatory note …) come from the media library.
    """

    revision_fields = ("title", "slug", "summary", "body", "files", "issuer", "opens_on", "closes_on", "synthesis")
    html_fields = ("body", "synthesis")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[validate_slug])
    summary = models.TextField(_("summary"), max_length=2000)
    body = models.TextField(_("draft text"), blank=True)
    files = models.ManyToManyField(
        "content.MediaFile", verbose_name=_("files of the draft"), related_name="+", blank=True
    )
    issuer = models.CharField(_("drafting agency"), max_length=300, blank=True)
    opens_on = models.DateField(_("comments open on"))
    closes_on = models.DateField(_("comments close on"), help_text=_("The last day comments are accepted."))
    synthesis = models.TextField(
        _("synthesis report"),
        blank=True,
        help_text=_("The summary of the comments received and how they were taken into account."),
    )

    class Meta:
        verbose_name = _("consultation on a draft")
        verbose_name_plural = _("consultations on drafts")
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["live", "-opens_on"], name="consultation_live_opens")]
        constraints = [
            *Publishable.status_constraints("consultation"),
            models.CheckConstraint(name="consultation_slug_format", condition=Q(slug__regex=SLUG_PATTERN)),
            models.CheckConstraint(
                name="consultation_closes_after_opening",
                condition=Q(closes_on__gte=F("opens_on")),
                violation_error_message=_("The closing date cannot be before the opening date."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ConsultationComment(models.Model):
    """A citizen's comment on a consultation; public (name and text, never the email) once approved."""

    PERSONAL_FIELDS = ("email",)

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.PROTECT, related_name="comments"
    )
    name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email"), max_length=254)
    body = models.TextField(_("comment"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=20, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.CharField(_("moderated by"), max_length=150, blank=True)
    moderation_note = models.CharField(_("moderation note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("comment on a draft")
        verbose_name_plural = _("comments on drafts")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("change", "delete", "view")
        permissions = [("moderate_consultationcomment", _("Can approve or reject comments on drafts"))]
        indexes = [models.Index(fields=["consultation", "status", "created_at"], name="comment_public")]
        constraints = [
            models.CheckConstraint(name="comment_status_valid", condition=Q(status__in=CommentStatus.values)),
            models.CheckConstraint(
                name="comment_moderated_when_decided",
                condition=Q(status=CommentStatus.PENDING) | Q(moderated_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        # No personal data: this string reaches the admin's history and delete pages.
        return str(_("Comment no. %(number)s") % {"number": self.pk})
