"""While one portal is restored in place, every other portal keeps serving, and the portal itself
keeps serving its pages read-only with a notice: pages loaded from a real gunicorn (two worker
processes) all through the restore."""

from __future__ import annotations

import threading
import time
import urllib.request
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from provisioning import backups
from provisioning.backup_models import BackupJob
from provisioning.models import JobStatus
from tenants.models import Portal
from tests.backups import fill, run_backup
from tests.conftest import LiveServer, host_of

pytestmark = pytest.mark.integration

NOTICE = "This e-portal is being restored from a backup: it can be read, but nothing can be changed for a few minutes."


def _post(server: LiveServer, host: str) -> tuple[int, str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/", data=b"x=1", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Retry-After", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Retry-After", ""), exc.read().decode()


def test_other_portals_keep_serving_during_a_restore(
    committed: None,
    portal_sl: Portal,
    portal_sl1: Portal,
    portal_a: Portal,
    live_server_process: LiveServer,
    settings: Any,
) -> None:
    fill(portal_sl, "phucvu")
    backup = run_backup(portal_sl)
    settings.BACKUP_READ_ONLY_SETTLE_SECONDS = 1.0  # the server rechecks its host map every 0.2 s
    server = live_server_process
    restored, others = host_of(portal_sl), [host_of(portal_sl1), host_of(portal_a)]
    for host in [restored, *others]:
        assert server.get(host)[0] == 200

    job = backups.backup_restore_request(backup=backup, confirm="xa-sl", send=False)
    outcome: dict[str, BackupJob | None] = {}

    def restore() -> None:
        try:
            outcome["job"] = backups.backup_job_run(job_id=job.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=restore)
    worker.start()
    with translation.override("vi"):
        notice = translation.gettext(NOTICE)
    failures: list[tuple[str, int]] = []
    loads = 0
    read_only_seen: list[tuple[int, str, str]] = []
    notice_seen = False
    while worker.is_alive():
        for host in others:
            status, _body = server.get(host)
            loads += 1
            if status != 200:
                failures.append((host, status))
        status, body = server.get(restored)
        loads += 1
        if status != 200:
            failures.append((restored, status))
        notice_seen = notice_seen or notice in body
        if Portal.objects.filter(pk=portal_sl.pk, read_only=True).exists() and not read_only_seen:
            time.sleep(0.5)  # past the server's routing recheck
            if Portal.objects.filter(pk=portal_sl.pk, read_only=True).exists():
                read_only_seen.append(_post(server, restored))
    worker.join()
    finished = outcome["job"]
    assert finished is not None
    assert finished.status == JobStatus.SUCCEEDED, finished.error_message
    assert failures == [], failures
    assert loads > 20
    assert read_only_seen and read_only_seen[0][0] == 503 and read_only_seen[0][1] == "120"
    assert notice_seen
    time.sleep(0.5)
    assert server.get(restored)[0] == 200
    assert _post(server, restored)[0] != 503  # writable again (the POST itself is refused for other reasons)
    assert notice not in server.get(restored)[1]
