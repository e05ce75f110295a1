"""Backup benchmark (issue 8): a portal with realistic content backed up and restored, against a
baseline measured in the same run.

What it builds: the platform's database ``portal_bench_backup`` on the machine's PostgreSQL (dropped
and created again), a SeaweedFS started for the run in a temporary directory, the demo portals, and
the portal ``bench-sl`` filled with ``--articles`` articles (varied Vietnamese text of 2–6 KB each,
each with its revision, three workflow steps and a section) and ``--media-mb`` of media objects
(incompressible, 200 KB – 4 MB, plus a few 10 MB documents) with their media-library rows.

What it measures, ``--rounds`` times, interleaved:

* ``baseline`` — ``pg_dump -Fc -n portal_bench_sl -f <local file>`` (the same binary the backup uses),
  then every media object copied from the S3 API to local files with ``BACKUP_MEDIA_THREADS`` threads;
* ``backup``   — the backup job as production runs it (``backup_create`` + ``backup_job_run``):
  snapshot, dump (``-Z BACKUP_PG_DUMP_COMPRESSION``, 1 by default) and media streamed at once through
  AES-256-GCM into multipart uploads, manifest, and the read-back check of every part. Once more
  with pg_dump's default compression (-Z6, as the baseline) for comparison.

Throughput = (plain dump size + media bytes) / time, the same bytes for both; the rounds run at full
speed and normal priority (``BACKUP_LOW_PRIORITY`` off), as the baseline does, and one more backup at
low priority (the shipped "back up now") is reported beside them. Then, once: a restore in place
(read-only, safety backup, restore into a new schema, counts, media, swap) and a restore as a copy,
with their steps' times.

Last, another portal's home page (the provincial portal, gunicorn with two workers) is loaded at a
steady ``--rate`` throughout a series of interleaved windows — idle, a backup, idle, the next kind of
backup, ... ``--windows`` times over, then idle — each backup being ``manage.py backup`` in a process
and session of its own (as a worker service), its window cut at its job's own start and end:

* ``normal``    — full speed, normal priority (``BACKUP_LOW_PRIORITY=0``; the behaviour before);
* ``low``       — "back up now" as shipped: unthrottled, lowest priority, database backend lowered;
* ``low_no_db`` — the same without lowering the database backend (``BACKUP_LOW_PRIORITY_DATABASE=0``);
* ``limited``   — ``--nightly`` at ``--limit-mb-s`` (``BACKUP_RATE_LIMIT_MB_S``), normal priority;
* ``nightly``   — the nightly backup as shipped: ``--limit-mb-s`` and lowest priority.

Reported per kind: p50/p95 pooled over its windows against all idle windows pooled, and the median
over the cycles of each window against its two neighbouring idle windows; the noise reference is the
odd-numbered idle windows against the even-numbered ones. SeaweedFS stands in for object storage that
a deployment has on other machines, so during the windows it runs at the lowest priority
(``--s3-priority low``; ``normal`` to keep it) — the backup's own processes are never spared.

    .venv/bin/python bench/backup.py [--articles 20000] [--media-mb 500] [--rounds 2] [--rate 40]
        [--windows 3] [--variants normal,low,limited,nightly] [--limit-mb-s 5]
    .venv/bin/python bench/backup.py --quick      # --articles 2000 --media-mb 50 --rounds 1

The last line is one JSON object: ``value`` = backup throughput (MB/s), ``ratio`` = that / the
baseline's throughput.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` and `infra` importable
    sys.path.insert(0, str(ROOT))

from bench._db import recreate_database  # noqa: E402
from bench.routing import BenchError, Server, _raise_on_signal, free_port, log  # noqa: E402
from infra.embedded import SeaweedFSService, ServiceError  # noqa: E402

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_backup"
CACHE_URL = "redis://127.0.0.1:6379/5"
PLATFORM_DOMAIN = "nghean.localhost"
OTHER_HOST = PLATFORM_DOMAIN  # the provincial demo portal
BENCH_ABBREVIATION = "bench-sl"
MB = 1024 * 1024

WORDS = (
    "ủy ban nhân dân xã phường tỉnh nghệ an hội nghị triển khai kế hoạch năm nhiệm vụ trọng tâm phát triển "
    "kinh tế xã hội nông thôn mới đồng chí chủ tịch phó bí thư đảng ủy cán bộ công chức viên chức người dân "
    "doanh nghiệp đầu tư hạ tầng giao thông thủy lợi giáo dục y tế văn hóa thể thao du lịch an ninh quốc phòng "
    "chuyển đổi số cải cách hành chính dịch vụ công trực tuyến hồ sơ thủ tục tiếp nhận giải quyết đúng hạn "
    "báo cáo kết quả thực hiện chỉ tiêu nghị quyết quyết định văn bản hướng dẫn kiểm tra giám sát đánh giá "
    "tuyên truyền phổ biến pháp luật phòng chống thiên tai bão lũ hạn hán cứu trợ hỗ trợ hộ nghèo cận nghèo "
    "môi trường rác thải nước sạch điện lưới sản xuất lúa ngô chăn nuôi lâm nghiệp trồng rừng thương mại"
).split()


def bench_env(s3_env: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)
    for name in list(env):
        if name.endswith("_FILE") or name.startswith(("S3_", "AWS_", "BACKUP_")):
            env.pop(name)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal_platform.settings",
            "PORTAL_DEV": "1",
            "DATABASE_URL": DATABASE_URL,
            "CACHE_URL": CACHE_URL,
            "BROKER_URL": "stub://bench",
            "PROVISIONING_POOL_SIZE": "0",
            "PYTHONUNBUFFERED": "1",
            **s3_env,
        }
    )
    for name in ("PLATFORM_DOMAIN", "CONSOLE_HOST"):
        env.pop(name, None)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    log(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")


# --- filling the portal -------------------------------------------------------------------------


def _text(rng: random.Random, words: int) -> str:
    out = []
    for _ in range(max(1, words // 14)):
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        out.append(sentence[:1].upper() + sentence[1:] + ".")
    return " ".join(out)


def fill(portal: Any, *, articles: int, media_mb: int) -> dict[str, int]:
    """Articles by COPY (the workflow's own rows: revision, transitions, section) and media objects put
    straight into the portal's prefix with their library rows; one real article and one real upload
    go through the services first, so every table a portal uses has rows."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import User
    from content import roles
    from content.models import Article, Category, MediaFile, SiteSettings
    from content.services import media_upload, roles_apply
    from content.services.workflow import item_save, item_transition
    from infra.s3 import s3_client
    from provisioning.site_templates import load_template

    rng = random.Random(8)
    s3 = s3_client(settings.S3_ENDPOINT_URL, settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY)
    with schema_context(portal.schema_name):
        roles_apply(roles=load_template("commune").roles)
        SiteSettings.objects.get_or_create(pk=1)
        from content.models import Role

        writer = User.objects.create_user(username="phongvien.bench-sl", password="x", is_staff=True)  # noqa: S106 - never logs in
        head = User.objects.create_user(username="truongban.bench-sl", password="x", is_staff=True)  # noqa: S106 - never logs in
        writer.groups.add(Role.objects.get(key=roles.CONTRIBUTOR).group)
        head.groups.add(Role.objects.get(key=roles.BOARD_HEAD).group)
        section = Category.objects.create(name="Tin tức", slug="tin-tuc")
        from PIL import Image

        picture = io.BytesIO()
        Image.new("RGB", (1200, 800), (30, 90, 160)).save(picture, "PNG")
        media_upload(
            file=SimpleUploadedFile("anh.png", picture.getvalue()),
            name="anh.png",
            alt_text="Ảnh",
            uploaded_by=writer.username,
        )
        first = item_save(
            model=Article,
            data={"title": "Tin đầu tiên", "body": "<p>Nội dung</p>", "author": "PV", "sections": [section.pk]},
            user=writer,
        )
        for action, user in (("submit", writer), ("approve", head), ("publish", head)):
            first = item_transition(item=first, action=action, user=user)

        # Media objects: a realistic mix of photo sizes and a few large documents, all incompressible.
        media_rows = []
        total = 0
        target = media_mb * MB
        sizes: list[int] = []
        while total < target:
            size = rng.choice([10 * MB]) if rng.random() < 0.03 else rng.randint(200 * 1024, 4 * MB)
            size = min(size, target - total) or 1
            sizes.append(size)
            total += size

        def put(index: int, size: int) -> tuple[str, int, str]:
            data = os.urandom(size)
            key = f"media/{uuid.uuid4().hex}/original.{'pdf' if size >= 10 * MB else 'jpg'}"
            s3.put_object(Bucket=settings.S3_BUCKET, Key=f"portals/{portal.schema_name}/{key}", Body=data)
            return key, size, hashlib.sha256(data).hexdigest()

        with ThreadPoolExecutor(8) as pool:
            for key, size, sha in pool.map(lambda args: put(*args), enumerate(sizes)):
                pdf = key.endswith(".pdf")
                media_rows.append(
                    MediaFile(
                        kind="document" if pdf else "image",
                        file_type="pdf" if pdf else "jpeg",
                        content_type="application/pdf" if pdf else "image/jpeg",
                        original_name=key.rsplit("/", 2)[-2][:12] + (".pdf" if pdf else ".jpg"),
                        key=key,
                        size=size,
                        sha256=sha,
                        width=None if pdf else 1600,
                        height=None if pdf else 1067,
                        alt_text="" if pdf else "Ảnh minh họa",
                        uploaded_by=writer.username,
                    )
                )
        MediaFile.objects.bulk_create(media_rows, batch_size=1000)
        image_ids = list(MediaFile.objects.filter(kind="image").values_list("pk", flat=True))

        # Articles, their revisions, workflow steps and section, by COPY.
        article_type = ContentType.objects.get_for_model(Article).pk
        now = dt.datetime.now(dt.UTC)
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM content_article")
            next_article = int(cursor.fetchone()[0]) + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM content_revision")
            next_revision = int(cursor.fetchone()[0]) + 1
        raw = connection.connection
        assert raw is not None
        columns = (
            "id, title, slug, summary, body, cover_id, cover_alt, author, language, featured, is_republished, "
            "source_name, source_url, status, live, published_at, first_published_at, status_comment, owner_id, "
            "working_revision_id, live_revision_id, created_at, updated_at"
        )
        bodies: list[tuple[int, str, str, str, int | None]] = []
        for n in range(articles):
            title = _text(rng, 14)[:250]
            summary = _text(rng, 40)
            body = "".join(f"<p>{_text(rng, rng.randint(60, 140))}</p>" for _ in range(rng.randint(3, 7)))
            bodies.append((n, title, summary, body, rng.choice(image_ids) if rng.random() < 0.7 else None))
        with raw.cursor() as cur:
            with cur.copy(
                "COPY content_revision (id, content_type_id, object_id, number, data, created_by, comment, created_at) "
                "FROM STDIN"
            ) as copy:
                for n, title, summary, body, cover_id in bodies:
                    data = {"title": title, "slug": f"tin-{n}", "summary": summary, "body": body, "cover": cover_id}
                    copy.write_row(
                        (
                            next_revision + n,
                            article_type,
                            next_article + n,
                            1,
                            json.dumps(data, ensure_ascii=False),
                            writer.username,
                            "",
                            now,
                        )
                    )
            with cur.copy(f"COPY content_article ({columns}) FROM STDIN") as copy:
                for n, title, summary, body, cover_id in bodies:
                    published = now - dt.timedelta(minutes=n)
                    copy.write_row(
                        (
                            next_article + n,
                            title,
                            f"tin-{n}",
                            summary,
                            body,
                            cover_id,
                            "Ảnh" if cover_id else "",
                            "Phóng viên",
                            "vi",
                            False,
                            False,
                            "",
                            "",
                            "published",
                            True,
                            published,
                            published,
                            "",
                            writer.pk,
                            next_revision + n,
                            next_revision + n,
                            published,
                            published,
                        )
                    )
            with cur.copy(
                "COPY content_transition (content_type_id, object_id, action, from_status, to_status, actor, "
                "comment, revision_id, created_at) FROM STDIN"
            ) as copy:
                for n in range(articles):
                    for action, source, to_status, actor in (
                        ("submit", "draft", "submitted", writer.username),
                        ("approve", "submitted", "approved", head.username),
                        ("publish", "approved", "published", head.username),
                    ):
                        copy.write_row(
                            (
                                article_type,
                                next_article + n,
                                action,
                                source,
                                to_status,
                                actor,
                                "",
                                next_revision + n,
                                now,
                            )
                        )
            with cur.copy("COPY content_article_sections (article_id, category_id) FROM STDIN") as copy:
                for n in range(articles):
                    copy.write_row((next_article + n, section.pk))
        with connection.cursor() as cursor:
            for table in ("content_article", "content_revision"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
            cursor.execute("ANALYZE")
        return {"articles": Article.objects.count(), "media_files": MediaFile.objects.count(), "media_bytes": total}


# --- measurements ---------------------------------------------------------------------------------


def baseline(portal: Any, out_dir: Path) -> dict[str, float]:
    """pg_dump -Fc -n to a local file, then every media object copied to local files."""
    from django.conf import settings

    from infra import backup_store, pgtools
    from infra.s3 import s3_client

    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    conninfo, env = pgtools.conninfo_from_settings()
    tools = pgtools.tools_for(conninfo)
    started = time.perf_counter()
    subprocess.run(
        [
            tools.pg_dump,
            "-Fc",
            "--no-owner",
            "--no-privileges",
            "-n",
            portal.schema_name,
            "-d",
            conninfo,
            "-f",
            str(out_dir / "dump.pgc"),
        ],
        env=env,
        check=True,
    )
    dumped = time.perf_counter()
    s3 = s3_client(settings.S3_ENDPOINT_URL, settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY)
    prefix = f"portals/{portal.schema_name}/"
    keys = [str(o["Key"]) for o in backup_store.objects_list(s3, bucket=settings.S3_BUCKET, prefix=prefix)]

    def copy(key: str) -> int:
        target = out_dir / "media" / key[len(prefix) :]
        target.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(settings.S3_BUCKET, key, str(target))
        return target.stat().st_size

    with ThreadPoolExecutor(settings.BACKUP_MEDIA_THREADS) as pool:
        media_bytes = sum(pool.map(copy, keys))
    finished = time.perf_counter()
    result = {
        "seconds": finished - started,
        "dump_seconds": dumped - started,
        "media_seconds": finished - dumped,
        "dump_bytes": (out_dir / "dump.pgc").stat().st_size,
        "media_bytes": media_bytes,
    }
    shutil.rmtree(out_dir, ignore_errors=True)
    return result


def run_backup(portal: Any) -> dict[str, Any]:
    from provisioning import backups

    started = time.perf_counter()
    job = backups.backup_create(portal=portal, requested_by="bench", send=False)
    finished = backups.backup_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    if finished is None or finished.status != "succeeded" or finished.backup is None:
        raise BenchError(f"backup failed: {finished.error_message if finished else 'not run'}")
    backup = finished.backup
    steps = {s.name: (s.duration_ms or 0) / 1000 for s in finished.steps.all()}
    return {
        "backup": backup,
        "seconds": seconds,
        "steps": steps,
        "plain_bytes": backup.database_bytes + backup.media_bytes,
        "stored_bytes": backup.stored_bytes,
        "dump_bytes": backup.database_bytes,
        "media_bytes": backup.media_bytes,
    }


class PageLoad:
    """GETs of another portal's home page at a steady rate, from a few threads, for as long as it runs;
    every answer is kept with its time, so that windows (idle, during a backup) are cut afterwards."""

    def __init__(self, port: int, host: str, rate: float) -> None:
        self.port, self.host, self.rate = port, host, rate
        self.samples: list[tuple[float, float]] = []  # (time sent, latency in ms)
        self.failures: list[float] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _run(self, offset: float, threads: int) -> None:
        interval = threads / self.rate
        next_at = time.perf_counter() + offset
        while not self._stop.is_set():
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            next_at += interval
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", "/", headers={"Host": self.host})
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            if ok:
                self.samples.append((started, (time.perf_counter() - started) * 1000))
            else:
                self.failures.append(started)

    def start(self, threads: int = 4) -> None:
        for i in range(threads):
            thread = threading.Thread(target=self._run, args=(i / self.rate, threads), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def window(self, start: float, end: float) -> tuple[list[float], int]:
        return [ms for t, ms in self.samples if start <= t < end], sum(1 for t in self.failures if start <= t < end)


def percentiles(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    if not ordered:
        return {"requests": 0, "p50_ms": 0.0, "p95_ms": 0.0}
    return {
        "requests": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
    }


class WebServer(Server):
    def start(self, env: dict[str, str]) -> None:
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "portal_platform.wsgi:application",
                    "--workers",
                    "2",
                    "--no-control-socket",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--chdir",
                    str(ROOT),
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


def mbps(nbytes: float, seconds: float) -> float:
    return nbytes / MB / seconds if seconds else 0.0


def run(args: argparse.Namespace, tmp: Path) -> int:
    log(f"database {recreate_database(DATABASE_URL)}: dropped and created")
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()
    s3 = SeaweedFSService(tmp / "s3", port=SeaweedFSService.pick_free_port())
    web: WebServer | None = None
    try:
        s3.start(timeout=60)
        log(f"seaweedfs on {s3.address}")
        env = bench_env(s3.env())
        log("setup:")
        manage(env, "migrate_schemas", "--noinput")
        manage(env, "storage_init")
        manage(env, "demo_portals")
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings

        from infra import pgtools
        from provisioning import backups, schemas
        from tenants.models import Portal, PortalKind
        from tenants.services import portal_create

        started = time.perf_counter()
        portal = portal_create(
            name="Ủy ban nhân dân xã Đo Sao Lưu",
            abbreviation=BENCH_ABBREVIATION,
            kind=PortalKind.COMMUNE,
            parent=Portal.objects.get(kind=PortalKind.PROVINCE),
            domains=[f"{BENCH_ABBREVIATION}.{PLATFORM_DOMAIN}"],
        )
        filled = fill(portal, articles=args.articles, media_mb=args.media_mb)
        log(f"  filled {portal.schema_name}: {filled} in {time.perf_counter() - started:.1f} s")
        conninfo, _env = pgtools.conninfo_from_settings()
        log(
            f"  PostgreSQL {pgtools.server_major(conninfo)}; backup threads: upload {settings.BACKUP_UPLOAD_THREADS}, "
            f"media {settings.BACKUP_MEDIA_THREADS}; part size {settings.BACKUP_PART_SIZE // MB} MiB"
        )

        web = WebServer("web", free_port(), tmp / "gunicorn.log")
        web.start(env)
        web.wait_ready(OTHER_HOST)

        # Throughput at full speed and normal priority, as the baseline runs (the goal's measure).
        settings.BACKUP_LOW_PRIORITY = False
        rounds: list[dict[str, Any]] = []
        for number in range(1, args.rounds + 1):
            base = baseline(portal, tmp / "baseline")
            log(
                f"round {number} baseline: {base['seconds']:.1f} s (dump {base['dump_seconds']:.1f} s to "
                f"{base['dump_bytes'] / MB:.1f} MB, media {base['media_seconds']:.1f} s for {base['media_bytes'] / MB:.1f} MB)"
            )
            made = run_backup(portal)
            steps = ", ".join(f"{k} {v:.1f}" for k, v in made["steps"].items())
            log(
                f"round {number} backup:   {made['seconds']:.1f} s ({steps}); plain {made['plain_bytes'] / MB:.1f} MB, "
                f"stored {made['stored_bytes'] / MB:.1f} MB"
            )
            rounds.append({"baseline": base, "backup": made})

        # The same backup with pg_dump's default compression (what the baseline uses), for comparison.
        chosen = settings.BACKUP_PG_DUMP_COMPRESSION
        settings.BACKUP_PG_DUMP_COMPRESSION = 6
        default_z = run_backup(portal)
        settings.BACKUP_PG_DUMP_COMPRESSION = chosen
        log(
            f"backup with pg_dump's default compression (-Z6): {default_z['seconds']:.1f} s "
            f"(database {default_z['steps'].get('database', 0):.1f} s, {default_z['dump_bytes'] / MB:.1f} MB)"
        )
        # "Back up now" as shipped: unthrottled, at low priority (BACKUP_LOW_PRIORITY's default).
        settings.BACKUP_LOW_PRIORITY = True
        low_made = run_backup(portal)
        log(
            f"backup at low priority (back up now, unthrottled): {low_made['seconds']:.1f} s "
            f"({', '.join(f'{k} {v:.1f}' for k, v in low_made['steps'].items())})"
        )

        plain = rounds[-1]["backup"]["plain_bytes"]
        base_seconds = statistics.median(r["baseline"]["seconds"] for r in rounds)
        backup_seconds = statistics.median(r["backup"]["seconds"] for r in rounds)
        no_verify = statistics.median(r["backup"]["seconds"] - r["backup"]["steps"].get("verify", 0) for r in rounds)

        # Restores of the newest backup (before the latency windows, with SeaweedFS at normal priority).
        backup = rounds[-1]["backup"]["backup"]
        started = time.perf_counter()
        job = backups.backup_restore_request(
            backup=backup, confirm=BENCH_ABBREVIATION, requested_by="bench", send=False
        )
        restored = backups.backup_job_run(job_id=job.pk)
        restore_seconds = time.perf_counter() - started
        if restored is None or restored.status != "succeeded":
            raise BenchError(f"restore failed: {restored.error_message if restored else 'not run'}")
        restore_steps = {s.name: (s.duration_ms or 0) / 1000 for s in restored.steps.all()}
        restore_proper = restore_seconds - restore_steps.get("safety", 0) - restore_steps.get("read_only", 0)
        log(
            f"restore in place: {restore_seconds:.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in restore_steps.items())}); "
            f"without the safety backup and the read-only pause: {restore_proper:.1f} s"
        )
        from provisioning.backup_models import RetiredSchema

        for retired in RetiredSchema.objects.filter(dropped_at__isnull=True):
            schemas.schema_drop(retired.schema_name)
        started = time.perf_counter()
        job = backups.backup_restore_copy_request(backup=backup, abbreviation="bench-sl-copy", send=False)
        copied = backups.backup_job_run(job_id=job.pk)
        copy_seconds = time.perf_counter() - started
        if copied is None or copied.status != "succeeded":
            raise BenchError(f"restore as a copy failed: {copied.error_message if copied else 'not run'}")
        copy_steps = {s.name: (s.duration_ms or 0) / 1000 for s in copied.steps.all()}
        log(f"restore as a copy: {copy_seconds:.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in copy_steps.items())})")

        # Another portal's pages at a steady rate, in interleaved windows: idle, a backup, idle, the
        # next kind of backup, ... `--windows` times over, each backup run the way a worker runs it
        # (`manage.py backup` in a process and session of its own). SeaweedFS stands in for object
        # storage that a deployment has on other machines: it runs at the lowest priority here
        # (`--s3-priority low`), so that what is measured is the backup's own cost on this machine.
        if args.s3_priority == "low":
            from infra import priority

            s3_pid = s3.pid()
            if s3_pid is not None:
                log(f"seaweedfs (pid {s3_pid}) lowered: {priority.process_lower(s3_pid).describe()}")
        variants: dict[str, tuple[dict[str, str], list[str]]] = {
            "normal": ({"BACKUP_LOW_PRIORITY": "0"}, []),
            "low": ({"BACKUP_LOW_PRIORITY": "1"}, []),
            "low_no_db": ({"BACKUP_LOW_PRIORITY": "1", "BACKUP_LOW_PRIORITY_DATABASE": "0"}, []),
            "limited": ({"BACKUP_LOW_PRIORITY": "0", "BACKUP_RATE_LIMIT_MB_S": str(args.limit_mb_s)}, ["--nightly"]),
            "nightly": ({"BACKUP_LOW_PRIORITY": "1", "BACKUP_RATE_LIMIT_MB_S": str(args.limit_mb_s)}, ["--nightly"]),
        }
        chosen_variants = [v for v in args.variants.split(",") if v]
        unknown = [v for v in chosen_variants if v not in variants]
        if unknown:
            raise BenchError(f"unknown --variants {unknown}; known: {', '.join(variants)}")
        labels = {
            "normal": "full speed, normal priority (before this change)",
            "low": "back up now: unthrottled, low priority",
            "low_no_db": "unthrottled, low priority, PostgreSQL backend not lowered",
            "limited": f"{args.limit_mb_s:g} MB/s at normal priority",
            "nightly": f"nightly: low priority, {args.limit_mb_s:g} MB/s",
        }
        idle_seconds = args.idle_s or max(15.0, backup_seconds)
        load = PageLoad(web.port, OTHER_HOST, args.rate)
        load.start()
        windows: list[tuple[str, float, float]] = []
        variant_seconds: dict[str, list[float]] = {v: [] for v in chosen_variants}

        # perf_counter() of a wall-clock time (the job's own start and end, recorded by the worker).
        clock_offset = time.time() - time.perf_counter()

        def window(label: str, action: Any) -> None:
            begin = time.perf_counter()
            span = action()
            end = time.perf_counter()
            if span is not None:  # a backup: only while its job ran, not the command's start-up
                begin, end = span
            windows.append((label, begin, end))
            lat, failed = load.window(begin, end)
            got = percentiles(lat)
            log(
                f"  window {label} ({end - begin:.1f} s): p50 {got['p50_ms']:.2f} ms, p95 {got['p95_ms']:.2f} ms "
                f"({got['requests']} requests, {failed} errors)"
            )

        def command_backup(name: str) -> tuple[float, float]:
            from provisioning.backup_models import BackupJob

            extra_env, extra_args = variants[name]
            subprocess.run(
                [sys.executable, "manage.py", "backup", "--portal", BENCH_ABBREVIATION, *extra_args],
                cwd=ROOT,
                env={**env, **extra_env},
                check=True,
                capture_output=True,
                start_new_session=True,  # as a worker service: a session (scheduling group) of its own
            )
            job = BackupJob.objects.filter(portal=portal, kind="backup").order_by("-pk").first()
            if job is None or job.started_at is None or job.finished_at is None or job.status != "succeeded":
                raise BenchError(f"the {name} backup did not succeed")
            begin = job.started_at.timestamp() - clock_offset
            end = job.finished_at.timestamp() - clock_offset
            variant_seconds[name].append(end - begin)
            return begin, end

        try:
            time.sleep(3)  # the load's first requests warm the workers up; not counted
            for _cycle in range(args.windows):
                for name in chosen_variants:
                    window(
                        f"idle-{len([w for w in windows if w[0].startswith('idle')])}", lambda: time.sleep(idle_seconds)
                    )
                    window(name, lambda name=name: command_backup(name))
            window(f"idle-{len([w for w in windows if w[0].startswith('idle')])}", lambda: time.sleep(idle_seconds))
        finally:
            load.stop()

        def pooled(pick: Any) -> tuple[dict[str, float], int]:
            lat: list[float] = []
            failed = 0
            for label, begin, end in windows:
                if pick(label):
                    got, bad = load.window(begin, end)
                    lat += got
                    failed += bad
            return percentiles(lat), failed

        idle_all, idle_errors = pooled(lambda label: label.startswith("idle"))
        # Noise: the even-numbered idle windows against the odd-numbered ones.
        idle_even, _ = pooled(lambda label: label.startswith("idle") and int(label.split("-")[1]) % 2 == 0)
        idle_odd, _ = pooled(lambda label: label.startswith("idle") and int(label.split("-")[1]) % 2 == 1)
        noise_p50 = idle_odd["p50_ms"] / idle_even["p50_ms"] if idle_even["p50_ms"] else 0.0
        noise_p95 = idle_odd["p95_ms"] / idle_even["p95_ms"] if idle_even["p95_ms"] else 0.0
        log(
            f"other portal at {args.rate:g} req/s, idle (all {args.windows * len(chosen_variants) + 1} windows): "
            f"p50 {idle_all['p50_ms']:.1f} ms, p95 {idle_all['p95_ms']:.1f} ms ({idle_all['requests']} requests); "
            f"idle odd/even windows: p50 ×{noise_p50:.3f}, p95 ×{noise_p95:.3f}"
        )

        def paired(name: str, key: str) -> float:
            """Median over the cycles of (this backup window) / (the idle windows just before and after)."""
            ratios = []
            for index, (label, begin, end) in enumerate(windows):
                if label != name:
                    continue
                near = [w for w in (windows[index - 1], windows[index + 1]) if w[0].startswith("idle")]
                idle_near = percentiles([ms for _, b, e in near for ms in load.window(b, e)[0]])
                during = percentiles(load.window(begin, end)[0])
                if idle_near[key]:
                    ratios.append(during[key] / idle_near[key])
            return statistics.median(ratios) if ratios else 0.0

        latency: dict[str, dict[str, float]] = {}
        for name in chosen_variants:
            got, failed = pooled(lambda label, name=name: label == name)
            latency[name] = {
                **got,
                "errors": failed,
                "p50_ratio": got["p50_ms"] / idle_all["p50_ms"] if idle_all["p50_ms"] else 0.0,
                "p95_ratio": got["p95_ms"] / idle_all["p95_ms"] if idle_all["p95_ms"] else 0.0,
                "backup_s": statistics.median(variant_seconds[name]),
                "paired_p50_ratio": paired(name, "p50_ms"),
                "paired_p95_ratio": paired(name, "p95_ms"),
            }
            log(
                f"other portal during a backup, {labels[name]} ({latency[name]['backup_s']:.1f} s): "
                f"p50 {got['p50_ms']:.1f} ms (×{latency[name]['p50_ratio']:.3f}), p95 {got['p95_ms']:.1f} ms "
                f"(×{latency[name]['p95_ratio']:.3f}), {got['requests']} requests, {failed} errors; against the "
                f"neighbouring idle windows, median of {args.windows}: p50 ×{latency[name]['paired_p50_ratio']:.3f}, "
                f"p95 ×{latency[name]['paired_p95_ratio']:.3f}"
            )

        value = mbps(plain, backup_seconds)
        base_value = mbps(plain, base_seconds)
        ratio = value / base_value if base_value else 0.0
        headline = latency.get("nightly") or next(iter(latency.values()), {})
        log(
            f"backup {value:.1f} MB/s vs baseline {base_value:.1f} MB/s → ratio {ratio:.2f} (goal ≥ 0.70: "
            f"{'met' if ratio >= 0.7 else 'NOT met'}); without the read-back check {mbps(plain, no_verify):.1f} MB/s "
            f"(ratio {mbps(plain, no_verify) / base_value:.2f}); at low priority {mbps(plain, low_made['seconds']):.1f} MB/s "
            f"(ratio {mbps(plain, low_made['seconds']) / base_value:.2f}); restore in place {restore_seconds:.1f} s "
            f"(goal < 60 s: {'met' if restore_seconds < 60 else 'NOT met'}); other portal p50 "
            + ", ".join(f"×{v['p50_ratio']:.3f} {k}" for k, v in latency.items())
            + f" (idle noise ×{noise_p50:.3f})"
        )
        result: dict[str, Any] = {
            "metric": "backup_throughput_mb_s",
            "value": round(value, 1),
            "baseline": "pg_dump -Fc -n to local disk + media copied to local disk",
            "baseline_value": round(base_value, 1),
            "ratio": round(ratio, 3),
            "plain_mb": round(plain / MB, 1),
            "backup_s": round(backup_seconds, 1),
            "backup_without_check_s": round(no_verify, 1),
            "backup_low_priority_s": round(low_made["seconds"], 1),
            "ratio_low_priority": round(mbps(plain, low_made["seconds"]) / base_value, 3) if base_value else 0.0,
            "pg_dump_compression": chosen,
            "backup_z6_s": round(default_z["seconds"], 1),
            "ratio_z6": round(mbps(default_z["plain_bytes"], default_z["seconds"]) / mbps(plain, base_seconds), 3),
            "baseline_s": round(base_seconds, 1),
            "restore_in_place_s": round(restore_seconds, 1),
            "restore_without_safety_backup_s": round(restore_proper, 1),
            "restore_copy_s": round(copy_seconds, 1),
            "other_portal_rate": args.rate,
            "other_portal_windows": args.windows,
            "other_portal_p50_ms_idle": round(idle_all["p50_ms"], 2),
            "other_portal_p95_ms_idle": round(idle_all["p95_ms"], 2),
            "other_portal_idle_noise_p50": round(noise_p50, 3),
            "other_portal_idle_noise_p95": round(noise_p95, 3),
            "other_portal_p50_ratio": round(headline.get("p50_ratio", 0.0), 3),
            "other_portal_p95_ratio": round(headline.get("p95_ratio", 0.0), 3),
            "limit_mb_s": args.limit_mb_s,
            "s3_priority": args.s3_priority,
        }
        for name, got in latency.items():
            result[f"{name}_backup_s"] = round(got["backup_s"], 1)
            result[f"{name}_p50_ratio"] = round(got["p50_ratio"], 3)
            result[f"{name}_p95_ratio"] = round(got["p95_ratio"], 3)
            result[f"{name}_requests"] = got["requests"]
            result[f"{name}_paired_p50_ratio"] = round(got["paired_p50_ratio"], 3)
            result[f"{name}_paired_p95_ratio"] = round(got["paired_p95_ratio"], 3)
        result["other_portal_errors"] = idle_errors + sum(int(v["errors"]) for v in latency.values())
        result.update({"articles": filled["articles"], "media_files": filled["media_files"], "rounds": args.rounds})
        print(json.dumps(result, ensure_ascii=False))
        return 0
    finally:
        if web is not None:
            web.stop()
        s3.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--media-mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second on the other portal")
    parser.add_argument("--limit-mb-s", type=float, default=5.0, help="BACKUP_RATE_LIMIT_MB_S of the nightly run")
    parser.add_argument("--windows", type=int, default=3, help="cycles of idle/backup windows per variant")
    parser.add_argument("--idle-s", type=float, default=0.0, help="length of an idle window (default: a backup's)")
    parser.add_argument("--variants", default="normal,low,limited,nightly", help="kinds of backup measured")
    parser.add_argument("--s3-priority", choices=("low", "normal"), default="low", help="SeaweedFS during the windows")
    parser.add_argument("--quick", action="store_true", help="--articles 2000 --media-mb 50 --rounds 1")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.media_mb, args.rounds = 2000, 50, 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_signal)
    log(
        f"backup benchmark: --articles {args.articles} --media-mb {args.media_mb} --rounds {args.rounds} "
        f"--rate {args.rate:g}; database portal_bench_backup, cache {CACHE_URL}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BenchError, ServiceError) as exc:
        print(f"bench/backup.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench/backup.py: interrupted", file=sys.stderr)
        sys.exit(130)
