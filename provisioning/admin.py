"""Account closures in Django's admin, on both kinds of host.

On a portal's host (its back office) the tenant admin files closure requests for that portal's own
accounts and follows them; the rows of other portals are never listed or reachable. On the console
the operators of the Provincial Portal unit see every portal's requests and execute or reject them
(actions). Every write goes through ``provisioning.services``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal_platform.errors import ApplicationError
from provisioning import services
from provisioning.models import AccountClosure
from tenants.context import on_console
from tenants.models import Portal, PortalStatus

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[AccountClosure]
else:
    _ModelAdmin = admin.ModelAdmin


def is_operator(request: HttpRequest) -> bool:
    """Staff of the Provincial Portal unit: active staff accounts of the public schema."""
    user = request.user
    return on_console() and bool(user.is_active and user.is_staff)


def request_portal(request: HttpRequest) -> Portal | None:
    portal = getattr(request, "tenant", None)
    return portal if isinstance(portal, Portal) else None


def _active_accounts() -> list[tuple[str, str]]:
    """Active accounts of the schema the request is in, as form choices."""
    return [
        (user.username, f"{user.username} — {user.full_name}" if user.full_name else user.username)
        for user in User.objects.filter(is_active=True).order_by("username")
    ]


class ClosureForm(forms.ModelForm[AccountClosure]):
    """Filing a closure request. On a portal's host the accounts are chosen among its own active
    accounts; on the console the operator names the portal and types the usernames."""

    class Meta:
        model = AccountClosure
        fields = ("portal", "username", "successor_username", "request_reference", "reason")

    def __init__(self, *args: Any, portal: Portal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.portal = portal
        self.fields["successor_username"].error_messages["required"] = _(
            "Name the account that takes over the closed account's work: a closure needs a successor."
        )
        if portal is not None:
            self.instance.portal = portal  # the filing portal is the host's, never a choice
            self.fields.pop("portal", None)
            choices = [("", "---------"), *_active_accounts()]
            required = {"required": self.fields["successor_username"].error_messages["required"]}
            self.fields["username"] = forms.ChoiceField(label=_("account to close"), choices=choices)
            self.fields["successor_username"] = forms.ChoiceField(
                label=_("account that takes over"), choices=choices, error_messages=required
            )
        else:
            self.fields["portal"].queryset = Portal.objects.exclude(  # type: ignore[attr-defined]
                status=PortalStatus.PROVISIONING
            ).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        portal = self.portal or cleaned.get("portal")
        if self.errors or portal is None:
            return cleaned
        try:
            services.account_closure_check(
                portal=portal,
                username=cleaned.get("username", ""),
                successor_username=cleaned.get("successor_username", ""),
                request_reference=cleaned.get("request_reference", ""),
            )
        except ApplicationError as exc:
            field = exc.extra.get("field")
            self.add_error(field if field in self.fields else None, exc.message)
        return cleaned


class DecisionActionForm(ActionForm):
    reason = forms.CharField(label=_("reason for rejection"), required=False)


@admin.register(AccountClosure)
class AccountClosureAdmin(_ModelAdmin):
    form = ClosureForm
    action_form = DecisionActionForm
    list_display = (
        "requested_at",
        "portal",
        "username",
        "successor_username",
        "request_reference",
        "status",
        "decided_by",
        "decided_at",
    )
    list_select_related = ("portal",)
    search_fields = ("username", "successor_username", "request_reference")
    date_hierarchy = "requested_at"
    actions = ("execute", "reject")

    # --- what each host shows ---

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccountClosure]:
        queryset = super().get_queryset(request)
        if on_console():
            return queryset
        # A portal's back office sees its own portal's requests and nothing else.
        portal = request_portal(request)
        return queryset.filter(portal=portal) if portal is not None else queryset.none()

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        shown = tuple(self.list_display)
        return shown if on_console() else tuple(name for name in shown if name != "portal")

    def get_list_filter(self, request: HttpRequest) -> tuple[Any, ...]:
        return ("status", ("portal", admin.RelatedOnlyFieldListFilter)) if on_console() else ("status",)

    def get_fields(self, request: HttpRequest, obj: AccountClosure | None = None) -> list[Any]:
        if obj is None:
            base = ["username", "successor_username", "request_reference", "reason"]
            return ["portal", *base] if on_console() else base
        return [
            "portal",
            "username",
            "successor_username",
            "request_reference",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "reject_reason",
            "handed_over",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: AccountClosure | None = None) -> list[str]:
        return self.get_fields(request, obj) if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: AccountClosure | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None or on_console():
            return form_class
        portal = request_portal(request)

        class PortalClosureForm(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, portal=portal, **inner)

        return PortalClosureForm

    # --- permissions: operators on the console, the role's permissions on a portal ---

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request) if on_console() else super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: AccountClosure | None = None) -> bool:
        return is_operator(request) if on_console() else super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_operator(request) if on_console() else super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: AccountClosure | None = None) -> bool:
        return False  # a request is filed, then executed or rejected: never edited

    def has_delete_permission(self, request: HttpRequest, obj: AccountClosure | None = None) -> bool:
        return False  # kept for audit

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return is_operator(request)

    # --- writes ---

    def save_model(self, request: HttpRequest, obj: AccountClosure, form: Any, change: bool) -> None:
        closure = services.account_closure_file(
            portal=obj.portal if on_console() else form.portal,
            username=obj.username,
            successor_username=obj.successor_username,
            request_reference=obj.request_reference,
            reason=obj.reason,
            requested_by=request.user.get_username(),
            request=request,
        )
        obj.pk = closure.pk
        obj.requested_at = closure.requested_at

    @admin.action(description=_("Execute the selected closures"), permissions=["decide"])
    def execute(self, request: HttpRequest, queryset: QuerySet[AccountClosure]) -> None:
        done = 0
        for closure in queryset:
            try:
                services.account_closure_execute(
                    closure=closure, executed_by=request.user.get_username(), request=request
                )
            except ApplicationError as exc:
                self.message_user(request, f"{closure}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d closure(s) executed.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Reject the selected closures (give the reason)"), permissions=["decide"])
    def reject(self, request: HttpRequest, queryset: QuerySet[AccountClosure]) -> None:
        reason = request.POST.get("reason", "")
        done = 0
        for closure in queryset:
            try:
                services.account_closure_reject(
                    closure=closure, reason=reason, rejected_by=request.user.get_username(), request=request
                )
            except ApplicationError as exc:
                self.message_user(request, f"{closure}: {exc.message}", messages.ERROR)
                if exc.code == "reason_required":
                    return
            else:
                done += 1
        if done:
            self.message_user(request, _("%(count)d closure(s) rejected.") % {"count": done}, messages.SUCCESS)
