"""The faults of issue 8, each ending with a clear status and nothing lost: object storage
unreachable (before and in the middle of an upload), a corrupted or truncated object, the wrong key,
a backup from newer code, and two restores of one portal at once. The killed worker is in
test_killed_worker.py."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from infra import backup_store
from infra.s3 import s3_client
from portal_platform.errors import ApplicationError
from provisioning import backups
from provisioning.backup_models import Backup, BackupJob, BackupStatus, VerifyStatus
from provisioning.models import JobStatus
from tenants.models import Portal
from tests.backups import conninfo, fill, media_client, media_of, rows_of, run_backup, run_job
from tests.conftest import free_port

pytestmark = pytest.mark.integration


def _refused(code: str, fn: Any, **kwargs: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def _portal_schemas() -> set[str]:
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        return {str(r[0]) for r in conn.execute("SELECT nspname FROM pg_namespace").fetchall()}


# --- object storage unreachable ---------------------------------------------------------------------


class CuttableProxy:
    """A TCP relay to the S3 API that stops relaying (and refuses new connections) once ``budget``
    bytes have gone upstream: storage vanishing in the middle of an upload."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.budget: int | None = None
        self.sent = 0
        self.cut = threading.Event()
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._server.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        try:
            while data := source.recv(65536):
                if counted:
                    with self._lock:
                        self.sent += len(data)
                        over = self.budget is not None and self.sent > self.budget
                    if over:
                        self.cut_now()
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut_now(self) -> None:
        self.cut.set()
        with self._lock:
            for sock in self._open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass
            self._open.clear()

    def heal(self) -> None:
        self.budget = None
        self.cut.clear()

    def close(self) -> None:
        self.cut_now()
        self._server.close()


@pytest.fixture
def proxy(settings: Any) -> Iterator[CuttableProxy]:
    from urllib.parse import urlsplit

    parts = urlsplit(settings.S3_ENDPOINT_URL)
    relay = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 80))
    settings.BACKUP_S3_ENDPOINT_URL = f"http://127.0.0.1:{relay.port}"
    yield relay
    relay.close()


def _direct() -> Any:
    return s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.BACKUP_S3_ACCESS_KEY_ID,
        secret_key=settings.BACKUP_S3_SECRET_ACCESS_KEY,
    )


def _left_under(prefix: str) -> tuple[int, int]:
    client = _direct()
    objects = sum(1 for _ in backup_store.objects_list(client, bucket=settings.BACKUP_S3_BUCKET, prefix=prefix))
    uploads = client.list_multipart_uploads(Bucket=settings.BACKUP_S3_BUCKET, Prefix=prefix).get("Uploads", [])
    return objects, len(uploads)


def test_storage_unreachable_retries_then_a_failed_record(committed: None, portal_sl: Portal, settings: Any) -> None:
    settings.BACKUP_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    job = backups.backup_create(portal=portal_sl, send=False)
    finished = run_job(job)
    assert finished.status == JobStatus.FAILED
    assert finished.error_code == "backup_storage_unavailable"
    assert finished.attempts == settings.BACKUP_ATTEMPTS == 3
    assert finished.error_step == "prepare"
    assert "127.0.0.1" in finished.error_message
    backup = finished.backup
    assert backup is not None
    assert backup.status == BackupStatus.FAILED and backup.error_code == "backup_storage_unavailable"
    assert not Backup.objects.filter(jobs=finished, status=BackupStatus.GOOD).exists()


def test_storage_lost_mid_upload_leaves_no_good_backup_and_leftovers_are_cleaned(
    committed: None, portal_sl1: Portal, proxy: CuttableProxy, settings: Any
) -> None:
    settings.BACKUP_PART_SIZE = 5 * 1024 * 1024
    big = os.urandom(12 * 1024 * 1024)
    key = f"portals/{portal_sl1.schema_name}/tep-lon/du-lieu.bin"
    media_client().put_object(Bucket=settings.S3_BUCKET, Key=key, Body=big)
    try:
        proxy.budget = 8 * 1024 * 1024  # the dump and the first media part get through
        finished = run_job(backups.backup_create(portal=portal_sl1, send=False))
        assert proxy.cut.is_set()
        assert finished.status == JobStatus.FAILED and finished.error_code == "backup_storage_unavailable"
        backup = finished.backup
        assert backup is not None and backup.status == BackupStatus.FAILED
        assert backup.leftovers is True  # storage was gone: the clean-up waits for it
        objects, uploads = _left_under(backup.prefix)
        assert uploads + objects >= 1  # what the cut left: an unfinished upload, a finished part

        proxy.heal()
        result = backups.backups_maintain()
        assert backup.pk in result.leftovers_cleaned
        assert _left_under(backup.prefix) == (0, 0)
        backup.refresh_from_db()
        assert backup.leftovers is False and backup.status == BackupStatus.FAILED
        with pytest.raises(ApplicationError) as caught:
            backups.backup_restore_request(backup=backup, confirm="xa-sl1", send=False)
        assert caught.value.code == "backup_not_good"
    finally:
        media_client().delete_object(Bucket=settings.S3_BUCKET, Key=key)


# --- corrupted, truncated, wrong key ----------------------------------------------------------------


def _rewrite(backup: Backup, part: str, change: Any) -> None:
    client = backups.backup_client()
    key = backups._part(backup, part)["key"]
    data = client.get_object(Bucket=backup.bucket, Key=key)["Body"].read()
    client.put_object(Bucket=backup.bucket, Key=key, Body=change(data))


def _flip(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def test_corrupted_database_part_is_refused_by_verify_and_by_restore(committed: None, portal_sl: Portal) -> None:
    fill(portal_sl, "hong")
    backup = run_backup(portal_sl)
    _rewrite(backup, backups.DATABASE_PART, _flip)
    rows, media = rows_of(portal_sl.schema_name), media_of(portal_sl.schema_name)
    schemas_before = _portal_schemas()

    # A restore reads every chunk before committing: it fails naming the part, and changes nothing.
    job = run_job(backups.backup_restore_request(backup=backup, confirm="xa-sl", send=False))
    assert job.status == JobStatus.FAILED and job.error_step == "restore"
    assert job.error_code == "backup_corrupt"
    assert "database.dump.enc" in job.error_message and f"#{backup.pk}" in job.error_message
    assert rows_of(portal_sl.schema_name) == rows
    assert media_of(portal_sl.schema_name) == media
    portal_sl.refresh_from_db()
    assert portal_sl.read_only is False
    # The safety backup taken first is the only new thing (and it is good).
    assert _portal_schemas() == schemas_before
    assert job.safety_backup is not None and job.safety_backup.status == BackupStatus.GOOD

    verify = run_job(backups.backup_verify_request(backup=backup, send=False))
    assert verify.status == JobStatus.FAILED and verify.error_step == "database"
    assert verify.error_code == "backup_corrupt" and "database.dump.enc" in verify.error_message
    backup.refresh_from_db()
    assert backup.status == BackupStatus.FAILED and backup.verify_status == VerifyStatus.FAILED
    _refused("backup_not_good", backups.backup_restore_request, backup=backup, confirm="xa-sl", send=False)
    assert any(a.code == "verify_failed" and a.backup_id == backup.pk for a in backups.backup_alerts())


def test_truncated_media_part_is_refused_naming_it(committed: None, portal_sl: Portal) -> None:
    fill(portal_sl, "cut")
    backup = run_backup(portal_sl)
    _rewrite(backup, backups.MEDIA_PART, lambda data: data[: len(data) // 2])
    verify = run_job(backups.backup_verify_request(backup=backup, send=False))
    assert verify.status == JobStatus.FAILED and verify.error_step == "media"
    assert verify.error_code == "backup_truncated"
    assert "media.tar.enc" in verify.error_message
    backup.refresh_from_db()
    assert backup.status == BackupStatus.FAILED  # the failed check took it out of the good backups
    _refused("backup_not_good", backups.backup_restore_copy_request, backup=backup, abbreviation="xa-cut", send=False)


def test_media_corrupted_at_restore_leaves_the_copy_undone(committed: None, portal_sl: Portal) -> None:
    fill(portal_sl, "hongtep")
    backup = run_backup(portal_sl)
    _rewrite(backup, backups.MEDIA_PART, _flip)
    job = run_job(backups.backup_restore_copy_request(backup=backup, abbreviation="xa-hong", send=False))
    assert job.status == JobStatus.FAILED and job.error_step == "media"
    assert job.error_code == "backup_corrupt" and "media.tar.enc" in job.error_message
    assert not Portal.objects.filter(abbreviation="xa-hong").exists()
    assert "portal_xa_hong" not in _portal_schemas()
    assert media_of("portal_xa_hong") == {}


def test_wrong_key_is_refused_and_an_earlier_key_still_reads(committed: None, portal_sl: Portal, settings: Any) -> None:
    backup = run_backup(portal_sl)
    old_key = settings.BACKUP_ENCRYPTION_KEY
    settings.BACKUP_ENCRYPTION_KEY = os.urandom(32)
    error = _refused("backup_key_mismatch", backups.backup_restore_request, backup=backup, confirm="xa-sl", send=False)
    assert backup.key_id in error.message
    verify = run_job(backups.backup_verify_request(backup=backup, send=False))
    assert verify.status == JobStatus.FAILED and verify.error_code == "backup_key_mismatch"
    backup.refresh_from_db()
    assert backup.status == BackupStatus.GOOD  # the backup is fine; this server lacks its key

    settings.BACKUP_PREVIOUS_KEYS = [old_key]
    verify = run_job(backups.backup_verify_request(backup=backup, send=False))
    assert verify.status == JobStatus.SUCCEEDED, verify.error_message


def test_a_backup_from_newer_code_is_refused_with_an_explanation(committed: None, portal_sl: Portal) -> None:
    with schema_context(portal_sl.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES ('content', '9999_tu_tuong_lai', now())"
        )
    try:
        backup = run_backup(portal_sl)
    finally:
        with schema_context(portal_sl.schema_name), connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE name = '9999_tu_tuong_lai'")
    assert backups.migration_plan(backup.manifest).unknown == ["content.9999_tu_tuong_lai"]
    error = _refused(
        "backup_newer_migrations", backups.backup_restore_request, backup=backup, confirm="xa-sl", send=False
    )
    assert "content.9999_tu_tuong_lai" in error.message
    _refused(
        "backup_newer_migrations", backups.backup_restore_copy_request, backup=backup, abbreviation="xa-moi", send=False
    )
    assert not BackupJob.objects.filter(backup=backup, kind__in=("restore", "restore_copy")).exists()


def test_two_restores_of_one_portal_at_once_one_is_refused(committed: None, portal_sl1: Portal) -> None:
    backup = run_backup(portal_sl1)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def request() -> None:
        barrier.wait()
        try:
            outcomes.append(backups.backup_restore_request(backup=backup, confirm="xa-sl1", send=False))
        except ApplicationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    jobs = [o for o in outcomes if isinstance(o, BackupJob)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(jobs) == 1 and len(refused) == 1
    assert refused[0].code == "restore_in_progress" and refused[0].message
    # While it is queued or running, another request is refused too; once it ran, a new one is allowed.
    _refused("restore_in_progress", backups.backup_restore_request, backup=backup, confirm="xa-sl1", send=False)
    done = run_job(jobs[0])
    assert done.status == JobStatus.SUCCEEDED, done.error_message
    again = backups.backup_restore_request(backup=backup, confirm="xa-sl1", send=False)
    BackupJob.objects.filter(pk=again.pk).delete()


def test_the_confirmation_must_repeat_the_abbreviation(committed: None, portal_sl1: Portal) -> None:
    backup = Backup.objects.filter(portal=portal_sl1, status=BackupStatus.GOOD).first() or run_backup(portal_sl1)
    error = _refused(
        "confirmation_mismatch", backups.backup_restore_request, backup=backup, confirm="xa-sl", send=False
    )
    assert "xa-sl1" in error.message
