"""A backup's pace: the lowest CPU and IO priority for it, its pg_dump and (on this machine) the
PostgreSQL backend serving the dump; the nightly rate limit apart from "back up now"'s; a restore's
safety backup at full speed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from infra import pgtools, priority
from provisioning import backups
from provisioning.backup_models import BackupStatus, BackupTrigger
from tenants.models import Portal
from tests.backups import fill

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are Linux's")

SHOW = "import os; print(os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0))"


def _nice_and_policy(tid: int) -> tuple[int, int]:
    return os.getpriority(os.PRIO_PROCESS, tid), os.sched_getscheduler(tid)


@linux_only
def test_run_lowered_lowers_its_thread_and_what_it_starts_but_not_the_caller() -> None:
    before = _nice_and_policy(threading.get_native_id())

    def work() -> tuple[tuple[int, int], str]:
        child = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, check=True).stdout
        return _nice_and_policy(threading.get_native_id()), child.strip()

    (inside, child), lowered = priority.run_lowered(work)
    assert lowered.sched_idle and lowered.nice
    assert inside == (19, os.SCHED_IDLE)
    assert child == f"19 {os.SCHED_IDLE}"  # pg_dump, started the same way, inherits it
    assert _nice_and_policy(threading.get_native_id()) == before

    def fail() -> None:
        raise ValueError("hỏng")

    with pytest.raises(ValueError, match="hỏng"):
        priority.run_lowered(fail)


@linux_only
def test_process_lower_reaches_every_thread_of_another_process() -> None:
    code = "import threading, time; [threading.Thread(target=time.sleep, args=(30,)).start() for _ in range(3)]; time.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        tasks = Path(f"/proc/{proc.pid}/task")
        for _ in range(100):
            if len(list(tasks.iterdir())) >= 4:
                break
            threading.Event().wait(0.05)
        lowered = priority.process_lower(proc.pid)
        assert lowered.sched_idle and lowered.nice
        for task in tasks.iterdir():
            assert _nice_and_policy(int(task.name)) == (19, os.SCHED_IDLE)
    finally:
        proc.kill()
        proc.wait()


def test_server_is_local() -> None:
    assert pgtools.server_is_local("postgresql://postgres@127.0.0.1:5432/x")
    assert pgtools.server_is_local("postgresql://postgres@localhost/x")
    assert pgtools.server_is_local("host=/var/run/postgresql dbname=x")
    assert pgtools.server_is_local("dbname=x")
    assert not pgtools.server_is_local("postgresql://postgres@db.example.vn:5432/x")
    assert not pgtools.server_is_local("host=127.0.0.1,10.0.0.5 dbname=x")


def test_the_nightly_limit_is_apart_from_back_up_now_and_the_safety_backup_runs_free(settings: Any) -> None:
    settings.BACKUP_RATE_LIMIT_MB_S = 8.0
    settings.BACKUP_MANUAL_RATE_LIMIT_MB_S = 0.0
    settings.BACKUP_LOW_PRIORITY = True
    assert backups.backup_pace(BackupTrigger.SCHEDULED) == backups.Pace(rate_limit=8 * 1024 * 1024, low_priority=True)
    assert backups.backup_pace(BackupTrigger.MANUAL) == backups.Pace(rate_limit=0.0, low_priority=True)
    assert backups.backup_pace(BackupTrigger.SAFETY) == backups.Pace(rate_limit=0.0, low_priority=False)
    settings.BACKUP_MANUAL_RATE_LIMIT_MB_S = 2.5
    settings.BACKUP_LOW_PRIORITY = False
    assert backups.backup_pace(BackupTrigger.MANUAL) == backups.Pace(rate_limit=2.5 * 1024 * 1024, low_priority=False)


@pytest.mark.integration
@linux_only
def test_a_nightly_backup_at_low_priority_lowers_the_dump_backend(
    committed: None, portal_sl1: Portal, settings: Any
) -> None:
    settings.BACKUP_LOW_PRIORITY = True
    settings.BACKUP_LOW_PRIORITY_DATABASE = True
    settings.BACKUP_RATE_LIMIT_MB_S = 50.0
    fill(portal_sl1, "uutien")
    out = io.StringIO()
    call_command("backup", portal="xa-sl1", nightly=True, stdout=out)
    job = portal_sl1.backup_jobs.order_by("-pk").first()
    assert job is not None and job.backup is not None
    assert job.trigger == BackupTrigger.SCHEDULED and job.backup.trigger == BackupTrigger.SCHEDULED
    assert job.backup.status == BackupStatus.GOOD
    detail = job.steps.get(name="database").detail
    if os.geteuid() == 0:  # root may change any process's priority: the backend was found and lowered
        assert "SCHED_IDLE" in detail and "nice 19" in detail, detail
    else:  # elsewhere it is either done (the postgres user) or skipped with a note, never an error
        assert "SCHED_IDLE" in detail or "; " in detail, detail


@pytest.mark.integration
def test_the_database_backend_is_left_alone_when_the_setting_is_off(
    committed: None, portal_sl1: Portal, settings: Any
) -> None:
    settings.BACKUP_LOW_PRIORITY = True
    settings.BACKUP_LOW_PRIORITY_DATABASE = False
    job = backups.backup_create(portal=portal_sl1, requested_by="kiemthu", send=False)
    finished = backups.backup_job_run(job_id=job.pk)
    assert finished is not None and finished.backup is not None
    assert finished.backup.status == BackupStatus.GOOD
    detail = finished.steps.get(name="database").detail
    assert "; " not in detail, detail  # the size alone: no note about the backend
