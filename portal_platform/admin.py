"""The audit log in Django's admin: read-only, on both kinds of host.

On the console the operators search every portal's entries (filters: portal, action, date; search
by actor, subject or address; a date range with ``?created_at__date__gte=…&created_at__date__lte=…``).
On a portal's host the tenant admin (the role holding ``portal_platform.view_auditlog``) searches
that portal's entries only. Nobody adds, changes or deletes entries here — and the database
refuses it anyway (migration 0002).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from portal_platform.audit import ACTION_LABELS
from portal_platform.models import AuditLog
from tenants.context import on_console
from tenants.models import Portal

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[AuditLog]
else:
    _ModelAdmin = admin.ModelAdmin


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(ACTION_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(AuditLog)
class AuditLogAdmin(_ModelAdmin):
    list_display = ("created_at", "portal", "action_label", "actor", "target", "ip_address")
    list_select_related = ("portal",)
    search_fields = ("actor", "target", "ip_address", "action")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "portal", "action", "actor", "target", "ip_address", "data")
    fields = readonly_fields
    list_per_page = 50

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: AuditLog) -> str:
        label = ACTION_LABELS.get(obj.action)
        return str(label) if label is not None else obj.action

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditLog]:
        queryset = super().get_queryset(request)
        if on_console():
            return queryset
        # A portal's back office reads its own portal's entries and nothing else.
        portal = getattr(request, "tenant", None)
        return queryset.filter(portal=portal) if isinstance(portal, Portal) else queryset.none()

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        shown = tuple(self.list_display)
        return shown if on_console() else tuple(name for name in shown if name != "portal")

    def get_list_filter(self, request: HttpRequest) -> tuple[Any, ...]:
        if on_console():
            return (("portal", admin.RelatedOnlyFieldListFilter), ActionFilter, "created_at")
        return (ActionFilter, "created_at")

    def _allowed(self, request: HttpRequest) -> bool:
        user = request.user
        if on_console():
            return bool(user.is_active and user.is_staff)
        return bool(user.is_active and user.is_staff and user.has_perm("portal_platform.view_auditlog"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False


# One admin site serves every host: name it for what it is, in the reader's language.
admin.site.site_header = _("E-portal administration")
admin.site.site_title = _("E-portal administration")
admin.site.index_title = _("Administration")


class ConsoleOnlyTokenAdmin(TokenAdmin):
    """API tokens belong to console operators (public schema); no portal's back office lists them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return on_console() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return on_console() and super().has_view_permission(request, obj)


admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, ConsoleOnlyTokenAdmin)

# Strings of Django's admin that its own Vietnamese catalogue lacks, so that ours provides them.
_ADMIN_STRINGS = (gettext_noop("Show counts"), gettext_noop("Hide counts"))
