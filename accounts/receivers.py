"""Thin receivers for login events: Django's auth signals and django-axes' lockout signal are the
only hooks there are for them. Each one calls one service and nothing else."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts import services
from accounts.models import User


@receiver(user_logged_in, dispatch_uid="accounts.login")
def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and isinstance(user, User):
        services.account_session_start(user=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    services.account_login_failed_record(username=str(credentials.get("username") or ""), request=request)


@receiver(user_logged_out, dispatch_uid="accounts.logout")
def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    services.account_logout(user=user, request=request)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    services.account_lockout_record(username=username or "", request=request, ip_address=ip_address)
