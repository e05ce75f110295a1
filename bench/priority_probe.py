"""Why a backup at the lowest priority still slows pages on this machine: a probe (bench/backup.py's
companion, see docs/benchmarks.md "Backups").

A probe thread at normal priority wakes every 20 ms and does ~1 ms of Python work (what a page
request's slice of CPU looks like); its latency (wake-up delay + the work) is measured while, at
``SCHED_IDLE`` + nice 19 (``infra.priority``), in another session:

* ``none``     — nothing;
* ``cpu``      — two processes spinning in Python (CPU only, small working set);
* ``memory``   — two processes copying 64 MiB buffers (CPU + memory bandwidth + the shared L3 cache);
* ``loopback`` — two processes sending 16 MiB writes over a loopback TCP socket (mostly kernel time:
  what uploads to a local object store and pg_dump's pipe cost);

in interleaved windows (none, cpu, none, memory, ...). If ``cpu`` costs the probe nothing while
``memory`` and ``loopback`` do, the scheduler's priority works and what is left is shared hardware
(cache, memory bandwidth) and kernel time that a ``preempt=none`` kernel does not interrupt.

    .venv/bin/python bench/priority_probe.py [--window 10] [--cycles 3]

Last line: JSON with the probe's p50/p95 per load and the ratios to ``none``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from infra import priority  # noqa: E402

LOADS = ("cpu", "memory", "loopback")


def _cpu() -> None:
    x = 0
    while True:
        for i in range(10000):
            x ^= i * i


def _memory() -> None:
    source = bytearray(os.urandom(1024)) * (64 * 1024)  # 64 MiB
    while True:
        bytes(source)


def _loopback() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def sink() -> None:
        conn, _ = server.accept()
        while conn.recv(1 << 20):
            pass

    threading.Thread(target=sink, daemon=True).start()
    client = socket.create_connection(("127.0.0.1", port))
    block = os.urandom(16 * 1024 * 1024)
    while True:
        client.sendall(block)


def _lowered(target_name: str) -> None:
    os.setsid()  # a session (scheduling group) of its own, as a worker service
    priority.thread_lower()
    {"cpu": _cpu, "memory": _memory, "loopback": _loopback}[target_name]()


def _work() -> None:
    x = 0
    for i in range(20000):  # ~1 ms of Python on this machine
        x ^= i * i


def probe(seconds: float) -> list[float]:
    latencies = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        due = time.perf_counter() + 0.02
        time.sleep(0.02)
        _work()
        latencies.append((time.perf_counter() - due) * 1000)  # ms from the intended wake-up: delay + work
    return latencies


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered), "p95_ms": ordered[int(len(ordered) * 0.95) - 1]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"none": [], **{load: [] for load in LOADS}}
    for cycle in range(args.cycles):
        for load in LOADS:
            samples["none"] += probe(args.window)
            procs = [multiprocessing.Process(target=_lowered, args=(load,), daemon=True) for _ in range(2)]
            for p in procs:
                p.start()
            time.sleep(0.5)
            samples[load] += probe(args.window)
            for p in procs:
                p.kill()
                p.join()
            print(f"cycle {cycle + 1} {load}: {stats(samples[load])}", file=sys.stderr)
    result = {name: stats(values) for name, values in samples.items()}
    base = result["none"]
    for name in LOADS:
        result[name]["p50_ratio"] = round(result[name]["p50_ms"] / base["p50_ms"], 3)
        result[name]["p95_ratio"] = round(result[name]["p95_ms"] / base["p95_ms"], 3)
    print(json.dumps({"metric": "probe_latency", **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
