"""Provisioning benchmark (issue 3): from an operator's request to the new portal's live home page.

Each portal is provisioned through the real path: ``POST /api/v1/provisioning/requests/`` on the
console host (``{"approve": true}``, token of the console operator) → the message goes to RabbitMQ →
a dramatiq worker runs the job → the new portal's ``GET /`` on gunicorn answers 200. "Request to
live" is the time from sending the POST to that 200. To find that moment without loading the web
server with requests that cannot succeed yet, the benchmark watches the portal's status in the
database (a cheap query every ``--watch-ms``, 2 ms, on its own connection) and from the moment it
reads "active" asks for the home page every ``--poll-ms`` (5 ms) until it answers 200; the
``getpoll`` control asks for the home page every 5 ms from the start instead.

Measured in the same run, on the same tenant schema, interleaved round by round:

* ``pool``     — the API path with a warm pool (``schema_path=pool``: a spare schema is renamed);
* ``clone``    — the API path with ``schema_path=clone`` (the template schema is copied);
* ``migrate``  — the API path with ``schema_path=migrate`` (``CREATE SCHEMA`` + every tenant
  migration): the baseline of the headline ratio;
* ``create_schema`` — django-tenants' own ``auto_create_schema`` path alone:
  ``Portal(...).create_schema(check_if_exists=True, verbosity=0)`` on a fresh schema, timed in a
  helper Django process;
* ``raw_clone`` — django-tenants' ``clone_schema`` of the template schema alone, timed in the same
  helper (what the clone path and the pool used before ``provisioning.copying``; its schema is not
  quite the migrated one: it renames multi-column unique constraints and widens integer identity
  sequences to bigint, so it is left out of the same-schema check);
* ``raw_copy`` — ``provisioning.copying.schema_copy`` of the template schema alone (what the clone
  path and the pool's refills use now);
* ``getpoll`` — the warm-pool API path again with the home page asked for every ``--poll-ms``
  from the moment the POST is answered, without watching the database: a control for the
  benchmark's own way of watching (each 404 takes gunicorn CPU that the worker then lacks on a
  2-core machine). The report also shows the CPU time of gunicorn and of the worker per
  provision, and splits request → live into parts that add up.

Every path must make the same schema: the structure of each new portal's schema (tables, columns,
constraints, indexes, sequences: ``provisioning.copying.schema_signature`` without rows) is
compared across paths and with the raw baselines'.

Then ``--series`` portals in a row through the default path (pool first), each with a full pool,
reported in blocks of ``--block`` with the number of schemas that existed at each block's start,
and the three baselines timed again (``--raw-after`` times each) with all those schemas present.
Before every timed provision the benchmark waits (untimed) until the pool is full again and no
job or pool top-up holds its lock.

    .venv/bin/python bench/provisioning.py [--n 20] [--series 200] [--block 25] [--pool-size 3]
    .venv/bin/python bench/provisioning.py --quick      # smoke run: --n 3 --series 10 --block 5
    .venv/bin/python bench/provisioning.py --out DIR    # keep the logs, one JSON line per provision

Everything runs on loopback: database ``portal_bench_prov`` (``--database-url``) on the machine's
PostgreSQL (dropped and created again at the start), Redis db 14 (``--cache-url``; flushed at the
start) for the cache, RabbitMQ virtual host ``portal_bench_prov`` (``--broker-url``; deleted and
created again with ``rabbitmqctl``) so that the test suite's workers on vhost ``/`` and this
benchmark's worker never take each other's messages, and a SeaweedFS started for the run in a
temporary directory (only ``storage_init`` talks to it). Every process the
benchmark starts runs in its own process group and is stopped on exit, error or Ctrl-C.

The last line is one JSON object: ``value`` = warm-pool p50 (ms), ``ratio`` = p50 of the migrations
path (API, ``schema_path=migrate``) / ``value``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` and `infra` importable
    sys.path.insert(0, str(ROOT))

from bench._db import recreate_database  # noqa: E402
from bench.routing import BenchError, Server, _raise_on_signal, free_port, get, log  # noqa: E402
from infra.embedded import SeaweedFSService, ServiceError  # noqa: E402

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_prov"
CACHE_URL = "redis://127.0.0.1:6379/14"
RABBITMQ_VHOST = "portal_bench_prov"
BROKER_URL = f"amqp://guest:guest@127.0.0.1:5672/{RABBITMQ_VHOST}"
SETTINGS = "portal_platform.settings"
PLATFORM_DOMAIN = "nghean.localhost"  # the settings' default
CONSOLE_HOST = f"quantri.{PLATFORM_DOMAIN}"
PROVINCE_HOST = PLATFORM_DOMAIN
OPERATOR = "admin.cttdt"  # created by `manage.py demo_portals`
REQUESTS_PATH = "/api/v1/provisioning/requests/"
JOB_PATH = "/api/v1/provisioning/jobs/{id}/"
STEPS = ("reserve", "schema", "domains", "roles", "content", "admin", "activate")
API_PATHS = ("pool", "clone", "migrate")
# The warm-pool API path again, with the home page asked for from the start instead of once the
# database says the portal is active: what the benchmark's way of watching changes.
GET_POLL = "getpoll"
API_KINDS = (*API_PATHS, GET_POLL)
RAW_KINDS = ("create_schema", "raw_clone", "raw_copy")
KINDS = API_KINDS + RAW_KINDS
LABELS = {
    "pool": "API, warm pool (schema_path=pool)",
    GET_POLL: "API, warm pool, home page asked for every --poll-ms from the start",
    "clone": "API, clone (schema_path=clone)",
    "migrate": "API, migrations (schema_path=migrate)",
    "create_schema": "django-tenants create_schema (auto_create_schema), alone",
    "raw_clone": "django-tenants clone_schema of the template schema, alone",
    "raw_copy": "provisioning.copying.schema_copy of the template schema, alone",
    "series": "API, default path (pool first), in a row",
}
HELPER_COMMANDS = {"create_schema": "create_schema", "raw_clone": "dt_clone", "raw_copy": "copy"}
POOL_TEMPLATE = "department"  # every benchmark portal is a department

WATCH_MS = 2.0  # default pause between two reads of the new portal's status
POLL_MS = 5.0  # default pause between two GETs of the new portal's home page
LIVE_TIMEOUT = 60.0  # request → live, per portal
JOB_TIMEOUT = 60.0  # live → job recorded as succeeded
QUIET_TIMEOUT = 180.0  # pool back to full and no job or top-up running
QUIET_SETTLE = 0.1  # seconds of extra calm after the pool is full (a no-op top-up may be in flight)
RAW_TIMEOUT = 300.0  # one create_schema / clone in the helper
SETUP_TIMEOUT = 900.0
START_TIMEOUT = 60.0
WORKER_READY_TEXT = "ready for action"
GUNICORN_WORKERS = 2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
GROWTH_LIMIT = 1.25  # "no growth": the last block's p50 is at most this times the first's (noise)


# --- Environment, database, broker, cache -------------------------------------------------------


def bench_env(
    pool_size: int, database_url: str, cache_url: str, broker_url: str, s3_env: dict[str, str]
) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)  # DEBUG would record every query in memory
    for name in list(env):
        if name.endswith("_FILE") or name.startswith(("S3_", "AWS_")):
            env.pop(name)  # nothing of the caller's environment may point elsewhere
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "PORTAL_DEV": "1",
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "BROKER_URL": broker_url,
            "PROVISIONING_POOL_SIZE": str(pool_size),
            "PYTHONUNBUFFERED": "1",
            **s3_env,
        }
    )
    for name in (
        "PLATFORM_DOMAIN",
        "CONSOLE_HOST",
        "PROVISIONING_SCHEMA_PATHS",
        "PROVISIONING_FAULTS",
        "PROVISIONING_POOL_TEMPLATES",
    ):
        env.pop(name, None)  # the settings' defaults, which the hosts above assume
    return env


def recreate_vhost(vhost: str) -> None:
    """A virtual host of our own: the test suite purges and consumes the queues of vhost ``/``."""
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise BenchError("rabbitmqctl is not on PATH; pass --broker-url with a vhost of your own")

    def run(*args: str, check: bool = True) -> None:
        result = subprocess.run([ctl, "-q", *args], capture_output=True, text=True, timeout=120, check=False)
        if check and result.returncode != 0:
            raise BenchError(f"rabbitmqctl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    run("delete_vhost", vhost, check=False)  # absent the first time
    run("add_vhost", vhost)
    run("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    log(f"rabbitmq vhost {vhost}: deleted and created")


def flush_cache(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
    log(f"cache {url}: flushed")


def manage(env: dict[str, str], *args: str, timeout: float = SETUP_TIMEOUT) -> str:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    log(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")
    return result.stdout


# --- Processes ----------------------------------------------------------------------------------


class WebServer(Server):
    """gunicorn with the platform's own settings (bench.routing.Server runs the routing variants)."""

    def start(self, env: dict[str, str]) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal_platform.wsgi:application",
            "--workers",
            str(GUNICORN_WORKERS),
            "--worker-class",
            "sync",
            "--no-control-socket",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--error-logfile",
            str(self.log_path),
        ]
        # gunicorn's own messages go to --error-logfile, Django's log (one "Not Found" per 404 poll) here.
        with self.log_path.with_name("django-web.log").open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group, stopped with killpg by Server.stop
            )


class Worker(Server):
    """The dramatiq worker, as production runs it (one process, two threads)."""

    def start(self, env: dict[str, str]) -> None:
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "dramatiq", "portal_platform.worker", "--processes", "1", "--threads", "2"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise BenchError(self.exit_message())
            if WORKER_READY_TEXT in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise BenchError(f"worker not ready within {START_TIMEOUT:.0f}s\n{self.log_tail()}")


class RawHelper:
    """A Django process that times create_schema, clone_schema and schema_copy on request, and reads
    schemas' signatures (one line each way)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--raw-helper"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)

    def call(self, command: str, name: str = "", timeout: float = RAW_TIMEOUT) -> dict[str, Any]:
        assert self.process.stdin is not None
        if self.process.poll() is not None:
            raise BenchError(f"raw helper exited ({self.process.returncode}):\n{self._tail()}")
        self.process.stdin.write(f"{command} {name}\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.05, min(1.0, deadline - time.monotonic())))
            except queue.Empty:
                if self.process.poll() is not None or time.monotonic() >= deadline:
                    raise BenchError(f"raw helper: no answer to {command} {name}:\n{self._tail()}") from None
                continue
            if line.startswith("RESULT "):
                data: dict[str, Any] = json.loads(line[len("RESULT ") :])
                if not data.get("ok"):
                    raise BenchError(f"raw helper: {command} {name} failed: {data.get('error')}\n{self._tail()}")
                return data

    def _tail(self) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        proc = self.process
        if proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.write("quit\n")
                proc.stdin.flush()
                proc.wait(timeout=10)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)  # its own group only
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        self._log.close()


def raw_helper_main() -> int:
    """Runs in the helper process: ``create_schema NAME`` | ``dt_clone NAME`` | ``copy NAME`` |
    ``signature NAME`` | ``drop NAME`` | ``quit``."""
    out: TextIO = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout = sys.stderr  # anything Django prints goes to the log, never into the answers
    import django

    django.setup()
    import hashlib

    from django.db import connection
    from django_tenants.clone import CloneSchema

    from provisioning import copying, schemas
    from tenants.models import Portal

    def reply(**data: Any) -> None:
        out.write("RESULT " + json.dumps(data) + "\n")
        out.flush()

    def table_count(schema: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    for line in sys.stdin:
        command, _sep, name = line.strip().partition(" ")
        name = name.strip()
        try:
            if command == "quit":
                reply(ok=True)
                break
            if command == "drop":
                schemas.schema_drop(name)
                reply(ok=True)
                continue
            if command == "signature":
                signature = copying.schema_signature(name, data=False)
                digest = hashlib.sha256(json.dumps(signature, default=str).encode()).hexdigest()[:16]
                reply(ok=True, structure=digest, tables=len(signature["tables"]))
                continue
            started = time.perf_counter()
            if command == "create_schema":
                # Exactly what TenantMixin.save() calls when auto_create_schema is on.
                Portal(schema_name=name).create_schema(check_if_exists=True, verbosity=0)
            elif command == "dt_clone":
                CloneSchema().clone_schema(schemas.TEMPLATE_SCHEMA, name, set_connection=True)
            elif command == "copy":
                copying.schema_copy(schemas.TEMPLATE_SCHEMA, name)
            else:
                reply(ok=False, error=f"unknown command {command!r}")
                continue
            ms = (time.perf_counter() - started) * 1000
            reply(ok=True, ms=ms, tables=table_count(name))
        except Exception as exc:
            reply(ok=False, error=repr(exc))
    return 0


# --- Observing the database -----------------------------------------------------------------------


class Monitor:
    """One autocommit connection for the untimed checks between provisions."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=5)

    def _scalar(self, query: str, params: tuple[Any, ...] = ()) -> int:
        row = self.conn.execute(query, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def spares(self) -> int:
        """Spares of the template the benchmark's portals use (the pool keeps some of each)."""
        return self._scalar("SELECT count(*) FROM provisioning_spareschema WHERE template_key = %s", (POOL_TEMPLATE,))

    def portal_status(self, abbreviation: str) -> str:
        row = self.conn.execute("SELECT status FROM tenants_portal WHERE abbreviation = %s", (abbreviation,)).fetchone()
        return str(row[0]) if row else ""

    def schemas(self) -> int:
        return self._scalar(
            "SELECT count(*) FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'"
        )

    def portals(self) -> int:
        return self._scalar("SELECT count(*) FROM tenants_portal")

    def tables(self, schema: str) -> int:
        return self._scalar("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,))

    def busy_locks(self) -> int:
        """Advisory locks held in this database: a job or a pool top-up is running."""
        return self._scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )

    def wait_quiet(self, pool_size: int, timeout: float = QUIET_TIMEOUT) -> float:
        """Seconds waited until the pool is full and nothing holds a provisioning lock."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            spares = self.spares()
            locks = self.busy_locks()
            if spares >= pool_size and locks == 0:
                time.sleep(QUIET_SETTLE)
                if self.spares() >= pool_size and self.busy_locks() == 0:
                    return time.monotonic() - started
            if time.monotonic() >= deadline:
                raise BenchError(f"pool not back to {pool_size} within {timeout:.0f}s ({spares} spares, {locks} locks)")
            time.sleep(0.02)

    def close(self) -> None:
        self.conn.close()


def group_cpu_ms(pgid: int) -> float:
    """User + system CPU time (ms) of every live process in process group ``pgid`` (Linux /proc)."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()  # after "(comm)": state, ppid, pgrp, … utime(11), stime(12)
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks * 1000 / CLOCK_TICKS


# --- The console API ------------------------------------------------------------------------------


class ConsoleApi:
    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token

    def call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = json.dumps(payload).encode() if payload is not None else None
            headers = {"Host": CONSOLE_HOST, "Authorization": f"Token {self.token}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw[:500].decode(errors="replace")
        return response.status, data


def _timestamp(value: str | None) -> float | None:
    return dt.datetime.fromisoformat(value).timestamp() if value else None


@dataclass
class Provision:
    kind: str
    abbreviation: str
    live_ms: float  # POST sent → home page 200
    post_ms: float  # POST round trip
    queue_ms: float  # POST sent → job started (API + commit + broker + worker pick-up)
    job_ms: float  # job started → job finished (as the job records it)
    bookkeeping_ms: float  # job started → activate started, minus the steps before it: the job's own records
    to_live_ms: float  # activate step started → home page 200 (activation, routing, last poll)
    steps: dict[str, float]
    schema_path: str
    polls: Counter[int]
    schemas_before: int
    watches: int = 0  # reads of the portal's status before the first GET (0: GETs from the start)
    tables: int = 0
    structure: str = ""  # digest of the new schema's structure (schema_signature without rows)
    refill_s: float = 0.0  # untimed wait before this provision for the pool to be full again
    load: float = 0.0  # 1-minute load average when it started
    web_cpu_ms: float = 0.0  # CPU time of gunicorn (master + workers) from just before the POST to live
    worker_cpu_ms: float = 0.0  # CPU time of the dramatiq worker over the same span
    sent_at: float = 0.0  # wall-clock time the POST was sent (to line records up with the logs)

    def part(self, name: str) -> float:
        if name in self.steps:
            return self.steps[name]
        value: float = getattr(self, name)
        return value


def provision(
    api: ConsoleApi,
    web_port: int,
    monitor: Monitor,
    kind: str,
    index: int,
    schema_path: str,
    schemas_before: int,
    poll_s: float,
    cpu_groups: tuple[int, int],
    watch_s: float | None,
) -> Provision:
    """One timed provision. With ``watch_s`` the home page is first asked for once the database
    says the portal is active (read every ``watch_s``); without, from the moment the POST is answered."""
    abbreviation = f"bp-{kind}-{index:03d}"
    name = f"Sở thử nghiệm {abbreviation}"
    host = f"{abbreviation}.{PLATFORM_DOMAIN}"
    payload = {
        "name": name,
        "abbreviation": abbreviation,
        "kind": "department",
        "template": "department",
        "admin_name": "Nguyễn Văn An",
        "admin_email": f"{abbreviation}@example.vn",
        "request_reference": f"BENCH/{kind}/{index}",
        "approve": True,
        "schema_path": schema_path,
    }
    polls: Counter[int] = Counter()
    web_cpu, worker_cpu = (group_cpu_ms(group) for group in cpu_groups)
    wall_sent = time.time()
    sent = time.perf_counter()
    status, data = api.call("POST", REQUESTS_PATH, payload)
    answered = time.perf_counter()
    if status != 201 or not isinstance(data, dict) or not data.get("job_id"):
        raise BenchError(f"{abbreviation}: POST answered {status}: {data}")
    job_id = int(data["job_id"])
    deadline = sent + LIVE_TIMEOUT
    watches = 0
    while watch_s is not None and monitor.portal_status(abbreviation) != "active":
        watches += 1
        if time.perf_counter() >= deadline:
            _status, state = api.call("GET", JOB_PATH.format(id=job_id))
            raise BenchError(f"{abbreviation}: not active after {LIVE_TIMEOUT:.0f}s; job: {state}")
        time.sleep(watch_s)
    while True:
        try:
            got, _headers, body = get(web_port, host, timeout=5.0)
        except OSError:
            got, body = 0, b""
        polls[got] += 1
        if got == 200:
            live = time.perf_counter()
            wall_live = time.time()
            web_cpu, worker_cpu = (
                group_cpu_ms(group) - before for group, before in zip(cpu_groups, (web_cpu, worker_cpu), strict=True)
            )
            break
        if time.perf_counter() >= deadline:
            _status, state = api.call("GET", JOB_PATH.format(id=job_id))
            raise BenchError(f"{abbreviation}: not live after {LIVE_TIMEOUT:.0f}s (polls {dict(polls)}); job: {state}")
        time.sleep(poll_s)
    if name.encode() not in body:
        raise BenchError(f"{abbreviation}: {host} answered 200 without the portal's name: {body[:300]!r}")

    job: dict[str, Any] = {}
    job_deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < job_deadline:
        status, fetched = api.call("GET", JOB_PATH.format(id=job_id))
        if status == 200 and isinstance(fetched, dict) and fetched.get("status") in ("succeeded", "failed"):
            job = fetched
            break
        time.sleep(0.02)
    if job.get("status") != "succeeded":
        raise BenchError(f"{abbreviation}: job {job_id} did not succeed: {job or 'no answer'}")
    if schema_path and job.get("schema_path") != schema_path:
        raise BenchError(f"{abbreviation}: job used schema path {job.get('schema_path')!r}, not {schema_path!r}")
    steps = {step["name"]: float(step["duration_ms"] or 0.0) for step in job["steps"]}
    activate_start = _timestamp(next(s["started_at"] for s in job["steps"] if s["name"] == "activate"))
    started_at, finished_at = _timestamp(job["started_at"]), _timestamp(job["finished_at"])
    assert activate_start is not None and started_at is not None and finished_at is not None
    before_activate = sum(ms for step, ms in steps.items() if step != "activate")
    return Provision(
        kind=kind,
        abbreviation=abbreviation,
        live_ms=(live - sent) * 1000,
        post_ms=(answered - sent) * 1000,
        queue_ms=(started_at - wall_sent) * 1000,
        job_ms=(finished_at - started_at) * 1000,
        bookkeeping_ms=(activate_start - started_at) * 1000 - before_activate,
        to_live_ms=(wall_live - activate_start) * 1000,
        steps=steps,
        schema_path=str(job.get("schema_path")),
        polls=polls,
        watches=watches,
        web_cpu_ms=web_cpu,
        worker_cpu_ms=worker_cpu,
        sent_at=wall_sent,
        schemas_before=schemas_before,
    )


# --- Statistics -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Percentile ``q`` (0–100) with linear interpolation between the closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def slope_per_100(xs: list[int], ys: list[float]) -> float:
    """Least-squares slope of ys against xs, in ms per 100 more schemas."""
    if len(xs) < 2 or len(set(xs)) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mx) ** 2 for x in xs)
    return 100 * num / den


# An additive decomposition of request → live (server and benchmark read the same clock)...
PARTS = ("queue_ms", *STEPS[:-1], "bookkeeping_ms", "to_live_ms")
# ...and, for reference, figures that overlap those parts.
OVERLAPPING = ("post_ms", "activate", "job_ms", "web_cpu_ms", "worker_cpu_ms")


def report_paths(results: dict[str, list[Provision]], raw: dict[str, list[float]]) -> None:
    log("")
    log("request → live (ms), per path:")
    log(f"  {'path':<14} {'n':>3} {'p50':>9} {'p95':>9} {'min':>9} {'max':>9}  what")
    for kind in API_KINDS:
        values = [p.live_ms for p in results[kind]]
        log(
            f"  {kind:<14} {len(values):>3} {pct(values, 50):>9.1f} {pct(values, 95):>9.1f} "
            f"{min(values):>9.1f} {max(values):>9.1f}  {LABELS[kind]}"
        )
    for kind in RAW_KINDS:
        values = raw[kind]
        log(
            f"  {kind:<14} {len(values):>3} {pct(values, 50):>9.1f} {pct(values, 95):>9.1f} "
            f"{min(values):>9.1f} {max(values):>9.1f}  {LABELS[kind]}"
        )
    log("")
    log("where the time goes (p50 of each part, ms; steps as the job records them):")
    log("  " + f"{'part':<15}" + "".join(f"{kind:>10}" for kind in API_KINDS))
    for name in PARTS:
        log("  " + f"{name:<15}" + "".join(f"{pct([p.part(name) for p in results[k]], 50):>10.1f}" for k in API_KINDS))
    log(
        "  "
        + f"{'(sum of p50s)':<15}"
        + "".join(f"{sum(pct([p.part(n) for p in results[k]], 50) for n in PARTS):>10.1f}" for k in API_KINDS)
    )
    log("  overlapping the above:")
    for name in OVERLAPPING:
        log("  " + f"{name:<15}" + "".join(f"{pct([p.part(name) for p in results[k]], 50):>10.1f}" for k in API_KINDS))
    for kind in API_KINDS:
        polls: Counter[int] = Counter()
        for p in results[kind]:
            polls.update(p.polls)
        per = {status: round(count / len(results[kind]), 1) for status, count in sorted(polls.items())}
        saw_503 = [p.to_live_ms for p in results[kind] if p.polls[503]]
        others = [p.to_live_ms for p in results[kind] if not p.polls[503]]
        detail = (
            f"; {len(saw_503)} saw the portal as 503 (provisioning) first: to_live p50 {pct(saw_503, 50):.1f} ms "
            f"(max {max(saw_503):.1f}) vs {pct(others, 50):.1f} ms for the others"
            if saw_503
            else ""
        )
        watches = pct([float(p.watches) for p in results[kind]], 50)
        log(f"  home-page polls per portal ({kind}), by status: {per}; status reads p50 {watches:.0f}{detail}")


@dataclass
class Block:
    index: int
    first: int
    last: int
    schemas_at_start: int
    p50: float
    p95: float
    parts: dict[str, float] = field(default_factory=dict)
    refill_s: float = 0.0
    load: float = 0.0


# Per block: the parts that could depend on the number of portals (schema rename, the host map
# reload behind to_live) and one that cannot (admin: one password hash, a measure of machine speed).
BLOCK_PARTS = ("schema", "admin", "to_live_ms")


def blocks_of(series: list[Provision], size: int) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(series), size):
        chunk = series[start : start + size]
        values = [p.live_ms for p in chunk]
        blocks.append(
            Block(
                index=len(blocks) + 1,
                first=start + 1,
                last=start + len(chunk),
                schemas_at_start=chunk[0].schemas_before,
                p50=pct(values, 50),
                p95=pct(values, 95),
                parts={name: pct([p.part(name) for p in chunk], 50) for name in BLOCK_PARTS},
                refill_s=pct([p.refill_s for p in chunk], 50),
                load=max(p.load for p in chunk),
            )
        )
    return blocks


# --- Main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=None, help="timed provisions per path in the comparison (20)")
    parser.add_argument("--series", type=int, default=None, help="portals provisioned in a row (200)")
    parser.add_argument("--block", type=int, default=None, help="block size of the series report (25)")
    parser.add_argument("--pool-size", type=int, default=3, help="PROVISIONING_POOL_SIZE and pool --fill --size (3)")
    parser.add_argument(
        "--poll-ms", type=float, default=POLL_MS, help=f"pause between two GETs of the new home page ({POLL_MS:g})"
    )
    parser.add_argument(
        "--watch-ms",
        type=float,
        default=WATCH_MS,
        help=f"pause between two reads of the new portal's status in the database ({WATCH_MS:g})",
    )
    parser.add_argument(
        "--raw-after", type=int, default=3, help="baselines timed again after the series, each (3; 0: none)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: --n 3 --series 10 --block 5")
    parser.add_argument(
        "--database-url",
        default=DATABASE_URL,
        help=f"PostgreSQL URL; the database is dropped and created again (default {DATABASE_URL})",
    )
    parser.add_argument("--cache-url", default=CACHE_URL, help=f"Redis URL, flushed at the start (default {CACHE_URL})")
    parser.add_argument(
        "--broker-url",
        default=BROKER_URL,
        help=f"RabbitMQ URL; its vhost is deleted and created again with rabbitmqctl (default {BROKER_URL})",
    )
    parser.add_argument(
        "--out", default="", help="keep the logs and write provisions.jsonl (one record per timed provision) here"
    )
    parser.add_argument("--raw-helper", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.n = args.n if args.n is not None else (3 if args.quick else 20)
    args.series = args.series if args.series is not None else (10 if args.quick else 200)
    args.block = args.block if args.block is not None else (5 if args.quick else 25)
    if not 1 <= args.n <= 500:
        parser.error("--n must be in [1, 500]")
    if not 0 <= args.series <= 5000:
        parser.error("--series must be in [0, 5000]")
    if not 1 <= args.block <= 1000:
        parser.error("--block must be in [1, 1000]")
    if not 0 <= args.poll_ms <= 1000 or not 0 <= args.watch_ms <= 1000:
        parser.error("--poll-ms and --watch-ms must be in [0, 1000]")
    if not 1 <= args.pool_size <= 50:
        parser.error("--pool-size must be in [1, 50] (the benchmark measures a warm pool)")
    if not urlsplit(args.broker_url).scheme.startswith("amqp"):
        parser.error("--broker-url must be an amqp:// URL (RabbitMQ, the production broker)")
    return args


def run(args: argparse.Namespace, tmp: Path) -> int:
    vhost = unquote(urlsplit(args.broker_url).path.lstrip("/")) or "/"
    if vhost == "/":
        log("WARNING: vhost / is shared with the test suite's workers, which purge and consume its queues")
    else:
        recreate_vhost(vhost)
    log(f"database {recreate_database(args.database_url)}: dropped and created")
    flush_cache(args.cache_url)

    s3 = SeaweedFSService(tmp / "s3", port=SeaweedFSService.pick_free_port())
    records = (tmp / "provisions.jsonl").open("w", encoding="utf-8")

    def record(prov: Provision | None = None, **extra: Any) -> None:
        data = {**dataclasses.asdict(prov), "polls": dict(prov.polls)} if prov is not None else {}
        records.write(json.dumps({**data, **extra}, ensure_ascii=False) + "\n")
        records.flush()

    web: WebServer | None = None
    worker: Worker | None = None
    helper: RawHelper | None = None
    monitor: Monitor | None = None
    failed = False
    try:
        s3.start(timeout=60)
        log(f"seaweedfs on {s3.address} (started in {s3.started_in or 0:.1f} s)")
        env = bench_env(args.pool_size, args.database_url, args.cache_url, args.broker_url, s3.env())

        log("setup:")
        manage(env, "migrate_schemas", "--noinput")
        manage(env, "storage_init")
        manage(env, "demo_portals")
        token_out = manage(env, "drf_create_token", OPERATOR)
        match = re.search(r"\b([0-9a-f]{40})\b", token_out)
        if match is None:
            raise BenchError(f"no token in drf_create_token's output: {token_out!r}")
        manage(env, "pool", "--fill", "--size", str(args.pool_size))

        web = WebServer("web", free_port(), tmp / "gunicorn.log")
        worker = Worker("worker", 0, tmp / "worker.log")
        web.start(env)
        worker.start(env)
        web.wait_ready(PROVINCE_HOST)
        worker.wait_started()
        helper = RawHelper(env, tmp / "helper.log")
        monitor = Monitor(args.database_url)
        api = ConsoleApi(web.port, match.group(1))
        poll_s, watch_s = args.poll_ms / 1000, args.watch_ms / 1000
        log(
            f"gunicorn ({GUNICORN_WORKERS} sync workers) on 127.0.0.1:{web.port}, dramatiq worker "
            f"(1 process, 2 threads) on {urlsplit(args.broker_url).hostname} vhost {vhost}, "
            f"pool size {args.pool_size}; {monitor.schemas()} schemas, {monitor.portals()} portals"
        )

        def cpu_groups() -> tuple[int, int]:
            assert web is not None and web.process is not None and worker is not None and worker.process is not None
            return web.process.pid, worker.process.pid  # each leads its own process group

        def live_check() -> None:
            for proc in (web, worker):
                if proc is not None and (proc.process is None or proc.process.poll() is not None):
                    raise BenchError(proc.exit_message())

        def structure(schema: str) -> tuple[str, int]:
            assert helper is not None
            answer = helper.call("signature", schema)  # untimed
            return str(answer["structure"]), int(answer["tables"])

        def measure(kind: str, index: int) -> tuple[Provision | None, float | None, str]:
            assert monitor is not None and helper is not None and web is not None
            live_check()
            refill = monitor.wait_quiet(args.pool_size)
            schemas_before, load = monitor.schemas(), os.getloadavg()[0]
            if kind in API_KINDS:
                path, watch = ("pool", None) if kind == GET_POLL else (kind, watch_s)
                prov = provision(api, web.port, monitor, kind, index, path, schemas_before, poll_s, cpu_groups(), watch)
                prov.refill_s, prov.load = refill, load
                prov.structure, prov.tables = structure("portal_" + prov.abbreviation.replace("-", "_"))
                return prov, None, prov.structure
            schema = f"bench_raw_{kind}_{index:03d}"
            answer = helper.call(HELPER_COMMANDS[kind], schema)
            digest, _tables = structure(schema)
            helper.call("drop", schema)  # untimed: the baseline schemas do not stay
            return None, float(answer["ms"]), digest

        # Warm-up, untimed: the first message on each connection, imports, the template's function.
        log("warm-up (untimed), one of each:")
        for kind in KINDS:
            prov, ms, _structure = measure(kind, 0)
            figure = prov.live_ms if prov is not None else ms
            log(f"  {kind:<14} {figure:8.1f} ms")

        results: dict[str, list[Provision]] = {kind: [] for kind in API_KINDS}
        raw: dict[str, list[float]] = {kind: [] for kind in RAW_KINDS}
        structures: dict[str, set[str]] = {kind: set() for kind in KINDS}
        log(f"comparison: {args.n} rounds, each path once per round, order rotated every round")
        for round_no in range(1, args.n + 1):
            order = KINDS[round_no % len(KINDS) :] + KINDS[: round_no % len(KINDS)]
            figures = []
            for kind in order:
                prov, ms, digest = measure(kind, round_no)
                structures[kind].add(digest)
                if prov is not None:
                    results[kind].append(prov)
                    record(prov, round=round_no)
                    figures.append(f"{kind} {prov.live_ms:.0f}")
                else:
                    assert ms is not None
                    raw[kind].append(ms)
                    record(kind=kind, round=round_no, ms=ms, structure=digest)
                    figures.append(f"{kind} {ms:.0f}")
            log(f"  round {round_no:>3}: " + ", ".join(figures) + " ms")
        # django-tenants' clone_schema is only a timing baseline: it renames some unique
        # constraints (…_uniq → …_key) and makes integer identity sequences bigint ones.
        compared = {kind: digests for kind, digests in structures.items() if kind != "raw_clone"}
        if len(set().union(*compared.values())) != 1:
            raise BenchError(f"the paths did not make the same schema (structure digests per path: {structures})")
        log(
            f"every path made the same schema (structure {next(iter(structures['pool']))}: "
            f"{results['pool'][0].tables} tables, same columns, constraints, indexes and sequences); "
            f"django-tenants' clone_schema {'too' if structures['raw_clone'] == structures['pool'] else 'did not'}"
        )
        report_paths(results, raw)

        series: list[Provision] = []
        if args.series:
            log("")
            log(f"series: {args.series} portals in a row through the default path (pool first), pool full each time")
            for index in range(1, args.series + 1):
                live_check()
                refill = monitor.wait_quiet(args.pool_size)
                load = os.getloadavg()[0]
                prov = provision(
                    api, web.port, monitor, "s", index, "", monitor.schemas(), poll_s, cpu_groups(), watch_s
                )
                prov.refill_s, prov.load = refill, load
                if prov.schema_path != "pool":
                    raise BenchError(f"{prov.abbreviation}: the default path used {prov.schema_path!r}, not the pool")
                series.append(prov)
                record(prov, series_index=index)
                if index % args.block == 0 or index == args.series:
                    recent = [p.live_ms for p in series[-args.block :]]
                    log(f"  {index:>4} provisioned; last {len(recent)}: p50 {pct(recent, 50):.1f} ms")
        monitor.wait_quiet(args.pool_size)
        schemas_at_end, portals_at_end = monitor.schemas(), monitor.portals()
        # The baselines again with every schema of the run in the database: clone_schema reads the
        # whole catalogue, so its cost grows with it; the others should not.
        raw_after: dict[str, list[float]] = {kind: [] for kind in RAW_KINDS}
        if args.raw_after:
            log("")
            log(f"baselines again at {schemas_at_end} schemas ({args.raw_after} of each, interleaved):")
            for index in range(args.raw_after):
                for kind in RAW_KINDS:
                    _prov, ms, _digest = measure(kind, 900 + index)
                    assert ms is not None
                    raw_after[kind].append(ms)
                    record(kind=kind, after_series=index, ms=ms, schemas=schemas_at_end)
            for kind in RAW_KINDS:
                log(
                    f"  {kind:<14} p50 {pct(raw_after[kind], 50):9.1f} ms (comparison rounds: "
                    f"{pct(raw[kind], 50):.1f} ms)  {LABELS[kind]}"
                )
    except BaseException:
        failed = True
        raise
    finally:
        if failed:
            for proc in (web, worker):
                if proc is not None:
                    log(f"--- {proc.variant} log (tail) ---\n{proc.log_tail()}")
        if helper is not None:
            helper.stop()
        for proc in (worker, web):
            if proc is not None:
                proc.stop()
        if monitor is not None:
            monitor.close()
        records.close()
        try:
            s3.stop()
        except Exception as exc:
            log(f"seaweedfs stop: {exc}")

    # --- summary ---
    pool_live = [p.live_ms for p in results["pool"]]
    migrate_live = [p.live_ms for p in results["migrate"]]
    clone_live = [p.live_ms for p in results["clone"]]
    p50, p95 = pct(pool_live, 50), pct(pool_live, 95)
    migrate_p50 = pct(migrate_live, 50)
    ratio = migrate_p50 / p50 if p50 else 0.0
    create_schema_p50 = pct(raw["create_schema"], 50)
    getpoll = results[GET_POLL]
    job_watch, job_get = pct([p.job_ms for p in results["pool"]], 50), pct([p.job_ms for p in getpoll], 50)
    getpoll_p50 = pct([p.live_ms for p in getpoll], 50)
    log("")
    log(
        f"watching: warm-pool job p50 {job_watch:.1f} ms when the database is watched every {args.watch_ms:g} ms "
        f"before the home page is asked for, {job_get:.1f} ms when the home page is asked for every "
        f"{args.poll_ms:g} ms from the start (request → live p50 {p50:.1f} vs {getpoll_p50:.1f} ms); gunicorn "
        f"CPU per provision p50 {pct([p.web_cpu_ms for p in results['pool']], 50):.0f} vs "
        f"{pct([p.web_cpu_ms for p in getpoll], 50):.0f} ms"
    )
    summary: dict[str, Any] = {}
    if series:
        blocks = blocks_of(series, args.block)
        log("")
        log(f"series in blocks of {args.block} (request → live, ms; schemas = schemas in the database at block start):")
        log(
            f"  {'block':>5} {'portals':>9} {'schemas':>8} {'p50':>8} {'p95':>8}  {'schema':>7} {'admin':>7} "
            f"{'to_live':>8}  {'refill s':>8} {'load':>5}"
        )
        for b in blocks:
            log(
                f"  {b.index:>5} {b.first:>4}–{b.last:<4} {b.schemas_at_start:>8} {b.p50:>8.1f} {b.p95:>8.1f}  "
                f"{b.parts['schema']:>7.1f} {b.parts['admin']:>7.1f} {b.parts['to_live_ms']:>8.1f}  "
                f"{b.refill_s:>8.2f} {b.load:>5.2f}"
            )
        log(
            "  (schema, admin, to_live: p50 of that part in the block; refill s: p50 of the untimed wait for the "
            "pool to be full again; load: highest 1-minute load average seen)"
        )
        first, last = blocks[0], blocks[-1]
        growth = last.p50 / first.p50 if first.p50 else 0.0
        slope = slope_per_100([p.schemas_before for p in series], [p.live_ms for p in series])
        series_live = [p.live_ms for p in series]
        log(
            f"  first block p50 {first.p50:.1f} ms at {first.schemas_at_start} schemas, last block p50 "
            f"{last.p50:.1f} ms at {last.schemas_at_start} schemas: ×{growth:.2f}; least-squares slope "
            f"{slope:+.1f} ms per 100 schemas; whole series p50 {pct(series_live, 50):.1f}, "
            f"p95 {pct(series_live, 95):.1f} ms"
        )
        log(
            "  per-part p50 over the series (ms): "
            + ", ".join(f"{n} {pct([p.part(n) for p in series], 50):.1f}" for n in PARTS)
        )
        summary = {
            "series_n": len(series),
            "series_p50_ms": round(pct(series_live, 50), 1),
            "series_p95_ms": round(pct(series_live, 95), 1),
            "series_first_block_p50_ms": round(first.p50, 1),
            "series_last_block_p50_ms": round(last.p50, 1),
            "series_first_block_schemas": first.schemas_at_start,
            "series_last_block_schemas": last.schemas_at_start,
            "series_growth": round(growth, 2),
            "series_slope_ms_per_100_schemas": round(slope, 1),
            "series_blocks_p50_ms": [round(b.p50, 1) for b in blocks],
            "series_blocks_schemas": [b.schemas_at_start for b in blocks],
        }
    log("")
    log(
        f"warm pool p50 {p50:.1f} ms (goal < 300: {'met' if p50 < 300 else 'NOT met'}); migrations path p50 "
        f"{migrate_p50:.1f} ms → ratio {ratio:.1f} (goal ≥ 30: {'met' if ratio >= 30 else 'NOT met'}); "
        f"create_schema alone p50 {create_schema_p50:.1f} ms ({create_schema_p50 / p50 if p50 else 0:.1f}×); "
        f"home page asked for from the start: p50 {getpoll_p50:.1f} ms (ratio {migrate_p50 / getpoll_p50 if getpoll_p50 else 0:.1f})"
    )
    if summary:
        log(
            f"no growth over {summary['series_n']} in a row (last/first block p50 ≤ {GROWTH_LIMIT}): "
            f"{'met' if summary['series_growth'] <= GROWTH_LIMIT else 'NOT met'} (×{summary['series_growth']:.2f})"
        )
    print(
        json.dumps(
            {
                "metric": "provision_p50_ms",
                "value": round(p50, 1),
                "p95_ms": round(p95, 1),
                "baseline": "migrations path (API, schema_path=migrate)",
                "baseline_value": round(migrate_p50, 1),
                "ratio": round(ratio, 1),
                "migrate_p95_ms": round(pct(migrate_live, 95), 1),
                "clone_p50_ms": round(pct(clone_live, 50), 1),
                "clone_p95_ms": round(pct(clone_live, 95), 1),
                "raw_clone_p50_ms": round(pct(raw["raw_clone"], 50), 1),
                "raw_copy_p50_ms": round(pct(raw["raw_copy"], 50), 1),
                **{f"{kind}_p50_ms_at_end": round(pct(values, 50), 1) for kind, values in raw_after.items() if values},
                "create_schema_p50_ms": round(create_schema_p50, 1),
                "create_schema_p95_ms": round(pct(raw["create_schema"], 95), 1),
                "create_schema_ratio": round(create_schema_p50 / p50, 1) if p50 else 0.0,
                "getpoll_p50_ms": round(getpoll_p50, 1),
                "getpoll_p95_ms": round(pct([p.live_ms for p in getpoll], 95), 1),
                "getpoll_ratio": round(migrate_p50 / getpoll_p50, 1) if getpoll_p50 else 0.0,
                "pool_job_p50_ms": round(job_watch, 1),
                "getpoll_job_p50_ms": round(job_get, 1),
                **summary,
                "schemas_at_end": schemas_at_end,
                "portals_at_end": portals_at_end,
                "n": args.n,
                "pool_size": args.pool_size,
                "poll_ms": args.poll_ms,
                "watch_ms": args.watch_ms,
                "parts_p50_ms": {
                    kind: {
                        name: round(pct([p.part(name) for p in results[kind]], 50), 1) for name in PARTS + OVERLAPPING
                    }
                    for kind in API_KINDS
                },
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.raw_helper:
        return raw_helper_main()
    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    log(
        f"provisioning benchmark: --n {args.n} --series {args.series} --block {args.block} "
        f"--pool-size {args.pool_size} --poll-ms {args.poll_ms:g} --watch-ms {args.watch_ms:g}; "
        f"database {urlsplit(args.database_url).path.lstrip('/')}, cache {args.cache_url}"
    )
    if args.out:
        out = Path(args.out).resolve()
        out.mkdir(parents=True, exist_ok=True)
        log(f"logs and per-provision records (provisions.jsonl) kept in {out}")
        return run(args, out)
    with tempfile.TemporaryDirectory(prefix="bench-provisioning-") as tmp:
        return run(args, Path(tmp))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/provisioning.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except ServiceError as exc:  # SeaweedFS would not start
        print(f"bench/provisioning.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench/provisioning.py: interrupted", file=sys.stderr)
        sys.exit(130)
