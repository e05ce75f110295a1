"""Session and password policy on every request (Decision 80/2025 Đ10.2.đ).

- ``SessionPolicyMiddleware``: a session ends when the account's session epoch has moved on
  (logout elsewhere, password change, reset, closure) or when it is older than
  ``SESSION_ABSOLUTE_SECONDS``; the idle time-out is the session's own age, renewed on every request.
- ``PasswordChangeRequiredMiddleware``: an issued or expired password must be changed before any
  other page can be reached; a warning in the days before expiry.
- ``PasswordChangeNotRequired``: the same rule for the REST API (403, code
  ``password_change_required``), in DEFAULT_PERMISSION_CLASSES.

This module must not import rest_framework.views: DRF imports the default permission classes while
it loads its own views module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import User
from accounts.services import (
    SESSION_EPOCH_KEY,
    SESSION_EXPIRY_WARNED_KEY,
    SESSION_LOGIN_AT_KEY,
    password_change_reason,
    password_days_left,
)


def _account(request: HttpRequest | Request) -> User | None:
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


class SessionPolicyMiddleware:
    """End sessions from an older epoch or past their absolute lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _account(request)
        if user is not None:
            session = request.session
            now = int(timezone.now().timestamp())
            epoch = session.get(SESSION_EPOCH_KEY)
            login_at = session.get(SESSION_LOGIN_AT_KEY)
            if epoch is None or login_at is None:
                # A session opened before these rules existed: it starts counting now.
                session.setdefault(SESSION_EPOCH_KEY, user.session_epoch)
                session.setdefault(SESSION_LOGIN_AT_KEY, now)
            elif epoch != user.session_epoch or now - int(login_at) > settings.SESSION_ABSOLUTE_SECONDS:
                # Not django.contrib.auth.logout(): that would count as a logout of the account and
                # end its other sessions too.
                session.flush()
                request.user = AnonymousUser()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An issued or expired password must be changed before anything else can be done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = _account(request)
        if user is None:
            return self.get_response(request)
        change_url = reverse("password-change")
        if request.path == reverse("admin:password_change"):
            # One change-password page for everyone: it records the change date and ends the
            # account's other sessions, which Django's admin page does not.
            return HttpResponseRedirect(change_url)
        reason = password_change_reason(user=user)
        if reason is not None:
            exempt = (
                request.path in {change_url, reverse("admin:logout")}
                or request.path.startswith(settings.STATIC_URL)
                # The REST API answers with its own 403 (PasswordChangeNotRequired), not a redirect.
                or request.path.startswith("/api/")
            )
            if not exempt:
                return HttpResponseRedirect(f"{change_url}?{urlencode({'next': request.get_full_path()})}")
        else:
            self._warn_before_expiry(request, user)
        return self.get_response(request)

    @staticmethod
    def _warn_before_expiry(request: HttpRequest, user: User) -> None:
        days = password_days_left(user=user)
        if days > settings.PASSWORD_EXPIRY_WARNING_DAYS:
            return
        today = timezone.localdate().isoformat()
        if request.session.get(SESSION_EXPIRY_WARNED_KEY) == today:
            return  # once a day is enough
        request.session[SESSION_EXPIRY_WARNED_KEY] = today
        messages.warning(
            request,
            ngettext(
                "Your password expires in %(days)d day. Change it now at “Change password”.",
                "Your password expires in %(days)d days. Change it now at “Change password”.",
                days,
            )
            % {"days": days},
        )


class PasswordChangeNotRequired(BasePermission):
    """API calls by an account whose password is issued or expired are refused until it changes it."""

    message = _("You must change your password before you can continue.")
    code = "password_change_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = _account(request)
        return user is None or password_change_reason(user=user) is None
