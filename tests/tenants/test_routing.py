from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants import services
from tenants.context import tenant_db
from tenants.models import Portal, PortalStatus
from tenants.routing import VERSION_KEY, normalise_host, router
from tests.conftest import host_of, make_portal

pytestmark = pytest.mark.django_db


def test_portal_host_is_served_from_its_own_schema(portal_a: Portal, portal_b: Portal) -> None:
    client = Client()
    response = client.get("/", HTTP_HOST=host_of(portal_a))
    assert response.status_code == 200
    assert portal_a.name in response.content.decode()
    assert portal_b.name not in response.content.decode()
    assert response.wsgi_request.tenant.schema_name == portal_a.schema_name

    response = client.get("/", HTTP_HOST=f"{host_of(portal_b)}:8000")  # the port does not matter
    assert response.status_code == 200
    assert portal_b.name in response.content.decode()


def test_console_host_is_served_from_public(portal_a: Portal, settings) -> None:
    response = Client().get("/", HTTP_HOST=settings.CONSOLE_HOST)
    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == "public"
    assert tenant_db.schema_name == "public"
    assert portal_a.name not in response.content.decode()  # the portal list is for operators only


@pytest.mark.parametrize("host", ["unknown.example.org", "xa-a.thunghiem.test.evil.org", "bad host!", "[::1]"])
def test_unknown_host_gets_a_plain_404_without_touching_the_database(portal_a: Portal, host: str) -> None:
    router.resolve(host_of(portal_a))  # warm the map so the request itself needs no query
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/", HTTP_HOST=host)
    assert response.status_code == 404
    body = response.content.decode()
    assert portal_a.name not in body
    assert "<title>" in body and "cổng" in body.lower()  # the Vietnamese page
    assert len(queries) == 0


def test_host_normalisation() -> None:
    assert normalise_host("SoKHCN.NgheAn.gov.vn:443") == "sokhcn.nghean.gov.vn"
    assert normalise_host("sokhcn.nghean.gov.vn.") == "sokhcn.nghean.gov.vn"
    assert normalise_host("[::1]:8000") == "[::1]"


def test_suspended_portals_are_not_served_and_archived_ones_are_read_only(province: Portal) -> None:
    # Inside the test transaction: the new portal and its status changes roll back afterwards.
    portal = make_portal("xa-tam-dung", "Ủy ban nhân dân xã Tạm Dừng", province)
    try:
        services.portal_set_status(portal=portal, status=PortalStatus.SUSPENDED)
        router.clear()
        assert Client().get("/", HTTP_HOST=host_of(portal)).status_code == 503
        services.portal_set_status(portal=portal, status=PortalStatus.ARCHIVED)
        router.clear()
        assert Client().get("/", HTTP_HOST=host_of(portal)).status_code == 200  # kept, readable
        assert Client().post("/", HTTP_HOST=host_of(portal)).status_code == 403  # but read-only
        assert Client().get("/healthz", HTTP_HOST=host_of(portal)).status_code == 200
    finally:
        router.clear()


def test_a_served_page_needs_no_domain_query(portal_a: Portal) -> None:
    client, host = Client(), host_of(portal_a)
    client.get("/", HTTP_HOST=host)
    with CaptureQueriesContext(connection) as queries:
        client.get("/", HTTP_HOST=host)
    assert not [q for q in queries.captured_queries if "tenants_domain" in q["sql"]]


def _bump_version_elsewhere() -> None:
    """What another process's routing_invalidate does: bump the shared version (this process's map
    is not cleared, as a web worker's is not when the provisioning worker activates a portal)."""
    shared = caches["shared"]
    try:
        shared.incr(VERSION_KEY)
    except ValueError:
        shared.add(VERSION_KEY, 1, timeout=None)


def test_a_host_seen_while_provisioning_answers_as_soon_as_the_portal_is_activated(
    province: Portal, settings: Any
) -> None:
    settings.TENANT_ROUTING_RECHECK_SECONDS = 3600  # the timer cannot be what saves us
    portal = make_portal("xa-kich-hoat", "Ủy ban nhân dân xã Kích Hoạt", province)
    Portal.objects.filter(pk=portal.pk).update(status=PortalStatus.PROVISIONING)
    router.clear()
    host = host_of(portal)
    assert Client().get("/", HTTP_HOST=host).status_code == 503  # cached as provisioning

    # Still provisioning and nothing announced: one cache read per request, no database query.
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/", HTTP_HOST=host).status_code == 503
    assert not [q for q in queries.captured_queries if "tenants_" in q["sql"]]

    Portal.objects.filter(pk=portal.pk).update(status=PortalStatus.ACTIVE)
    _bump_version_elsewhere()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/", HTTP_HOST=host)
    assert response.status_code == 200
    assert portal.name in response.content.decode()
    # One lookup of that host, not a reload of the whole map (the page itself may read its own
    # primary domain for its canonical address: that is not routing).
    domain_queries = [q["sql"] for q in queries.captured_queries if "tenants_domain" in q["sql"]]
    routing = [sql for sql in domain_queries if '"is_primary" AND' not in sql]
    assert len(routing) == 1 and host in routing[0]


def test_an_unknown_host_is_looked_up_alone_when_the_version_moved(province: Portal, settings: Any) -> None:
    settings.TENANT_ROUTING_RECHECK_SECONDS = 3600
    router.clear()
    router.resolve(settings.CONSOLE_HOST)  # the map is loaded
    portal = make_portal("xa-moi-toanh", "Ủy ban nhân dân xã Mới Toanh", province)
    assert router.resolve("khong-co.thunghiem.test") is None  # version unchanged: not even a lookup
    _bump_version_elsewhere()
    route = router.resolve(host_of(portal))
    assert route is not None and route.schema_name == portal.schema_name
    assert router.resolve("khong-co.thunghiem.test") is None
