"""Django's admin as the portal's back office for now (one per tenant host, /admin/).

Permissions are the editorial roles' (``content.roles``, granted by ``roles_apply``); the rules
below make the workflow permissions visible here: publishing and confirming a page's review need
their own permissions, and a published page can only be changed by someone who may publish, so an
edit never reaches the public without the board (Decision 80/2025 Đ3.5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from content.models import AuditEvent, Category, Menu, MenuItem, Page, Role, SiteSettings
from tenants.context import tenant_db

if TYPE_CHECKING:
    # django-stubs makes the admin classes generic; Django itself does not (no __class_getitem__).
    _ModelAdmin = admin.ModelAdmin[Any]
    _MenuItemInlineBase = admin.TabularInline[MenuItem, Menu]
else:
    _ModelAdmin = admin.ModelAdmin
    _MenuItemInlineBase = admin.TabularInline


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
    list_display = ("title", "kind", "slug", "is_published", "last_reviewed_at", "updated_at")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "title_en", "slug")
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "body")}),
        (_("English"), {"fields": ("title_en", "body_en")}),
        (_("Publication"), {"fields": ("is_published", "last_reviewed_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Page | None = None) -> tuple[str, ...]:
        readonly: list[str] = []
        if not request.user.has_perm("content.publish_page"):
            readonly.append("is_published")
        if not request.user.has_perm("content.review_page"):
            readonly.append("last_reviewed_at")
        return tuple(readonly)

    def has_change_permission(self, request: HttpRequest, obj: Page | None = None) -> bool:
        # Editing a published page changes what the public reads: only those who may publish.
        if obj is not None and obj.is_published and not request.user.has_perm("content.publish_page"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Page | None = None) -> bool:
        if obj is not None and obj.is_published and not request.user.has_perm("content.publish_page"):
            return False
        return super().has_delete_permission(request, obj)


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
