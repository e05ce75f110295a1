"""The one error hierarchy of the platform.

Services raise ``ApplicationError`` subclasses with a stable ``code`` (used by API clients and
tests) and a Vietnamese ``message`` (shown on screens). The API exception handler and the console
views render them; nothing else should invent its own error shape.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    code: str = "application_error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    code = "validation_failed"


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409


class Forbidden(ApplicationError):
    """The caller is known but their role does not allow this operation."""

    code = "forbidden"
    http_status = 403
