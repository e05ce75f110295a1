from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest
from django.db import connection
from django_tenants.utils import schema_context
from dramatiq.brokers.stub import StubBroker

from content.models import AuditEvent
from content.tasks import audit_record
from portal_platform.broker import build_broker
from tenants.context import tenant_db
from tenants.jobs import SCHEMA_OPTION, enqueue
from tenants.models import Portal
from tests.conftest import ROOT, subprocess_env

pytestmark = pytest.mark.django_db

# --- unit level: the middleware with dramatiq's StubBroker and an in-process worker ----------------


@pytest.fixture
def stub() -> Iterator[tuple[StubBroker, dramatiq.Actor[..., Any], list[str]]]:
    broker = build_broker("stub://")
    assert isinstance(broker, StubBroker)
    seen: list[str] = []

    def record_schema(**kwargs: Any) -> None:
        seen.append(tenant_db.schema_name)

    actor = dramatiq.actor(broker=broker, actor_name="test.record_schema", max_retries=0)(record_schema)
    yield broker, actor, seen
    broker.close()


def _drain(broker: StubBroker) -> None:
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    broker.join("default", fail_fast=False)
    worker.join()
    worker.stop()


def test_message_records_and_enters_the_sender_schema(stub: Any, portal_a: Portal, portal_b: Portal) -> None:
    broker, actor, seen = stub
    with schema_context(portal_a.schema_name):
        message = actor.send()
    assert message.options[SCHEMA_OPTION] == portal_a.schema_name
    actor.send()  # sent from public
    with schema_context(portal_a.schema_name):
        actor.send(schema_name=portal_b.schema_name)  # explicit context wins over ambient
    _drain(broker)
    assert sorted(seen) == sorted([portal_a.schema_name, "public", portal_b.schema_name])


def test_message_for_a_missing_schema_never_runs_in_public(stub: Any) -> None:
    broker, actor, seen = stub
    actor.send_with_options(kwargs={}, **{SCHEMA_OPTION: "portal_da_xoa"})
    _drain(broker)
    assert seen == []
    assert len(broker.dead_letters) == 1


def test_a_failing_context_check_fails_closed(monkeypatch: pytest.MonkeyPatch, portal_a: Portal) -> None:
    """dramatiq runs the actor even when a middleware raises: the actor must then reach no table."""
    broker = build_broker("stub://")
    assert isinstance(broker, StubBroker)
    outcomes: list[str] = []

    def count_portals() -> None:
        try:
            outcomes.append(f"saw {Portal.objects.count()} portals")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
            raise

    actor = dramatiq.actor(broker=broker, actor_name="test.count_portals", max_retries=0)(count_portals)

    def database_down(*args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr("tenants.jobs.schema_exists", database_down)
    with schema_context(portal_a.schema_name):
        actor.send()
    _drain(broker)
    broker.close()
    assert outcomes == ["ProgrammingError"]


def test_enqueue_waits_for_commit(portal_a: Portal, django_capture_on_commit_callbacks: Any) -> None:
    sent: list[dict[str, Any]] = []

    class FakeActor:
        def send_with_options(self, *, kwargs: dict[str, Any]) -> None:
            sent.append(kwargs)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(FakeActor(), action="x")  # type: ignore[arg-type]
        assert sent == []
    assert len(callbacks) == 1


# --- integration: a real worker process on a real broker --------------------------------------------

# infra.testenv points these at the machine's Redis and RabbitMQ (or the embedded Redis).
BROKERS = {
    "redis": os.environ.get("TEST_REDIS_BROKER_URL", ""),
    "rabbitmq": os.environ.get("TEST_AMQP_BROKER_URL", ""),
}


@pytest.fixture(params=sorted(BROKERS), scope="module")
def real_worker(request: pytest.FixtureRequest, django_db_setup: None, tmp_path_factory: Any) -> Iterator[str]:
    url = BROKERS[request.param]
    if not url:
        pytest.skip(f"no {request.param} broker on this machine (TEST_*_BROKER_URL unset)")
    broker = build_broker(url)
    broker.declare_queue("default")
    broker.flush_all()  # leftovers of an earlier run must not be mistaken for this one's work
    log = tmp_path_factory.mktemp("worker") / f"{request.param}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "dramatiq", "portal_platform.worker", "--processes", "1", "--threads", "2"],
            cwd=ROOT,
            env=subprocess_env(BROKER_URL=url),
            stdout=out,
            stderr=out,
        )
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        broker.close()


def _wait_for_event(schema: str, key: str, timeout: float = 30.0) -> AuditEvent | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with schema_context(schema):
            event = AuditEvent.objects.filter(data__idempotency_key=key).first()
        if event is not None:
            return event
        time.sleep(0.2)
    return None


@pytest.mark.integration
def test_actor_sent_from_a_portal_writes_into_that_portal_only(
    real_worker: str, portal_a: Portal, portal_b: Portal
) -> None:
    broker = build_broker(real_worker)
    broker.declare_queue("default")
    key = uuid.uuid4().hex
    with schema_context(portal_a.schema_name):
        message = audit_record.message_with_options(kwargs={"action": "test.sent-from-a", "idempotency_key": key})
        broker.enqueue(message)
    # Explicit schema_name sent from A's context goes to B.
    explicit_key = uuid.uuid4().hex
    with schema_context(portal_a.schema_name):
        broker.enqueue(
            audit_record.message_with_options(
                kwargs={
                    "action": "test.explicit-b",
                    "idempotency_key": explicit_key,
                    "schema_name": portal_b.schema_name,
                }
            )
        )
    broker.close()

    assert _wait_for_event(portal_a.schema_name, key) is not None
    assert _wait_for_event(portal_b.schema_name, explicit_key) is not None
    with schema_context(portal_b.schema_name):
        assert not AuditEvent.objects.filter(data__idempotency_key=key).exists()
    with schema_context(portal_a.schema_name):
        assert not AuditEvent.objects.filter(data__idempotency_key=explicit_key).exists()
    with connection.cursor() as cursor:  # and nothing in the control plane's schema
        cursor.execute("SELECT to_regclass('public.content_auditevent')")
        assert cursor.fetchone() == (None,)
