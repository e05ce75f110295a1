from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from content.public.cache import notices_forget, page_cache_invalidate
from tenants.models import Portal
from tests.conftest import host_of
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
