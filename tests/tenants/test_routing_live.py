"""Routing across processes: a real gunicorn with two workers, and changes committed for real.

Not inside a test transaction (no django_db mark): the change must be committed for another
process to see it, so each test undoes what it did.
"""

from __future__ import annotations

import time

import pytest

from tenants import services
from tenants.models import Portal, PortalStatus
from tests.conftest import LiveServer

pytestmark = pytest.mark.integration


def test_new_domain_reaches_every_process_of_a_running_server(
    live_server_process: LiveServer, portal_a: Portal, django_db_blocker
) -> None:
    """Two gunicorn workers (two processes) learn a new domain and a suspension within a second."""
    new_host = f"moi-{int(time.time() * 1000)}.thunghiem.test"
    # Ask several times so both workers have the host map loaded and the miss recorded.
    assert all(live_server_process.get(new_host)[0] == 404 for _ in range(6))

    with django_db_blocker.unblock():
        domain = services.domain_add(portal=portal_a, domain=new_host)  # autocommitted: bumps at once
    deadline = time.monotonic() + 5
    statuses: list[int] = []
    while time.monotonic() < deadline:
        statuses = [live_server_process.get(new_host)[0] for _ in range(6)]
        if statuses == [200] * 6:
            break
        time.sleep(0.1)
    assert statuses == [200] * 6
    assert portal_a.name in live_server_process.get(new_host)[1]

    with django_db_blocker.unblock():
        services.portal_set_status(portal=portal_a, status=PortalStatus.SUSPENDED)
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            statuses = [live_server_process.get(new_host)[0] for _ in range(6)]
            if statuses == [503] * 6:
                break
            time.sleep(0.1)
        assert statuses == [503] * 6
    finally:
        with django_db_blocker.unblock():
            services.portal_set_status(portal=portal_a, status=PortalStatus.ACTIVE)
            services.domain_remove(domain=domain)
