"""Routing across processes: a real gunicorn with two workers, and changes committed for real.

Not inside a test transaction (no django_db mark): the change must be committed for another
process to see it, so each test undoes what it did.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tenants import services
from tenants.models import Portal, PortalStatus
from tests.conftest import ROOT, LiveServer, free_port, host_of, subprocess_env, wait_http

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


def test_a_portal_activated_while_workers_cached_it_as_provisioning_answers_at_once(
    portal_b: Portal, django_db_blocker, tmp_path: Path
) -> None:
    """Two gunicorn workers that loaded their host map while the portal was being provisioned, with
    a recheck interval far longer than the test: activation must reach them on the next request."""

    with django_db_blocker.unblock():
        host = host_of(portal_b)
        services.portal_set_status(portal=portal_b, status=PortalStatus.PROVISIONING)
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal_platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=subprocess_env(TENANT_ROUTING_RECHECK_SECONDS="600"),
        stdout=log,
        stderr=log,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", "any")
        server = LiveServer(port, process)
        assert [server.get(host)[0] for _ in range(8)] == [503] * 8  # both workers hold it as provisioning
        with django_db_blocker.unblock():
            services.portal_set_status(portal=portal_b, status=PortalStatus.ACTIVE)
        assert [server.get(host)[0] for _ in range(8)] == [200] * 8
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
        with django_db_blocker.unblock():
            services.portal_set_status(portal=portal_b, status=PortalStatus.ACTIVE)
