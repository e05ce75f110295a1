"""Editorial board, account closure, the audit log and the console's account API (issue 4).

Helpers shared by these tests: the editorial roles of a portal (as provisioning makes them) and
accounts inside a portal's schema that may use the back office at once (password set by their
owner, not expired).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.models import User
from content.models import Role
from content.services import roles_apply
from provisioning.site_templates import load_template
from tenants.models import Portal
from tests.conftest import host_of

PASSWORD = "Hoa-Sen!2026-Vinh"


def roles_ready() -> dict[str, Group]:
    """The portal's editorial role groups from the commune template. Call inside its schema."""
    return roles_apply(roles=load_template("commune").roles)


def account(username: str, *, roles: Iterable[str] = (), is_staff: bool = True, **extra: Any) -> User:
    """An account of the current schema, in the given editorial roles (keys of content.roles)."""
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=is_staff, **extra)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save()
    for key in roles:
        user.groups.add(Role.objects.get(key=key).group)
    return user


def client_for(portal: Portal | None, user: User | None = None, *, host: str | None = None) -> Client:
    """A client on ``portal``'s host (the console when None), logged in as ``user`` if given."""
    from django.conf import settings

    client = Client(HTTP_HOST=host or (host_of(portal) if portal is not None else settings.CONSOLE_HOST))
    if user is not None:
        client.force_login(user)
    return client
