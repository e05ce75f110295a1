"""A worker killed (SIGKILL) in the middle of uploading a backup: RabbitMQ hands the message to the
next worker, which removes what the dead one left (an unfinished multipart upload, finished parts)
and produces exactly one good backup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings

from portal_platform.broker import build_broker
from provisioning import backups
from provisioning.backup_models import Backup, BackupStatus
from provisioning.backup_tasks import backup_job_run
from provisioning.models import JobStatus, StepStatus
from tenants.models import Portal
from tests.backups import media_client
from tests.conftest import ROOT, subprocess_env

pytestmark = pytest.mark.integration


WORKER = [sys.executable, "-m", "dramatiq", "portal_platform.worker", "--processes", "1", "--threads", "1"]


def _wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_killed_mid_upload_then_one_good_backup_and_no_leftovers(
    committed: None, portal_sl1: Portal, tmp_path: Any
) -> None:
    url = os.environ.get("TEST_AMQP_BROKER_URL", "")
    if not url:
        pytest.skip("needs RabbitMQ (TEST_AMQP_BROKER_URL), which redelivers a dead worker's message at once")
    big_key = f"portals/{portal_sl1.schema_name}/tep-lon/video.bin"
    media_client().put_object(Bucket=settings.S3_BUCKET, Key=big_key, Body=os.urandom(14 * 1024 * 1024))
    broker = build_broker(url)
    broker.declare_queue("backups")
    broker.flush_all()
    workers: list[subprocess.Popen[bytes]] = []
    part_size = str(5 * 1024 * 1024)

    def start_worker(**env: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker{len(workers)}.log").open("wb")
        process = subprocess.Popen(
            [*WORKER, "--queues", "backups"],
            cwd=ROOT,
            env=subprocess_env(BROKER_URL=url, BACKUP_PART_SIZE=part_size, **env),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        workers.append(process)
        return process

    client = backups.backup_client()

    def uploads_under(prefix: str) -> list[Any]:
        answer: Any = client.list_multipart_uploads(Bucket=settings.BACKUP_S3_BUCKET, Prefix=prefix)
        return list(answer.get("Uploads", []))

    try:
        job = backups.backup_create(portal=portal_sl1, requested_by="kiemthu", send=False)
        # The first worker stalls after 7 MB of the media part: one 5 MiB part is stored by then.
        first = start_worker(BACKUP_FAULTS="media=sleep_after:7000000:300")
        broker.enqueue(backup_job_run.message_with_options(kwargs={"job_id": job.pk}))

        def stalled() -> bool:
            job.refresh_from_db()
            if job.backup is None or job.steps.get(name="media").status != StepStatus.RUNNING:
                return False
            uploads = uploads_under(job.backup.prefix)
            return bool(uploads) and bool(
                client.list_parts(
                    Bucket=settings.BACKUP_S3_BUCKET, Key=uploads[0]["Key"], UploadId=uploads[0]["UploadId"]
                ).get("Parts")
            )

        assert _wait_for(stalled, 90), (tmp_path / "worker0.log").read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)  # no goodbye: nothing is aborted or recorded
        first.wait(timeout=10)
        job.refresh_from_db()
        backup = job.backup
        assert backup is not None and backup.status == BackupStatus.RUNNING
        assert uploads_under(backup.prefix)  # the dead worker's unfinished upload is there

        start_worker()
        assert _wait_for(lambda: backups.backup_job_get(job_id=job.pk).status == JobStatus.SUCCEEDED, 120), (
            tmp_path / "worker1.log"
        ).read_text()[-3000:]
        finished = backups.backup_job_get(job_id=job.pk)
        assert finished.attempts == 2
        assert [s.status for s in finished.steps.all()] == [StepStatus.DONE] * 6
        assert "unfinished uploads" in finished.steps.get(name="prepare").detail or "tải lên" in (
            finished.steps.get(name="prepare").detail
        )
        assert Backup.objects.filter(jobs=finished).count() == 1
        good = finished.backup
        assert good is not None
        assert good.status == BackupStatus.GOOD and good.pk == backup.pk
        assert uploads_under(good.prefix) == []
        stored = sorted(
            item["Key"]
            for item in client.list_objects_v2(Bucket=settings.BACKUP_S3_BUCKET, Prefix=good.prefix).get("Contents", [])
        )
        assert stored == sorted(good.prefix + name for name in backups.PART_FILES.values())
        assert "tep-lon/video.bin" in {o["key"] for o in good.manifest["objects"]}
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        broker.close()
        media_client().delete_object(Bucket=settings.S3_BUCKET, Key=big_key)
