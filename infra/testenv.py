"""Run a command (the test suite, mypy) with every service variable pointing at a real server.

``python -m infra.testenv [--settings-only] -- COMMAND…``

- PostgreSQL: ``DATABASE_URL`` if set, else the machine's server on 127.0.0.1:5432 when it answers,
  else an embedded one (pgserver) on a free port.
- Broker and cache: ``BROKER_URL``/``CACHE_URL`` if set, else the machine's Redis on 127.0.0.1:6379
  (databases 10 and 11, away from a developer's own data) when it answers, else an embedded Redis.
- Object storage: ``S3_ENDPOINT_URL`` if set, else a SeaweedFS started for this run in a temporary
  directory on free ports, removed afterwards.

``--settings-only`` starts nothing: tools that only import the settings (mypy's Django plugin,
makemessages) get well-formed placeholder values.

Whatever this process started, it stops when the command ends, whatever the outcome.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from infra.embedded import (
    PostgresService,
    RedisService,
    SeaweedFSService,
    ensure_services,
    port_open,
    stop_services,
)

ROOT = Path(__file__).resolve().parent.parent
MACHINE_POSTGRES = "postgres://postgres@127.0.0.1:5432/portal"
MACHINE_REDIS = "redis://127.0.0.1:6379"

PLACEHOLDERS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
    "BROKER_URL": "stub://localhost",
    "CACHE_URL": "redis://127.0.0.1:6379/11",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "S3_ACCESS_KEY_ID": "placeholder",
    "S3_SECRET_ACCESS_KEY": "placeholder",
}


def resolve_machine_services(env: dict[str, str]) -> None:
    """Prefer the servers this kind of machine (and CI) already runs."""
    if "DATABASE_URL" not in env and port_open("127.0.0.1", 5432):
        env["DATABASE_URL"] = MACHINE_POSTGRES
    if "BROKER_URL" not in env and port_open("127.0.0.1", 6379):
        env["BROKER_URL"] = f"{MACHINE_REDIS}/10"
        env.setdefault("CACHE_URL", f"{MACHINE_REDIS}/11")
        env.setdefault("TEST_REDIS_BROKER_URL", f"{MACHINE_REDIS}/12")
    if "TEST_AMQP_BROKER_URL" not in env and port_open("127.0.0.1", 5672):
        env["TEST_AMQP_BROKER_URL"] = "amqp://guest:guest@127.0.0.1:5672/%2F"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings-only", action="store_true", help="start nothing; placeholder values")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    env = {key: value for key, value in os.environ.items() if value != ""}
    env.setdefault("PORTAL_DEV", "1")
    if args.settings_only:
        for key, value in PLACEHOLDERS.items():
            env.setdefault(key, value)
        return subprocess.call(command, cwd=ROOT, env=env)

    resolve_machine_services(env)
    scratch = Path(tempfile.mkdtemp(prefix="portal-test-"))
    started = []
    try:
        # Fresh ports every run: a `make run` on this machine keeps its embedded servers on the
        # default ports, and the test run must neither collide with nor reuse them.
        started = ensure_services(
            env,
            scratch,
            postgres_port=PostgresService.pick_free_port(),
            redis_port=RedisService.pick_free_port(),
            s3_port=SeaweedFSService.pick_free_port(),
        )
        env.setdefault("TEST_REDIS_BROKER_URL", env["BROKER_URL"] if env["BROKER_URL"].startswith("redis") else "")
        for service in started:
            print(f"testenv: started {service.name} on {service.address}", file=sys.stderr)
        return subprocess.call(command, cwd=ROOT, env=env)
    finally:
        stop_services(started)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
