"""Citizens' questions and consultations on drafts (issue 6, items 3 and 4).

Helpers shared by these tests: the editorial roles with this area's permissions (as the site
templates are to grant them, ``content.services.citizens.ROLE_PERMISSIONS``), a client on a
portal's host from an address of its own (the rate limit counts per address, in Redis, across
runs), and the answer to the CAPTCHA a page shows, read from its store as a person reads the picture.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from captcha.models import CaptchaStore
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from content.models import Role
from content.services.citizens import ROLE_PERMISSIONS
from tenants.models import Portal
from tests.board import account, roles_ready
from tests.conftest import host_of


def permissions_ready() -> None:
    """The roles' groups with this area's permissions. Call inside the portal's schema."""
    roles_ready()
    for key, names in ROLE_PERMISSIONS.items():
        group = Role.objects.get(key=key).group
        for name in names:
            app_label, _dot, codename = name.partition(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def staff(username: str, *roles: str, **extra: Any) -> User:
    return account(username, roles=roles, **extra)


def fresh_address() -> str:
    """An address no earlier test (nor an earlier run within the hour) has submitted from."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2] or 1}"


def citizen(portal: Portal, address: str | None = None) -> Client:
    return Client(HTTP_HOST=host_of(portal), REMOTE_ADDR=address or fresh_address())


def backoffice(portal: Portal, user: User) -> Client:
    client = Client(HTTP_HOST=host_of(portal), REMOTE_ADDR=fresh_address())
    client.force_login(user)
    return client


_CAPTCHA_KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')


def captcha_key(page: Any) -> str:
    found = _CAPTCHA_KEY.search(page.content.decode())
    assert found, "the page shows no CAPTCHA"
    return found.group(1)


def captcha_solved(page: Any) -> dict[str, str]:
    """The CAPTCHA fields of ``page`` answered right (the characters of its picture)."""
    key = captcha_key(page)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response.upper()}


def vi_msg(msgid: str) -> str:
    """What the page shows in Vietnamese, whether or not the catalogue has this msgid yet."""
    with translation.override("vi"):
        return gettext(msgid)


def html(response: Any) -> str:
    return response.content.decode()
