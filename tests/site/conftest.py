from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django_tenants.utils import schema_context

from content.public.cache import notices_forget, page_cache_invalidate
from tenants.models import Portal
from tenants.routing import routing_invalidate
from tests.conftest import LiveServer, host_of, make_portal
from tests.site.content import SiteContent, site_build


@pytest.fixture(autouse=True)
def _fresh_page_cache(portal_a: Portal, portal_b: Portal) -> None:
    """Pages cached by an earlier test (whose data was rolled back, unannounced) must not be served."""
    for portal in (portal_a, portal_b):
        page_cache_invalidate(portal.schema_name)
    notices_forget()


@pytest.fixture
def site_a(portal_a: Portal) -> Iterator[SiteContent]:
    with schema_context(portal_a.schema_name):
        yield site_build(marker="an", username="truongban.xa-a")


@pytest.fixture
def site_b(portal_b: Portal) -> Iterator[SiteContent]:
    with schema_context(portal_b.schema_name):
        yield site_build(marker="binh", username="truongban.xa-b")


@pytest.fixture
def visitor_a(portal_a: Portal) -> Client:
    return Client(HTTP_HOST=host_of(portal_a))


@pytest.fixture
def visitor_b(portal_b: Portal) -> Client:
    return Client(HTTP_HOST=host_of(portal_b))


# --- a portal served by a real gunicorn (committed: the server is another process) -----------------


@dataclass
class LiveSite:
    portal: Portal
    content: SiteContent
    host: str
    base: str  # http://host:port


@pytest.fixture(scope="session")
def live_site(live_server_process: LiveServer, province: Portal, django_db_blocker: Any) -> Iterator[LiveSite]:
    """A portal of its own with the full test content, removed (schema and all) at the end."""
    with django_db_blocker.unblock():
        portal = make_portal("xa-truy-cap", "Ủy ban nhân dân xã Truy Cập", province)
        with transaction.atomic():
            # The footer's agency details, as provisioning sets them.
            Portal.objects.filter(pk=portal.pk).update(
                address="Số 1 đường Truy Cập, xã Truy Cập",
                phone="0238 111 222",
                email="ubnd@xa-truy-cap.thunghiem.test",
                responsible_person="Chánh Văn phòng UBND xã",
            )
            routing_invalidate()
        with schema_context(portal.schema_name):
            content = site_build(marker="tc", username="truongban.xa-truy-cap")
        page_cache_invalidate(portal.schema_name)
        host = host_of(portal)
    try:
        yield LiveSite(portal=portal, content=content, host=host, base=f"http://{host}:{live_server_process.port}")
    finally:
        with django_db_blocker.unblock():
            Portal.objects.get(pk=portal.pk).delete(force_drop=True)
            routing_invalidate()
