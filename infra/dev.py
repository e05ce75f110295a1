"""The ``make run`` launcher.

    python -m infra.dev run        # services, migrations, demo portals, then web + worker + scheduler
    python -m infra.dev check      # the same boot on a free port, request every demo portal, stop
    python -m infra.dev env        # start (or reuse) the services, print `export VAR=…` lines
    python -m infra.dev env stop   # stop the embedded services running on the data directory

Every service variable that is set (DATABASE_URL, BROKER_URL, CACHE_URL, S3_*) is used as it is;
the unset ones are filled from embedded servers (infra.embedded) whose data lives in ``DATA_DIR``
(default ``.data``). On Ctrl-C or SIGTERM the launcher stops the web server, worker and scheduler,
then the embedded servers it started itself; servers it merely reused belong to whoever started them.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import html
import http.client
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

from infra.embedded import (
    EmbeddedService,
    ServiceError,
    ensure_services,
    free_port,
    port_open,
    recorded_services,
    stop_services,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WEB_PORT = 8000
SERVICE_VARS = (
    "DATABASE_URL",
    "BROKER_URL",
    "CACHE_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    "S3_BUCKET",
)
STOP_GRACE_SECONDS = 15.0  # SIGTERM → SIGKILL for web, worker, scheduler and one-shot commands
BOOT_RETRY_SECONDS = 30.0  # how long `check` retries its first request while gunicorn boots
REQUEST_TIMEOUT_SECONDS = 15.0


class Stop(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM/SIGHUP: unwind, then stop everything.

    A BaseException, like KeyboardInterrupt, so that no library's ``except Exception`` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class LaunchError(Exception):
    """A step or a long-running process failed; the message says which."""


def say(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


# --- Child processes -------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_LIBC: ctypes.CDLL | None = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError):
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A preexec function: the child gets SIGTERM if the launcher dies, even by SIGKILL.

    Otherwise a killed launcher would leave gunicorn holding the port and a second scheduler
    running next to the one the next `make run` starts. (Embedded servers are deliberately not
    tied to us: the next launcher reuses them.)
    """

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != parent:  # the launcher died before prctl took effect
                os._exit(1)

    return preexec


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes]


class Launcher:
    """Starts and stops everything of one ``run``/``check``, in order, and nothing else."""

    def __init__(self, root: Path, env: dict[str, str], data_dir: Path) -> None:
        self.root = root
        self.env = env
        self.data_dir = data_dir
        self.services: list[EmbeddedService] = []  # embedded servers used (started or reused)
        self.started_services: list[EmbeddedService] = []  # the ones this launcher must stop
        self.children: list[Child] = []
        self._hurry = False

    # -- services --

    def boot_services(self) -> None:
        provided: set[str] = set()

        def report(service: EmbeddedService, started: bool) -> None:
            self.services.append(service)
            provided.update(service.env())
            if started:
                how = f"started in {service.started_in:.2f} s" if service.started_in is not None else "started"
            else:
                how = f"reused (pid {service.pid()}, started by another launcher)"
            say(f"{service.name:<10} {service.address:<16} embedded, {how}; log {self._rel(service.log_file)}")

        say(f"data directory: {self._rel(self.data_dir)}")
        self.started_services = ensure_services(self.env, self.data_dir, on_service=report)
        for name, label in (
            ("DATABASE_URL", "database"),
            ("BROKER_URL", "broker"),
            ("CACHE_URL", "cache"),
            ("S3_ENDPOINT_URL", "s3"),
        ):
            if name not in provided:
                value = self.env.get(name) or f"(from {name}_FILE)"
                say(f"{label:<10} {_redact(value)} from {name}")

    # -- one-shot steps --

    def prepare(self) -> None:
        """Services up, every schema migrated, bucket and static files ready, the demo province in place."""
        self.boot_services()
        self.run_step(["migrate_schemas", "--noinput"])
        self.run_step(["storage_init"])
        self.run_step(["collectstatic", "--noinput", "--verbosity", "0"])
        self.run_step(["demo_portals"])

    def run_step(self, args: Sequence[str]) -> None:
        """``python manage.py ARGS`` to completion; LaunchError on a non-zero exit."""
        argv = [sys.executable, "manage.py", *args]
        say(f"$ {shlex.join(['python', 'manage.py', *args])}")
        process = self._popen(argv)
        code = self._wait(process)
        if code != 0:
            raise LaunchError(f"`{shlex.join(['python', 'manage.py', *args])}` failed with exit code {code}")

    def capture_step(self, args: Sequence[str]) -> str:
        """Like run_step, returning the command's standard output."""
        argv = [sys.executable, "manage.py", *args]
        process = self._popen(argv, stdout=subprocess.PIPE)
        try:
            out, _ = process.communicate()
        except BaseException:
            self._terminate([process])
            raise
        if process.returncode != 0:
            raise LaunchError(
                f"`{shlex.join(['python', 'manage.py', *args])}` failed with exit code {process.returncode}"
            )
        return out.decode(errors="replace")

    # -- long-running processes --

    def start_long_running(self, port: int) -> None:
        python = sys.executable
        commands = [
            (
                "web",
                [
                    python,
                    "-m",
                    "gunicorn",
                    "portal_platform.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    # One control socket per user by default: two gunicorns would fight over it.
                    "--no-control-socket",
                ],
            ),
            ("worker", [python, "-m", "dramatiq", "portal_platform.worker", "--processes", "1", "--threads", "2"]),
            ("scheduler", [python, "-m", "portal_platform.scheduler"]),
        ]
        for name, argv in commands:
            self.children.append(Child(name, argv, self._popen(argv)))
            say(f"{name:<10} pid {self.children[-1].process.pid}: {shlex.join(['python', *argv[1:]])}")

    def check_children(self) -> None:
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
                raise LaunchError(f"{child.name} (`{shlex.join(['python', *child.argv[1:]])}`) {how} unexpectedly")

    def watch(self) -> None:
        """Wait until a signal (Stop) or until a long-running process dies (LaunchError)."""
        while True:
            self.check_children()
            time.sleep(0.5)

    # -- shutdown --

    def shutdown(self) -> int:
        """Stop children, then the embedded servers this launcher started. Returns an exit code."""
        # A second Ctrl-C during shutdown skips the grace periods instead of aborting the clean-up.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._hurry_up)
        code = 0
        running = [child for child in self.children if child.process.poll() is None]
        if running:
            say("stopping " + ", ".join(child.name for child in running) + " …")
        self._terminate([child.process for child in self.children])
        if self.started_services:
            say("stopping embedded " + ", ".join(service.name for service in self.started_services) + " …")
            try:
                stop_services(self.started_services, timeout=STOP_GRACE_SECONDS * 2)
            except ServiceError as exc:
                say(f"error: {exc}")
                code = 1
        reused = [service for service in self.services if service not in self.started_services]
        if reused:
            say(
                "left running (not started by this launcher): "
                + ", ".join(f"{service.name} {service.address}" for service in reused)
            )
        return code

    def _hurry_up(self, signum: int, frame: FrameType | None) -> None:
        self._hurry = True

    # -- helpers --

    def _popen(self, argv: Sequence[str], stdout: int | None = None) -> subprocess.Popen[bytes]:
        # Own process group: the terminal's Ctrl-C reaches only the launcher, which stops the
        # children in order, and killpg() also reaches a child's own children (gunicorn's and
        # dramatiq's workers).
        return subprocess.Popen(
            list(argv),
            cwd=self.root,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            process_group=0,
            preexec_fn=_die_with_parent(os.getpid()),
        )

    def _wait(self, process: subprocess.Popen[bytes]) -> int:
        try:
            return process.wait()
        except BaseException:
            self._terminate([process])
            raise

    def _terminate(self, processes: Sequence[subprocess.Popen[bytes]]) -> None:
        """SIGTERM each process group, SIGKILL what is left after the grace period."""
        for process in processes:
            if process.poll() is None:
                _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in processes:
            while process.poll() is None and time.monotonic() < deadline and not self._hurry:
                time.sleep(0.1)
        for process in processes:
            # Also reaps stragglers of a group whose leader already exited.
            _signal_group(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signum)


def _install_signal_handlers() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)


# --- Environment ------------------------------------------------------------------------------------


def data_dir_from(env: dict[str, str], root: Path) -> Path:
    configured = env.get("DATA_DIR")
    path = Path(configured) if configured else root / ".data"
    return (path if path.is_absolute() else root / path).resolve()


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    # Development defaults of the settings (fixed secret key, cookies without Secure); README.
    env.setdefault("PORTAL_DEV", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def web_port(env: dict[str, str]) -> int:
    raw = env.get("PORT") or str(DEFAULT_WEB_PORT)
    try:
        return int(raw)
    except ValueError:
        raise LaunchError(f"PORT must be a port number, got {raw!r}") from None


# --- Commands -------------------------------------------------------------------------------------


def cmd_run(root: Path) -> int:
    env = base_env()
    launcher = Launcher(root, env, data_dir_from(env, root))
    _install_signal_handlers()
    code = 0
    try:
        port = web_port(env)
        if port_open("127.0.0.1", port):
            raise LaunchError(f"port {port} is already in use on 127.0.0.1: set PORT to another port")
        launcher.prepare()
        launcher.start_long_running(port)
        say(f"web        http://127.0.0.1:{port}/ (portals on http://<portal host>:{port}/, listed above)")
        say("running; Ctrl-C stops everything")
        launcher.watch()
    except Stop as stop:
        say(f"{stop} received")
    except (LaunchError, ServiceError) as exc:
        say(f"error: {exc}")
        code = 1
    finally:
        code = max(code, launcher.shutdown())
    return code


@dataclass
class Probe:
    url: str
    status: int | None
    summary: str

    @property
    def ok(self) -> bool:
        return self.status == 200


def fetch(port: int, host: str, path: str, timeout: float = REQUEST_TIMEOUT_SECONDS) -> tuple[int, str, bytes]:
    """GET path from 127.0.0.1:port with ``Host: host`` (no DNS, no proxy): status, type, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "GET", path, headers={"Host": host, "User-Agent": "infra.dev check", "Accept-Language": "vi"}
        )
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read(1_000_000)
    finally:
        connection.close()


def summarize(content_type: str, body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            data = json.loads(text)
        except ValueError:
            return text[:120]
        if isinstance(data, dict) and isinstance(data.get("checks"), dict):
            parts = []
            for name, result in data["checks"].items():
                if isinstance(result, dict) and result.get("ok"):
                    parts.append(f"{name} ok")
                else:
                    error = result.get("error", "failed") if isinstance(result, dict) else "failed"
                    parts.append(f"{name} FAILED ({error})")
            return f"status {data.get('status')}: " + ", ".join(parts)
        return text[:120]
    match = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if match:
        return "title: " + " ".join(html.unescape(match.group(1)).split())
    first = " ".join(text.split())
    return first[:120] or "(empty body)"


def probe_with_retry(launcher: Launcher, port: int, host: str, path: str) -> Probe:
    """The first request: retried while gunicorn boots, given up when a child dies."""
    url = f"http://{host}{path}"
    deadline = time.monotonic() + BOOT_RETRY_SECONDS
    while True:
        launcher.check_children()
        try:
            status, content_type, body = fetch(port, host, path)
            return Probe(url, status, summarize(content_type, body))
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                return Probe(url, None, f"no answer within {BOOT_RETRY_SECONDS:.0f} s: {exc}")
            time.sleep(0.5)


def probe_once(port: int, host: str, path: str) -> Probe:
    url = f"http://{host}{path}"
    try:
        status, content_type, body = fetch(port, host, path)
    except (OSError, http.client.HTTPException) as exc:
        return Probe(url, None, f"{type(exc).__name__}: {exc}")
    return Probe(url, status, summarize(content_type, body))


def cmd_check(root: Path) -> int:
    env = base_env()
    port = free_port()
    env["PORT"] = str(port)
    launcher = Launcher(root, env, data_dir_from(env, root))
    _install_signal_handlers()
    probes: list[Probe] = []
    failure: str | None = None
    try:
        launcher.prepare()
        hosts = [
            line.strip()
            for line in launcher.capture_step(["demo_portals", "--list-hosts"]).splitlines()
            if line.strip()
        ]
        if not hosts:
            raise LaunchError("`manage.py demo_portals --list-hosts` printed no host")
        launcher.start_long_running(port)
        # /readyz answers on every host (load balancers probe by address), so ask it by address.
        probes.append(probe_with_retry(launcher, port, f"127.0.0.1:{port}", "/readyz"))
        for host in hosts:  # the console first, then every demo portal
            probes.append(probe_once(port, f"{host}:{port}", "/"))
        launcher.check_children()
    except Stop as stop:
        failure = f"interrupted by {stop}"
    except (LaunchError, ServiceError) as exc:
        failure = str(exc)
    finally:
        code = launcher.shutdown()

    print()
    for probe in probes:
        status = str(probe.status) if probe.status is not None else "---"
        print(f"{'ok  ' if probe.ok else 'FAIL'} {status}  {probe.url}  {probe.summary}")
    if failure is not None:
        print(f"FAIL {failure}")
    ok = failure is None and bool(probes) and all(probe.ok for probe in probes) and code == 0
    print(f"\ncheck {'passed' if ok else 'FAILED'}: {sum(p.ok for p in probes)}/{len(probes)} requests answered 200")
    return 0 if ok else 1


def cmd_env(root: Path, action: str | None) -> int:
    env = base_env()
    data_dir = data_dir_from(env, root)
    if action == "stop":
        services = recorded_services(data_dir)
        if not services:
            say(f"no embedded service is running on {data_dir}")
        for service in services:
            service.stop()
            say(f"stopped {service.name} ({service.address})")
        return 0

    def report(service: EmbeddedService, started: bool) -> None:
        say(f"{service.name} {service.address} {'started' if started else 'already running'}")

    try:
        ensure_services(env, data_dir, on_service=report)
    except ServiceError as exc:
        say(f"error: {exc}")
        return 1
    for name in (*SERVICE_VARS, "PORTAL_DEV"):
        if env.get(name):
            print(f"export {name}={shlex.quote(env[name])}")
    say("the services keep running; `python -m infra.dev env stop` stops them")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # The project root holding manage.py (tests of the launcher point it elsewhere).
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="serve until Ctrl-C")
    commands.add_parser("check", help="boot, request every demo portal and /readyz, stop")
    env_parser = commands.add_parser("env", help="print export lines (or `env stop`)")
    env_parser.add_argument("action", nargs="?", choices=["stop"])
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.command == "run":
        return cmd_run(root)
    if args.command == "check":
        return cmd_check(root)
    return cmd_env(root, args.action)


if __name__ == "__main__":
    sys.exit(main())
