"""API permissions. Kept apart from portal_platform.api: DRF imports the default permission class
while it loads its own views module, so this module must not import rest_framework.views."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsOperator(BasePermission):
    """Staff of the Provincial Portal unit: accounts in the public schema marked as staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
