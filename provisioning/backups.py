"""Backups of one portal, and restoring one portal, while every other portal keeps serving.

A **backup** is three objects under one prefix of the backup bucket
(``backups/<schema>/<UTC time>-<random>/``):

- ``database.dump.enc``: ``pg_dump -Fc -n <schema>`` taken inside an exported snapshot, so that the
  row counts in the manifest are exactly what the dump holds;
- ``media.tar.enc``: every object under the portal's media prefix (``portals/<schema>/``), as a tar;
- ``manifest.json``: portal, schema, times, application version, migration state, row counts per
  table, the object list, and the size and SHA-256 of every part (stored and plain), signed with an
  HMAC of the backup key.

Both data parts are encrypted before they leave the machine (``infra.stream_crypto``: AES-256-GCM
in 1 MiB chunks) and streamed: ``pg_dump``'s output and each media object go through the cipher
into a multipart upload without ever being held whole in memory or written to local disk. A backup
becomes ``good`` only after every part has been read back and its sizes and checksums match.

A **restore in place** puts the portal in read-only mode (with a notice on every page), takes a
safety backup, restores the chosen backup into a new schema (``pgtools.restore_schema_as``, one
transaction that never touches the live schema), counts its rows against the manifest, migrates it
if the backup is older than the code, puts back media the backup has and storage lacks, and then
swaps the two schemas by renaming them in one transaction. The replaced schema is kept for
``BACKUP_OLD_SCHEMA_KEEP_HOURS`` and dropped by the hourly maintenance. Until the swap nothing the
portal serves has changed, and a failure undoes every step; after it, the remaining steps are
idempotent and resume. A **restore as a copy** builds a new portal (schema, domains, media) from a
backup and never touches the original.

Every operation is a ``BackupJob`` run by a worker (``provisioning.backup_tasks``) with each step
recorded like a provisioning job; the console, the REST API and the management commands all call
the functions here.

The encryption key (``BACKUP_ENCRYPTION_KEY``) must be set in production and kept outside the
database and the backup store; in development it is derived from ``SECRET_KEY``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TypeVar

import psutil
import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql
from psycopg.conninfo import make_conninfo

from infra import backup_store, pgtools, priority, stream_crypto
from infra.s3 import S3Client, ensure_bucket, s3_client
from portal_platform.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from provisioning import schemas
from provisioning.backup_models import (
    ACTIVE_JOB_STATUSES,
    Backup,
    BackupJob,
    BackupJobKind,
    BackupJobStep,
    BackupStatus,
    BackupTrigger,
    RetiredSchema,
    VerifyStatus,
)
from provisioning.locks import advisory_lock
from provisioning.models import JobStatus, StepStatus
from tenants.models import Domain, Portal, PortalKind, PortalStatus
from tenants.routing import router, routing_invalidate
from tenants.services import domains_clean, portal_fields_validate, portal_names_check_free, schema_name_for
from tenants.storage import storage_prefix

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
DATABASE_PART = "database"
MEDIA_PART = "media"
MANIFEST_PART = "manifest"
PART_FILES = {DATABASE_PART: "database.dump.enc", MEDIA_PART: "media.tar.enc", MANIFEST_PART: "manifest.json"}
PREFETCH_MAX_BYTES = 8 * 1024 * 1024  # media objects up to this size are fetched ahead in parallel

STEPS: dict[str, tuple[str, ...]] = {
    BackupJobKind.BACKUP: ("prepare", "snapshot", "database", "media", "manifest", "verify"),
    BackupJobKind.VERIFY: ("manifest", "database", "media"),
    BackupJobKind.RESTORE: ("read_only", "safety", "restore", "check", "migrate", "media", "swap", "finish"),
    BackupJobKind.RESTORE_COPY: ("reserve", "restore", "check", "migrate", "media", "domains", "activate"),
    BackupJobKind.DRILL: ("restore", "check", "media", "drop"),
}
STEP_LABELS = {
    "prepare": gettext_lazy("Prepare the storage"),
    "snapshot": gettext_lazy("Take a consistent snapshot"),
    "database": gettext_lazy("Database"),
    "media": gettext_lazy("Media files"),
    "manifest": gettext_lazy("Manifest"),
    "verify": gettext_lazy("Read back and check"),
    "read_only": gettext_lazy("Make the portal read-only"),
    "safety": gettext_lazy("Safety backup"),
    "restore": gettext_lazy("Restore into a new schema"),
    "check": gettext_lazy("Compare row counts"),
    "migrate": gettext_lazy("Bring migrations up to date"),
    "swap": gettext_lazy("Swap the schemas"),
    "finish": gettext_lazy("Serve again"),
    "reserve": gettext_lazy("Reserve the names"),
    "domains": gettext_lazy("Attach the domains"),
    "activate": gettext_lazy("Activate the copy"),
    "drop": gettext_lazy("Drop the scratch schema"),
}
PART_LABELS = {
    DATABASE_PART: gettext_lazy("database"),
    MEDIA_PART: gettext_lazy("media files"),
    MANIFEST_PART: gettext_lazy("manifest"),
}
# Failures that mean the stored backup itself is bad (not that storage or the key is missing).
INTEGRITY_CODES = {
    "backup_corrupt",
    "backup_truncated",
    "backup_not_encrypted_stream",
    "backup_checksum_mismatch",
    "backup_size_mismatch",
    "backup_part_missing",
    "backup_manifest_invalid",
}


# --- configuration -----------------------------------------------------------------------------------


def backup_client(*, timeout: float = 30.0) -> S3Client:
    """The S3 client of the backup store (``BACKUP_S3_*``)."""
    return s3_client(
        endpoint_url=settings.BACKUP_S3_ENDPOINT_URL,
        access_key=settings.BACKUP_S3_ACCESS_KEY_ID,
        secret_key=settings.BACKUP_S3_SECRET_ACCESS_KEY,
        region=settings.BACKUP_S3_REGION,
        timeout=timeout,
    )


def _media_client() -> S3Client:
    return s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        region=settings.S3_REGION,
        timeout=30.0,
    )


def key_current() -> tuple[bytes, str]:
    """The key new backups are encrypted with, and its id (an HMAC of the key, never the key)."""
    key: bytes = settings.BACKUP_ENCRYPTION_KEY
    return key, stream_crypto.key_id(key).hex()


def _keys_known() -> dict[str, bytes]:
    keys = [settings.BACKUP_ENCRYPTION_KEY, *settings.BACKUP_PREVIOUS_KEYS]
    return {stream_crypto.key_id(k).hex(): k for k in keys}


def app_version() -> str:
    try:
        return metadata.version("portal-platform")
    except metadata.PackageNotFoundError:
        return "unknown"


def _media_prefix(schema_name: str) -> str:
    return storage_prefix(schema_name) + "/"


def _conninfo() -> str:
    db = settings.DATABASES["default"]
    return make_conninfo(
        dbname=str(db["NAME"]),
        user=str(db["USER"]) or None,
        password=str(db["PASSWORD"]) or None,
        host=str(db["HOST"]) or None,
        port=str(db["PORT"]) or None,
        connect_timeout=10,
    )


def _pg() -> tuple[pgtools.PgTools, str, dict[str, str]]:
    conninfo, env = pgtools.conninfo_from_settings()
    try:
        return pgtools.tools_for(conninfo), conninfo, env
    except pgtools.PgToolError as exc:
        raise ApplicationError(str(exc), code=exc.code) from exc


# --- errors ----------------------------------------------------------------------------------------


class BackupStorageUnavailable(ApplicationError):
    code = "backup_storage_unavailable"
    http_status = 503


def _storage_error(exc: BaseException) -> bool:
    """True for failures of the object store or the way to it (worth retrying)."""
    if isinstance(exc, BackupStorageUnavailable):
        return True
    if isinstance(exc, ClientError):
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        return status >= 500 or exc.response.get("Error", {}).get("Code") in ("SlowDown", "RequestTimeout")
    return isinstance(exc, BotoCoreError | ConnectionError | TimeoutError)


def _part_error(backup: Backup, part: str, code: str, reason: str) -> ApplicationError:
    message = _("Part “%(part)s” (%(file)s) of backup #%(backup)s is unusable: %(reason)s") % {
        "part": PART_LABELS.get(part, part),
        "file": PART_FILES.get(part, part),
        "backup": backup.pk,
        "reason": reason,
    }
    return ApplicationError(message, code=code, extra={"part": part, "backup": backup.pk})


_STREAM_REASONS = {
    "backup_truncated": gettext_lazy("it is cut short (truncated)"),
    "backup_corrupt": gettext_lazy("its content has been altered or damaged"),
    "backup_key_mismatch": gettext_lazy("it was encrypted with another key"),
    "backup_not_encrypted_stream": gettext_lazy("it is not an encrypted backup part"),
}


# --- fault injection (tests only) ----------------------------------------------------------------


def _fault(name: str) -> None:
    """BACKUP_FAULTS = {"<step>": "fail" | "sleep:<seconds>"}; never set in production."""
    fault = settings.BACKUP_FAULTS.get(name, "")
    if fault == "fail":
        raise RuntimeError(f"injected failure at {name}")
    if fault.startswith("sleep:"):
        time.sleep(float(fault.split(":", 1)[1]))


def _faulty(name: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """BACKUP_FAULTS = {"<part>": "sleep_after:<bytes>:<seconds>"}: stall mid-upload (kill tests)."""
    fault = settings.BACKUP_FAULTS.get(name, "")
    if not fault.startswith("sleep_after:"):
        yield from chunks
        return
    _, after, seconds = fault.split(":")
    sent, slept = 0, False
    for piece in chunks:
        yield piece
        sent += len(piece)
        if not slept and sent >= int(after):
            slept = True
            time.sleep(float(seconds))


# --- steps of a job ----------------------------------------------------------------------------------


@dataclass
class StepNote:
    detail: str = ""


class JobSteps:
    """Records the steps of a job in ``BackupJobStep`` rows, as provisioning jobs do."""

    def __init__(self, job: BackupJob) -> None:
        self.job = job

    def reset(self) -> None:
        self.job.steps.update(
            status=StepStatus.PENDING, started_at=None, finished_at=None, duration_ms=None, detail="", error=""
        )

    def done(self, name: str) -> bool:
        return self.job.steps.filter(name=name, status=StepStatus.DONE).exists()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[StepNote]:
        started = time.perf_counter()
        rows = BackupJobStep.objects.filter(job=self.job, name=name)
        rows.update(status=StepStatus.RUNNING, started_at=timezone.now(), error="")
        note = StepNote()
        try:
            _fault(name)
            yield note
        except BaseException as exc:
            rows.update(
                status=StepStatus.FAILED,
                finished_at=timezone.now(),
                duration_ms=(time.perf_counter() - started) * 1000,
                error=_error_message(exc)[:2000],
            )
            raise
        rows.update(
            status=StepStatus.DONE,
            finished_at=timezone.now(),
            duration_ms=(time.perf_counter() - started) * 1000,
            detail=note.detail[:255],
        )

    def progress(self, name: str, detail: str) -> None:
        BackupJobStep.objects.filter(job=self.job, name=name).update(detail=detail[:255])


class InnerSteps(JobSteps):
    """The steps of a backup taken inside another job (the safety backup of a restore): each phase
    shows as the detail of the outer job's step instead of a row of its own."""

    def __init__(self, job: BackupJob, outer: str) -> None:
        super().__init__(job)
        self.outer = outer

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[StepNote]:
        self.progress(self.outer, f"{STEP_LABELS.get(name, name)}…")
        yield StepNote()


def _error_message(exc: BaseException) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


# --- backing up --------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    snapshot_id: str
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    referenced_media: set[str]


@contextlib.contextmanager
def _snapshot_open(schema_name: str) -> Iterator[Snapshot]:
    """An exported snapshot, kept open while ``pg_dump --snapshot`` reads it, with what the manifest
    records about the schema read inside that same snapshot."""
    with psycopg.connect(_conninfo()) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        row = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name]).fetchone()
        if exists is None:
            raise ApplicationError(
                _("The portal's schema “%(schema)s” does not exist.") % {"schema": schema_name},
                code="portal_schema_missing",
            )
        tables = pgtools.table_counts(conn, schema_name)
        migrations: dict[str, list[str]] = {}
        if "django_migrations" in tables:
            query = sql.SQL("SELECT app, name FROM {}.django_migrations ORDER BY app, id").format(
                sql.Identifier(schema_name)
            )
            for app, name in conn.execute(query).fetchall():
                migrations.setdefault(str(app), []).append(str(name))
        referenced: set[str] = set()
        if "content_mediafile" in tables:
            query = sql.SQL(
                "SELECT key FROM {0}.content_mediafile UNION "
                "SELECT r.value->>'key' FROM {0}.content_mediafile m, jsonb_each(m.renditions) r "
                "WHERE jsonb_typeof(m.renditions) = 'object'"
            ).format(sql.Identifier(schema_name))
            referenced = {str(r[0]) for r in conn.execute(query).fetchall() if r[0]}
        try:
            yield Snapshot(str(row[0]), tables, migrations, referenced)
        finally:
            conn.rollback()


def _read_pipe(stream: Any) -> Iterator[bytes]:
    while piece := stream.read(backup_store.READ_CHUNK):
        yield piece


@dataclass
class PartResult:
    name: str
    key: str
    format: str
    size: int
    sha256: str
    plain_size: int
    plain_sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "format": self.format,
            "size": self.size,
            "sha256": self.sha256,
            "plain_size": self.plain_size,
            "plain_sha256": self.plain_sha256,
        }


def _upload_sealed(
    client: S3Client,
    *,
    backup: Backup,
    part: str,
    plain: Iterable[bytes],
    key: bytes,
    fmt: str,
    limit: backup_store.RateLimit | None = None,
) -> PartResult:
    digest = backup_store.Digest()
    sealed = stream_crypto.encrypt(digest.wrap(limit.wrap(plain) if limit else plain), key=key)
    object_key = backup.prefix + PART_FILES[part]
    uploaded = backup_store.upload_stream(
        client,
        bucket=backup.bucket,
        key=object_key,
        chunks=_faulty(part, sealed),
        part_size=settings.BACKUP_PART_SIZE,
        threads=settings.BACKUP_UPLOAD_THREADS,
    )
    return PartResult(part, object_key, fmt, uploaded.size, uploaded.sha256, digest.size, digest.hexdigest)


@dataclass
class MediaResult:
    part: PartResult
    objects: list[dict[str, Any]]
    vanished: list[str] = field(default_factory=list)


def _media_entries(schema_name: str, vanished: list[str]) -> Iterator[backup_store.TarEntry]:
    """The portal's media objects as tar entries, in key order; small ones are fetched ahead by a
    thread pool (a window of ``2 × BACKUP_MEDIA_THREADS``), large ones streamed when their turn comes.

    An object listed and then deleted before it is read (its row was deleted meanwhile) is left out
    and named in ``vanished``.
    """
    client = _media_client()
    bucket = settings.S3_BUCKET
    prefix = _media_prefix(schema_name)
    listed = list(backup_store.objects_list(client, bucket=bucket, prefix=prefix))

    def fetch(key: str) -> tuple[bytes, str] | None:
        try:
            answer = client.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        with contextlib.closing(answer["Body"]) as body:
            return body.read(), str(answer.get("ContentType", ""))

    window = settings.BACKUP_MEDIA_THREADS * 2
    with ThreadPoolExecutor(max_workers=settings.BACKUP_MEDIA_THREADS, thread_name_prefix="media-get") as pool:
        ahead: dict[int, Future[tuple[bytes, str] | None]] = {}
        scheduled = 0
        for index, item in enumerate(listed):
            while scheduled < min(index + window, len(listed)):
                if int(listed[scheduled]["Size"]) <= PREFETCH_MAX_BYTES:
                    ahead[scheduled] = pool.submit(fetch, str(listed[scheduled]["Key"]))
                scheduled += 1
            object_key = str(item["Key"])
            name = object_key[len(prefix) :]
            future = ahead.pop(index, None)
            if future is not None:
                fetched = future.result()
                if fetched is None:
                    vanished.append(name)
                    continue
                data, content_type = fetched
                yield backup_store.TarEntry(name, len(data), _once(data), content_type)
                continue
            try:
                answer = client.get_object(Bucket=bucket, Key=object_key)
            except ClientError as exc:
                if _missing(exc):
                    vanished.append(name)
                    continue
                raise

            def stream(body: Any = answer["Body"]) -> Iterator[bytes]:
                with contextlib.closing(body):
                    yield from body.iter_chunks(backup_store.READ_CHUNK)

            yield backup_store.TarEntry(name, int(answer["ContentLength"]), stream, str(answer.get("ContentType", "")))


def _once(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: [data]


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")


def _media_upload(
    client: S3Client, *, backup: Backup, key: bytes, limit: backup_store.RateLimit | None = None
) -> MediaResult:
    written: list[backup_store.TarWritten] = []
    vanished: list[str] = []
    plain = backup_store.tar_stream(_media_entries(backup.schema_name, vanished), written)
    part = _upload_sealed(client, backup=backup, part=MEDIA_PART, plain=plain, key=key, fmt="tar", limit=limit)
    objects = [{"key": w.name, "size": w.size, "sha256": w.sha256, "content_type": w.content_type} for w in written]
    return MediaResult(part=part, objects=objects, vanished=vanished)


def _manifest_sign(manifest: dict[str, Any], key: bytes) -> str:
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, b"portal-platform backup manifest\0" + canonical, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Pace:
    """How hard a backup may press on the machine: a ceiling on its throughput (bytes/s of plain data,
    0: none) and whether it runs at the lowest CPU and IO priority (``infra.priority``)."""

    rate_limit: float
    low_priority: bool


def backup_pace(trigger: str) -> Pace:
    """The nightly backups are throttled by ``BACKUP_RATE_LIMIT_MB_S``; one asked for by a person
    ("back up now", ``manage.py backup``) by ``BACKUP_MANUAL_RATE_LIMIT_MB_S`` (none by default).
    Both run at low priority when ``BACKUP_LOW_PRIORITY`` (it costs nothing on an idle machine). A
    restore's safety backup runs at full speed and normal priority: the portal is read-only
    meanwhile and the restore waits on it."""
    if trigger == BackupTrigger.SAFETY:
        return Pace(rate_limit=0.0, low_priority=False)
    mb_s = (
        settings.BACKUP_RATE_LIMIT_MB_S
        if trigger == BackupTrigger.SCHEDULED
        else settings.BACKUP_MANUAL_RATE_LIMIT_MB_S
    )
    return Pace(rate_limit=mb_s * 1024 * 1024, low_priority=settings.BACKUP_LOW_PRIORITY)


def _dump_backend_lower(application_name: str, done: threading.Event) -> str:
    """Lower the PostgreSQL backend serving the dump named ``application_name`` (it does most of the
    dump's CPU work), when the server is on this machine and the system lets this process; a note
    for the job's step either way."""
    if not settings.BACKUP_LOW_PRIORITY_DATABASE:
        return ""
    if not pgtools.server_is_local(_conninfo()):
        return _("database server not on this machine: its backend kept its priority")
    try:
        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            deadline = time.monotonic() + 30
            pids: list[int] = []
            while not pids and not done.is_set() and time.monotonic() < deadline:
                pids = pgtools.backend_pids(conn, application_name)
                if not pids:
                    time.sleep(0.05)
    except psycopg.Error as exc:
        return _("backend priority not changed: %(error)s") % {"error": str(exc)[:200]}
    if not pids:
        return ""
    applied: list[str] = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            if not proc.name().startswith("postgres"):
                return _("backend priority not changed: process %(pid)s is not PostgreSQL's") % {"pid": pid}
            lowered = priority.process_lower(pid)
        except psutil.Error as exc:
            return _("backend priority not changed: %(error)s") % {"error": str(exc)[:200]}
        applied.append(lowered.describe())
    return _("database backend: %(applied)s") % {"applied": ", ".join(applied)}


def _backup_pipeline(*, backup: Backup, steps: JobSteps, pace: Pace | None = None) -> Backup:
    """Take the backup described by ``backup`` (a running record) and mark it good.

    Raises on any failure, leaving the record running: the caller cleans up and records the failure.
    """
    pace = pace or Pace(rate_limit=0.0, low_priority=False)
    client = backup_client()
    key, key_hex = key_current()
    schema_name = backup.schema_name
    with steps.step("prepare") as note:
        try:
            ensure_bucket(client, backup.bucket)
            aborted = backup_store.uploads_abort(client, bucket=backup.bucket, prefix=backup.prefix)
            deleted = backup_store.prefix_delete(client, bucket=backup.bucket, prefix=backup.prefix)
        except (BotoCoreError, ClientError) as exc:
            raise _unavailable(exc) from exc
        note.detail = (
            _("%(uploads)s unfinished uploads and %(objects)s objects of an earlier attempt removed")
            % {"uploads": aborted, "objects": deleted}
            if aborted or deleted
            else backup.prefix
        )
    tools, conninfo, env = _pg()
    limit = backup_store.RateLimit(pace.rate_limit) if pace.rate_limit else None
    with contextlib.ExitStack() as stack:
        with steps.step("snapshot") as note:
            snapshot = stack.enter_context(_snapshot_open(schema_name))
            note.detail = _("%(tables)s tables, %(rows)s rows") % {
                "tables": len(snapshot.tables),
                "rows": sum(snapshot.tables.values()),
            }

        def database_part() -> PartResult:
            application_name = f"portal-backup-{backup.pk}"
            dumped = threading.Event()
            backend_note: list[str] = []
            with (
                steps.step("database") as note,
                pgtools.dump_schema(
                    tools=tools,
                    conninfo=conninfo,
                    env=env,
                    schema=schema_name,
                    snapshot=snapshot.snapshot_id,
                    compression=settings.BACKUP_PG_DUMP_COMPRESSION,
                    application_name=application_name,
                ) as dump,
            ):
                lowering = None
                if pace.low_priority:
                    # In a thread: pg_dump connects after it starts, and the dump must not wait for it.
                    lowering = threading.Thread(
                        target=lambda: backend_note.append(_dump_backend_lower(application_name, dumped)),
                        daemon=True,
                    )
                    lowering.start()
                try:
                    part = _upload_sealed(
                        client,
                        backup=backup,
                        part=DATABASE_PART,
                        plain=_read_pipe(dump),
                        key=key,
                        fmt=f"pg_dump -Fc -Z{settings.BACKUP_PG_DUMP_COMPRESSION}",
                        limit=limit,
                    )
                finally:
                    dumped.set()
                    if lowering is not None:
                        lowering.join(timeout=10)
                note.detail = "; ".join([_size(part.plain_size), *filter(None, backend_note)])
            return part

        def media_part() -> MediaResult:
            with steps.step("media") as note:
                result = _media_upload(client, backup=backup, key=key, limit=limit)
                note.detail = _("%(count)s files, %(size)s") % {
                    "count": len(result.objects),
                    "size": _size(sum(o["size"] for o in result.objects)),
                }
            return result

        # The dump (CPU in PostgreSQL and pg_dump) and the media (mostly waiting on storage) overlap.
        database, media = _both(database_part, media_part)
    with steps.step("manifest") as note:
        listed = {o["key"] for o in media.objects}
        manifest: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "backup": backup.pk,
            "portal": {
                "id": backup.portal_id,
                "abbreviation": backup.portal_abbreviation,
                "name": backup.portal.name if backup.portal else "",
                "kind": backup.portal.kind if backup.portal else "",
            },
            "schema": schema_name,
            "started_at": backup.started_at.isoformat(),
            "finished_at": timezone.now().isoformat(),
            "app_version": app_version(),
            "migration_state": schemas.tenant_migration_state(),
            "migrations": snapshot.migrations,
            "postgresql": tools.major,
            "encryption": {"cipher": "AES-256-GCM", "chunk": stream_crypto.CHUNK, "key_id": key_hex},
            "tables": snapshot.tables,
            "parts": [database.as_dict(), media.part.as_dict()],
            "objects": media.objects,
            # Referenced by a row of the snapshot but gone from storage by the time it was read.
            "missing_media": sorted(snapshot.referenced_media - listed),
        }
        signed = {"manifest": manifest, "hmac": _manifest_sign(manifest, key)}
        body = json.dumps(signed, ensure_ascii=False, indent=1).encode()
        client.put_object(
            Bucket=backup.bucket,
            Key=backup.prefix + PART_FILES[MANIFEST_PART],
            Body=body,
            ContentType="application/json",
        )
        Backup.objects.filter(pk=backup.pk).update(
            manifest=manifest,
            key_id=key_hex,
            app_version=manifest["app_version"],
            migration_state=manifest["migration_state"],
            stored_bytes=database.size + media.part.size + len(body),
            database_bytes=database.plain_size,
            media_files=len(media.objects),
            media_bytes=sum(o["size"] for o in media.objects),
        )
        backup.refresh_from_db()
        note.detail = _("%(count)s tables, %(size)s stored") % {
            "count": len(snapshot.tables),
            "size": _size(backup.stored_bytes),
        }
        if manifest["missing_media"]:
            note.detail += " — " + _("%(count)s referenced files missing from storage") % {
                "count": len(manifest["missing_media"])
            }
    with steps.step("verify") as note:
        _backup_read_back(backup, client=client)
        now = timezone.now()
        Backup.objects.filter(pk=backup.pk).update(
            status=BackupStatus.GOOD, verify_status=VerifyStatus.OK, verified_at=now, finished_at=now
        )
        note.detail = _("sizes and SHA-256 of every part match")
    backup.refresh_from_db()
    return backup


def _unavailable(exc: BaseException) -> BackupStorageUnavailable:
    return BackupStorageUnavailable(
        _("The backup storage cannot be reached: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:300]},
        code="backup_storage_unavailable",
    )


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _backup_new(*, portal: Portal, trigger: str, created_by: str = "") -> Backup:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Backup.objects.create(
        portal=portal,
        schema_name=portal.schema_name,
        portal_abbreviation=portal.abbreviation,
        trigger=trigger,
        bucket=settings.BACKUP_S3_BUCKET,
        prefix=f"backups/{portal.schema_name}/{stamp}-{uuid.uuid4().hex[:8]}/",
        created_by=created_by,
    )


def _backup_cleanup(backup: Backup) -> bool:
    """Remove every object and unfinished upload under the backup's prefix; False if storage refused."""
    try:
        client = backup_client(timeout=10.0)
        backup_store.uploads_abort(client, bucket=backup.bucket, prefix=backup.prefix)
        backup_store.prefix_delete(client, bucket=backup.bucket, prefix=backup.prefix)
    except Exception:
        logger.warning("backup #%s: could not clean up %s yet", backup.pk, backup.prefix, exc_info=True)
        return False
    return True


def _backup_fail(backup: Backup, exc: BaseException) -> None:
    cleaned = _backup_cleanup(backup)
    Backup.objects.filter(pk=backup.pk).update(
        status=BackupStatus.FAILED,
        error_code=exc.code if isinstance(exc, ApplicationError) else "backup_failed",
        error_message=_error_message(exc)[:4000],
        finished_at=timezone.now(),
        leftovers=not cleaned,
    )


def _connection_close() -> None:
    # Looked up when called: `connection` is per thread, and this runs in the thread that is ending.
    connection.close()


def _backup_attempts(*, backup: Backup, steps: JobSteps, job: BackupJob | None) -> Backup:
    attempts = settings.BACKUP_ATTEMPTS
    pace = backup_pace(backup.trigger)
    for attempt in range(1, attempts + 1):
        if job is not None and attempt > 1:
            BackupJob.objects.filter(pk=job.pk).update(attempts=job.attempts + attempt - 1)
            steps.reset()
        try:
            if pace.low_priority:
                # A thread of its own at the lowest priority: its pools and pg_dump inherit it, and
                # the worker's thread (which could not raise itself back) is left as it was.
                made, lowered = priority.run_lowered(
                    lambda: _backup_pipeline(backup=backup, steps=steps, pace=pace), on_exit=_connection_close
                )
                logger.info("backup #%s ran at low priority (%s)", backup.pk, lowered.describe())
                return made
            return _backup_pipeline(backup=backup, steps=steps, pace=pace)
        except Exception as exc:
            if _storage_error(exc) and attempt < attempts:
                logger.warning("backup #%s: attempt %s failed (%s); retrying", backup.pk, attempt, exc)
                _backup_cleanup(backup)
                time.sleep(settings.BACKUP_RETRY_DELAY_SECONDS * attempt)
                continue
            _backup_fail(backup, exc)
            if _storage_error(exc) and not isinstance(exc, ApplicationError):
                raise _unavailable(exc) from exc
            raise
    raise AssertionError("unreachable")


# --- reading a backup back ---------------------------------------------------------------------------


def _part(backup: Backup, name: str) -> dict[str, Any]:
    for part in backup.manifest.get("parts", []):
        if part.get("name") == name:
            return dict(part)
    raise _part_error(backup, name, "backup_manifest_invalid", _("the manifest does not list it"))


def _key_for(backup: Backup) -> bytes:
    key_hex = str(backup.manifest.get("encryption", {}).get("key_id", "") or backup.key_id)
    key = _keys_known().get(key_hex)
    if key is None:
        raise ApplicationError(
            _(
                "Backup #%(backup)s was encrypted with key %(key)s, which this server does not have "
                "(BACKUP_ENCRYPTION_KEY or BACKUP_PREVIOUS_KEYS). Nothing was changed."
            )
            % {"backup": backup.pk, "key": key_hex or "?"},
            code="backup_key_mismatch",
        )
    return key


def part_read(backup: Backup, name: str, *, client: S3Client | None = None) -> Iterator[bytes]:
    """The plain bytes of one part, authenticated chunk by chunk; raises naming the part when the
    stored object is missing, altered, cut short or of another key, after the last byte if its size
    or checksum differs from the manifest."""
    part = _part(backup, name)
    key = _key_for(backup)
    client = client or backup_client()
    stored = backup_store.Digest()
    plain = backup_store.Digest()
    try:
        raw = stored.wrap(backup_store.read_stream(client, bucket=backup.bucket, key=str(part["key"])))
        reader = io.BufferedReader(stream_crypto.IteratorReader(raw), backup_store.READ_CHUNK)
        yield from plain.wrap(stream_crypto.decrypt(reader, key=key))
    except stream_crypto.StreamError as exc:
        raise _part_error(backup, name, exc.code, f"{_STREAM_REASONS.get(exc.code, exc.code)} ({exc})") from exc
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            raise _part_error(backup, name, "backup_part_missing", _("it is missing from storage")) from exc
        raise
    if stored.size != int(part["size"]):
        raise _part_error(
            backup,
            name,
            "backup_size_mismatch",
            _("%(found)s bytes stored, %(expected)s expected") % {"found": stored.size, "expected": part["size"]},
        )
    if stored.hexdigest != part["sha256"] or plain.hexdigest != part["plain_sha256"]:
        raise _part_error(backup, name, "backup_checksum_mismatch", _("its SHA-256 differs from the manifest"))


def media_read(backup: Backup, *, client: S3Client | None = None) -> Iterator[backup_store.TarItem]:
    """Every media file of a backup, in order; each one's chunks are checked against the manifest's
    size and SHA-256 as they are read, and the whole list against the manifest at the end."""
    expected = {str(o["key"]): o for o in backup.manifest.get("objects", [])}
    seen = 0
    reader = stream_crypto.IteratorReader(part_read(backup, MEDIA_PART, client=client))
    try:
        for item in backup_store.tar_read(reader):
            entry = expected.get(item.name)
            if entry is None or int(entry["size"]) != item.size:
                raise _part_error(
                    backup,
                    MEDIA_PART,
                    "backup_corrupt",
                    _("file “%(name)s” is not in the manifest") % {"name": item.name},
                )
            seen += 1
            yield backup_store.TarItem(
                item.name, item.size, item.content_type, _checked(backup, item.name, str(entry["sha256"]), item.chunks)
            )
    except (OSError, EOFError) as exc:  # tarfile.ReadError is an OSError
        raise _part_error(backup, MEDIA_PART, "backup_corrupt", str(exc)) from exc
    if seen != len(expected):
        raise _part_error(
            backup,
            MEDIA_PART,
            "backup_corrupt",
            _("%(found)s files found, %(expected)s expected") % {"found": seen, "expected": len(expected)},
        )


def _checked(backup: Backup, name: str, sha256: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    digest = backup_store.Digest()
    yield from digest.wrap(chunks)
    if digest.hexdigest != sha256:
        raise _part_error(
            backup,
            MEDIA_PART,
            "backup_checksum_mismatch",
            _("file “%(name)s” differs from the manifest") % {"name": name},
        )


def _media_drain(backup: Backup, *, client: S3Client | None = None) -> int:
    count = 0
    for item in media_read(backup, client=client):
        for _piece in item.chunks:
            pass
        count += 1
    return count


def _manifest_check(backup: Backup, client: S3Client) -> None:
    key = _key_for(backup)
    try:
        raw = b"".join(
            backup_store.read_stream(client, bucket=backup.bucket, key=backup.prefix + PART_FILES[MANIFEST_PART])
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            raise _part_error(backup, MANIFEST_PART, "backup_part_missing", _("it is missing from storage")) from exc
        raise
    try:
        signed = json.loads(raw)
        stored, mac = signed["manifest"], str(signed["hmac"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _part_error(backup, MANIFEST_PART, "backup_manifest_invalid", _("it is not valid JSON")) from exc
    if not hmac.compare_digest(mac, _manifest_sign(stored, key)) or stored != backup.manifest:
        raise _part_error(
            backup,
            MANIFEST_PART,
            "backup_manifest_invalid",
            _("it differs from the catalogue or its signature is wrong"),
        )


def _stored_check(backup: Backup, name: str, client: S3Client) -> None:
    part = _part(backup, name)
    stored = backup_store.Digest()
    try:
        for _piece in stored.wrap(backup_store.read_stream(client, bucket=backup.bucket, key=str(part["key"]))):
            pass
    except ClientError as exc:
        if _missing(exc):
            raise _part_error(backup, name, "backup_part_missing", _("it is missing from storage")) from exc
        raise
    if stored.size != int(part["size"]):
        raise _part_error(
            backup,
            name,
            "backup_size_mismatch",
            _("%(found)s bytes stored, %(expected)s expected") % {"found": stored.size, "expected": part["size"]},
        )
    if stored.hexdigest != part["sha256"]:
        raise _part_error(backup, name, "backup_checksum_mismatch", _("its SHA-256 differs from the manifest"))


def _backup_read_back(backup: Backup, *, client: S3Client) -> None:
    """The check after upload: every part read back from storage, its size and SHA-256 compared with
    what was sent, and the manifest's signature. (What was sent was sealed chunk by chunk, so equal
    bytes carry valid tags; the full check with decryption is ``backup_verify_request``.)"""
    _manifest_check(backup, client)
    _both(
        lambda: _stored_check(backup, DATABASE_PART, client),
        lambda: _stored_check(backup, MEDIA_PART, client),
    )


A = TypeVar("A")
B = TypeVar("B")


def _both(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """Run two functions at once (the second in a thread of its own) and return both results; the
    first failure is raised once both have ended."""

    def in_thread() -> B:
        try:
            return second()
        finally:
            connection.close()  # the thread's own database connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backup-part") as pool:
        other = pool.submit(in_thread)
        try:
            result = first()
        except BaseException:
            with contextlib.suppress(BaseException):
                other.result()
            raise
        return result, other.result()


# --- migrations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationPlan:
    unknown: list[str]  # applied in the backup, unknown to this code: the backup is newer
    behind: bool  # this code has migrations the backup lacks: migrate after restoring


def migration_plan(manifest: dict[str, Any]) -> MigrationPlan:
    """Compare the migrations applied in a backup's schema with the migrations of this code."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    known = set(loader.graph.nodes)
    for key, squash in loader.replacements.items():
        known.update(squash.replaces)
        if all(replaced in applied for replaced in squash.replaces):
            applied.add(key)
    # Only the tenant apps' migrations shape a portal's schema (shared apps' rows may be recorded
    # there too, by django-tenants, without any table of theirs in it).
    labels = {apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.TENANT_APPS}
    unknown = sorted(f"{app}.{name}" for app, name in applied - known if app in labels)
    missing = {node for node in loader.graph.nodes if node[0] in labels} - applied
    return MigrationPlan(unknown=unknown, behind=bool(missing))


def _migrations_check(backup: Backup) -> MigrationPlan:
    plan = migration_plan(backup.manifest)
    if plan.unknown:
        shown = ", ".join(plan.unknown[:5]) + ("…" if len(plan.unknown) > 5 else "")
        raise ApplicationError(
            _(
                "Backup #%(backup)s was made by a newer version of the platform (version %(version)s): its database "
                "has migrations this version does not know (%(migrations)s). Restoring it here could lose or "
                "misread data. Deploy that version or a later one, then restore."
            )
            % {"backup": backup.pk, "version": backup.app_version or "?", "migrations": shown},
            code="backup_newer_migrations",
            extra={"migrations": plan.unknown},
        )
    return plan


# --- restoring -----------------------------------------------------------------------------------


def _work_schema(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def _restore_database(backup: Backup, *, target: str) -> None:
    tools, conninfo, env = _pg()
    if _schema_exists(target):
        schemas.schema_drop(target)  # a leftover of an interrupted attempt of this job
    pgtools.restore_schema_as(
        tools=tools,
        conninfo=conninfo,
        env=env,
        dump=part_read(backup, DATABASE_PART),
        source=str(backup.manifest["schema"]),
        target=target,
    )


def _counts_check(backup: Backup, *, schema_name: str) -> str:
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        found = pgtools.table_counts(conn, schema_name)
    expected = {str(k): int(v) for k, v in backup.manifest.get("tables", {}).items()}
    if found != expected:
        differing = sorted(set(found) ^ set(expected)) + sorted(
            t for t in set(found) & set(expected) if found[t] != expected[t]
        )
        raise ApplicationError(
            _("The restored schema does not match the manifest (tables: %(tables)s).")
            % {"tables": ", ".join(differing[:10])},
            code="backup_counts_mismatch",
            extra={"tables": differing},
        )
    return _("%(tables)s tables, %(rows)s rows as in the manifest") % {
        "tables": len(found),
        "rows": sum(found.values()),
    }


def _sessions_end(schema_name: str) -> None:
    """Sessions restored from the backup would log people back in as they were then: end them all."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema_name}".django_session'])
        row = cursor.fetchone()
        if row and row[0]:
            # The name is a schema this job made (checked by _check_schema_name when made).
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(schema_name)}.django_session")  # noqa: S608


def _media_restore(backup: Backup, *, schema_name: str, only_missing: bool, job: BackupJob) -> str:
    """Put the backup's media under ``schema_name``'s prefix; with ``only_missing``, objects already
    there are left alone (keys are never reused, so a present key holds the same bytes).

    The keys about to be written are recorded on the job first, so that an undo removes exactly
    what this restore added, even after a crash.
    """
    client = _media_client()
    bucket = settings.S3_BUCKET
    prefix = _media_prefix(schema_name)
    present = (
        {str(o["Key"])[len(prefix) :] for o in backup_store.objects_list(client, bucket=bucket, prefix=prefix)}
        if only_missing
        else set()
    )
    wanted = {str(o["key"]) for o in backup.manifest.get("objects", [])} - present
    _job_media_added_set(job, sorted(set(_job_media_added(job)) | wanted))
    put = skipped = 0
    for item in media_read(backup):
        if item.name in present:
            for _piece in item.chunks:  # still read: every file is checked against the manifest
                pass
            skipped += 1
            continue
        extra = {"ContentType": item.content_type} if item.content_type else {}
        if item.size <= PREFETCH_MAX_BYTES:
            client.put_object(Bucket=bucket, Key=prefix + item.name, Body=b"".join(item.chunks), **extra)  # type: ignore[arg-type]
        else:
            backup_store.upload_stream(
                client,
                bucket=bucket,
                key=prefix + item.name,
                chunks=item.chunks,
                part_size=settings.BACKUP_PART_SIZE,
                threads=settings.BACKUP_UPLOAD_THREADS,
                content_type=item.content_type or "application/octet-stream",
            )
        put += 1
    return _("%(put)s files put back, %(kept)s already there") % {"put": put, "kept": skipped}


def _job_media_added(job: BackupJob) -> list[str]:
    value = BackupJob.objects.filter(pk=job.pk).values_list("media_added", flat=True).first()
    return list(value or [])


def _job_media_added_set(job: BackupJob, keys: list[str]) -> None:
    BackupJob.objects.filter(pk=job.pk).update(media_added=keys)


def _media_remove(schema_name: str, names: list[str]) -> None:
    if not names:
        return
    client = _media_client()
    prefix = _media_prefix(schema_name)
    for start in range(0, len(names), 1000):
        batch = names[start : start + 1000]
        client.delete_objects(
            Bucket=settings.S3_BUCKET, Delete={"Objects": [{"Key": prefix + n} for n in batch], "Quiet": True}
        )


def _portal_cache_clear(schema_name: str) -> None:
    """Drop the portal's cache entries (keys start with its schema, see tenants.cache)."""
    cache = caches["default"]
    client = getattr(cache, "_cache", None)
    try:
        redis_client = client.get_client(write=True) if client is not None else None
    except Exception:
        redis_client = None
    if redis_client is None:
        return
    batch: list[Any] = []
    for key in redis_client.scan_iter(match=f"{schema_name}:*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            redis_client.delete(*batch)
            batch.clear()
    if batch:
        redis_client.delete(*batch)


RestoredListener = Callable[[str], None]
_restored_listeners: dict[str, RestoredListener] = {}


def restored_listen(name: str, fn: RestoredListener) -> None:
    """Register ``fn(schema_name)``, called after a portal's data was replaced by a restore in place
    (for copies kept elsewhere: the shared search index, caches of other services)."""
    _restored_listeners[name] = fn


def _restored_notify(schema_name: str) -> None:
    for name, fn in list(_restored_listeners.items()):
        try:
            fn(schema_name)
        except Exception:
            logger.exception("restore listener %s failed for %s", name, schema_name)


def _read_only_set(portal_id: int, value: bool) -> None:
    with transaction.atomic():
        Portal.objects.filter(pk=portal_id).update(read_only=value)
        routing_invalidate()


# --- requests (what the console, the API and the commands call) ------------------------------------


def _job_create(*, kind: str, steps: tuple[str, ...], **fields: Any) -> BackupJob:
    job = BackupJob.objects.create(kind=kind, **fields)
    BackupJobStep.objects.bulk_create(BackupJobStep(job=job, name=name, position=i) for i, name in enumerate(steps))
    return job


def _job_send(job: BackupJob, *, delay_ms: int = 0) -> None:
    """Send the job to a worker after commit (``tenants.jobs.enqueue`` with an optional delay)."""
    from provisioning import backup_tasks

    options: dict[str, Any] = {"delay": delay_ms} if delay_ms else {}
    transaction.on_commit(lambda: backup_tasks.backup_job_run.send_with_options(kwargs={"job_id": job.pk}, **options))


def _portal_check_backupable(portal: Portal) -> None:
    if portal.status == PortalStatus.PROVISIONING:
        raise Conflict(_("A portal that is still being provisioned cannot be backed up."), code="portal_not_ready")


def backup_create(*, portal: Portal, requested_by: str = "", send: bool = True, nightly: bool = False) -> BackupJob:
    """Queue a backup of ``portal`` now ("back up now"). ``nightly``: made as the nightly backup is
    (trigger "scheduled": its rate limit, ``BACKUP_RATE_LIMIT_MB_S``), e.g. to catch up a missed night."""
    _portal_check_backupable(portal)
    with transaction.atomic():
        job = _job_create(
            kind=BackupJobKind.BACKUP,
            steps=STEPS[BackupJobKind.BACKUP],
            portal=portal,
            trigger=BackupTrigger.SCHEDULED if nightly else BackupTrigger.MANUAL,
            requested_by=requested_by,
        )
        if send:
            _job_send(job)
    return job


def backup_get(*, backup_id: int) -> Backup:
    found = Backup.objects.select_related("portal").filter(pk=backup_id).first()
    if found is None:
        raise NotFound(_("The backup does not exist."), code="backup_not_found")
    return found


def backup_job_get(*, job_id: int) -> BackupJob:
    found = (
        BackupJob.objects.select_related("portal", "backup", "target_portal", "safety_backup").filter(pk=job_id).first()
    )
    if found is None:
        raise NotFound(_("The backup job does not exist."), code="backup_job_not_found")
    return found


def _good(backup: Backup) -> None:
    if backup.status != BackupStatus.GOOD:
        raise Conflict(
            _("Backup #%(backup)s is not a good backup (%(status)s) and cannot be used.")
            % {"backup": backup.pk, "status": backup.get_status_display()},
            code="backup_not_good",
        )


def backup_verify_request(*, backup: Backup, requested_by: str = "", send: bool = True) -> BackupJob:
    """Queue a full read-back of a backup (sizes, checksums, every chunk, every file, the manifest)."""
    if backup.status not in (BackupStatus.GOOD, BackupStatus.FAILED) or not backup.manifest:
        raise Conflict(_("Only a finished backup can be verified."), code="backup_not_finished")
    with transaction.atomic():
        job = _job_create(
            kind=BackupJobKind.VERIFY,
            steps=STEPS[BackupJobKind.VERIFY],
            portal=backup.portal,
            backup=backup,
            requested_by=requested_by,
        )
        if send:
            _job_send(job)
    return job


def backup_drill_request(*, backup: Backup, requested_by: str = "", send: bool = True) -> BackupJob:
    """Queue a restore drill: the backup restored into a scratch schema, counted, then dropped."""
    _good(backup)
    _key_for(backup)
    with transaction.atomic():
        job = _job_create(
            kind=BackupJobKind.DRILL,
            steps=STEPS[BackupJobKind.DRILL],
            portal=backup.portal,
            backup=backup,
            trigger=BackupTrigger.SCHEDULED if requested_by == "scheduler" else BackupTrigger.MANUAL,
            requested_by=requested_by,
        )
        if send:
            _job_send(job)
    return job


def backup_restore_request(*, backup: Backup, confirm: str, requested_by: str = "", send: bool = True) -> BackupJob:
    """Queue a restore of ``backup`` in place of its portal's current data.

    ``confirm`` must repeat the portal's abbreviation. Refused at once (nothing changes) if the
    backup is not good, its key is unknown, it comes from newer code, or another restore of the
    portal is queued or running — the database's unique constraint decides between two at once.
    """
    portal = backup.portal
    if portal is None:
        raise Conflict(
            _("The portal of this backup no longer exists; restore it as a copy instead."), code="portal_not_found"
        )
    if confirm.strip() != portal.abbreviation:
        raise ValidationFailed(
            _("To confirm, type the portal's abbreviation “%(abbreviation)s” exactly.")
            % {"abbreviation": portal.abbreviation},
            code="confirmation_mismatch",
            extra={"field": "confirm"},
        )
    if portal.status == PortalStatus.PROVISIONING:
        raise Conflict(_("A portal that is still being provisioned cannot be restored."), code="portal_not_ready")
    _good(backup)
    _key_for(backup)
    _migrations_check(backup)
    try:
        with transaction.atomic():
            job = _job_create(
                kind=BackupJobKind.RESTORE,
                steps=STEPS[BackupJobKind.RESTORE],
                portal=portal,
                backup=backup,
                requested_by=requested_by,
            )
            if send:
                _job_send(job)
    except IntegrityError as exc:
        raise Conflict(
            _("A restore of “%(name)s” is already queued or running; wait for it to finish.") % {"name": portal.name},
            code="restore_in_progress",
        ) from exc
    return job


def backup_restore_copy_request(
    *,
    backup: Backup,
    abbreviation: str,
    domains: list[str] | None = None,
    requested_by: str = "",
    send: bool = True,
) -> BackupJob:
    """Queue a restore of ``backup`` into a new portal (new schema, domains and media) for inspection;
    the original portal is not touched."""
    _good(backup)
    _key_for(backup)
    _migrations_check(backup)
    abbreviation = abbreviation.strip()
    province = Portal.objects.filter(kind=PortalKind.PROVINCE).first()
    kind = _copy_kind(backup)
    portal_fields_validate(
        name=backup.portal_abbreviation or "x",
        abbreviation=abbreviation,
        kind=kind,
        parent=None if kind == PortalKind.PROVINCE else province,
        email="",
    )
    cleaned = domains_clean(domains or [f"{abbreviation}.{settings.PLATFORM_DOMAIN}"])
    portal_names_check_free(abbreviation=abbreviation, domains=cleaned)
    with transaction.atomic():
        job = _job_create(
            kind=BackupJobKind.RESTORE_COPY,
            steps=STEPS[BackupJobKind.RESTORE_COPY],
            portal=backup.portal,
            backup=backup,
            target_abbreviation=abbreviation,
            target_domains=cleaned,
            requested_by=requested_by,
        )
        if send:
            _job_send(job)
    return job


def _copy_kind(backup: Backup) -> str:
    # There is one provincial portal; a copy of it is inspected as a department portal.
    kind = str(backup.manifest.get("portal", {}).get("kind") or PortalKind.COMMUNE)
    return PortalKind.DEPARTMENT if kind == PortalKind.PROVINCE else kind


# --- running a job -----------------------------------------------------------------------------------


def backup_job_run(*, job_id: int) -> BackupJob | None:
    """Carry out (or resume) a backup job; safe to call twice, and from two workers at once.

    A job whose worker died resumes: a backup starts over (after removing what the dead attempt
    uploaded), a restore continues at the step it was in. A failure is recorded, undone, and, for a
    backup, leaves a failed catalogue record and no objects.
    """
    with advisory_lock(f"backup-job-{job_id}") as acquired:
        if not acquired:
            logger.info("backup job %s is being run by another worker", job_id)
            return None
        job = BackupJob.objects.select_related("portal", "backup").filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return job
        portal_lock = (
            f"backup-portal-{job.backup.portal_id if job.backup and job.backup.portal_id else job.portal_id}"
            if job.kind != BackupJobKind.VERIFY
            else f"backup-verify-{job.pk}"
        )
        with advisory_lock(portal_lock) as portal_free:
            if not portal_free:
                logger.info("backup job %s waits: another operation holds its portal", job_id)
                with transaction.atomic():
                    _job_send(job, delay_ms=30_000)
                return None
            BackupJob.objects.filter(pk=job.pk).update(
                status=JobStatus.RUNNING, attempts=job.attempts + 1, started_at=job.started_at or timezone.now()
            )
            job.refresh_from_db()
            steps = JobSteps(job)
            try:
                RUNNERS[job.kind](job, steps)
            except Exception as exc:
                if not isinstance(exc, ApplicationError):
                    logger.exception("backup job %s (%s) failed", job.pk, job.kind)
                return _job_fail(job, exc)
            BackupJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
            job.refresh_from_db()
            return job


def _job_fail(job: BackupJob, exc: BaseException) -> BackupJob:
    failed_step = job.steps.filter(status=StepStatus.FAILED).values_list("name", flat=True).first() or ""
    try:
        UNDO.get(job.kind, lambda j: None)(job)
    except Exception:
        logger.exception("backup job %s: undo failed", job.pk)
    BackupJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        error_step=failed_step,
        error_code=exc.code if isinstance(exc, ApplicationError) else "backup_job_failed",
        error_message=_error_message(exc)[:4000],
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _run_backup(job: BackupJob, steps: JobSteps) -> None:
    portal = job.portal
    if portal is None:
        raise NotFound(_("The portal does not exist."), code="portal_not_found")
    steps.reset()
    if job.backup is not None and job.backup.status == BackupStatus.RUNNING:
        backup = job.backup  # the attempt of a worker that died: its prefix is cleaned and reused
    else:
        backup = _backup_new(portal=portal, trigger=job.trigger, created_by=job.requested_by)
        BackupJob.objects.filter(pk=job.pk).update(backup=backup)
    _backup_attempts(backup=backup, steps=steps, job=job)


def _run_verify(job: BackupJob, steps: JobSteps) -> None:
    backup = job.backup
    if backup is None:
        raise NotFound(_("The backup does not exist."), code="backup_not_found")
    steps.reset()
    client = backup_client()
    try:
        with steps.step("manifest") as note:
            _manifest_check(backup, client)
            note.detail = _("signature and catalogue match")
        with steps.step("database") as note:
            for _piece in part_read(backup, DATABASE_PART, client=client):
                pass
            note.detail = _size(int(_part(backup, DATABASE_PART)["plain_size"]))
        with steps.step("media") as note:
            note.detail = _("%(count)s files checked") % {"count": _media_drain(backup, client=client)}
    except Exception as exc:
        _verify_failed(backup, exc)
        raise
    Backup.objects.filter(pk=backup.pk).update(
        verify_status=VerifyStatus.OK, verified_at=timezone.now(), verify_error=""
    )


def _verify_failed(backup: Backup, exc: BaseException) -> None:
    code = exc.code if isinstance(exc, ApplicationError) else ""
    fields: dict[str, Any] = {
        "verify_status": VerifyStatus.FAILED,
        "verified_at": timezone.now(),
        "verify_error": _error_message(exc)[:4000],
    }
    if code in INTEGRITY_CODES:
        # The stored backup is bad: it is no longer good (never restored, never counted as the
        # newest good one by the retention).
        fields.update(status=BackupStatus.FAILED, error_code=code, error_message=_error_message(exc)[:4000])
    Backup.objects.filter(pk=backup.pk).update(**fields)


def _run_drill(job: BackupJob, steps: JobSteps) -> None:
    if settings.BACKUP_LOW_PRIORITY:
        # A scheduled check nobody waits for: like a nightly backup, it yields the CPU and the disk
        # to the portals being served (its pg_restore inherits the thread's priority).
        _, lowered = priority.run_lowered(lambda: _drill(job, steps), on_exit=_connection_close)
        logger.info("restore drill of job #%s ran at low priority (%s)", job.pk, lowered.describe())
        return
    _drill(job, steps)


def _drill(job: BackupJob, steps: JobSteps) -> None:
    backup = job.backup
    if backup is None:
        raise NotFound(_("The backup does not exist."), code="backup_not_found")
    steps.reset()
    scratch = job.work_schema or _work_schema("drill")
    BackupJob.objects.filter(pk=job.pk).update(work_schema=scratch)
    try:
        with steps.step("restore") as note:
            _restore_database(backup, target=scratch)
            note.detail = scratch
        with steps.step("check") as note:
            note.detail = _counts_check(backup, schema_name=scratch)
        with steps.step("media") as note:
            note.detail = _("%(count)s files checked") % {"count": _media_drain(backup)}
        with steps.step("drop") as note:
            schemas.schema_drop(scratch)
            note.detail = scratch
    except Exception as exc:
        Backup.objects.filter(pk=backup.pk).update(drilled_at=timezone.now(), drill_ok=False)
        if isinstance(exc, ApplicationError) and exc.code in INTEGRITY_CODES:
            _verify_failed(backup, exc)
        raise
    Backup.objects.filter(pk=backup.pk).update(drilled_at=timezone.now(), drill_ok=True)


def _undo_drill(job: BackupJob) -> None:
    if job.work_schema:
        schemas.schema_drop(job.work_schema)


def _run_restore(job: BackupJob, steps: JobSteps) -> None:
    """Restore in place; resumable: steps already done are skipped, the swap is the commit point."""
    backup, portal = job.backup, job.portal
    if backup is None or portal is None:
        raise NotFound(_("The backup or its portal does not exist."), code="backup_not_found")
    _good(backup)
    plan = _migrations_check(backup)
    if not job.work_schema:
        job.work_schema = _work_schema("restore")
        BackupJob.objects.filter(pk=job.pk).update(work_schema=job.work_schema)
    work = job.work_schema

    def run(name: str, fn: Callable[[StepNote], None]) -> None:
        if steps.done(name):
            return
        with steps.step(name) as note:
            fn(note)

    def read_only(note: StepNote) -> None:
        _read_only_set(portal.pk, True)
        # Every process sees the flag within the routing recheck; requests already inside finish.
        time.sleep(settings.BACKUP_READ_ONLY_SETTLE_SECONDS)
        note.detail = _("changes refused, pages still served")

    def safety(note: StepNote) -> None:
        job.refresh_from_db()
        existing = job.safety_backup
        if existing is not None and existing.status == BackupStatus.GOOD:
            note.detail = _("backup #%(backup)s") % {"backup": existing.pk}
            return
        if existing is not None and existing.status == BackupStatus.RUNNING:
            safety_backup = existing  # begun by a worker that died: its prefix is cleaned and reused
        else:
            safety_backup = _backup_new(portal=portal, trigger=BackupTrigger.SAFETY, created_by=job.requested_by)
            BackupJob.objects.filter(pk=job.pk).update(safety_backup=safety_backup)
        _backup_attempts(backup=safety_backup, steps=InnerSteps(job, "safety"), job=None)
        note.detail = _("backup #%(backup)s") % {"backup": safety_backup.pk}

    def restore(note: StepNote) -> None:
        _restore_database(backup, target=work)
        note.detail = work

    def check(note: StepNote) -> None:
        note.detail = _counts_check(backup, schema_name=work)
        _sessions_end(work)

    def migrate(note: StepNote) -> None:
        if plan.behind:
            schemas.schema_migrate(work)
            note.detail = _("migrated to the current version")
        else:
            note.detail = _("already current")

    def media(note: StepNote) -> None:
        note.detail = _media_restore(backup, schema_name=portal.schema_name, only_missing=True, job=job)

    def swap(note: StepNote) -> None:
        retired = _work_schema("old")
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            # Waiting long for a lock here would stall the portal's requests queued behind it.
            cursor.execute("SET LOCAL lock_timeout = '15s'")
            cursor.execute(f"ALTER SCHEMA {quote(portal.schema_name)} RENAME TO {quote(retired)}")
            cursor.execute(f"ALTER SCHEMA {quote(work)} RENAME TO {quote(portal.schema_name)}")
            RetiredSchema.objects.create(
                schema_name=retired,
                portal=portal,
                job=job,
                drop_after=timezone.now() + dt.timedelta(hours=settings.BACKUP_OLD_SCHEMA_KEEP_HOURS),
            )
            # Recorded in the same transaction: a worker dying right after commit resumes past it.
            BackupJob.objects.filter(pk=job.pk).update(work_schema="", media_added=[])
            BackupJobStep.objects.filter(job=job, name="swap").update(
                status=StepStatus.DONE, finished_at=timezone.now(), detail=retired
            )
        note.detail = retired

    def finish(note: StepNote) -> None:
        _portal_cache_clear(portal.schema_name)
        _restored_notify(portal.schema_name)
        _read_only_set(portal.pk, False)
        router.clear()
        note.detail = _("the portal serves the restored data")

    for name, fn in (
        ("read_only", read_only),
        ("safety", safety),
        ("restore", restore),
        ("check", check),
        ("migrate", migrate),
        ("media", media),
        ("swap", swap),
        ("finish", finish),
    ):
        run(name, fn)


def _undo_restore(job: BackupJob) -> None:
    """Before the swap: drop the new schema, remove the media put back, serve again. After it, the
    restore has happened: only make sure the portal serves again."""
    job.refresh_from_db()
    swapped = job.steps.filter(name="swap", status=StepStatus.DONE).exists()
    portal = job.portal
    if not swapped:
        if job.work_schema:
            schemas.schema_drop(job.work_schema)
        if portal is not None:
            _media_remove(portal.schema_name, _job_media_added(job))
        BackupJob.objects.filter(pk=job.pk).update(work_schema="", media_added=[])
    if portal is not None:
        _read_only_set(portal.pk, False)


def _run_restore_copy(job: BackupJob, steps: JobSteps) -> None:
    backup = job.backup
    if backup is None:
        raise NotFound(_("The backup does not exist."), code="backup_not_found")
    _good(backup)
    plan = _migrations_check(backup)

    def run(name: str, fn: Callable[[StepNote], None]) -> None:
        if steps.done(name):
            return
        with steps.step(name) as note:
            fn(note)

    def target() -> Portal:
        job.refresh_from_db()
        if job.target_portal is None:
            raise ApplicationError(_("The copy has not been reserved."), code="not_reserved")
        return job.target_portal

    def reserve(note: StepNote) -> None:
        if job.target_portal_id is not None:
            note.detail = _("already reserved")
            return
        portal_names_check_free(abbreviation=job.target_abbreviation, domains=list(job.target_domains))
        kind = _copy_kind(backup)
        original = str(backup.manifest.get("portal", {}).get("name") or backup.portal_abbreviation)
        stamp = timezone.localtime(backup.started_at).strftime("%d/%m/%Y %H:%M")
        try:
            with transaction.atomic():
                copy = Portal.objects.create(
                    schema_name=schema_name_for(job.target_abbreviation),
                    name=_("%(name)s (copy of the backup of %(when)s)") % {"name": original, "when": stamp},
                    abbreviation=job.target_abbreviation,
                    kind=kind,
                    parent=Portal.objects.filter(kind=PortalKind.PROVINCE).first(),
                    status=PortalStatus.PROVISIONING,
                    template_key=backup.portal.template_key if backup.portal else "",
                    template_version=backup.portal.template_version if backup.portal else "",
                )
                BackupJob.objects.filter(pk=job.pk).update(target_portal=copy, work_schema=copy.schema_name)
        except IntegrityError as exc:
            raise Conflict(
                _("The abbreviation “%(abbreviation)s” was just taken.") % {"abbreviation": job.target_abbreviation},
                code="abbreviation_taken",
            ) from exc
        note.detail = copy.schema_name

    def restore(note: StepNote) -> None:
        _restore_database(backup, target=target().schema_name)
        note.detail = target().schema_name

    def check(note: StepNote) -> None:
        note.detail = _counts_check(backup, schema_name=target().schema_name)
        _sessions_end(target().schema_name)

    def migrate(note: StepNote) -> None:
        if plan.behind:
            schemas.schema_migrate(target().schema_name)
            note.detail = _("migrated to the current version")
        else:
            note.detail = _("already current")

    def media(note: StepNote) -> None:
        note.detail = _media_restore(backup, schema_name=target().schema_name, only_missing=False, job=job)

    def domains(note: StepNote) -> None:
        copy = target()
        try:
            with transaction.atomic():
                for index, domain in enumerate(job.target_domains):
                    existing = Domain.objects.filter(domain=domain).first()
                    if existing is not None and existing.tenant_id == copy.pk:
                        continue
                    Domain.objects.create(domain=domain, tenant=copy, is_primary=index == 0)
        except IntegrityError as exc:
            raise Conflict(_("A domain was just taken by another portal."), code="domain_taken") from exc
        note.detail = ", ".join(job.target_domains)

    def activate(note: StepNote) -> None:
        copy = target()
        with transaction.atomic():
            Portal.objects.filter(pk=copy.pk).update(status=PortalStatus.ACTIVE)
            routing_invalidate()
        note.detail = str(job.target_domains[0]) if job.target_domains else copy.schema_name

    for name, fn in (
        ("reserve", reserve),
        ("restore", restore),
        ("check", check),
        ("migrate", migrate),
        ("media", media),
        ("domains", domains),
        ("activate", activate),
    ):
        run(name, fn)


def _undo_restore_copy(job: BackupJob) -> None:
    """Remove everything the copy made: its schema, media, domains and portal row."""
    job.refresh_from_db()
    copy = job.target_portal
    if copy is None:
        return
    schemas.schema_drop(copy.schema_name)
    with contextlib.suppress(Exception):
        backup_store.prefix_delete(_media_client(), bucket=settings.S3_BUCKET, prefix=_media_prefix(copy.schema_name))
    with transaction.atomic():
        BackupJob.objects.filter(pk=job.pk).update(target_portal=None, work_schema="", media_added=[])
        Domain.objects.filter(tenant=copy).delete()
        copy.delete()
        routing_invalidate()


RUNNERS: dict[str, Callable[[BackupJob, JobSteps], None]] = {
    BackupJobKind.BACKUP: _run_backup,
    BackupJobKind.VERIFY: _run_verify,
    BackupJobKind.RESTORE: _run_restore,
    BackupJobKind.RESTORE_COPY: _run_restore_copy,
    BackupJobKind.DRILL: _run_drill,
}
UNDO: dict[str, Callable[[BackupJob], None]] = {
    BackupJobKind.RESTORE: _undo_restore,
    BackupJobKind.RESTORE_COPY: _undo_restore_copy,
    BackupJobKind.DRILL: _undo_drill,
}


# --- schedule, retention, maintenance ----------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    portal: str
    job_id: int
    delay_ms: int


def backups_schedule_nightly(*, today: dt.date | None = None) -> list[Planned]:
    """One backup message per active portal, spread evenly over ``BACKUP_SPREAD_MINUTES`` so that
    they do not all start at once. Sending twice the same night changes nothing (unique per date)."""
    day = today or timezone.localdate()
    portals = list(Portal.objects.filter(status=PortalStatus.ACTIVE, read_only=False).order_by("pk"))
    window_ms = settings.BACKUP_SPREAD_MINUTES * 60_000
    planned: list[Planned] = []
    for index, portal in enumerate(portals):
        delay = window_ms * index // max(len(portals), 1)
        try:
            with transaction.atomic():
                job = _job_create(
                    kind=BackupJobKind.BACKUP,
                    steps=STEPS[BackupJobKind.BACKUP],
                    portal=portal,
                    trigger=BackupTrigger.SCHEDULED,
                    scheduled_for=day,
                    requested_by="scheduler",
                )
                _job_send(job, delay_ms=delay)
        except IntegrityError:
            continue  # already scheduled tonight
        planned.append(Planned(portal=portal.abbreviation, job_id=job.pk, delay_ms=delay))
    return planned


def backups_drill_schedule(*, count: int = 1) -> list[BackupJob]:
    """Restore drills of the portals whose newest good backup was drilled longest ago (or never)."""
    jobs: list[BackupJob] = []
    candidates: list[tuple[dt.datetime, Backup]] = []
    for portal in Portal.objects.filter(status__in=(PortalStatus.ACTIVE, PortalStatus.SUSPENDED)):
        newest = _newest_good(portal)
        if (
            newest is None
            or BackupJob.objects.filter(
                backup=newest, kind=BackupJobKind.DRILL, status__in=ACTIVE_JOB_STATUSES
            ).exists()
        ):
            continue
        last_drill = (
            Backup.objects.filter(portal=portal, drilled_at__isnull=False)
            .order_by("-drilled_at")
            .values_list("drilled_at", flat=True)
            .first()
        )
        candidates.append((last_drill or dt.datetime.min.replace(tzinfo=dt.UTC), newest))
    for _when, backup in sorted(candidates, key=lambda c: c[0])[:count]:
        jobs.append(backup_drill_request(backup=backup, requested_by="scheduler"))
    return jobs


def _newest_good(portal: Portal) -> Backup | None:
    return Backup.objects.filter(portal=portal, status=BackupStatus.GOOD).order_by("-finished_at", "-pk").first()


@dataclass
class PruneResult:
    kept: list[int] = field(default_factory=list)
    pruned: list[int] = field(default_factory=list)
    failed_removed: list[int] = field(default_factory=list)


def retention_keep(backups: list[Backup]) -> set[int]:
    """Ids to keep among a portal's good backups (grandfather-father-son, local time): the newest of
    each of the last ``BACKUP_RETENTION_DAILY`` days, ``_WEEKLY`` ISO weeks and ``_MONTHLY`` months
    that have backups, and always the newest of all."""
    ordered = sorted(backups, key=lambda b: (b.finished_at or b.started_at, b.pk), reverse=True)
    keep: set[int] = {ordered[0].pk} if ordered else set()
    rules: list[tuple[int, Callable[[dt.date], Any]]] = [
        (settings.BACKUP_RETENTION_DAILY, lambda d: d),
        (settings.BACKUP_RETENTION_WEEKLY, lambda d: d.isocalendar()[:2]),
        (settings.BACKUP_RETENTION_MONTHLY, lambda d: (d.year, d.month)),
    ]
    for limit, period in rules:
        seen: set[Any] = set()
        for backup in ordered:
            if len(seen) >= limit:
                break
            bucket = period(timezone.localtime(backup.finished_at or backup.started_at).date())
            if bucket not in seen:
                seen.add(bucket)
                keep.add(backup.pk)
    return keep


def backups_prune(*, portal: Portal | None = None, dry_run: bool = False) -> PruneResult:
    """Apply the retention to every portal (or one): delete the objects of backups it does not keep
    and mark them pruned. Never touches the newest good backup, nor one a job is using. Failed
    backups older than the daily window lose their objects too."""
    result = PruneResult()
    in_use = set(
        BackupJob.objects.filter(status__in=ACTIVE_JOB_STATUSES, backup__isnull=False).values_list(
            "backup_id", flat=True
        )
    )
    client = backup_client(timeout=10.0) if not dry_run else None
    # By schema, not by portal row: the backups of a portal that no longer exists age out too.
    scope = Backup.objects.filter(portal=portal) if portal else Backup.objects.all()
    for schema_name in sorted(set(scope.values_list("schema_name", flat=True))):
        mine = scope.filter(schema_name=schema_name)
        good = list(mine.filter(status=BackupStatus.GOOD))
        keep = retention_keep(good) | in_use
        result.kept.extend(sorted(b.pk for b in good if b.pk in keep))
        for backup in good:
            if backup.pk in keep:
                continue
            result.pruned.append(backup.pk)
            if not dry_run and client is not None:
                backup_store.uploads_abort(client, bucket=backup.bucket, prefix=backup.prefix)
                backup_store.prefix_delete(client, bucket=backup.bucket, prefix=backup.prefix)
                Backup.objects.filter(pk=backup.pk, status=BackupStatus.GOOD).update(
                    status=BackupStatus.PRUNED, pruned_at=timezone.now()
                )
        cutoff = timezone.now() - dt.timedelta(days=settings.BACKUP_RETENTION_DAILY)
        for backup in mine.filter(status=BackupStatus.FAILED, started_at__lt=cutoff).exclude(pk__in=in_use):
            result.failed_removed.append(backup.pk)
            if not dry_run and client is not None:
                backup_store.uploads_abort(client, bucket=backup.bucket, prefix=backup.prefix)
                backup_store.prefix_delete(client, bucket=backup.bucket, prefix=backup.prefix)
                Backup.objects.filter(pk=backup.pk).update(
                    status=BackupStatus.PRUNED, pruned_at=timezone.now(), leftovers=False
                )
    return result


@dataclass
class MaintenanceResult:
    schemas_dropped: list[str] = field(default_factory=list)
    leftovers_cleaned: list[int] = field(default_factory=list)
    jobs_resent: list[int] = field(default_factory=list)
    prune: PruneResult = field(default_factory=PruneResult)


def backups_maintain() -> MaintenanceResult:
    """Hourly: drop the replaced schemas whose time is up, remove what failed backups left when
    storage was down, resend jobs whose worker died, and apply the retention."""
    result = MaintenanceResult()
    with advisory_lock("backups-maintain") as acquired:
        if not acquired:
            return result
        for retired in RetiredSchema.objects.filter(dropped_at__isnull=True, drop_after__lte=timezone.now()):
            schemas.schema_drop(retired.schema_name)
            RetiredSchema.objects.filter(pk=retired.pk).update(dropped_at=timezone.now())
            result.schemas_dropped.append(retired.schema_name)
        for backup in Backup.objects.filter(leftovers=True):
            if _backup_cleanup(backup):
                Backup.objects.filter(pk=backup.pk).update(leftovers=False)
                result.leftovers_cleaned.append(backup.pk)
        stale = timezone.now() - dt.timedelta(minutes=15)
        for job in BackupJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=stale):
            with advisory_lock(f"backup-job-{job.pk}") as free:
                if free:  # nobody runs it: its worker died and the broker did not redeliver
                    with transaction.atomic():
                        _job_send(job)
                    result.jobs_resent.append(job.pk)
        result.prune = backups_prune()
    return result


# --- what operators see ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupAlert:
    code: str
    portal: str
    message: str
    backup_id: int | None = None
    job_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "portal": self.portal,
            "message": self.message,
            "backup": self.backup_id,
            "job": self.job_id,
        }


def backup_alerts() -> list[BackupAlert]:
    """What needs an operator: a portal whose latest backup or newest drill failed, a check or a
    restore that failed in the last day, or an active portal without a good backup for
    ``BACKUP_MAX_AGE_HOURS``."""
    alerts: list[BackupAlert] = []
    now = timezone.now()
    max_age = dt.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    for portal in Portal.objects.filter(status__in=(PortalStatus.ACTIVE, PortalStatus.SUSPENDED)).order_by("pk"):
        latest = (
            Backup.objects.filter(portal=portal)
            .exclude(status__in=(BackupStatus.RUNNING, BackupStatus.PRUNED))
            .order_by("-started_at", "-pk")
            .first()
        )
        if latest is not None and latest.status == BackupStatus.FAILED:
            alerts.append(
                BackupAlert(
                    "backup_failed",
                    portal.abbreviation,
                    _("The latest backup of “%(name)s” failed: %(error)s")
                    % {"name": portal.name, "error": latest.verify_error or latest.error_message},
                    backup_id=latest.pk,
                )
            )
        newest = _newest_good(portal)
        if newest is not None and newest.drill_ok is False:
            alerts.append(
                BackupAlert(
                    "drill_failed",
                    portal.abbreviation,
                    _("The restore drill of the newest backup of “%(name)s” failed.") % {"name": portal.name},
                    backup_id=newest.pk,
                )
            )
        for checked in Backup.objects.filter(
            portal=portal, verify_status=VerifyStatus.FAILED, verified_at__gte=now - dt.timedelta(days=1)
        ).exclude(status=BackupStatus.PRUNED):
            alerts.append(
                BackupAlert(
                    "verify_failed",
                    portal.abbreviation,
                    _("Backup #%(backup)s of “%(name)s” failed its check: %(error)s")
                    % {"backup": checked.pk, "name": portal.name, "error": checked.verify_error},
                    backup_id=checked.pk,
                )
            )
        old_enough = portal.created_at < now - max_age
        fresh = newest is not None and (newest.finished_at or newest.started_at) >= now - max_age
        if portal.status == PortalStatus.ACTIVE and old_enough and not fresh:
            alerts.append(
                BackupAlert(
                    "backup_stale",
                    portal.abbreviation,
                    _("“%(name)s” has no good backup from the last %(hours)s hours.")
                    % {"name": portal.name, "hours": settings.BACKUP_MAX_AGE_HOURS},
                    backup_id=newest.pk if newest else None,
                )
            )
    for job in BackupJob.objects.filter(
        kind__in=(BackupJobKind.RESTORE, BackupJobKind.RESTORE_COPY),
        status=JobStatus.FAILED,
        finished_at__gte=now - dt.timedelta(days=1),
    ).select_related("portal"):
        alerts.append(
            BackupAlert(
                "restore_failed",
                job.portal.abbreviation if job.portal else "",
                _("A restore failed at step “%(step)s”: %(error)s")
                % {"step": STEP_LABELS.get(job.error_step, job.error_step), "error": job.error_message},
                job_id=job.pk,
            )
        )
    return alerts


def backup_list(*, portal: Portal | None = None, status: str | None = None) -> QuerySet[Backup]:
    queryset = Backup.objects.select_related("portal")
    if portal is not None:
        queryset = queryset.filter(portal=portal)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def backup_jobs_recent(*, portal: Portal | None = None, limit: int = 20) -> list[BackupJob]:
    queryset = BackupJob.objects.select_related("portal", "backup", "target_portal")
    if portal is not None:
        queryset = queryset.filter(Q(portal=portal) | Q(target_portal=portal))
    return list(queryset[:limit])
