"""Public read endpoints: what the portal has published, to anyone, in pages.

Every query comes from ``content.api.selectors`` and filters on ``live=True``; an item that is not
live answers 404 (not 403: the public is not told that something unpublished exists). Outputs
carry public fields only: no owner, no workflow state, no revision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.api import selectors
from content.api.common import PAGE_PARAMETERS, TAG_PUBLIC, page_of, paginate, query
from content.models import (
    Announcement,
    Article,
    Category,
    ContactOfficer,
    DocumentField,
    DocumentForm,
    Language,
    Leader,
    LegalDocument,
    MediaFile,
    Page,
    PageKind,
    Tag,
    Validity,
    WorkSchedule,
)
from portal_platform.errors import NotFound, ValidationFailed


class PublicApi(APIView):
    """Anyone may read; no account is looked up (public data needs no identity)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


def not_found(code: str) -> NotFound:
    """The public is not told whether something unpublished exists: one answer for both."""
    return NotFound(_("Nothing published here."), code=code)


# --- outputs ----------------------------------------------------------------------------------------


class SectionOutput(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "parent", "name", "name_en", "slug", "order", "description"]


class SectionRefOutput(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "slug", "name", "name_en"]


class TagOutput(serializers.ModelSerializer[Tag]):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class MediaOutput(serializers.ModelSerializer[MediaFile]):
    """A file of the media library as the public may fetch it (only files of live content are public)."""

    url = serializers.SerializerMethodField(help_text=gettext_lazy("address of the original file"))
    renditions = serializers.SerializerMethodField(help_text=gettext_lazy("addresses of the resized images, by name"))

    class Meta:
        model = MediaFile
        fields = [
            "id",
            "kind",
            "file_type",
            "original_name",
            "size",
            "width",
            "height",
            "alt_text",
            "url",
            "renditions",
        ]

    def get_url(self, media: MediaFile) -> str:
        return media.url()

    def get_renditions(self, media: MediaFile) -> dict[str, str]:
        names = media.renditions.keys() if isinstance(media.renditions, dict) else ()
        return {name: media.url(name) for name in names}


class ArticleListOutput(serializers.ModelSerializer[Article]):
    cover = MediaOutput(read_only=True, allow_null=True)
    sections = SectionRefOutput(many=True, read_only=True)
    tags = TagOutput(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "cover",
            "cover_alt",
            "author",
            "language",
            "featured",
            "sections",
            "tags",
            "published_at",
            "first_published_at",
        ]


class ArticleDetailOutput(ArticleListOutput):
    class Meta(ArticleListOutput.Meta):
        fields = [
            *ArticleListOutput.Meta.fields,
            "body",
            "is_republished",
            "source_name",
            "source_url",
            "source_published_at",
        ]


class DocumentFieldOutput(serializers.ModelSerializer[DocumentField]):
    class Meta:
        model = DocumentField
        fields = ["slug", "name"]


class DocumentRefOutput(serializers.ModelSerializer[LegalDocument]):
    class Meta:
        model = LegalDocument
        fields = ["id", "number"]


class LegalDocumentOutput(serializers.ModelSerializer[LegalDocument]):
    form_label = serializers.CharField(source="get_form_display", read_only=True)
    validity_label = serializers.CharField(source="get_validity_display", read_only=True)
    field = DocumentFieldOutput(read_only=True)
    attachments = MediaOutput(many=True, read_only=True)
    replaced_by = serializers.SerializerMethodField(
        help_text=gettext_lazy("the document that replaced this one, when it is published")
    )

    class Meta:
        model = LegalDocument
        fields = [
            "attachments",
            "id",
            "form",
            "form_label",
            "number",
            "issuer",
            "signer",
            "field",
            "issue_date",
            "effective_date",
            "validity",
            "validity_label",
            "replaced_by",
            "abstract",
            "national_db_url",
            "published_at",
        ]

    @extend_schema_field(DocumentRefOutput(allow_null=True))
    def get_replaced_by(self, doc: LegalDocument) -> dict[str, Any] | None:
        # A replacement still in the works is not public: its number must not show before it is.
        successor = doc.replaced_by
        if successor is None or not successor.live:
            return None
        return dict(DocumentRefOutput(successor).data)


class PageOutput(serializers.ModelSerializer[Page]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Page
        fields = [
            "id",
            "kind",
            "kind_label",
            "slug",
            "title",
            "title_en",
            "body",
            "body_en",
            "published_at",
            "last_reviewed_at",
        ]


class ScheduleEntryOutput(serializers.Serializer[Any]):
    date = serializers.CharField()
    time = serializers.CharField(required=False)
    leader = serializers.CharField(required=False)
    activity = serializers.CharField(required=False)
    location = serializers.CharField(required=False)
    participants = serializers.CharField(required=False)


class ScheduleOutput(serializers.ModelSerializer[WorkSchedule]):
    week_end = serializers.SerializerMethodField()
    entries = ScheduleEntryOutput(many=True, read_only=True)

    class Meta:
        model = WorkSchedule
        fields = ["week_start", "week_end", "title", "entries", "notes", "published_at"]

    def get_week_end(self, schedule: WorkSchedule) -> dt.date:
        return schedule.week_start + dt.timedelta(days=6)


class AnnouncementOutput(serializers.ModelSerializer[Announcement]):
    class Meta:
        model = Announcement
        fields = ["id", "slug", "title", "body", "language", "valid_until", "published_at"]


class LeaderOutput(serializers.ModelSerializer[Leader]):
    photo = MediaOutput(read_only=True, allow_null=True)

    class Meta:
        model = Leader
        fields = ["id", "name", "position", "position_en", "photo", "phone", "email", "profile", "profile_en", "order"]


class ContactOfficerOutput(serializers.ModelSerializer[ContactOfficer]):
    class Meta:
        model = ContactOfficer
        fields = ["id", "name", "position", "area", "area_en", "phone", "email", "order"]


# --- sections, tags, document fields -----------------------------------------------------------------


class SectionListApi(PublicApi):
    @extend_schema(
        operation_id="sections_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Sections"),
        description=gettext_lazy(
            "The portal's sections as a flat list in display order; each names its parent, so the "
            "tree can be rebuilt. Hidden sections, and sections under a hidden one, are left out."
        ),
        parameters=[PAGE_PARAMETERS],
        responses=page_of("SectionPage", SectionOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        return paginate(request, self, selectors.sections_public(), SectionOutput)


class SectionDetailApi(PublicApi):
    @extend_schema(
        operation_id="sections_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A section"),
        description=gettext_lazy("One visible section by its slug."),
        responses=SectionOutput,
    )
    def get(self, request: Request, slug: str) -> Response:
        section = selectors.sections_public().filter(slug=slug).first()
        if section is None:
            raise not_found("section_not_found")
        return Response(SectionOutput(section).data)


class TagListApi(PublicApi):
    @extend_schema(
        operation_id="tags_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Tags"),
        description=gettext_lazy("The tags of published articles, for the article list's tag filter."),
        parameters=[PAGE_PARAMETERS],
        responses=page_of("TagPage", TagOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        return paginate(request, self, selectors.tags_public(), TagOutput)


class DocumentFieldListApi(PublicApi):
    @extend_schema(
        operation_id="document_fields_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Fields of legal documents"),
        description=gettext_lazy("The fields (lĩnh vực) legal documents are filed under, for the field filter."),
        parameters=[PAGE_PARAMETERS],
        responses=page_of("DocumentFieldPage", DocumentFieldOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        return paginate(request, self, selectors.document_fields_public(), DocumentFieldOutput)


# --- articles -----------------------------------------------------------------------------------------


class ArticleListApi(PublicApi):
    class ArticleFilter(serializers.Serializer[Any]):
        section = serializers.SlugField(required=False, help_text=gettext_lazy("slug of a section"))
        tag = serializers.SlugField(required=False, help_text=gettext_lazy("slug of a tag"))
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        featured = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="articles_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Articles"),
        description=gettext_lazy(
            "Published articles, newest first, without their body; filter by section, tag, language "
            "or the featured flag."
        ),
        parameters=[ArticleFilter, PAGE_PARAMETERS],
        responses=page_of("ArticlePage", ArticleListOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.ArticleFilter)
        return paginate(request, self, selectors.articles_public(**filters), ArticleListOutput)


class ArticleDetailApi(PublicApi):
    @extend_schema(
        operation_id="articles_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("An article"),
        description=gettext_lazy("One published article by its slug, with its body and source."),
        responses=ArticleDetailOutput,
    )
    def get(self, request: Request, slug: str) -> Response:
        article = selectors.articles_public().filter(slug=slug).first()
        if article is None:
            raise not_found("article_not_found")
        return Response(ArticleDetailOutput(article).data)


# --- legal documents ----------------------------------------------------------------------------------


class LegalDocumentListApi(PublicApi):
    class LegalDocumentFilter(serializers.Serializer[Any]):
        number = serializers.CharField(required=False, help_text=gettext_lazy("part of the number"))
        issuer = serializers.CharField(required=False, help_text=gettext_lazy("part of the issuer's name"))
        field = serializers.SlugField(required=False, help_text=gettext_lazy("slug of a field"))
        form = serializers.ChoiceField(choices=DocumentForm.choices, required=False)
        validity = serializers.ChoiceField(choices=Validity.choices, required=False)
        issue_date_from = serializers.DateField(required=False)
        issue_date_to = serializers.DateField(required=False)
        effective_date_from = serializers.DateField(required=False)
        effective_date_to = serializers.DateField(required=False)

    @extend_schema(
        operation_id="legal_documents_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Legal documents"),
        description=gettext_lazy(
            "Published legal documents, latest issue date first. Filters: part of the number or of the "
            "issuer (any case), field, form, validity, and ranges of issue and effective dates "
            "(YYYY-MM-DD, both ends included)."
        ),
        parameters=[LegalDocumentFilter, PAGE_PARAMETERS],
        responses=page_of("LegalDocumentPage", LegalDocumentOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.LegalDocumentFilter)
        return paginate(request, self, selectors.legal_documents_public(**filters), LegalDocumentOutput)


class LegalDocumentDetailApi(PublicApi):
    @extend_schema(
        operation_id="legal_documents_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A legal document"),
        description=gettext_lazy("One published legal document by its id."),
        responses=LegalDocumentOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        doc = selectors.legal_documents_public().filter(pk=pk).first()
        if doc is None:
            raise not_found("document_not_found")
        return Response(LegalDocumentOutput(doc).data)


# --- background pages ---------------------------------------------------------------------------------


class PageListApi(PublicApi):
    class PageFilter(serializers.Serializer[Any]):
        kind = serializers.ChoiceField(choices=PageKind.choices, required=False)

    @extend_schema(
        operation_id="pages_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Background pages"),
        description=gettext_lazy(
            "The published background pages (introduction, functions, organisation, leaders, contacts, "
            "spokesperson, other pages)."
        ),
        parameters=[PageFilter, PAGE_PARAMETERS],
        responses=page_of("PagePage", PageOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.PageFilter)
        return paginate(request, self, selectors.pages_public(**filters), PageOutput)


class PageDetailApi(PublicApi):
    @extend_schema(
        operation_id="pages_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A background page"),
        description=gettext_lazy("One published background page by its slug."),
        responses=PageOutput,
    )
    def get(self, request: Request, slug: str) -> Response:
        page = selectors.pages_public().filter(slug=slug).first()
        if page is None:
            raise not_found("page_not_found")
        return Response(PageOutput(page).data)


# --- work schedule ------------------------------------------------------------------------------------


class ScheduleListApi(PublicApi):
    class ScheduleFilter(serializers.Serializer[Any]):
        week_from = serializers.DateField(
            required=False, help_text=gettext_lazy("from the week holding this day (YYYY-MM-DD)")
        )
        week_to = serializers.DateField(
            required=False, help_text=gettext_lazy("up to the week holding this day (YYYY-MM-DD)")
        )

    @extend_schema(
        operation_id="schedules_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Leaders' work schedule"),
        description=gettext_lazy("The published weekly work schedules, latest week first."),
        parameters=[ScheduleFilter, PAGE_PARAMETERS],
        responses=page_of("SchedulePage", ScheduleOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.ScheduleFilter)
        return paginate(request, self, selectors.schedules_public(**filters), ScheduleOutput)


class ScheduleDetailApi(PublicApi):
    @extend_schema(
        operation_id="schedules_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("The work schedule of one week"),
        description=gettext_lazy(
            "The published schedule of the week holding the given day (YYYY-MM-DD; usually its Monday)."
        ),
        parameters=[
            OpenApiParameter("week", str, OpenApiParameter.PATH, description=gettext_lazy("a day of the week"))
        ],
        responses=ScheduleOutput,
    )
    def get(self, request: Request, week: str) -> Response:
        try:
            day = dt.date.fromisoformat(week)
        except ValueError:
            raise ValidationFailed(_("Give the day as YYYY-MM-DD."), code="invalid_date") from None
        schedule = selectors.schedules_public().filter(week_start=selectors.week_monday(day)).first()
        if schedule is None:
            raise not_found("schedule_not_found")
        return Response(ScheduleOutput(schedule).data)


# --- announcements ------------------------------------------------------------------------------------


class AnnouncementListApi(PublicApi):
    class AnnouncementFilter(serializers.Serializer[Any]):
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        include_expired = serializers.BooleanField(
            required=False, default=False, help_text=gettext_lazy("also those past their “shown until” date")
        )

    @extend_schema(
        operation_id="announcements_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Announcements"),
        description=gettext_lazy(
            "Published announcements, newest first; those past their “shown until” date only when asked."
        ),
        parameters=[AnnouncementFilter, PAGE_PARAMETERS],
        responses=page_of("AnnouncementPage", AnnouncementOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.AnnouncementFilter)
        return paginate(request, self, selectors.announcements_public(**filters), AnnouncementOutput)


class AnnouncementDetailApi(PublicApi):
    @extend_schema(
        operation_id="announcements_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("An announcement"),
        description=gettext_lazy("One published announcement by its slug, also after its “shown until” date."),
        responses=AnnouncementOutput,
    )
    def get(self, request: Request, slug: str) -> Response:
        announcement = selectors.announcements_public(include_expired=True).filter(slug=slug).first()
        if announcement is None:
            raise not_found("announcement_not_found")
        return Response(AnnouncementOutput(announcement).data)


class LeaderListApi(PublicApi):
    @extend_schema(
        operation_id="leaders_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Leaders"),
        description=gettext_lazy("The agency's leaders as published, in the board's order."),
        parameters=[PAGE_PARAMETERS],
        responses=page_of("LeaderPage", LeaderOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        return paginate(request, self, selectors.leaders_public(), LeaderOutput)


class ContactOfficerListApi(PublicApi):
    @extend_schema(
        operation_id="contact_officers_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Contact officers"),
        description=gettext_lazy("The officers citizens and the press may contact, by area of work."),
        parameters=[PAGE_PARAMETERS],
        responses=page_of("ContactOfficerPage", ContactOfficerOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        return paginate(request, self, selectors.contact_officers_public(), ContactOfficerOutput)


class LeaderDetailApi(PublicApi):
    @extend_schema(
        operation_id="leaders_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A leader"),
        description=gettext_lazy("One published leader by id."),
        responses=LeaderOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        leader = selectors.leaders_public().filter(pk=pk).first()
        if leader is None:
            raise not_found("leader_not_found")
        return Response(LeaderOutput(leader).data)


class ContactOfficerDetailApi(PublicApi):
    @extend_schema(
        operation_id="contact_officers_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A contact officer"),
        description=gettext_lazy("One published contact officer by id."),
        responses=ContactOfficerOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        officer = selectors.contact_officers_public().filter(pk=pk).first()
        if officer is None:
            raise not_found("contact_officer_not_found")
        return Response(ContactOfficerOutput(officer).data)
