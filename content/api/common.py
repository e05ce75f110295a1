"""What the public and the staff endpoints share: pagination, the staff permission, input checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django.conf import settings
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from content.services.workflow import WRITERS, actor_roles
from portal_platform.errors import ValidationFailed
from tenants.context import on_console

# Lazy, so that the schema shows them in the request's language; typed as the str they render to.
TAG_PUBLIC = cast(str, _("Published content"))
TAG_STAFF = cast(str, _("Editorial work"))


def _format(template: Promise | str, values: Mapping[str, Any]) -> str:
    return str(template) % {key: str(value) for key, value in values.items()}


_lazy_format = lazy(_format, str)


def lazy_text(template: Promise | str, **values: Any) -> str:
    """``template % values``, translated when read (the OpenAPI schema is rendered per request language)."""
    return _lazy_format(template, values)


class ContentPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


PAGE_PARAMETERS = inline_serializer(
    name="PageQuery",
    fields={
        "page": serializers.IntegerField(required=False, min_value=1, help_text=_("page number, from 1")),
        "page_size": serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=ContentPagination.max_page_size,
            help_text=_("items per page (20 unless given, at most 100)"),
        ),
    },
)


def page_of(name: str, item: serializers.Serializer[Any]) -> serializers.Serializer[Any]:
    """The schema of one page of ``item``s as ``ContentPagination`` returns it."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(help_text=_("number of items on all pages")),
            "next": serializers.URLField(allow_null=True, help_text=_("address of the next page")),
            "previous": serializers.URLField(allow_null=True, help_text=_("address of the previous page")),
            "results": item,
        },
    )


def paginate(
    request: Request,
    view: Any,
    rows: Any,
    output: type[serializers.Serializer[Any]],
    *,
    row: Callable[[Any], Any] | None = None,
) -> Response:
    """One page of ``rows`` through ``output``; ``row`` prepares each shown item (only those)."""
    paginator = ContentPagination()
    page = paginator.paginate_queryset(rows, request, view=view) or []
    shown = [row(item) for item in page] if row is not None else page
    return paginator.get_paginated_response(output(shown, many=True, context={"request": request}).data)


def query(request: Request, filters: type[serializers.Serializer[Any]]) -> dict[str, Any]:
    """The validated query parameters (400 ``invalid_input`` when one is malformed)."""
    given = filters(data=request.query_params)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


# --- staff ------------------------------------------------------------------------------------------


class PortalSessionScheme(OpenApiAuthenticationExtension):
    """The staff endpoints' session, documented as drf-spectacular documents Django's own."""

    target_class = "portal_platform.authentication.PortalSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class EditorialStaff(BasePermission):
    """An active account of *this* portal holding an editorial role (contributor and up).

    The account comes from this portal's own schema: sessions are stored per schema and bound to
    it, and tokens are refused on portal hosts (``portal_platform.authentication``). The portal
    administrator role alone writes no content, so it does not open these endpoints either.
    """

    message = _("Only members of this portal's editorial staff can use this.")
    code = "editorial_role_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated or on_console():
            return False
        return bool(actor_roles(user) & WRITERS)


def body(request: Request, *, allowed: Iterable[str]) -> dict[str, Any]:
    """The request's JSON object, refused whole (``unknown_fields``) when it has a key not in ``allowed``.

    Serializers drop keys they do not know; here an unknown key (``"live": true``, ``"status"``)
    means the client expects something this endpoint will not do, so nothing is done.
    """
    data = request.data
    if not isinstance(data, Mapping):
        raise ValidationFailed(_("The request body must be a JSON object."), code="invalid_input")
    unknown_fields(data, allowed=allowed)
    return dict(data)


def unknown_fields(data: Mapping[str, Any], *, allowed: Iterable[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
            extra={"fields": unknown},
        )


def to_json(value: Any) -> Any:
    """Validated input as the JSON values revisions keep (dates as ISO strings)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value
