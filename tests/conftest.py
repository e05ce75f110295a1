"""Shared fixtures: real PostgreSQL (pytest-django's test database), the real broker and cache
from the environment, and portals created through the same service production uses.

Portals made here are committed (schema DDL cannot hide in a rolled-back test transaction if a
worker or a web process in another process is to see it), so they are session-scoped and named
per test run; the test database is dropped at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from tenants.context import tenant_db
from tenants.models import Portal, PortalKind

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database, always.

    pytest-django sets up only the databases that collected tests ask for through django_db marks;
    the integration tests commit for real (another process must see their rows) and so carry no
    such mark, and running one of them alone would otherwise find no test database at all.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]
    yield
    from provisioning.locks import lock_connections_close

    lock_connections_close()  # each thread keeps an idle one, which would block dropping the database
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _bucket() -> None:
    """The media bucket exists, as `manage.py storage_init` makes it in a deployment."""
    from infra.s3 import ensure_bucket, s3_client

    client = s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        region=settings.S3_REGION,
    )
    ensure_bucket(client, settings.S3_BUCKET)


@pytest.fixture(scope="session", autouse=True)
def _empty_caches() -> None:
    """Counters and cached pages from an earlier run on the same Redis (CI reuses the machine's) must not count."""
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()


@pytest.fixture(scope="session", autouse=True)
def _empty_queues() -> None:
    """Messages a test enqueued (and no worker ran) in an earlier run must not linger."""
    import dramatiq

    import content.tasks  # noqa: F401 - declares the queues
    import portal_platform.tasks  # noqa: F401
    import provisioning.tasks  # noqa: F401

    dramatiq.get_broker().flush_all()


@pytest.fixture(scope="session")
def province(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Portal:
    from tenants import services

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        existing = Portal.objects.filter(kind=PortalKind.PROVINCE).first()
        if existing:
            return existing
        return services.portal_create(
            name="Ủy ban nhân dân tỉnh Thử Nghiệm",
            abbreviation="thunghiem",
            kind=PortalKind.PROVINCE,
            domains=["thunghiem.test"],
            address="1 Đường Thử",
            phone="0238 000 000",
            email="ubnd@thunghiem.test",
            responsible_person="Chánh Văn phòng",
        )


def make_portal(abbreviation: str, name: str, parent: Portal) -> Portal:
    from tenants import services

    existing = Portal.objects.filter(abbreviation=abbreviation).first()
    if existing:
        return existing
    return services.portal_create(
        name=name,
        abbreviation=abbreviation,
        kind=PortalKind.COMMUNE,
        parent=parent,
        domains=[f"{abbreviation}.thunghiem.test"],
    )


@pytest.fixture(scope="session")
def portal_a(province: Portal, django_db_blocker: pytest.FixtureRequest) -> Portal:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return make_portal("xa-a", "Ủy ban nhân dân xã An", province)


@pytest.fixture(scope="session")
def portal_b(province: Portal, django_db_blocker: pytest.FixtureRequest) -> Portal:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return make_portal("xa-b", "Ủy ban nhân dân xã Bình", province)


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    yield
    tenant_db.set_schema_to_public()
    # Portals made inside a rolled-back test must not linger in this process's host map.
    from tenants.routing import router

    router.clear()


def host_of(portal: Portal) -> str:
    return str(portal.get_primary_domain().domain)


# --- other processes against the test database -----------------------------------------------------


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The environment for a web or worker process that must use this run's test database."""
    db = settings.DATABASES["default"]
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = dict(os.environ)
    env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + str(db["NAME"])))
    env["DJANGO_SETTINGS_MODULE"] = "portal_platform.settings"
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, host: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(url, headers={"Host": host})
            urllib.request.urlopen(request, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def http_get(port: int, host: str, path: str = "/", cookie: str | None = None) -> tuple[int, str]:
    headers = {"Host": host}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class LiveServer:
    def __init__(self, port: int, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.process = process

    def get(self, host: str, path: str = "/", cookie: str | None = None) -> tuple[int, str]:
        return http_get(self.port, host, path, cookie)


@pytest.fixture(scope="session")
def live_server_process(province: Portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """gunicorn with 2 workers (two processes: routing invalidation must reach both)."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("wb") as out:
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
            env=subprocess_env(TENANT_ROUTING_RECHECK_SECONDS="0.2"),
            stdout=out,
            stderr=out,
        )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", "any")
        yield LiveServer(port, process)
    finally:
        process.terminate()
        process.wait(timeout=20)
