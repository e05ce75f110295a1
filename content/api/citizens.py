"""Public read endpoints for citizens: published questions and answers, consultations on drafts.

The same rules as ``content.api.public``: anyone may read, only what the editorial workflow has
published (``live``), 404 for anything else. A published answer (``QuestionAnswer``) is the board's
wording without the asker; the private ``Question`` with the citizen's name, email and phone is
never read here. Of a consultation's comments only the approved ones show, with the name and the
text as the public page shows them, never the email (``content.selectors_citizens`` does not even
select it).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from content import selectors_citizens as selectors
from content.api.common import PAGE_PARAMETERS, TAG_PUBLIC, page_of, paginate, query
from content.api.public import DocumentFieldOutput, MediaOutput, PublicApi, not_found
from content.models import Consultation, ConsultationComment, MediaFile, QuestionAnswer

PERIODS = [
    (selectors.CONSULTATION_UPCOMING, gettext_lazy("not yet open for comments")),
    (selectors.CONSULTATION_OPEN, gettext_lazy("open for comments today")),
    (selectors.CONSULTATION_CLOSED, gettext_lazy("no longer open for comments")),
]


# --- outputs ----------------------------------------------------------------------------------------


class QuestionListOutput(serializers.ModelSerializer[QuestionAnswer]):
    field = DocumentFieldOutput(read_only=True, allow_null=True)
    answered_by = serializers.CharField(
        source="unit.name", read_only=True, allow_null=True, help_text=gettext_lazy("the unit that answered")
    )

    class Meta:
        model = QuestionAnswer
        fields = ["id", "title", "field", "answered_by", "asked_on", "answered_on", "published_at"]


class QuestionDetailOutput(QuestionListOutput):
    class Meta(QuestionListOutput.Meta):
        fields = [*QuestionListOutput.Meta.fields, "question", "answer"]


class ConsultationFileOutput(MediaOutput):
    """A file of the draft, with the title the public page links it by."""

    class Meta(MediaOutput.Meta):
        model = MediaFile
        fields = [*MediaOutput.Meta.fields, "title"]


class ConsultationCommentOutput(serializers.ModelSerializer[ConsultationComment]):
    """An approved comment as the public page shows it: the name given, the text, the day it was sent."""

    class Meta:
        model = ConsultationComment
        fields = ["id", "name", "body", "created_at"]


class ConsultationListOutput(serializers.ModelSerializer[Consultation]):
    period = serializers.SerializerMethodField(help_text=gettext_lazy("upcoming, open or closed, as of today"))
    is_open = serializers.SerializerMethodField(help_text=gettext_lazy("comments are accepted today"))
    comment_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("number of published comments"))
    has_synthesis = serializers.SerializerMethodField(help_text=gettext_lazy("the synthesis report is published"))

    class Meta:
        model = Consultation
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "issuer",
            "opens_on",
            "closes_on",
            "period",
            "is_open",
            "comment_count",
            "has_synthesis",
            "published_at",
        ]

    def get_period(self, item: Consultation) -> str:
        return selectors.consultation_period(item)

    def get_is_open(self, item: Consultation) -> bool:
        return selectors.consultation_is_open(item)

    def get_has_synthesis(self, item: Consultation) -> bool:
        return bool(item.synthesis)


class ConsultationDetailOutput(ConsultationListOutput):
    files = ConsultationFileOutput(many=True, read_only=True)
    synthesis = serializers.SerializerMethodField(
        help_text=gettext_lazy("the synthesis report (HTML), once the board has published it")
    )
    comments = serializers.SerializerMethodField(help_text=gettext_lazy("the approved comments, oldest first"))

    class Meta(ConsultationListOutput.Meta):
        fields = [*ConsultationListOutput.Meta.fields, "body", "files", "synthesis", "comments"]

    def get_synthesis(self, item: Consultation) -> str | None:
        return item.synthesis or None

    @extend_schema_field(ConsultationCommentOutput(many=True))
    def get_comments(self, item: Consultation) -> list[dict[str, Any]]:
        rows = selectors.consultation_comments_public(consultation=item)
        return [dict(row) for row in ConsultationCommentOutput(rows, many=True).data]


# --- questions and answers --------------------------------------------------------------------------


class QuestionListApi(PublicApi):
    class QuestionFilter(serializers.Serializer[Any]):
        field = serializers.SlugField(required=False, help_text=gettext_lazy("slug of a field"))

    @extend_schema(
        operation_id="questions_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Questions and answers"),
        description=gettext_lazy(
            "Published answers to citizens' questions of general interest, newest first, without the "
            "question and answer texts; filter by field. Never the asker's name or contact details."
        ),
        parameters=[QuestionFilter, PAGE_PARAMETERS],
        responses=page_of("QuestionPage", QuestionListOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.QuestionFilter)
        rows = selectors.question_answers_public(field_slug=filters.get("field") or "")
        return paginate(request, self, rows, QuestionListOutput)


class QuestionDetailApi(PublicApi):
    @extend_schema(
        operation_id="questions_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A question and its answer"),
        description=gettext_lazy(
            "One published question and answer by its id, with both texts as the board published them."
        ),
        responses=QuestionDetailOutput,
    )
    def get(self, request: Request, pk: int) -> Response:
        item = selectors.question_answer_public(pk=pk)
        if item is None:
            raise not_found("question_not_found")
        return Response(QuestionDetailOutput(item).data)


# --- consultations on drafts ------------------------------------------------------------------------


class ConsultationListApi(PublicApi):
    class ConsultationFilter(serializers.Serializer[Any]):
        period = serializers.ChoiceField(
            choices=PERIODS, required=False, help_text=gettext_lazy("the comment period as of today")
        )

    @extend_schema(
        operation_id="consultations_list",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("Consultations on draft documents"),
        description=gettext_lazy(
            "Published consultations, the latest to open first, without the draft text, files and "
            "comments; filter by period as of today's date in the portal's time zone: upcoming, open "
            "(both dates included) or closed."
        ),
        parameters=[ConsultationFilter, PAGE_PARAMETERS],
        responses=page_of("ConsultationPage", ConsultationListOutput(many=True)),
    )
    def get(self, request: Request) -> Response:
        filters = query(request, self.ConsultationFilter)
        return paginate(request, self, selectors.consultations_public(**filters), ConsultationListOutput)


class ConsultationDetailApi(PublicApi):
    @extend_schema(
        operation_id="consultations_retrieve",
        tags=[TAG_PUBLIC],
        summary=gettext_lazy("A consultation on a draft document"),
        description=gettext_lazy(
            "One published consultation by its slug: the draft text, its files with their download "
            "addresses, the comment period, the synthesis report once published and the approved "
            "comments (the commenter's name and text, never an email)."
        ),
        responses=ConsultationDetailOutput,
    )
    def get(self, request: Request, slug: str) -> Response:
        item = (
            selectors.consultations_public()
            .prefetch_related(Prefetch("files", queryset=MediaFile.objects.order_by("-created_at", "-pk")))
            .filter(slug=slug)
            .first()
        )
        if item is None:
            raise not_found("consultation_not_found")
        return Response(ConsultationDetailOutput(item).data)
