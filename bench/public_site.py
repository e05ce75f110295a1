"""Public-site benchmark (issue 6, Speed): home and article pages, cached and uncached, against the
un-routed trivial page measured the same way in the same run.

A department portal is loaded with realistic content through the workflow services
(``content.services.workflow``: every item saved, submitted, approved and published, as the board
would): the ``department`` site template (sections, background pages, menus), ``--articles`` news
articles (default 5,000; Vietnamese text of 2–4 KB, 1–2 sections and 2 tags each, publication
dates spread over the past years), 300 legal documents, 30 announcements and this week's schedule.

Two gunicorn servers (2 sync workers each, loopback only, like ``bench/routing.py``):

* ``trivial`` — ``bench.settings_unrouted``: the platform's middleware without tenant routing,
  serving ``bench/urls.py``'s trivial page (the baseline of ``bench/routing.py``);
* ``site`` — ``portal_platform.settings`` as deployed: the public site with its page cache.

Measured, interleaved round by round with the order rotated: the rate (200 responses per second,
``--connections`` concurrent clients) of the trivial page, the cached home page and the cached
article page; then, with a single client sending requests back to back, the home and article
pages **uncached**: each request carries a ``?page=<n>`` never asked before (a parameter the page
cache keys on and these two pages ignore), so every one is a real page-cache miss — lookup, render
from the database, store — as the first visit of a page after a publication is. (The layout, which
every page shares, stays cached, as it does between publications.) Latency p50/p95 and rate.

    .venv/bin/python bench/public_site.py [--articles 5000] [--duration 10] [--rounds 3]
                                          [--connections 16] [--tool auto] [--reuse]

The database comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench_site);
it is dropped and created again every run, unless ``--reuse`` finds the content a previous run
loaded (loading 5,000 articles through the services takes minutes). Redis db 13 unless CACHE_URL says otherwise (the page
cache's keys carry the database name, so nothing else's keys are touched).

Goals (issue 6): cached page rate ≥ 70 % of the trivial rate; uncached article p95 < 50 ms at a
single client. The last line is one JSON object: ``value`` = the cached article page's rate,
``ratio`` = that rate / the trivial page's rate.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench.*` importable
    sys.path.insert(0, str(ROOT))

from bench._db import recreate_database  # noqa: E402
from bench.routing import PORTAL, PROVINCE, BenchError, _create_portal, _manage, _portal_rows, free_port  # noqa: E402
from bench.urls import BODY  # noqa: E402

DEFAULT_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal_bench_site",
    "CACHE_URL": "redis://127.0.0.1:6379/13",
    "BROKER_URL": "stub://localhost",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9/",
    "S3_ACCESS_KEY_ID": "bench",
    "S3_SECRET_ACCESS_KEY": "bench-secret",
    "PORTAL_DEV": "1",
}
WORKERS = 2
WARMUP_REQUESTS = 300
REQUEST_TIMEOUT = 10.0
START_TIMEOUT = 60.0
LOAD_TIMEOUT = 3600.0
CACHE_HEADER = "X-Page-Cache"
# (name, server, path): the rates compared; the article path is filled in after loading.
RATE_TARGETS = ("trivial", "home_cached", "article_cached")
_miss_counter = iter(range(1, 10**9))


def log(message: str) -> None:
    print(message, flush=True)


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    for name, value in DEFAULT_ENV.items():
        if not env.get(name):
            env[name] = value
    env.pop("DEBUG", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# --- content (runs in a child process with Django set up) ---------------------------------------

WORDS = (
    "Ủy ban nhân dân xã tổ chức hội nghị tổng kết công tác năm triển khai nhiệm vụ trọng tâm "
    "phát triển kinh tế xã hội bảo đảm quốc phòng an ninh xây dựng nông thôn mới nâng cao đời sống "
    "nhân dân cải cách hành chính chuyển đổi số dịch vụ công trực tuyến hỗ trợ doanh nghiệp người dân "
    "tiếp nhận phản ánh kiến nghị giải quyết thủ tục hành chính đúng hạn minh bạch hiệu quả "
    "chương trình mục tiêu quốc gia giảm nghèo bền vững giáo dục y tế văn hóa thể thao môi trường"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random) -> str:
    paragraphs = [
        " ".join(_sentence(rng, rng.randint(12, 24)) for _ in range(rng.randint(3, 5)))
        for _ in range(rng.randint(4, 7))
    ]
    return (
        "".join(f"<p>{p}</p>" for p in paragraphs[:2])
        + "<h2>Chi tiết</h2>"
        + "".join(f"<p>{p}</p>" for p in paragraphs[2:])
    )


def load_content(schema: str, articles: int) -> dict[str, object]:
    """Fill ``schema`` through the services; return what the measurements need."""
    import datetime as dt

    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.models import User
    from content.models import (
        Announcement,
        Article,
        Category,
        DocumentField,
        LegalDocument,
        Page,
        Role,
        Tag,
        WorkSchedule,
    )
    from content.services import roles_apply, site_content_apply
    from content.services.workflow import item_save, item_transition
    from provisioning.site_templates import load_template

    rng = random.Random(2026)
    template = load_template("department")

    def publish(model: type[Any], data: dict[str, object], user: User) -> Any:
        item: Any = item_save(model=model, data=data, user=user)
        for action in ("submit", "approve", "publish"):
            item = item_transition(item=item, action=action, user=user)
        return item

    with schema_context(schema):
        roles_apply(roles=template.roles)
        site_content_apply(template=template, agency_name=PORTAL["name"])
        head = User.objects.create_user(username="truongban.bench", password=None, is_staff=True)  # never signs in
        head.groups.add(Role.objects.get(key="board_head").group)
        for page in Page.objects.all():
            # The template's placeholder pages, completed by the board and published.
            page = item_save(model=Page, item=page, data={"body": f"<p>{_sentence(rng, 60)}</p>"}, user=head)
            for action in ("submit", "approve", "publish"):
                page = item_transition(item=page, action=action, user=head)
        sections = list(Category.objects.filter(is_visible=True).values_list("pk", flat=True))
        tags = [Tag.objects.create(name=f"Chủ đề {n}", slug=f"chu-de-{n}").pk for n in range(60)]
        fields = [DocumentField.objects.create(name=f"Lĩnh vực {n}", slug=f"linh-vuc-{n}").pk for n in range(12)]
        started = time.monotonic()
        for n in range(articles):
            with transaction.atomic():
                publish(
                    Article,
                    {
                        "title": _sentence(rng, rng.randint(8, 16)).rstrip(".") + f" ({n})",
                        "summary": _sentence(rng, rng.randint(20, 35)),
                        "body": _body(rng),
                        "author": rng.choice(["Phóng viên", "Văn phòng UBND", "Cộng tác viên"]),
                        "sections": rng.sample(sections, rng.randint(1, 2)),
                        "tags": rng.sample(tags, 2),
                        "featured": n % 97 == 0,
                    },
                    head,
                )
            if (n + 1) % 500 == 0:
                print(f"  {n + 1} articles published ({time.monotonic() - started:.0f}s)", file=sys.stderr, flush=True)
        for n in range(300):
            issued = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
            publish(
                LegalDocument,
                {
                    "form": rng.choice(["quyet-dinh", "ke-hoach", "thong-bao", "cong-van"]),
                    "number": f"{n + 1}/{issued.year}/QĐ-SKHCN",
                    "issuer": "Sở Khoa học và Công nghệ",
                    "signer": "Giám đốc",
                    "field": rng.choice(fields),
                    "issue_date": issued.isoformat(),
                    "abstract": _sentence(rng, 25),
                },
                head,
            )
        for _ in range(30):
            publish(Announcement, {"title": _sentence(rng, 10).rstrip("."), "body": _body(rng)}, head)
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        entries = [
            {
                "date": (monday + dt.timedelta(days=d)).isoformat(),
                "time": t,
                "leader": "Giám đốc",
                "activity": _sentence(rng, 10),
                "location": "Phòng họp",
                "participants": "Các phòng",
            }
            for d in range(5)
            for t in ("08:00", "14:00")
        ]
        publish(WorkSchedule, {"week_start": monday.isoformat(), "entries": entries}, head)
        # Publication dates spread over the past years (the services stamped them all "now"), so
        # lists and "related articles" sort a realistic history.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE content_article SET published_at = now() - (interval '1 hour' * (%s - id)) * 6,"
                " first_published_at = now() - (interval '1 hour' * (%s - id)) * 6",
                [articles + 1, articles + 1],
            )
        middle = Article.objects.filter(live=True).order_by("-published_at")[articles // 2]
        return {
            "article_path": f"/tin-tuc/{middle.slug}/",
            "article_title": middle.title,
            "articles": Article.objects.filter(live=True).count(),
            "documents": LegalDocument.objects.filter(live=True).count(),
        }


# --- servers -------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    settings_module: str
    port: int
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal_platform.wsgi:application",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(ROOT),
                "--error-logfile",
                str(self.log_path),
                "--no-control-socket",
            ],
            cwd=ROOT,
            env={**env, **self.extra_env, "DJANGO_SETTINGS_MODULE": self.settings_module},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return "(no log)"

    def alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise BenchError(f"{self.name}: gunicorn ended; its log:\n{self.log_tail()}")

    def wait_ready(self, host: str, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self.alive()
            try:
                if get(self.port, host, path, timeout=2.0)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"{self.name}: not ready within {START_TIMEOUT:.0f}s\n{self.log_tail()}")

    def stop(self) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)  # this gunicorn's own process group only
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def get(port: int, host: str, path: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host, "Accept-Language": "vi"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


# --- load generators -----------------------------------------------------------------------------


@dataclass
class Measurement:
    rps: float
    requests: int
    errors: int
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms_per_request: float = 0.0


_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of every process in process group ``pgid`` (one gunicorn server).

    Wall-clock rates on a shared machine move with everyone else's load; the server's own CPU time
    per request moves much less, so it is reported beside them.
    """
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, …, utime (12), stime (13)
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def with_cpu(server: Server, run: Callable[[], Measurement]) -> Measurement:
    assert server.process is not None
    before = group_cpu_seconds(server.process.pid)
    m = run()
    used = group_cpu_seconds(server.process.pid) - before
    m.cpu_ms_per_request = used * 1000 / m.requests if m.requests else 0.0
    return m


def run_wrk(port: int, host: str, path: str, duration: float, connections: int) -> Measurement:
    import re

    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not on PATH")
    command = [wrk, f"-t{max(1, min(2, connections))}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "--timeout", f"{REQUEST_TIMEOUT:.0f}s", "-H", f"Host: {host}", "-H", "Accept-Language: vi",
               f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False).stdout
    rate, total = re.search(r"Requests/sec:\s+([\d.]+)", out), re.search(r"(\d+) requests in", out)
    if rate is None or total is None:
        raise BenchError(f"wrk failed:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    requests = int(total.group(1))
    return Measurement(
        rps=float(rate.group(1)) * (requests - errors) / max(1, requests), requests=requests, errors=errors
    )


def _load_process(
    port: int,
    host: str,
    path: str,
    threads: int,
    start_at: float,
    duration: float,
    results: multiprocessing.Queue[tuple[dict[int, int], float]],
) -> None:
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    end_at = start_at + duration

    def run() -> None:
        local: Counter[int] = Counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        while time.time() < end_at:
            try:
                conn.request("GET", path, headers={"Host": host, "Accept-Language": "vi"})
                response = conn.getresponse()
                response.read()
                local[response.status] += 1
            except (OSError, http.client.HTTPException):
                local[0] += 1
                conn.close()
        conn.close()
        with lock:
            statuses.update(local)

    while time.time() < start_at:
        time.sleep(min(0.01, max(0.0, start_at - time.time())))
    workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=duration + REQUEST_TIMEOUT + 5)
    with lock:
        results.put((dict(statuses), time.time() - start_at))


def run_python(port: int, host: str, path: str, duration: float, connections: int) -> Measurement:
    """The same Python load generator as bench/routing.py (two processes sharing the connections)."""
    processes = max(1, min(2, connections))
    per_process = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    results: multiprocessing.Queue[tuple[dict[int, int], float]] = multiprocessing.Queue()
    start_at = time.time() + 0.5
    children = [
        multiprocessing.Process(
            target=_load_process, args=(port, host, path, n, start_at, duration, results), daemon=True
        )
        for n in per_process
    ]
    try:
        for child in children:
            child.start()
        collected: list[tuple[dict[int, int], float]] = []
        deadline = time.monotonic() + duration + REQUEST_TIMEOUT + 20
        while len(collected) < len(children):
            try:
                collected.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise BenchError("load generator did not report in time") from None
        for child in children:
            child.join(timeout=5)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
    statuses: Counter[int] = Counter()
    for counts, _elapsed in collected:
        statuses.update(counts)
    elapsed = max(r[1] for r in collected)
    requests = sum(statuses.values())
    return Measurement(
        rps=statuses[200] / elapsed if elapsed > 0 else 0.0, requests=requests, errors=requests - statuses[200]
    )


def run_single_client(port: int, host: str, path: str, duration: float, run_id: int) -> Measurement:
    """One client, requests back to back, each a page-cache miss: the latency of each, from sending
    to the last byte. Only misses are counted (a hit would mean the measurement is void)."""
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    while time.perf_counter() - start < duration:
        t0 = time.perf_counter()
        try:
            status, headers, _body = get(port, host, f"{path}?page={run_id}{next(_miss_counter)}")
        except OSError:
            status, headers = 0, {}
        if status == 200 and headers.get(CACHE_HEADER.lower()) != "miss":
            raise BenchError(f"{path}: an uncached request was answered {headers.get(CACHE_HEADER.lower())!r}")
        if status == 200:
            latencies.append((time.perf_counter() - t0) * 1000)
        else:
            errors += 1
    elapsed = time.perf_counter() - start
    return Measurement(
        rps=len(latencies) / elapsed, requests=len(latencies) + errors, errors=errors, latencies_ms=latencies
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


# --- main ----------------------------------------------------------------------------------------


def reuse(env: dict[str, str], articles: int) -> tuple[str, dict[str, object]] | None:
    """The content a previous run loaded, if the database still holds it (``--reuse``)."""
    import psycopg

    try:
        _has_province, domains = _portal_rows(env["DATABASE_URL"])
    except psycopg.Error:
        return None
    if PORTAL["domain"] not in domains:
        return None
    schema = domains[PORTAL["domain"]][0]
    with psycopg.connect(env["DATABASE_URL"], connect_timeout=5) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        count = conn.execute("SELECT count(*) FROM content_article WHERE live").fetchone()
        documents = conn.execute("SELECT count(*) FROM content_legaldocument WHERE live").fetchone()
        middle = conn.execute(
            "SELECT slug, title FROM content_article WHERE live ORDER BY published_at DESC OFFSET %s LIMIT 1",
            [articles // 2],
        ).fetchone()
    if count is None or count[0] != articles or middle is None or documents is None:
        return None
    return schema, {
        "article_path": f"/tin-tuc/{middle[0]}/",
        "article_title": middle[1],
        "articles": count[0],
        "documents": documents[0],
    }


def prepare(env: dict[str, str], articles: int) -> tuple[str, dict[str, object]]:
    url = env["DATABASE_URL"]
    log(f"database {recreate_database(url)}: dropped and created")
    _manage(env, "migrate_schemas", "--shared", "--noinput")
    _create_portal(env, PROVINCE)
    _create_portal(env, PORTAL)
    _has_province, domains = _portal_rows(url)
    schema, status = domains[PORTAL["domain"]]
    if status != "active":
        raise BenchError(f"bench portal {schema} is {status}")
    log(f"loading {articles} articles, 300 documents, 30 announcements through the workflow services …")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--load-into", schema, "--articles", str(articles)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal_platform.settings"},
        stdout=subprocess.PIPE,
        text=True,
        timeout=LOAD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"loading content failed ({result.returncode}):\n{result.stdout}")
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    log(f"loaded in {time.monotonic() - started:.0f}s: {loaded}")
    return schema, loaded


def verify(servers: dict[str, Server], host: str, article_path: str, article_title: str) -> None:
    status, _h, body = get(servers["trivial"].port, host, "/")
    if status != 200 or body != BODY.encode():
        raise BenchError(f"trivial page answered {status} {body[:100]!r}")
    site = servers["site"]
    for path, text in (("/", PORTAL["name"]), (article_path, article_title)):
        status, headers, body = get(site.port, host, path)
        if status != 200 or text not in body.decode():
            raise BenchError(f"{path}: {status}, expected text missing\n{site.log_tail()}")
        get(site.port, host, path)
        _s, headers, _b = get(site.port, host, path)
        if headers.get(CACHE_HEADER.lower()) != "hit":
            raise BenchError(f"{path}: the third request was not served from the page cache ({headers})")
    log(f"  verified: trivial page; home and {article_path} render, then come from the page cache")


def warm_up(port: int, host: str, path: str) -> None:
    counts: Counter[int] = Counter()
    for _ in range(WARMUP_REQUESTS // 10):
        counts[get(port, host, path)[0]] += 1
    if set(counts) != {200}:
        raise BenchError(f"warm-up of {path}: {dict(counts)}")


def _raise_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=5000, help="articles to publish (default 5000)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients for rates (default 16)")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database a previous run loaded, if it has --articles articles"
    )
    parser.add_argument("--load-into", default="", help=argparse.SUPPRESS)  # internal: the content loader
    args = parser.parse_args(argv)
    if not 10 <= args.articles <= 100_000:
        parser.error("--articles must be in [10, 100000]")
    if not 0 < args.duration <= 600 or not 1 <= args.rounds <= 50 or not 1 <= args.connections <= 1000:
        parser.error("--duration in (0, 600], --rounds in [1, 50], --connections in [1, 1000]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.load_into:
        print(json.dumps(load_content(args.load_into, args.articles)), flush=True)
        return 0
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    measure = run_wrk if tool == "wrk" else run_python
    env = bench_env()
    db = urlsplit(env["DATABASE_URL"])
    log(
        f"public-site benchmark: {WORKERS} sync gunicorn workers per server, tool {tool}, {args.connections} "
        f"connections for rates, 1 client for latencies, {args.duration:g}s × {args.rounds} rounds"
    )
    log(f"database {db.hostname}:{db.port or 5432}{db.path}, cache {env['CACHE_URL']}")
    reused = reuse(env, args.articles) if args.reuse else None
    if reused is not None:
        log(f"reusing the loaded database: {reused[1]}")
    _schema, loaded = reused or prepare(env, args.articles)
    host = PORTAL["domain"]
    article_path, article_title = str(loaded["article_path"]), str(loaded["article_title"])

    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    rates: dict[str, list[float]] = {name: [] for name in RATE_TARGETS}
    latencies: dict[str, list[float]] = {"home_uncached": [], "article_uncached": []}
    single_rates: dict[str, list[float]] = {"home_uncached": [], "article_uncached": []}
    errors: Counter[str] = Counter()
    cpu: dict[str, list[float]] = {name: [] for name in (*RATE_TARGETS, "home_uncached", "article_uncached")}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        servers = {
            "trivial": Server("trivial", "bench.settings_unrouted", free_port(), Path(tmp) / "trivial.log"),
            "site": Server("site", "portal_platform.settings", free_port(), Path(tmp) / "site.log"),
        }
        targets = {
            "trivial": (servers["trivial"], "/"),
            "home_cached": (servers["site"], "/"),
            "article_cached": (servers["site"], article_path),
            "home_uncached": (servers["site"], "/"),
            "article_uncached": (servers["site"], article_path),
        }
        try:
            for server in servers.values():
                server.start(env)
            for server in servers.values():
                server.wait_ready(host, "/")
            verify(servers, host, article_path, article_title)
            for name in RATE_TARGETS:
                server, path = targets[name]
                warm_up(server.port, host, path)
            log(f"warmed up ({WARMUP_REQUESTS // 10} requests per target)")
            for round_no in range(args.rounds):
                order = RATE_TARGETS[round_no % 3 :] + RATE_TARGETS[: round_no % 3]
                for name in order:
                    server, path = targets[name]
                    server.alive()
                    m = with_cpu(server, lambda: measure(server.port, host, path, args.duration, args.connections))  # noqa: B023
                    server.alive()
                    rates[name].append(m.rps)
                    cpu[name].append(m.cpu_ms_per_request)
                    errors[name] += m.errors
                    log(
                        f"  round {round_no + 1} {name:<16} {m.rps:8.1f} req/s  server CPU {m.cpu_ms_per_request:.2f} "
                        f"ms/request  [{m.requests} requests, {m.errors} errors]"
                    )
                for name in ("home_uncached", "article_uncached"):
                    server, path = targets[name]
                    m = with_cpu(
                        server,
                        lambda: run_single_client(server.port, host, path, args.duration / 2, run_id=os.getpid()),  # noqa: B023
                    )
                    server.alive()
                    cpu[name].append(m.cpu_ms_per_request)
                    latencies[name].extend(m.latencies_ms)
                    single_rates[name].append(m.rps)
                    errors[name] += m.errors
                    log(
                        f"  round {round_no + 1} {name:<16} {m.rps:8.1f} req/s at 1 client  p50 "
                        f"{percentile(m.latencies_ms, 50):.1f} ms  p95 {percentile(m.latencies_ms, 95):.1f} ms  "
                        f"server CPU {m.cpu_ms_per_request:.2f} ms/request  [{m.requests} requests, {m.errors} errors]"
                    )
        finally:
            for server in servers.values():
                server.stop()

    median = {name: statistics.median(values) for name, values in rates.items()}
    trivial = median["trivial"]
    value = median["article_cached"]
    ratio = value / trivial if trivial else 0.0
    home_ratio = median["home_cached"] / trivial if trivial else 0.0
    p95 = {name: percentile(values, 95) for name, values in latencies.items()}
    p50 = {name: percentile(values, 50) for name, values in latencies.items()}
    log(
        f"median req/s: trivial {trivial:.1f}, home cached {median['home_cached']:.1f} ({home_ratio:.3f}), "
        f"article cached {value:.1f} ({ratio:.3f})"
    )
    log(
        f"uncached at 1 client: home p50 {p50['home_uncached']:.1f} ms p95 {p95['home_uncached']:.1f} ms; "
        f"article p50 {p50['article_uncached']:.1f} ms p95 {p95['article_uncached']:.1f} ms"
    )
    cpu_ms = {name: statistics.median(values) for name, values in cpu.items() if values}
    log("server CPU per request (median, ms): " + ", ".join(f"{name} {value:.2f}" for name, value in cpu_ms.items()))
    cached_met = ratio >= 0.7 and home_ratio >= 0.7
    latency_met = p95["article_uncached"] < 50
    log(
        f"goals: cached ≥ 70 % of trivial: {'met' if cached_met else 'NOT met'}; "
        f"uncached article p95 < 50 ms: {'met' if latency_met else 'NOT met'}"
    )
    if any(errors.values()):
        log(f"WARNING: non-200 responses or socket errors: {dict(errors)}")
    print(
        json.dumps(
            {
                "metric": "public_site_cached_article_rps",
                "value": round(value, 1),
                "baseline": "un-routed trivial page (bench/routing.py)",
                "baseline_value": round(trivial, 1),
                "ratio": round(ratio, 3),
                "home_cached_rps": round(median["home_cached"], 1),
                "home_cached_ratio": round(home_ratio, 3),
                "article_uncached_p50_ms": round(p50["article_uncached"], 1),
                "article_uncached_p95_ms": round(p95["article_uncached"], 1),
                "home_uncached_p50_ms": round(p50["home_uncached"], 1),
                "home_uncached_p95_ms": round(p95["home_uncached"], 1),
                "article_uncached_rps_1_client": round(statistics.median(single_rates["article_uncached"]), 1),
                "home_uncached_rps_1_client": round(statistics.median(single_rates["home_uncached"]), 1),
                "server_cpu_ms_per_request": {name: round(value, 2) for name, value in cpu_ms.items()},
                "goals_met": {"cached_ratio_0_7": cached_met, "uncached_article_p95_50ms": latency_met},
                "articles": loaded["articles"],
                "documents": loaded["documents"],
                "tool": tool,
                "rounds": args.rounds,
                "duration_s": args.duration,
                "connections": args.connections,
                "errors": dict(errors),
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    return 1 if any(errors.values()) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/public_site.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench/public_site.py: interrupted", file=sys.stderr)
        sys.exit(130)
