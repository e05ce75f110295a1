"""Provisioning across processes and connections: the name race and a worker killed mid-job.

These commit for real (other connections and a worker process must see the rows), so they are not
inside a test transaction and clean up what they made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from portal_platform.broker import build_broker
from provisioning import schemas, services
from provisioning.models import JobStatus, ProvisioningJob, ProvisioningRequest, StepStatus
from provisioning.tasks import provisioning_job_run
from tenants.models import Domain, Portal
from tests.conftest import ROOT, subprocess_env

pytestmark = pytest.mark.integration

FIELDS: dict[str, Any] = {
    "kind": "commune",
    "template": "commune",
    "admin_name": "Trần Thị Bình",
    "admin_email": "binh@example.vn",
    "request_reference": "45/UBND",
}


def _cleanup(abbreviation: str) -> None:
    for portal in Portal.objects.filter(abbreviation=abbreviation):
        schemas.schema_drop(portal.schema_name)
        Domain.objects.filter(tenant=portal).delete()
        ProvisioningJob.objects.filter(portal=portal).update(portal=None)
        portal.delete()
    schemas.schema_drop(f"portal_{abbreviation.replace('-', '_')}")
    ProvisioningRequest.objects.filter(abbreviation=abbreviation).delete()


@pytest.fixture
def committed(django_db_blocker: Any, province: Portal, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(services, "enqueue", lambda actor, **kwargs: None)
    with django_db_blocker.unblock():
        yield
        connection.close()


def test_two_requests_for_the_same_name_at_once_one_wins(committed: None) -> None:
    abbreviation = "xa-tranh"
    _cleanup(abbreviation)
    try:
        jobs = [
            services.request_file_and_approve(
                name=f"Xã Tranh {i}", abbreviation=abbreviation, forced_schema_path="clone", **FIELDS
            )
            for i in (1, 2)
        ]
        schemas.template_schema_ensure()
        barrier = threading.Barrier(2)
        results: dict[int, ProvisioningJob | None] = {}

        def run(job: ProvisioningJob) -> None:
            barrier.wait()
            try:
                results[job.pk] = services.job_run(job_id=job.pk)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        statuses = sorted(ProvisioningJob.objects.get(pk=job.pk).status for job in jobs)
        assert statuses == [JobStatus.FAILED, JobStatus.SUCCEEDED]
        loser = ProvisioningJob.objects.get(pk__in=[j.pk for j in jobs], status=JobStatus.FAILED)
        assert loser.error_code == "abbreviation_taken"
        assert loser.error_message
        winner = Portal.objects.get(abbreviation=abbreviation)  # exactly one, intact after the loser's undo
        assert winner.status == "active"
        assert Domain.objects.filter(tenant=winner).count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [f"{winner.schema_name}.content_page"])
            assert cursor.fetchone() != (None,)
    finally:
        _cleanup(abbreviation)


def test_worker_killed_mid_job_gives_exactly_one_portal(committed: None, tmp_path: Any) -> None:
    url = os.environ.get("TEST_AMQP_BROKER_URL", "")
    if not url:
        pytest.skip("needs RabbitMQ (TEST_AMQP_BROKER_URL), which redelivers a dead worker's message at once")
    abbreviation = "xa-ngat"
    _cleanup(abbreviation)
    broker = build_broker(url)
    broker.declare_queue("provisioning")
    broker.flush_all()
    workers: list[subprocess.Popen[bytes]] = []

    def start_worker(**env: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker{len(workers)}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dramatiq",
                "portal_platform.worker",
                "--processes",
                "1",
                "--threads",
                "1",
                "--queues",
                "provisioning",
            ],
            cwd=ROOT,
            env=subprocess_env(BROKER_URL=url, **env),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        workers.append(process)
        return process

    def wait_for(predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.2)
        return False

    try:
        job = services.request_file_and_approve(
            name="Ủy ban nhân dân xã Ngắt", abbreviation=abbreviation, forced_schema_path="clone", **FIELDS
        )
        first = start_worker(PROVISIONING_FAULTS="content=sleep:120")
        broker.enqueue(provisioning_job_run.message_with_options(kwargs={"job_id": job.pk}))
        assert wait_for(lambda: job.steps.get(name="content").status == StepStatus.RUNNING, 60), "job never started"

        os.killpg(first.pid, signal.SIGKILL)  # the main process and its worker processes, no goodbye
        first.wait(timeout=10)
        assert ProvisioningJob.objects.get(pk=job.pk).status == JobStatus.RUNNING

        start_worker()
        assert wait_for(lambda: ProvisioningJob.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED, 90), (
            tmp_path / "worker1.log"
        ).read_text()[-3000:]
        finished = ProvisioningJob.objects.get(pk=job.pk)
        assert finished.attempts == 2
        assert Portal.objects.filter(abbreviation=abbreviation).count() == 1
        assert Portal.objects.get(abbreviation=abbreviation).status == "active"
        assert [s.status for s in finished.steps.all()] == [StepStatus.DONE] * 7
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        broker.close()
        _cleanup(abbreviation)
