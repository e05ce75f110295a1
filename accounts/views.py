from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import CHANGE_EXPIRED, CHANGE_ISSUED, account_password_set, password_change_reason
from portal_platform.errors import ValidationFailed


@login_required(login_url="admin:login")
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the only page an account with an issued or expired password can
    reach. The account's other sessions end; this one stays."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_password_set(user=user, password=form.cleaned_data["new_password1"], keep_request=request)
        except ValidationFailed as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            target = request.GET.get("next", "/admin/")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/admin/"
            return HttpResponseRedirect(target)
    reason = password_change_reason(user=user)
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": reason == CHANGE_ISSUED, "expired": reason == CHANGE_EXPIRED},
    )


def lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, object] | None = None
) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE), in Vietnamese, with 429 Too Many Requests."""
    from django.conf import settings

    cooloff = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "accounts/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else 0,
        },
        status=429,
    )
