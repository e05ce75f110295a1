"""Django's admin as the portal's back office for now (one per tenant host, /admin/).

Permissions are the editorial roles' (``content.roles``, granted by ``roles_apply``); the rules
below make the workflow permissions visible here: publishing and confirming a page's review need
their own permissions, and a published page can only be changed by someone who may publish, so an
edit never reaches the public without the board (Decision 80/2025 Đ3.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from content import services
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
from tenants.context import tenant_db

if TYPE_CHECKING:
    # django-stubs makes the admin classes generic; Django itself does not (no __class_getitem__).
    _ModelAdmin = admin.ModelAdmin[Any]
    _MenuItemInlineBase = admin.TabularInline[MenuItem, Menu]
    _BoardMemberInlineBase = admin.TabularInline[BoardMember, EditorialBoard]
else:
    _ModelAdmin = admin.ModelAdmin
    _MenuItemInlineBase = admin.TabularInline
    _BoardMemberInlineBase = admin.TabularInline


class PortalOnlyAdmin(_ModelAdmin):
    """Hidden on the console: the same admin site serves the public schema, which has no content tables."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return tenant_db.schema_name != settings.PUBLIC_SCHEMA_NAME and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return tenant_db.schema_name != settings.PUBLIC_SCHEMA_NAME and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return tenant_db.schema_name != settings.PUBLIC_SCHEMA_NAME and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return tenant_db.schema_name != settings.PUBLIC_SCHEMA_NAME and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return tenant_db.schema_name != settings.PUBLIC_SCHEMA_NAME and super().has_delete_permission(request, obj)


@admin.register(Category)
class CategoryAdmin(PortalOnlyAdmin):
    list_display = ("name", "parent", "slug", "order", "is_visible", "updated_at")
    list_editable = ("order", "is_visible")
    list_filter = ("is_visible", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("parent", "name", "name_en", "slug", "order", "is_visible", "description")
    list_select_related = ("parent",)


@admin.register(Page)
class PageAdmin(PortalOnlyAdmin):
    list_display = ("title", "kind", "slug", "status", "live", "last_reviewed_at", "updated_at")
    list_filter = ("kind", "status", "live")
    search_fields = ("title", "title_en", "slug")
    fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "body")}),
        (_("English"), {"fields": ("title_en", "body_en")}),
    )


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
    fieldsets = (
        (_("Header"), {"fields": ("header_mark", "logo_url", "agency_name_en")}),
        (_("Footer"), {"fields": ("footer_text", "footer_text_en", "copyright", "copyright_en")}),
        (_("Links and monitoring"), {"fields": ("link_groups", "show_portal_directory", "emc_script_url")}),
        (None, {"fields": ("template_key", "template_version", "template_applied_at")}),
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
