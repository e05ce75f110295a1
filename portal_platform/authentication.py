"""API authentication: DRF's tokens, on the console only.

Tokens live in the public schema (``rest_framework.authtoken`` is a shared app) and point at their
account by id. On a portal's host the search path is "<portal schema>, public": the token row would
be found in the public schema while its user would be read from the portal's *own* accounts table,
so an operator's token would authenticate as whichever portal account happens to have the same id.
Portal accounts therefore authenticate with their session (stored in their portal's schema), and a
token sent to a portal's host is refused outright rather than silently ignored.

Kept apart from portal_platform.api for the same reason as portal_platform.permissions: DRF imports
the default authentication classes while it loads its own views module.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication, TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from tenants.context import on_console


def _refuse_token(request: Request, keyword: str) -> None:
    parts = get_authorization_header(request).split()
    if parts and parts[0].lower() == keyword.lower().encode():
        raise AuthenticationFailed(
            _("API tokens are valid only on the console. Sign in to this portal instead."),
            code="token_console_only",
        )


class ConsoleTokenAuthentication(TokenAuthentication):
    """``Authorization: Token …`` on the console host; refused (401, ``token_console_only``) elsewhere."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if on_console():
            return super().authenticate(request)
        _refuse_token(request, self.keyword)
        return None


class PortalSessionAuthentication(SessionAuthentication):
    """A portal account's session, for the portal's own API; a token sent along is refused, not ignored."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        _refuse_token(request, TokenAuthentication.keyword)
        return super().authenticate(request)
