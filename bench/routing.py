"""Routing benchmark (issue 2): the rate of a trivial page with and without tenant routing.

Three gunicorn servers (2 sync workers each, loopback only) serve the same trivial page
(``bench/urls.py``) on the bench portal's host:

* ``unrouted`` — the platform's settings without the tenant middleware (the baseline);
* ``stock``    — django-tenants' ``TenantMainMiddleware`` (a Domain query and ``SET search_path`` on
  every request, ``TENANT_LIMIT_SET_CALLS = False``);
* ``routed``   — the platform's own ``TenantRoutingMiddleware`` (in-process host map).

They are loaded from another process (``wrk`` when it is on PATH, else a Python load generator),
alternately, for a few rounds; the median rate of each variant is reported, and the last line is
one JSON object whose ``ratio`` is routed / un-routed.

    .venv/bin/python bench/routing.py [--duration 10] [--rounds 3] [--connections 16] [--tool auto]

The database comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/portal_bench); it
is created if missing, migrated, and given a provincial portal (``bench-tinh.test``) and the bench
department portal (``bench.test``) if they do not exist yet.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench.urls` importable for its constants
    sys.path.insert(0, str(ROOT))

from bench._db import recreate_database  # noqa: E402
from bench.urls import BODY, SCHEMA_HEADER  # noqa: E402

DEFAULT_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal_bench",
    "CACHE_URL": "redis://127.0.0.1:6379/13",
    "BROKER_URL": "redis://127.0.0.1:6379/13",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9/",
    "S3_ACCESS_KEY_ID": "bench",
    "S3_SECRET_ACCESS_KEY": "bench-secret",
    "PORTAL_DEV": "1",
}
PROVINCE = {
    "name": "Cổng Thông tin điện tử tỉnh (benchmark)",
    "abbreviation": "bench-tinh",
    "kind": "province",
    "domain": "bench-tinh.test",
}
PORTAL = {"name": "Sở Khoa học và Công nghệ", "abbreviation": "bench", "kind": "department", "domain": "bench.test"}
UNKNOWN_HOST = "unknown-host.bench.invalid"
PATH = "/"
VARIANTS = ("unrouted", "stock", "routed")
WORKERS = 2
WARMUP_REQUESTS = 400
REQUEST_TIMEOUT = 5.0
START_TIMEOUT = 60.0
SETUP_TIMEOUT = 600.0


class BenchError(Exception):
    """The benchmark cannot produce a trustworthy figure."""


def log(message: str) -> None:
    print(message, flush=True)


# --- Environment and database -----------------------------------------------------------------


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    for name, value in DEFAULT_ENV.items():
        if not env.get(name):
            env[name] = value
    env.pop("DEBUG", None)  # the bench settings force DEBUG off; a DEBUG=1 here would only log queries
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings_routed"},
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _portal_rows(url: str) -> tuple[bool, dict[str, tuple[str, str]]]:
    """(a provincial portal exists, {domain: (schema, status)})."""
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        has_province = conn.execute("SELECT 1 FROM tenants_portal WHERE kind = 'province'").fetchone()
        rows = conn.execute(
            "SELECT d.domain, p.schema_name, p.status FROM tenants_domain d JOIN tenants_portal p ON p.id = d.tenant_id"
        ).fetchall()
    return has_province is not None, {domain: (schema, status) for domain, schema, status in rows}


def _create_portal(env: dict[str, str], spec: dict[str, str]) -> None:
    out = _manage(
        env,
        "portal_create",
        "--name",
        spec["name"],
        "--abbreviation",
        spec["abbreviation"],
        "--kind",
        spec["kind"],
        "--domain",
        spec["domain"],
    )
    log(f"created portal {out.strip()}")


def prepare_database(env: dict[str, str]) -> str:
    """Create, migrate and populate the bench database; return the bench portal's schema."""
    url = env["DATABASE_URL"]
    log(f"database {recreate_database(url)}: dropped and created")
    _manage(env, "migrate_schemas", "--shared", "--noinput")
    has_province, domains = _portal_rows(url)
    if PORTAL["domain"] not in domains:
        if not has_province:
            _create_portal(env, PROVINCE)
        _create_portal(env, PORTAL)
        has_province, domains = _portal_rows(url)
    if PORTAL["domain"] not in domains:
        raise BenchError(f"portal for {PORTAL['domain']} missing after creation")
    schema, status = domains[PORTAL["domain"]]
    if status != "active":
        raise BenchError(f"bench portal {schema} is {status}, not active")
    return schema


# --- Servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    variant: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal_platform.wsgi:application",
            "--workers",
            str(WORKERS),
            "--no-control-socket",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "info",
            "--error-logfile",
            str(self.log_path),
            "--no-control-socket",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": f"bench.settings_{self.variant}"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # own process group: Ctrl-C reaches us, and we stop it cleanly
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def exit_message(self) -> str:
        code = self.process.returncode if self.process is not None else None
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return (
            f"{self.variant}: gunicorn (pid {self.process.pid if self.process else '?'}) ended, {how}; "
            f"its log:\n{self.log_tail()}"
        )

    def wait_ready(self, host: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise BenchError(self.exit_message())
            try:
                status, _headers, _body = get(self.port, host, timeout=2.0)
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                return
            time.sleep(0.2)
        raise BenchError(f"{self.variant}: not ready within {START_TIMEOUT:.0f}s\n{self.log_tail()}")

    def stop(self) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)  # the group of this gunicorn master only (its own session)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def get(port: int, host: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", PATH, headers={"Host": host})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def verify(server: Server, host: str, schema: str) -> None:
    """The page answers 200 with the expected body and schema; unknown hosts reach the router."""
    expected_schema = "public" if server.variant == "unrouted" else schema
    status, headers, body = get(server.port, host)
    got_schema = headers.get(SCHEMA_HEADER.lower())
    if status != 200 or body != BODY.encode() or got_schema != expected_schema:
        raise BenchError(
            f"{server.variant}: {host} answered {status}, schema {got_schema!r}, "
            f"body {body[:200]!r}; expected 200, {expected_schema!r}, {BODY!r}"
        )
    unknown_status, _h, _b = get(server.port, UNKNOWN_HOST)
    expected_unknown = 200 if server.variant == "unrouted" else 404
    if unknown_status != expected_unknown:
        raise BenchError(
            f"{server.variant}: unknown host answered {unknown_status}, "
            f"expected {expected_unknown} (is the right middleware in place?)"
        )
    log(
        f"  {server.variant:<8} port {server.port}: {host} → 200 {body!r} schema={got_schema}; "
        f"unknown host → {unknown_status}"
    )


def warm_up(server: Server, host: str, connections: int) -> None:
    """A few hundred concurrent requests, so both workers have loaded everything and connected."""
    counts: Counter[int] = Counter()
    lock = threading.Lock()
    remaining = [WARMUP_REQUESTS]
    deadline = time.monotonic() + 30.0

    def run() -> None:
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                status, _h, _b = get(server.port, host)
            except OSError:
                status = 0
            with lock:
                counts[status] += 1

    threads = [threading.Thread(target=run, daemon=True) for _ in range(max(1, connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=35.0)
    if set(counts) != {200}:
        raise BenchError(f"{server.variant}: warm-up answers {dict(counts)}\n{server.log_tail()}")


# --- Load generators --------------------------------------------------------------------------


@dataclass
class Measurement:
    rps: float  # 200 responses per second
    requests: int
    errors: int  # non-200 responses and socket errors
    detail: str = ""


def run_wrk(port: int, host: str, duration: float, connections: int) -> Measurement:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is not on PATH")
    threads = max(1, min(2, connections))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        f"{REQUEST_TIMEOUT:.0f}s",
        "-H",
        f"Host: {host}",
        f"http://127.0.0.1:{port}{PATH}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False)
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if result.returncode != 0 or rate is None or total is None:
        raise BenchError(f"wrk failed ({result.returncode}):\n{out}\n{result.stderr}")
    requests = int(total.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = int(non_2xx.group(1)) if non_2xx else 0
    errors = bad + (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0)
    rps = float(rate.group(1)) * (requests - bad) / requests if requests else 0.0
    latency = re.search(r"Latency\s+(\S+)", out)
    return Measurement(
        rps=rps, requests=requests, errors=errors, detail=f"mean latency {latency.group(1)}" if latency else ""
    )


def _load_process(
    port: int,
    host: str,
    threads: int,
    start_at: float,
    duration: float,
    results: multiprocessing.Queue[tuple[int, dict[int, int], float]],
) -> None:
    """One load-generating process: `threads` connections, each sending requests back to back."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    end_at = start_at + duration

    def run() -> None:
        local: Counter[int] = Counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        while time.time() < end_at:
            try:
                # Kept alive when the server allows; gunicorn's sync workers close after each
                # response and http.client then reconnects on the next request.
                conn.request("GET", PATH, headers={"Host": host})
                response = conn.getresponse()
                response.read()
                local[response.status] += 1
            except (OSError, http.client.HTTPException):
                local[0] += 1  # status 0: a socket error
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
    elapsed = time.time() - start_at
    with lock:
        results.put((statuses[200], dict(statuses), elapsed))


def run_python(port: int, host: str, duration: float, connections: int) -> Measurement:
    processes = max(1, min(2, connections))  # one per core; the threads share the connections
    per_process = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    results: multiprocessing.Queue[tuple[int, dict[int, int], float]] = multiprocessing.Queue()
    start_at = time.time() + 0.5  # every process starts its clock at the same moment
    children = [
        multiprocessing.Process(target=_load_process, args=(port, host, n, start_at, duration, results), daemon=True)
        for n in per_process
    ]
    try:
        for child in children:
            child.start()
        collected: list[tuple[int, dict[int, int], float]] = []
        deadline = time.monotonic() + duration + REQUEST_TIMEOUT + 20
        while len(collected) < len(children):
            try:
                collected.append(results.get(timeout=max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                raise BenchError("python load generator did not report in time") from None
        for child in children:
            child.join(timeout=5)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
    ok = sum(r[0] for r in collected)
    statuses: Counter[int] = Counter()
    for _ok, counts, _elapsed in collected:
        statuses.update(counts)
    elapsed = max(r[2] for r in collected)
    requests = sum(statuses.values())
    errors = requests - ok
    detail = (
        ""
        if not errors
        else "statuses " + ", ".join(f"{'socket error' if s == 0 else s}: {n}" for s, n in sorted(statuses.items()))
    )
    return Measurement(rps=ok / elapsed if elapsed > 0 else 0.0, requests=requests, errors=errors, detail=detail)


# --- Main -------------------------------------------------------------------------------------


@dataclass
class Results:
    rates: dict[str, list[float]] = field(default_factory=lambda: {v: [] for v in VARIANTS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VARIANTS, 0))

    def median(self, variant: str) -> float:
        return statistics.median(self.rates[variant])


def _raise_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through `finally`, which stops the servers


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per variant (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if on PATH (auto), or the Python one",
    )
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.duration > 600:
        parser.error("--duration must be in (0, 600]")
    if not 1 <= args.rounds <= 50:
        parser.error("--rounds must be in [1, 50]")
    if not 1 <= args.connections <= 1000:
        parser.error("--connections must be in [1, 1000]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    elif tool == "wrk" and shutil.which("wrk") is None:
        raise BenchError("--tool wrk but wrk is not on PATH")
    measure = run_wrk if tool == "wrk" else run_python

    env = bench_env()
    db = urlsplit(env["DATABASE_URL"])
    log(
        f"routing benchmark: {WORKERS} sync gunicorn workers per variant, tool {tool}, "
        f"{args.connections} connections, {args.duration:g}s × {args.rounds} rounds"
    )
    log(f"database {db.hostname}:{db.port or 5432}{db.path}, cache {env['CACHE_URL']}")
    schema = prepare_database(env)
    host = PORTAL["domain"]
    log(f"bench portal: host {host}, schema {schema}")

    signal.signal(signal.SIGTERM, _raise_on_signal)
    signal.signal(signal.SIGHUP, _raise_on_signal)
    results = Results()
    with tempfile.TemporaryDirectory(prefix="bench-routing-") as tmp:
        servers = {v: Server(v, free_port(), Path(tmp) / f"{v}.log") for v in VARIANTS}
        try:
            for server in servers.values():
                server.start(env)
            for server in servers.values():
                server.wait_ready(host)
            log("verification (once per variant):")
            for server in servers.values():
                verify(server, host, schema)
            for server in servers.values():
                warm_up(server, host, args.connections)
            log(f"warmed up ({WARMUP_REQUESTS} requests each)")
            for round_no in range(args.rounds):
                # Rotate the order each round so no variant always runs first or last.
                order = VARIANTS[round_no % 3 :] + VARIANTS[: round_no % 3]
                for variant in order:
                    server = servers[variant]
                    if server.process is None or server.process.poll() is not None:
                        raise BenchError(server.exit_message())
                    m = measure(server.port, host, args.duration, args.connections)
                    if server.process.poll() is not None:  # died during the run: figure is void
                        raise BenchError(server.exit_message())
                    results.rates[variant].append(m.rps)
                    results.errors[variant] += m.errors
                    extra = f", {m.errors} errors" if m.errors else ""
                    detail = f" ({m.detail})" if m.detail else ""
                    log(
                        f"  round {round_no + 1} {variant:<8} {m.rps:8.1f} req/s  "
                        f"[{m.requests} requests{extra}]{detail}"
                    )
        finally:
            for server in servers.values():
                server.stop()

    unrouted, stock, routed = (results.median(v) for v in VARIANTS)
    ratio = routed / unrouted if unrouted else 0.0
    stock_ratio = stock / unrouted if unrouted else 0.0
    log(f"median req/s: unrouted {unrouted:.1f}, stock {stock:.1f}, routed {routed:.1f}")
    log(
        f"routed / unrouted = {ratio:.3f} (goal ≥ 0.80: {'met' if ratio >= 0.8 else 'NOT met'}); "
        f"stock / unrouted = {stock_ratio:.3f}"
    )
    total_errors = sum(results.errors.values())
    if total_errors:
        log(f"WARNING: non-200 responses or socket errors during measurement: {results.errors}")
    print(
        json.dumps(
            {
                "metric": "routed_rps_ratio",
                "value": round(ratio, 3),
                "routed_rps": round(routed, 1),
                "unrouted_rps": round(unrouted, 1),
                "stock_rps": round(stock, 1),
                "stock_ratio": round(stock_ratio, 3),
                "baseline": "un-routed Django",
                "baseline_value": round(unrouted, 1),
                "ratio": round(ratio, 3),
                "tool": tool,
                "rounds": args.rounds,
                "duration_s": args.duration,
                "connections": args.connections,
                "errors": results.errors,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    return 1 if total_errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/routing.py: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bench/routing.py: interrupted", file=sys.stderr)
        sys.exit(130)
