"""Staff endpoints: the editorial board's work on items, through ``content.services.workflow`` only.

For each item type (articles, legal documents, background pages, work schedules, announcements) the
same operations, under ``staff/<type>/``:

    GET    .                                  the items the caller may see, with their working version
    POST   .                                  create            {"data": {…}, "comment": "…"}
    GET    <id>/                              one item, with the workflow steps the caller may take
    PATCH  <id>/                              save a new version {"data": {…}, "comment": "…"}
    DELETE <id>/                              delete a never-published item
    POST   <id>/transitions/                  take a workflow step {"action", "comment", "publish_at"}
    GET    <id>/history/                      the workflow steps taken
    GET    <id>/revisions/                    the saved versions
    GET    <id>/revisions/<number>/           one saved version with its content
    POST   <id>/revisions/<number>/restore/   save that version again as the newest
    GET    <id>/diff/?old=<n>&new=<m>         what changed between two versions

``data`` is the working version (``revision_fields``; many-to-many and foreign keys as ids, dates
in ISO 8601). A body with a key the endpoint does not know — ``"live"``, ``"status"`` — is refused
whole with ``unknown_fields``; the services' own codes (``workflow_forbidden`` 403,
``workflow_invalid_transition`` 409, ``invalid_content`` 400, …) come back through the API's one
exception handler, and nothing is changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.middleware import PasswordChangeNotRequired
from accounts.models import User
from content.api import selectors
from content.api.common import (
    PAGE_PARAMETERS,
    TAG_STAFF,
    EditorialStaff,
    body,
    lazy_text,
    page_of,
    paginate,
    query,
    to_json,
    unknown_fields,
)
from content.models import (
    Announcement,
    Article,
    ContactOfficer,
    DocumentForm,
    Language,
    Leader,
    LegalDocument,
    Page,
    PageKind,
    Publishable,
    Revision,
    Status,
    Validity,
    WorkSchedule,
)
from content.services import workflow
from portal_platform.authentication import PortalSessionAuthentication
from portal_platform.errors import NotFound, ValidationFailed

# --- the working version of each item type -------------------------------------------------------------
# Types only: every content rule (required fields, lengths, slugs, dates in order, existing ids) is the
# service's, so strings may be blank here and the service says what is missing, with the same code
# as in the back office. One field per entry of the model's ``revision_fields`` (a test checks).


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, **kwargs)


def _ids(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, **kwargs)


def _id(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, **kwargs)


class ArticleData(serializers.Serializer[Any]):
    title = _text()
    slug = _text(help_text=gettext_lazy("made from the title when left empty"))
    summary = _text()
    body = _text(help_text=gettext_lazy("HTML; cleaned on the server"))
    cover = _id(help_text=gettext_lazy("id of an image of the media library"))
    cover_alt = _text()
    sections = _ids(help_text=gettext_lazy("ids of sections (at least one)"))
    tags = _ids(help_text=gettext_lazy("ids of tags"))
    author = _text()
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    featured = serializers.BooleanField(required=False)
    is_republished = serializers.BooleanField(required=False)
    source_name = _text()
    source_url = _text()
    source_published_at = serializers.DateTimeField(required=False, allow_null=True)


class LegalDocumentData(serializers.Serializer[Any]):
    form = serializers.ChoiceField(choices=DocumentForm.choices, required=False)
    number = _text()
    issuer = _text()
    signer = _text()
    field = _id(help_text=gettext_lazy("id of a field (lĩnh vực)"))
    issue_date = serializers.DateField(required=False, allow_null=True)
    effective_date = serializers.DateField(required=False, allow_null=True)
    validity = serializers.ChoiceField(choices=Validity.choices, required=False)
    replaced_by = _id(help_text=gettext_lazy("id of the document that replaced this one"))
    abstract = _text()
    attachments = _ids(help_text=gettext_lazy("ids of PDF, DOC or DOCX files of the media library"))
    national_db_url = _text()


class PageData(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=PageKind.choices, required=False)
    slug = _text()
    title = _text()
    title_en = _text()
    body = _text(help_text=gettext_lazy("HTML; cleaned on the server"))
    body_en = _text(help_text=gettext_lazy("HTML; cleaned on the server"))


class ScheduleEntryData(serializers.Serializer[Any]):
    KEYS = ("date", "time", "leader", "activity", "location", "participants")

    date = serializers.DateField()
    time = _text()
    leader = _text()
    activity = _text()
    location = _text()
    participants = _text()

    def to_internal_value(self, data: Any) -> Any:
        # An entry is stored as given; a key nobody reads would be kept silently, so it is refused.
        if isinstance(data, Mapping) and set(data) - set(self.KEYS):
            unknown = ", ".join(sorted(set(data) - set(self.KEYS)))
            raise serializers.ValidationError(_("Unknown fields: %(fields)s.") % {"fields": unknown})
        return super().to_internal_value(data)


class WorkScheduleData(serializers.Serializer[Any]):
    week_start = serializers.DateField(required=False, allow_null=True, help_text=gettext_lazy("a Monday"))
    title = _text()
    entries = ScheduleEntryData(many=True, required=False)
    notes = _text()


class AnnouncementData(serializers.Serializer[Any]):
    title = _text()
    slug = _text(help_text=gettext_lazy("made from the title when left empty"))
    body = _text(help_text=gettext_lazy("HTML; cleaned on the server"))
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)


class LeaderData(serializers.Serializer[Any]):
    name = _text()
    position = _text()
    position_en = _text()
    photo = _id(help_text=gettext_lazy("id of an image of the media library"))
    phone = _text()
    email = _text()
    profile = _text(help_text=gettext_lazy("HTML; cleaned on the server"))
    profile_en = _text(help_text=gettext_lazy("HTML; cleaned on the server"))
    order = serializers.IntegerField(required=False, min_value=0)


class ContactOfficerData(serializers.Serializer[Any]):
    name = _text()
    position = _text()
    area = _text()
    area_en = _text()
    phone = _text()
    email = _text()
    order = serializers.IntegerField(required=False, min_value=0)


@dataclasses.dataclass(frozen=True)
class ItemKind:
    """One item type of the staff API: its URL segment, model and working-version serializer."""

    segment: str
    model: type[Publishable]
    data: type[serializers.Serializer[Any]]
    name: str  # prefix of its OpenAPI component names

    @property
    def label(self) -> Promise | str:
        return self.model._meta.verbose_name_plural or self.name


KINDS: tuple[ItemKind, ...] = (
    ItemKind("articles", Article, ArticleData, "Article"),
    ItemKind("legal-documents", LegalDocument, LegalDocumentData, "LegalDocument"),
    ItemKind("pages", Page, PageData, "Page"),
    ItemKind("schedules", WorkSchedule, WorkScheduleData, "WorkSchedule"),
    ItemKind("announcements", Announcement, AnnouncementData, "Announcement"),
    ItemKind("leaders", Leader, LeaderData, "Leader"),
    ItemKind("contact-officers", ContactOfficer, ContactOfficerData, "ContactOfficer"),
)


# --- outputs -------------------------------------------------------------------------------------------


class ActionOutput(serializers.Serializer[Any]):
    key = serializers.CharField()
    # A declared field leaves the class attributes (DRF's metaclass), so it does not clash with Field.label.
    label = serializers.CharField()  # type: ignore[assignment]


class StaffItemOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    live = serializers.BooleanField(help_text=gettext_lazy("public now (its published version)"))
    has_pending_changes = serializers.BooleanField(
        help_text=gettext_lazy("live, and the working version is not the published one")
    )
    publish_at = serializers.DateTimeField(allow_null=True, help_text=gettext_lazy("scheduled publication"))
    published_at = serializers.DateTimeField(allow_null=True)
    first_published_at = serializers.DateTimeField(allow_null=True)
    status_comment = serializers.CharField(help_text=gettext_lazy("comment of the last workflow step"))
    owner = serializers.CharField(allow_null=True)
    working_revision = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("number of the working version")
    )
    live_revision = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("number of the published version"))
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class StaffItemDetailOutput(StaffItemOutput):
    actions = ActionOutput(many=True, help_text=gettext_lazy("the workflow steps the caller may take now"))


class TransitionOutput(serializers.Serializer[Any]):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField()
    comment = serializers.CharField()
    revision = serializers.IntegerField(source="revision.number", allow_null=True)
    created_at = serializers.DateTimeField()


class RevisionOutput(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    created_by = serializers.CharField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_working = serializers.BooleanField()
    is_live = serializers.BooleanField()


class FieldDiffOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    html = serializers.CharField(help_text=gettext_lazy("the change, escaped, with <del> and <ins>"))


class DiffOutput(serializers.Serializer[Any]):
    old = serializers.IntegerField()
    new = serializers.IntegerField()
    changes = FieldDiffOutput(many=True)


TRANSITION_PAGE = page_of("TransitionPage", TransitionOutput(many=True))
REVISION_PAGE = page_of("RevisionPage", RevisionOutput(many=True))


def _item_row(item: Publishable, *, user: User | None = None) -> dict[str, Any]:
    working, live = item.working_revision, item.live_revision
    row: dict[str, Any] = {
        "id": item.pk,
        "status": item.status,
        "status_label": Status(item.status).label,
        "live": item.live,
        "has_pending_changes": item.has_pending_changes,
        "publish_at": item.publish_at,
        "published_at": item.published_at,
        "first_published_at": item.first_published_at,
        "status_comment": item.status_comment,
        "owner": item.owner.get_username() if item.owner is not None else None,
        "working_revision": working.number if working is not None else None,
        "live_revision": live.number if live is not None else None,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "data": workflow.item_working_data(item=item),
    }
    if user is not None:
        row["actions"] = [
            {"key": action.key, "label": action.label} for action in workflow.actions_available(item=item, user=user)
        ]
    return row


def _revision_row(item: Publishable, revision: Revision, *, with_data: bool = False) -> dict[str, Any]:
    row = {
        "number": revision.number,
        "created_by": revision.created_by,
        "comment": revision.comment,
        "created_at": revision.created_at,
        "is_working": revision.pk == item.working_revision_id,
        "is_live": revision.pk == item.live_revision_id,
    }
    if with_data:
        row["data"] = revision.data
    return row


# --- the operations ------------------------------------------------------------------------------------


class StaffApi(APIView):
    """Base of every staff endpoint of one item type (``kind`` is set per type by ``kind_views``)."""

    kind: ClassVar[ItemKind]
    item_output: ClassVar[type[serializers.Serializer[Any]]]
    item_detail_output: ClassVar[type[serializers.Serializer[Any]]]
    save_input: ClassVar[type[serializers.Serializer[Any]]]
    revision_detail_output: ClassVar[type[serializers.Serializer[Any]]]
    # Portal accounts sign in with their session; tokens are the console's (portal_platform.authentication).
    authentication_classes = (PortalSessionAuthentication,)
    permission_classes = (PasswordChangeNotRequired, EditorialStaff)

    def visible(self) -> QuerySet[Publishable]:
        return selectors.items_for_staff(model=self.kind.model, user=cast(User, self.request.user))

    def item(self, pk: int) -> Publishable:
        found = self.visible().filter(pk=pk).first()
        if found is None:
            raise NotFound(_("This item does not exist or you may not see it."), code="item_not_found")
        return found

    def revision(self, item: Publishable, number: int) -> Revision:
        found = workflow.item_revisions(item=item).filter(number=number).first()
        if found is None:
            raise NotFound(_("This item has no such revision."), code="revision_not_found")
        return found

    def detail(self, item: Publishable, *, status_code: int = status.HTTP_200_OK) -> Response:
        row = _item_row(item, user=cast(User, self.request.user))
        return Response(self.item_detail_output(row).data, status=status_code)

    def save_data(self, request: Request) -> tuple[dict[str, Any], str]:
        """The working version and comment a create or save sends, refused whole on any unknown key."""
        payload = body(request, allowed=("data", "comment"))
        data = payload.get("data")
        if isinstance(data, Mapping):
            unknown_fields(data, allowed=self.kind.model.revision_fields)
        given = self.save_input(data=payload)
        if not given.is_valid():
            errors = given.errors
            if set(errors) == {"data"} and isinstance(errors["data"], Mapping):
                raise ValidationFailed(
                    _("Some fields are not valid."), code="invalid_content", extra={"fields": errors["data"]}
                )
            raise serializers.ValidationError(errors)
        return to_json(given.validated_data["data"]), given.validated_data["comment"]


class ItemListApi(StaffApi):
    class ItemFilter(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        live = serializers.BooleanField(required=False, allow_null=True, default=None)
        mine = serializers.BooleanField(required=False, default=False, help_text=gettext_lazy("only my items"))

    def get(self, request: Request) -> Response:
        filters = query(request, self.ItemFilter)
        rows = self.visible()
        if "status" in filters:
            rows = rows.filter(status=filters["status"])
        if filters["live"] is not None:
            rows = rows.filter(live=filters["live"])
        if filters["mine"]:
            rows = rows.filter(owner=cast(User, request.user))
        return paginate(request, self, rows, self.item_output, row=_item_row)

    def post(self, request: Request) -> Response:
        data, comment = self.save_data(request)
        item = workflow.item_save(model=self.kind.model, data=data, user=cast(User, request.user), comment=comment)
        return self.detail(item, status_code=status.HTTP_201_CREATED)


class ItemDetailApi(StaffApi):
    def get(self, request: Request, pk: int) -> Response:
        return self.detail(self.item(pk))

    def patch(self, request: Request, pk: int) -> Response:
        item = self.item(pk)
        data, comment = self.save_data(request)
        saved = workflow.item_save(
            model=self.kind.model, item=item, data=data, user=cast(User, request.user), comment=comment
        )
        return self.detail(saved)

    def delete(self, request: Request, pk: int) -> Response:
        item = self.item(pk)
        # item_delete locks the row (SELECT … FOR UPDATE), which needs a transaction.
        with transaction.atomic():
            workflow.item_delete(item=item, user=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TransitionInput(serializers.Serializer[Any]):
    action = serializers.CharField(
        max_length=30,
        help_text=gettext_lazy("submit, forward, return, approve, publish, unschedule, unpublish or archive"),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    publish_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("with publish: when, if later")
    )


class ItemTransitionApi(StaffApi):
    def post(self, request: Request, pk: int) -> Response:
        item = self.item(pk)
        given = TransitionInput(data=body(request, allowed=TransitionInput().fields))
        given.is_valid(raise_exception=True)
        done = workflow.item_transition(item=item, user=cast(User, request.user), **given.validated_data)
        return self.detail(done)


class ItemHistoryApi(StaffApi):
    def get(self, request: Request, pk: int) -> Response:
        item = self.item(pk)
        return paginate(request, self, workflow.item_history(item=item).select_related("revision"), TransitionOutput)


class ItemRevisionListApi(StaffApi):
    def get(self, request: Request, pk: int) -> Response:
        item = self.item(pk)
        return paginate(
            request,
            self,
            workflow.item_revisions(item=item),
            RevisionOutput,
            row=lambda revision: _revision_row(item, revision),
        )


class ItemRevisionDetailApi(StaffApi):
    def get(self, request: Request, pk: int, number: int) -> Response:
        item = self.item(pk)
        row = _revision_row(item, self.revision(item, number), with_data=True)
        return Response(self.revision_detail_output(row).data)


class ItemRestoreApi(StaffApi):
    def post(self, request: Request, pk: int, number: int) -> Response:
        item = self.item(pk)
        body(request, allowed=())
        revision = self.revision(item, number)
        restored = workflow.revision_restore(item=item, revision=revision, user=cast(User, request.user))
        return self.detail(restored)


class ItemDiffApi(StaffApi):
    class DiffQuery(serializers.Serializer[Any]):
        old = serializers.IntegerField(min_value=1, help_text=gettext_lazy("number of the older revision"))
        new = serializers.IntegerField(min_value=1, help_text=gettext_lazy("number of the newer revision"))

    def get(self, request: Request, pk: int) -> Response:
        item = self.item(pk)
        given = query(request, self.DiffQuery)
        old, new = self.revision(item, given["old"]), self.revision(item, given["new"])
        changes = workflow.revision_diff(item=item, old=old, new=new)
        return Response(
            DiffOutput({"old": old.number, "new": new.number, "changes": [dataclasses.asdict(c) for c in changes]}).data
        )


# --- one set of views per item type, each with its own schema ---------------------------------------------


def _serializer(name: str, base: type[serializers.Serializer[Any]], **fields: Any) -> type[serializers.Serializer[Any]]:
    return cast(type[serializers.Serializer[Any]], type(name, (base,), fields))


def kind_views(kind: ItemKind) -> dict[str, type[APIView]]:
    """The staff views of one item type, named ``<Name><Operation>Api``, documented per type."""
    data = kind.data
    attrs: dict[str, Any] = {
        "kind": kind,
        "item_output": _serializer(f"{kind.name}StaffItem", StaffItemOutput, data=data()),
        "item_detail_output": _serializer(f"{kind.name}StaffItemDetail", StaffItemDetailOutput, data=data()),
        "save_input": _serializer(
            f"{kind.name}SaveInput",
            serializers.Serializer,
            data=data(),
            comment=serializers.CharField(
                required=False,
                allow_blank=True,
                default="",
                max_length=500,
                help_text=gettext_lazy("what changed, kept with the revision"),
            ),
        ),
        "revision_detail_output": _serializer(f"{kind.name}RevisionDetail", RevisionOutput, data=data()),
    }
    label = kind.label
    detail = attrs["item_detail_output"]
    errors = gettext_lazy(
        "Refused with an error code and nothing changed: unknown_fields, invalid_content (400), "
        "workflow_forbidden (403), item_not_found (404), item_archived or item_conflict (409)."
    )

    def schema(operation: str, summary: Promise, description: Promise | str = "", **kwargs: Any) -> Any:
        text = lazy_text(summary, kind=label)
        return extend_schema(
            operation_id=f"staff_{kind.segment.replace('-', '_')}_{operation}",
            tags=[TAG_STAFF],
            summary=text,
            description=description or text,
            **kwargs,
        )

    decorated: dict[str, tuple[type[StaffApi], dict[str, Any]]] = {
        "List": (
            ItemListApi,
            {
                "get": schema(
                    "list",
                    gettext_lazy("Staff: list %(kind)s"),
                    lazy_text(
                        gettext_lazy(
                            "The %(kind)s you may see, unpublished ones included, with their working version; "
                            "editors and the board see all, a contributor only their own."
                        ),
                        kind=label,
                    ),
                    parameters=[ItemListApi.ItemFilter, PAGE_PARAMETERS],
                    responses=page_of(f"{kind.name}StaffPage", attrs["item_output"](many=True)),
                ),
                "post": schema(
                    "create",
                    gettext_lazy("Staff: create %(kind)s"),
                    lazy_text(
                        gettext_lazy(
                            "A new draft of %(kind)s; it becomes public only through the workflow. %(errors)s"
                        ),
                        kind=label,
                        errors=errors,
                    ),
                    request=attrs["save_input"],
                    responses={201: detail},
                ),
            },
        ),
        "Detail": (
            ItemDetailApi,
            {
                "get": schema("retrieve", gettext_lazy("Staff: one of the %(kind)s"), responses=detail),
                "patch": schema(
                    "update",
                    gettext_lazy("Staff: save a new version of one of the %(kind)s"),
                    lazy_text(
                        gettext_lazy(
                            "Fields left out keep their working values. While the item is live the public keeps "
                            "the published version until the new one is approved and published. %(errors)s"
                        ),
                        errors=errors,
                    ),
                    request=attrs["save_input"],
                    responses=detail,
                ),
                "delete": schema(
                    "delete",
                    gettext_lazy("Staff: delete one of the %(kind)s"),
                    gettext_lazy(
                        "Only an item that was never published; published content is unpublished or "
                        "archived instead (item_was_published, 409)."
                    ),
                    responses={204: None},
                ),
            },
        ),
        "Transition": (
            ItemTransitionApi,
            {
                "post": schema(
                    "transition",
                    gettext_lazy("Staff: a workflow step on one of the %(kind)s"),
                    gettext_lazy(
                        "submit, forward (two-step review), return (comment required), approve, publish "
                        "(publish_at in the future schedules it), unschedule, unpublish (comment required), "
                        "archive. Refused: workflow_forbidden (403), workflow_invalid_transition or "
                        "portal_not_active (409), comment_required or workflow_unknown_action (400)."
                    ),
                    request=TransitionInput,
                    responses=detail,
                )
            },
        ),
        "History": (
            ItemHistoryApi,
            {
                "get": schema(
                    "history",
                    gettext_lazy("Staff: workflow history of one of the %(kind)s"),
                    gettext_lazy("Who took which step, when, from which state to which, and why; newest first."),
                    parameters=[PAGE_PARAMETERS],
                    responses=TRANSITION_PAGE,
                )
            },
        ),
        "RevisionList": (
            ItemRevisionListApi,
            {
                "get": schema(
                    "revisions_list",
                    gettext_lazy("Staff: revisions of one of the %(kind)s"),
                    gettext_lazy("Every saved version, newest first."),
                    parameters=[PAGE_PARAMETERS],
                    responses=REVISION_PAGE,
                )
            },
        ),
        "RevisionDetail": (
            ItemRevisionDetailApi,
            {
                "get": schema(
                    "revisions_retrieve",
                    gettext_lazy("Staff: one revision of one of the %(kind)s"),
                    responses=attrs["revision_detail_output"],
                )
            },
        ),
        "Restore": (
            ItemRestoreApi,
            {
                "post": schema(
                    "revisions_restore",
                    gettext_lazy("Staff: restore a revision of one of the %(kind)s"),
                    gettext_lazy(
                        "Saves that revision's content as the newest version; it goes through the workflow again."
                    ),
                    request=None,
                    responses=detail,
                )
            },
        ),
        "Diff": (
            ItemDiffApi,
            {
                "get": schema(
                    "diff",
                    gettext_lazy("Staff: differences between two revisions of one of the %(kind)s"),
                    parameters=[ItemDiffApi.DiffQuery],
                    responses=DiffOutput,
                )
            },
        ),
    }
    views: dict[str, type[APIView]] = {}
    for operation, (base, methods) in decorated.items():
        view = type(f"{kind.name}{operation}Api", (base,), dict(attrs))
        views[operation] = extend_schema_view(**methods)(view)
    return views
