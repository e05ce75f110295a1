"""Django's admin as the portal's back office for now (one per tenant host, /admin/).

Permissions are the editorial roles' (``content.roles``, granted by ``roles_apply``). Background
pages are workflow items (``content.admin.workflow``): an edit of a published page waits for the
board's approval while the published version stays online (Decision 80/2025 Đ3.5), and confirming
that a page is still accurate needs its own permission (Đ6.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from content import services
from content.admin.base import PortalOnlyAdmin
from content.admin.workflow import QueueFilter, WorkflowAdmin
from content.models import (
    AuditEvent,
    BoardMember,
    Category,
    EditorialBoard,
    Menu,
    MenuItem,
    Page,
    Role,
    SiteSettings,
)
from portal_platform.errors import ApplicationError

if TYPE_CHECKING:
    # django-stubs makes the admin classes generic; Django itself does not (no __class_getitem__).
    _MenuItemInlineBase = admin.TabularInline[MenuItem, Menu]
    _BoardMemberInlineBase = admin.TabularInline[BoardMember, EditorialBoard]
else:
    _MenuItemInlineBase = admin.TabularInline
    _BoardMemberInlineBase = admin.TabularInline


@admin.register(Category)
class CategoryAdmin(PortalOnlyAdmin):
    list_display = ("name", "parent", "slug", "order", "is_visible", "updated_at")
    list_editable = ("order", "is_visible")
    list_filter = ("is_visible", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("parent", "name", "name_en", "slug", "order", "is_visible", "description")
    list_select_related = ("parent",)


class StaleFilter(admin.SimpleListFilter):
    """Pages due for review (Decision 80/2025 Đ6.3): never confirmed, or not within the set period."""

    title = _("review")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Due for review")), ("no", _("Up to date"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(is_stale=self.value() == "yes")  # annotated by PageAdmin.get_queryset
        return queryset


@admin.register(Page)
class PageAdmin(WorkflowAdmin):
    """Background pages go through the workflow like any item, and are confirmed up to date periodically."""

    change_form_template = "admin/content/page/change_form.html"
    content_fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "body")}),
        (_("English"), {"fields": ("title_en", "body_en")}),
    )
    workflow_fields = (*WorkflowAdmin.workflow_fields, "last_reviewed_at")
    list_display = ("title", "kind", "status", "live", "pending", "stale", "reviewed_on", "updated_at")
    list_filter = (QueueFilter, StaleFilter, "kind", "status", "live")
    search_fields = ("title", "title_en", "slug")
    actions = ("confirm_reviewed",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return services.pages_review_state(super().get_queryset(request))

    @admin.display(boolean=True, description=_("due for review"), ordering="is_stale")
    def stale(self, obj: Page) -> bool:
        return bool(getattr(obj, "is_stale", False))

    @admin.display(description=_("last reviewed"), ordering="reviewed_on")
    def reviewed_on(self, obj: Page) -> Any:
        return getattr(obj, "reviewed_on", None)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("content.review_page")

    @admin.action(description=_("Confirm that the selected pages are up to date"), permissions=["review"])
    def confirm_reviewed(self, request: HttpRequest, queryset: QuerySet[Page]) -> None:
        user = request.user
        assert isinstance(user, User)
        done = 0
        for page in queryset:
            try:
                services.page_review_confirm(page=page, user=user)
            except ApplicationError as exc:
                messages.error(request, f"{page}: {exc.message}")
            else:
                done += 1
        if done:
            messages.success(request, _("%(count)s page(s) confirmed as up to date.") % {"count": done})

    def workflow_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        context = super().workflow_context(request, obj)
        context["stale"] = bool(getattr(obj, "is_stale", False))
        context["review_days"] = services.page_review_days()
        context["can_confirm"] = obj.live and self.has_review_permission(request)
        context["confirm_url"] = self._url("review_confirm", obj.pk)
        return context

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(
                "<path:object_id>/xac-nhan-ra-soat/",
                self.admin_site.admin_view(self.review_confirm_view),
                name=f"{info}_review_confirm",
            )
        ]
        return own + super().get_urls()

    def review_confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The page's "still accurate" button (``page_review_confirm``)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        page = self._item_or_404(request, object_id)
        user = request.user
        assert isinstance(user, User) and isinstance(page, Page)
        try:
            services.page_review_confirm(page=page, user=user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("“%(page)s” is confirmed as up to date.") % {"page": page})
        return HttpResponseRedirect(self._url("change", page.pk))


class MenuItemInline(_MenuItemInlineBase):
    model = MenuItem
    extra = 0
    fields = ("order", "parent", "label", "label_en", "category", "page", "url", "key")
    readonly_fields = ("key",)  # the template's stable key; hand-made items have none

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "parent":
            # One level of nesting: only top-level items can be parents (same menu: MenuItem.clean).
            kwargs["queryset"] = MenuItem.objects.filter(parent__isnull=True).select_related("menu")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Menu)
class MenuAdmin(PortalOnlyAdmin):
    list_display = ("name", "key", "updated_at")
    fields = ("key", "name")
    readonly_fields = ("key",)  # the public site finds its menus by key
    inlines = (MenuItemInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Menu | None = None) -> bool:
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(PortalOnlyAdmin):
    list_display = ("__str__", "template_key", "template_version", "updated_at")
    fields = (
        "review_steps",
        "page_review_days",
        "footer_text",
        "footer_text_en",
        "copyright",
        "copyright_en",
        "template_key",
        "template_version",
        "template_applied_at",
    )
    readonly_fields = ("template_key", "template_version", "template_applied_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the one row is made by provisioning

    def has_delete_permission(self, request: HttpRequest, obj: SiteSettings | None = None) -> bool:
        return False


@admin.register(Role)
class RoleAdmin(PortalOnlyAdmin):
    """Read-only: which group plays which role is set by ``roles_apply`` from the site template."""

    list_display = ("key", "group", "updated_at")
    list_select_related = ("group",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Role]:
        return super().get_queryset(request).select_related("group")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Role | None = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(PortalOnlyAdmin):
    """Read-only: the audit trail is appended by services, never edited."""

    list_display = ("created_at", "action", "actor", "object_repr")
    list_filter = ("action",)
    search_fields = ("action", "actor", "object_repr")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


# --- editorial board ----------------------------------------------------------------------------
# Writes go through content.services (which keep the role groups in step and record the audit
# log); the forms ask the services' checks first so that a broken rule is shown on the form, in
# Vietnamese, with nothing saved.


def _error_apply(form: forms.BaseForm, exc: ApplicationError) -> None:
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


class EditorialBoardForm(forms.ModelForm[EditorialBoard]):
    class Meta:
        model = EditorialBoard
        fields = ("decision_number", "decision_date", "issuer", "note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and not self.errors:
            try:
                services.board_create_check(
                    decision_number=cleaned.get("decision_number", ""),
                    decision_date=cleaned["decision_date"],
                    issuer=cleaned.get("issuer", ""),
                )
            except ApplicationError as exc:
                _error_apply(self, exc)
        return cleaned


class BoardMemberInline(_BoardMemberInlineBase):
    """The board's seats, past and present, for reading; seats are added and ended on their own page."""

    model = BoardMember
    extra = 0
    can_delete = False
    fields = ("account", "position", "starts_on", "ends_on")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EditorialBoard)
class EditorialBoardAdmin(PortalOnlyAdmin):
    """Only the tenant admin's role holds the board's permissions (site templates)."""

    form = EditorialBoardForm
    list_display = ("decision_number", "decision_date", "issuer", "is_current", "sitting_members")
    list_filter = ("is_current",)
    search_fields = ("decision_number", "issuer")
    inlines = (BoardMemberInline,)

    def get_inlines(self, request: HttpRequest, obj: EditorialBoard | None) -> tuple[type[Any], ...]:
        return self.inlines if obj is not None else ()  # a new board has no seats yet

    @admin.display(description=_("sitting members"))
    def sitting_members(self, obj: EditorialBoard) -> int:
        return obj.members.filter(ends_on__isnull=True).count()

    def get_readonly_fields(self, request: HttpRequest, obj: EditorialBoard | None = None) -> tuple[str, ...]:
        # A decision is a record: once entered it is not rewritten (a new decision makes a new board).
        if obj is not None:
            return ("decision_number", "decision_date", "issuer", "note", "is_current", "created_by", "created_at")
        return ()

    def save_model(self, request: HttpRequest, obj: EditorialBoard, form: Any, change: bool) -> None:
        if change:
            return  # nothing on an existing board is editable here
        board = services.board_create(
            decision_number=obj.decision_number,
            decision_date=obj.decision_date,
            issuer=obj.issuer,
            note=obj.note,
            actor=request.user.get_username(),
            request=request,
        )
        obj.pk = board.pk
        obj.is_current = board.is_current
        obj.created_at = board.created_at

    def has_delete_permission(self, request: HttpRequest, obj: EditorialBoard | None = None) -> bool:
        return False


class BoardMemberForm(forms.ModelForm[BoardMember]):
    class Meta:
        model = BoardMember
        fields = ("board", "account", "position", "starts_on", "ends_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["board"].queryset = EditorialBoard.objects.filter(is_current=True)
            current = EditorialBoard.objects.filter(is_current=True).first()
            if current is not None:
                self.fields["board"].initial = current.pk
            self.fields["account"].queryset = User.objects.filter(is_active=True).order_by("username")
            self.fields["starts_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                services.board_member_check(
                    board=cleaned["board"], account=cleaned["account"], position=cleaned["position"]
                )
            elif (
                cleaned.get("ends_on") is not None
                and self.instance.starts_on is not None
                and cleaned["ends_on"] < self.instance.starts_on
            ):
                self.add_error("ends_on", _("The end date cannot be before the start date."))
        except ApplicationError as exc:
            _error_apply(self, exc)
        return cleaned


@admin.register(BoardMember)
class BoardMemberAdmin(PortalOnlyAdmin):
    """Seat an account on the current board, or end a seat by giving its end date."""

    form = BoardMemberForm
    list_display = ("account", "position", "board", "starts_on", "ends_on")
    list_filter = ("position", ("ends_on", admin.EmptyFieldListFilter), "board")
    search_fields = ("account__username", "account__full_name")
    list_select_related = ("account", "board")

    def get_fields(self, request: HttpRequest, obj: BoardMember | None = None) -> list[Any]:
        # A seat starts open; it is ended later, from its own page.
        if obj is None:
            return ["board", "account", "position", "starts_on"]
        return ["board", "account", "position", "starts_on", "ends_on", "created_by", "ended_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: BoardMember | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        fixed = ("board", "account", "position", "starts_on", "created_by", "ended_by")
        return fixed if obj.ends_on is None else (*fixed, "ends_on")

    def save_model(self, request: HttpRequest, obj: BoardMember, form: Any, change: bool) -> None:
        actor = request.user.get_username()
        if not change:
            seat = services.board_member_add(
                board=obj.board,
                account=obj.account,
                position=obj.position,
                starts_on=obj.starts_on,
                actor=actor,
                request=request,
            )
            obj.pk = seat.pk
            return
        ends_on = form.cleaned_data.get("ends_on")
        if ends_on is not None:
            services.board_member_end(seat=obj, ends_on=ends_on, actor=actor, request=request)

    def has_delete_permission(self, request: HttpRequest, obj: BoardMember | None = None) -> bool:
        return False
