"""The one exception handler of the REST API: every error is {"error": {"code", "message", "details"?}}
with a stable ``code`` and a message in the request's language (Vietnamese by default)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal_platform.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if exc.extra:
            body["details"] = exc.extra
        return Response({"error": body}, status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid_input", "message": _("The input is not valid."), "details": response.data}
    else:
        detail = getattr(exc, "detail", "")
        body = {"code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"), "message": str(detail)}
    response.data = {"error": body}
    return response
