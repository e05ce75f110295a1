"""``pg_dump``/``pg_restore``/``psql`` for one schema, streamed, with binaries matching the server.

A dump made by a newer ``pg_dump`` than ``pg_restore`` cannot be read back, and an older one may miss
what the server has, so the binaries are chosen by the server's major version: ``PG_BIN_DIR`` if set,
then Debian's ``/usr/lib/postgresql/<major>/bin``, then the ones inside the ``pgserver`` wheel (the
embedded server of ``make run``), then ``PATH``; each is asked its version.

Restoring a schema under another name, without text substitution in the dump: ``pg_dump -n``
writes every object qualified by its schema's name, so the restore SQL runs in one ``psql``
transaction between two statements of ours:

    ALTER SCHEMA "<source>" RENAME TO "<hold>";   -- only if the source schema exists
    <the dump, which creates "<source>" again>
    ALTER SCHEMA "<source>" RENAME TO "<target>";
    ALTER SCHEMA "<hold>" RENAME TO "<source>";

PostgreSQL's DDL is transactional and other sessions read the catalogue through their own
snapshots, so the live schema keeps serving throughout and nobody ever sees it renamed; at commit
only ``<target>`` has appeared. Any error rolls the whole transaction back.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
PIPE_CHUNK = 1 << 20


class PgToolError(RuntimeError):
    def __init__(self, message: str, *, code: str = "pg_tool_failed") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PgTools:
    pg_dump: str
    pg_restore: str
    psql: str
    major: int


def _version(binary: str) -> int | None:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def _candidate_dirs(major: int) -> list[Path]:
    dirs: list[Path] = []
    if os.environ.get("PG_BIN_DIR"):
        dirs.append(Path(os.environ["PG_BIN_DIR"]))
    dirs.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    with contextlib.suppress(ImportError):
        import pgserver

        dirs.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    for name in ("pg_dump",):
        found = shutil.which(name)
        if found:
            dirs.append(Path(found).parent)
    return dirs


def server_major(conninfo: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return int(row[0]) // 10000


def tools_for(conninfo: str) -> PgTools:
    """The binaries whose major version is the server's; a clear error naming what was tried."""
    major = server_major(conninfo)
    tried: list[str] = []
    for directory in _candidate_dirs(major):
        binaries = [directory / name for name in ("pg_dump", "pg_restore", "psql")]
        if not all(b.exists() for b in binaries):
            continue
        found = _version(str(binaries[0]))
        tried.append(f"{directory} ({found})")
        if found == major:
            return PgTools(str(binaries[0]), str(binaries[1]), str(binaries[2]), major)
    raise PgToolError(
        f"no pg_dump/pg_restore/psql of PostgreSQL {major} found (tried: {', '.join(tried) or 'nothing'}); "
        "install postgresql-client-{major} or set PG_BIN_DIR",
        code="pg_tools_missing",
    )


def conninfo_from_settings() -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it (never on a command line)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    host = str(db.get("HOST") or "")
    port = str(db.get("PORT") or "")
    user = str(db.get("USER") or "")
    url = f"postgresql://{user}@{host}{':' + port if port else ''}/{db['NAME']}"
    return url, env


def _check_schema(name: str) -> None:
    if not SCHEMA_NAME.match(name):
        raise PgToolError(f"not a schema name: {name!r}", code="invalid_schema_name")


@contextlib.contextmanager
def dump_schema(
    *,
    tools: PgTools,
    conninfo: str,
    env: dict[str, str],
    schema: str,
    snapshot: str = "",
    compression: int | None = None,
    application_name: str = "",
) -> Iterator[IO[bytes]]:
    """``pg_dump -Fc -n <schema>`` as a readable stream; raises if pg_dump fails (after reading).

    ``compression`` is pg_dump's ``-Z`` level (zlib 0–9; None: pg_dump's default);
    ``application_name`` names pg_dump's session in ``pg_stat_activity`` (to find its backend).
    """
    _check_schema(schema)
    argv = [tools.pg_dump, "-Fc", "--no-owner", "--no-privileges", "-n", schema, "-d", conninfo]
    if snapshot:
        argv.insert(1, f"--snapshot={snapshot}")
    if compression is not None:
        argv.insert(1, f"-Z{int(compression)}")
    if application_name:
        env = {**env, "PGAPPNAME": application_name}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read() if proc.stderr else b""), daemon=True)
    reader.start()
    ok = False
    try:
        yield proc.stdout
        ok = True
    finally:
        if not ok:
            proc.kill()
        proc.stdout.close()
        code = proc.wait()
        reader.join(timeout=10)
        if ok and code != 0:
            raise PgToolError(f"pg_dump of {schema} failed: {b''.join(stderr).decode(errors='replace')[-2000:]}")


def restore_schema_as(
    *, tools: PgTools, conninfo: str, env: dict[str, str], dump: Iterable[bytes], source: str, target: str
) -> None:
    """Restore a ``pg_dump -Fc -n <source>`` stream as schema ``target``, in one transaction.

    ``target`` must not exist. The source schema, if it exists, is untouched as seen from outside.
    """
    _check_schema(source)
    _check_schema(target)
    hold = f"{source[:40]}__hold_{os.getpid()}"
    prelude = (
        # Names are checked against SCHEMA_NAME above; psql variables cannot be used inside DO bodies.
        "\\set ON_ERROR_STOP on\n"  # noqa: S608
        "SET lock_timeout = '30s';\n"
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{source}') THEN "
        f'ALTER SCHEMA "{source}" RENAME TO "{hold}"; END IF; END $$;\n'
    )
    epilogue = (
        f'\nALTER SCHEMA "{source}" RENAME TO "{target}";\n'  # noqa: S608 - names checked against SCHEMA_NAME
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{hold}') THEN "
        f'ALTER SCHEMA "{hold}" RENAME TO "{source}"; END IF; END $$;\n'
    )
    restore = subprocess.Popen(
        [tools.pg_restore, "--no-owner", "--no-privileges", "-f", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    psql = subprocess.Popen(
        [tools.psql, "-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert restore.stdin and restore.stdout and restore.stderr and psql.stdin and psql.stderr
    errors: dict[str, bytes] = {}
    feed_error: list[BaseException] = []

    def feed() -> None:
        assert restore.stdin is not None
        try:
            for piece in dump:
                restore.stdin.write(piece)
        except BrokenPipeError:
            pass
        except BaseException as exc:  # the dump's source failed (a bad object, a wrong key): abort
            feed_error.append(exc)
            restore.kill()
        finally:
            with contextlib.suppress(BrokenPipeError):
                restore.stdin.close()

    def drain(name: str, stream: IO[bytes]) -> None:
        errors[name] = stream.read()

    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=drain, args=("pg_restore", restore.stderr), daemon=True),
        threading.Thread(target=drain, args=("psql", psql.stderr), daemon=True),
    ]
    for t in threads:
        t.start()
    psql_broken = False
    try:
        psql.stdin.write(prelude.encode())
        while piece := restore.stdout.read(PIPE_CHUNK):
            psql.stdin.write(piece)
        restore_code = restore.wait()
        if restore_code != 0 or feed_error:
            # Make psql fail so that its single transaction rolls back.
            psql.stdin.write(b"\nSELECT 1/0 AS restore_input_failed;\n")
        else:
            psql.stdin.write(epilogue.encode())
    except BrokenPipeError:
        psql_broken = True
        restore.kill()
    finally:
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
    psql_code = psql.wait()
    restore.wait()
    for t in threads:
        t.join(timeout=30)
    if feed_error:
        raise feed_error[0]
    if restore.returncode != 0:
        raise PgToolError(f"pg_restore failed: {errors.get('pg_restore', b'').decode(errors='replace')[-2000:]}")
    if psql_code != 0 or psql_broken:
        raise PgToolError(f"restoring into {target} failed: {errors.get('psql', b'').decode(errors='replace')[-2000:]}")


def table_counts(conn: psycopg.Connection[tuple[object, ...]], schema: str) -> dict[str, int]:
    """Exact row counts of every table of ``schema`` (run inside the caller's snapshot)."""
    _check_schema(schema)
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema]
        ).fetchall()
    ]
    counts: dict[str, int] = {}
    for table in tables:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(str(table)))
        ).fetchone()
        counts[str(table)] = int(str(row[0])) if row else 0
    return counts


def server_is_local(conninfo: str) -> bool:
    """Whether ``conninfo`` reaches a server on this machine (loopback or a Unix socket), so that its
    backends are processes here. A URL or ``key=value`` string; no host means the local socket."""
    try:
        host = conninfo_to_dict(conninfo).get("host") or ""
    except psycopg.ProgrammingError:
        return False
    hosts = [h.strip() for h in str(host).split(",")] if host else [""]
    return all(h in ("", "localhost", "127.0.0.1", "::1") or h.startswith("/") for h in hosts)


def backend_pids(conn: psycopg.Connection[tuple[object, ...]], application_name: str) -> list[int]:
    """The server process ids of the sessions named ``application_name`` (``conn`` in autocommit:
    ``pg_stat_activity`` is read once per transaction)."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
        [application_name],
    ).fetchall()
    return [int(str(r[0])) for r in rows]


def redact(conninfo: str) -> str:
    parts = urlsplit(conninfo)
    return f"{parts.scheme}://{unquote(parts.username or '')}@{parts.hostname}:{parts.port}{parts.path}"
