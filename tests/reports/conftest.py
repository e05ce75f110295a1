"""Fixtures of the report tests: a portal's staff in each role, and an operator on the console."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles
from tenants.models import Portal
from tests.board import account, roles_ready


@pytest.fixture
def staff_a(portal_a: Portal) -> dict[str, User]:
    with schema_context(portal_a.schema_name):
        roles_ready()
        return {
            "admin": account("admin.xa-a", roles=[roles.TENANT_ADMIN]),
            "deputy": account("phoban.xa-a", roles=[roles.BOARD_DEPUTY]),
            "editor": account("bientap.xa-a", roles=[roles.EDITOR]),
            "nobody": account("khach.xa-a"),
        }


@pytest.fixture
def staff_b(portal_b: Portal) -> dict[str, User]:
    with schema_context(portal_b.schema_name):
        roles_ready()
        return {"admin": account("admin.xa-b", roles=[roles.TENANT_ADMIN])}


@pytest.fixture
def operator() -> Client:
    user = User.objects.create_user(username="vanhanh.baocao", password="x", is_staff=True)
    client = Client(HTTP_HOST=settings.CONSOLE_HOST)
    client.force_login(user)
    return client
