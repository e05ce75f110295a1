"""Back-office forms for accounts: the naming rule on the name, the password rules on passwords, and
every save through ``accounts.services``."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import SetPasswordMixin, UserChangeForm, UserCreationForm, UsernameField
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import account_password_set
from accounts.validators import current_abbreviation, username_rule_text, validate_username

# The request of the admin view that is saving a password form: Django's admin builds that form
# without the request, and the service needs to know who issued the password (and from where).
current_request: ContextVar[HttpRequest | None] = ContextVar("accounts_form_request", default=None)


class _UsernameRuleMixin:
    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]

    def _username_help(self) -> None:
        if "username" in self.fields:
            self.fields["username"].help_text = username_rule_text(current_abbreviation())

    def clean_username(self) -> str:
        username = str(self.cleaned_data.get("username") or "").strip()
        validate_username(username)
        return username


class AccountCreationForm(_UsernameRuleMixin, UserCreationForm[User]):
    """Add an account: its name follows Đ10.2.d; the password given here is an issued one."""

    class Meta:
        model = User
        fields = ("username", "full_name", "email")
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._username_help()
        self.fields["full_name"].required = True
        self.fields["password1"].help_text = _(
            "A temporary password you hand to the person; they must change it at their first login."
        )

    def clean_username(self) -> str:
        username = _UsernameRuleMixin.clean_username(self)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("The account name “%(username)s” is already in use on this portal."),
                code="username_taken",
                params={"username": username},
            )
        return username


class AccountChangeForm(_UsernameRuleMixin, UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._username_help()


if TYPE_CHECKING:
    _SetPasswordBase = SetPasswordMixin[User]
else:  # not subscriptable at run time (django-stubs-ext does not patch it)
    _SetPasswordBase = SetPasswordMixin


class AccountPasswordSetForm(_SetPasswordBase, forms.Form):
    """Set another account's password from the back office: an issued password, to be changed at
    that account's next login. (No "disable password" choice: accounts are closed, not disabled.)"""

    required_css_class = "required"
    password1, password2 = _SetPasswordBase.create_password_fields(
        label1=_("New password"), label2=_("New password (again)")
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return super().clean() or {}

    def save(self, commit: bool = True) -> User:
        request = current_request.get()
        actor = getattr(request, "user", None)
        return account_password_set(
            user=self.user,
            password=self.cleaned_data["password1"],
            issued_by=actor if isinstance(actor, User) else None,
            keep_request=request if isinstance(actor, User) and actor.pk == self.user.pk else None,
            request=request,
        )

    @property
    def changed_data(self) -> list[str]:
        return ["password"] if self.is_bound and not self.errors else []
