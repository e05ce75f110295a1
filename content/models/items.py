"""What a portal publishes (Nghị định 42/2022 Đ4) — tenant schema.

Articles (tin bài), legal documents (văn bản), announcements (thông báo) and the leaders' weekly
work schedule (lịch công tác). All go through the editorial workflow (``Publishable``); rules that
span fields are checked by ``content.services.items`` before anything is saved, and the database
holds the ones it can.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from content.models.site import SLUG_PATTERN, Category, validate_slug
from content.models.workflow import Language, Publishable


class Tag(models.Model):
    """A free keyword on articles (từ khoá)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, validators=[validate_slug])

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(Publishable):
    """A news article (tin bài). A re-published article names its source (Decision 80/2025 Đ3.3)."""

    revision_fields = (
        "title",
        "slug",
        "summary",
        "body",
        "cover",
        "cover_alt",
        "sections",
        "tags",
        "author",
        "language",
        "featured",
        "is_republished",
        "source_name",
        "source_url",
        "source_published_at",
    )
    html_fields = ("body",)

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[validate_slug])
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("content"))
    cover = models.ForeignKey(
        "content.MediaFile",
        verbose_name=_("cover image"),
        on_delete=models.PROTECT,  # the media library refuses to delete a file in use; this backs it up
        null=True,
        blank=True,
        limit_choices_to={"kind": "image"},
        related_name="+",
    )
    cover_alt = models.CharField(
        _("cover image description"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it (required with a cover image)."),
    )
    sections = models.ManyToManyField(Category, verbose_name=_("sections"), related_name="articles")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="articles", blank=True)
    author = models.CharField(_("author"), max_length=200, help_text=_("The byline shown to readers."))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.VI)
    featured = models.BooleanField(_("featured"), default=False)
    is_republished = models.BooleanField(
        _("re-published from another source"),
        default=False,
        help_text=_("Information taken from another agency or outlet must name its source (Decision 80/2025 Đ3.3)."),
    )
    source_name = models.CharField(_("source agency or author"), max_length=300, blank=True)
    source_url = models.URLField(_("original address"), max_length=500, blank=True)
    source_published_at = models.DateTimeField(_("original publication time"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["live", "-published_at"], name="article_live_published")]
        constraints = [
            *Publishable.status_constraints("article"),
            models.CheckConstraint(name="article_slug_format", condition=Q(slug__regex=SLUG_PATTERN)),
            models.CheckConstraint(
                name="article_cover_has_alt",
                condition=Q(cover__isnull=True) | ~Q(cover_alt=""),
                violation_error_message=_("Describe the cover image for readers who cannot see it."),
            ),
            models.CheckConstraint(
                name="article_republished_has_source",
                condition=Q(is_republished=False)
                | (~Q(source_name="") & ~Q(source_url="") & Q(source_published_at__isnull=False)),
                violation_error_message=_(
                    "A re-published article needs its source: the agency or author, the original address "
                    "and the original publication time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def relation_errors(self, m2m: dict[str, list[int]]) -> dict[str, list[str]]:
        from content.models.media import MediaFile, MediaKind

        if self.cover_id is not None and not MediaFile.objects.filter(pk=self.cover_id, kind=MediaKind.IMAGE).exists():
            return {"cover": [str(_("The cover must be an image from the media library."))]}
        return {}


class DocumentForm(models.TextChoices):
    LAW = "luat", _("Law")
    RESOLUTION = "nghi-quyet", _("Resolution")
    DECREE = "nghi-dinh", _("Decree")
    CIRCULAR = "thong-tu", _("Circular")
    DECISION = "quyet-dinh", _("Decision")
    DIRECTIVE = "chi-thi", _("Directive")
    PLAN = "ke-hoach", _("Plan")
    NOTICE = "thong-bao", _("Notice")
    GUIDANCE = "huong-dan", _("Guidance")
    REPORT = "bao-cao", _("Report")
    OFFICIAL_LETTER = "cong-van", _("Official letter")
    OTHER = "khac", _("Other")


class DocumentField(models.Model):
    """A field of state management (lĩnh vực) that legal documents are filed under."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, validators=[validate_slug])

    class Meta:
        verbose_name = _("document field")
        verbose_name_plural = _("document fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Validity(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet in force")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    REPLACED = "replaced", _("Replaced")


class LegalDocument(Publishable):
    """A legal document (văn bản): its identity, validity and files."""

    revision_fields = (
        "form",
        "number",
        "issuer",
        "signer",
        "field",
        "issue_date",
        "effective_date",
        "validity",
        "replaced_by",
        "abstract",
        "attachments",
        "national_db_url",
    )
    html_fields = ()

    form = models.CharField(_("form"), max_length=20, choices=DocumentForm.choices)
    number = models.CharField(_("number"), max_length=100, help_text=_("For example: 80/2025/QĐ-UBND."))
    issuer = models.CharField(_("issued by"), max_length=300)
    signer = models.CharField(_("signed by"), max_length=200)
    field = models.ForeignKey(
        DocumentField, verbose_name=_("field"), on_delete=models.PROTECT, related_name="documents"
    )
    issue_date = models.DateField(_("issue date"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    validity = models.CharField(_("validity"), max_length=20, choices=Validity.choices, default=Validity.IN_FORCE)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )
    abstract = models.TextField(_("abstract"), max_length=2000)
    attachments = models.ManyToManyField(
        "content.MediaFile", verbose_name=_("attached files"), related_name="+", blank=True
    )
    national_db_url = models.URLField(_("link to the national legal-document database"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["-issue_date", "-pk"]
        indexes = [
            models.Index(fields=["live", "-issue_date"], name="legaldoc_live_issued"),
            models.Index(fields=["number"], name="legaldoc_number"),
        ]
        constraints = [
            *Publishable.status_constraints("legaldocument"),
            models.CheckConstraint(name="legaldoc_form_valid", condition=Q(form__in=DocumentForm.values)),
            models.CheckConstraint(name="legaldoc_validity_valid", condition=Q(validity__in=Validity.values)),
            models.CheckConstraint(
                name="legaldoc_replaced_has_successor",
                condition=(Q(validity=Validity.REPLACED) & Q(replaced_by__isnull=False))
                | (~Q(validity=Validity.REPLACED) & Q(replaced_by__isnull=True)),
                violation_error_message=_(
                    "Name the document that replaces this one exactly when its validity is “replaced”."
                ),
            ),
            models.CheckConstraint(
                name="legaldoc_not_replaced_by_itself",
                condition=Q(replaced_by__isnull=True) | ~Q(replaced_by=F("pk")),
                violation_error_message=_("A document cannot replace itself."),
            ),
            models.CheckConstraint(
                name="legaldoc_effective_after_issue",
                condition=Q(effective_date__isnull=True) | Q(effective_date__gte=F("issue_date")),
                violation_error_message=_("The effective date cannot be before the issue date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.abstract[:80]}"

    # Legal documents are filed as PDF or Word files (the forms agencies issue them in).
    ATTACHMENT_TYPES = frozenset({"pdf", "doc", "docx"})

    def relation_errors(self, m2m: dict[str, list[int]]) -> dict[str, list[str]]:
        from content.models.media import MediaFile

        ids = m2m.get("attachments", [])
        wrong = MediaFile.objects.filter(pk__in=ids).exclude(file_type__in=self.ATTACHMENT_TYPES).exists()
        if wrong:
            return {"attachments": [str(_("Attach the document as PDF, DOC or DOCX files."))]}
        return {}


class Announcement(Publishable):
    """An announcement (thông báo) to citizens, shown until ``valid_until`` if set."""

    revision_fields = ("title", "slug", "body", "language", "valid_until")
    html_fields = ("body",)

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, validators=[validate_slug])
    body = models.TextField(_("content"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.VI)
    valid_until = models.DateField(_("shown until"), null=True, blank=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            *Publishable.status_constraints("announcement"),
            models.CheckConstraint(name="announcement_slug_format", condition=Q(slug__regex=SLUG_PATTERN)),
        ]

    def __str__(self) -> str:
        return self.title


class WorkSchedule(Publishable):
    """The leaders' work schedule for one week (lịch công tác tuần), Monday to Sunday.

    ``entries`` is a list of ``{"date", "time", "leader", "activity", "location", "participants"}``
    kept as one value so that a revision holds the whole week and the board approves it as one.
    """

    revision_fields = ("week_start", "title", "entries", "notes")
    html_fields = ()

    week_start = models.DateField(_("week starting"), unique=True, help_text=_("The Monday of the week."))
    title = models.CharField(_("title"), max_length=300, blank=True)
    entries = models.JSONField(_("entries"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")
        ordering = ["-week_start"]
        constraints = [
            *Publishable.status_constraints("workschedule"),
            # PostgreSQL: ISODOW 1 is Monday.
            models.CheckConstraint(
                name="workschedule_starts_monday",
                condition=Q(week_start__iso_week_day=1),
                violation_error_message=_("A work schedule week starts on a Monday."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Week of %(date)s") % {"date": self.week_start.strftime("%d/%m/%Y")})
