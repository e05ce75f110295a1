from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User
from accounts.services import account_password_set
from portal_platform.errors import ValidationFailed


@login_required(login_url="admin:login")
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the only page an account with an issued password can reach."""
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_password_set(user=user, password=form.cleaned_data["new_password1"])
        except ValidationFailed as exc:
            form.add_error("new_password1", exc.message)
        else:
            update_session_auth_hash(request, user)
            target = request.GET.get("next", "/admin/")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/admin/"
            return HttpResponseRedirect(target)
    return render(request, "accounts/password_change.html", {"form": form, "forced": user.must_change_password})
