"""The accounts screen of the back office — each portal's own (its tenant admin) and the console's.

Every save goes through ``accounts.services`` (naming rule, password rules, audit log). Accounts
are never deleted (Đ10.2.e: they are closed and kept for the record). A tenant admin who is not a
superuser sees neither superusers nor the superuser/permission/staff switches.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from accounts.forms import AccountChangeForm, AccountCreationForm, AccountPasswordSetForm, current_request
from accounts.models import User
from accounts.services import account_create, account_password_issue, account_roles_set, account_unlock, account_update
from portal_platform.audit import current_portal
from portal_platform.errors import ApplicationError

_SUPERUSER_ONLY = ("is_superuser", "user_permissions", "is_staff")


@admin.register(User)
class AccountAdmin(UserAdmin[User]):
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_password_form = AccountPasswordSetForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal information"), {"fields": ("full_name", "email")}),
        (_("Roles and access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Password policy"), {"fields": ("must_change_password", "password_changed_at")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    readonly_fields = ("password_changed_at", "last_login", "date_joined")
    list_display = ("username", "full_name", "email", "is_active", "must_change_password", "last_login")
    list_filter = ("is_active", "must_change_password", "groups")
    search_fields = ("username", "full_name", "email")
    ordering = ("username",)
    actions = ["issue_password", "unlock"]

    # --- what a tenant admin may see and set -------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return tuple(
            (title, {**options, "fields": tuple(f for f in options["fields"] if f not in _SUPERUSER_ONLY)})
            for title, options in fieldsets
        )

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- saving through the services ----------------------------------------------------------------

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        if change:
            return super().save_form(request, form, change)
        data = form.cleaned_data
        actor = request.user if isinstance(request.user, User) else None
        user, _issued = account_create(
            username=data["username"],
            password=data["password1"],
            full_name=data.get("full_name", ""),
            email=data.get("email", ""),
            created_by=actor,
            request=request,
        )
        form.instance = user
        return user

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            return  # account_create saved it (save_form)
        actor = request.user if isinstance(request.user, User) else None
        changed = [name for name in form.changed_data if name not in ("groups", "user_permissions")]
        account_update(user=obj, changed_fields=changed, changed_by=actor, request=request)

    def save_related(self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool) -> None:
        if not change:
            # The add form has no many-to-many fields, and account_create saved the account.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        groups = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if groups is not None:
            actor = request.user if isinstance(request.user, User) else None
            account_roles_set(user=form.instance, groups=groups, changed_by=actor, request=request)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        token = current_request.set(request)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            current_request.reset(token)

    # --- actions -----------------------------------------------------------------------------------

    @admin.action(description=_("Issue a one-time password (reset)"), permissions=["change"])
    def issue_password(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for user in queryset:
            password = account_password_issue(user=user, issued_by=actor, request=request)
            # Shown once, here; it is stored only as its Argon2 hash.
            self.message_user(
                request,
                gettext_now(
                    "One-time password for %(username)s: %(password)s — hand it over in person; "
                    "it must be changed at the first login and will not be shown again."
                )
                % {"username": user.username, "password": password},
                messages.WARNING,
            )

    @admin.action(description=_("Unlock after failed logins"), permissions=["change"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        portal = current_portal()
        for user in queryset:
            try:
                removed = account_unlock(
                    username=user.username, portal=portal, actor=str(request.user.get_username()), request=request
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            if removed:
                text = gettext_now("%(username)s is unlocked.")
            else:
                text = gettext_now("%(username)s was not locked.")
            self.message_user(request, text % {"username": user.username}, messages.SUCCESS)
