"""A password issued by someone else must be changed before anything else can be done (Đ10.2.đ)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("password-change"), reverse("admin:logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return HttpResponseRedirect(f"{reverse('password-change')}?next={request.path}")
        return self.get_response(request)
