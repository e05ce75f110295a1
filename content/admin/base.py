"""What every model admin of a portal's back office shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest

from tenants.context import tenant_db

if TYPE_CHECKING:
    # django-stubs makes the admin classes generic; Django itself does not (no __class_getitem__).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


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
