"""Session advisory locks held on a connection of their own.

Django's connection may be closed in the middle of a job (django-tenants' migration runner closes
it), which would silently release a lock taken on it. A dedicated connection keeps the lock exactly
as long as the holder lives: if the worker process is killed, PostgreSQL drops the connection and
the lock with it, so a redelivered job can proceed.

Opening that connection took 9–20 ms on this kind of machine, on every job, so each thread keeps
its last idle one for the next lock. A lock taken while the thread already holds one gets a
connection of its own: session advisory locks are re-entrant within a session, and two holders in
one thread must still exclude each other.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.conf import settings
from psycopg.conninfo import make_conninfo


def _conninfo() -> str:
    db = settings.DATABASES["default"]
    return make_conninfo(
        dbname=str(db["NAME"]),
        user=str(db["USER"]) or None,
        password=str(db["PASSWORD"]) or None,
        host=str(db["HOST"]) or None,
        port=str(db["PORT"]) or None,
        connect_timeout=5,
    )


class _Idle(threading.local):
    conn: psycopg.Connection[tuple[object, ...]] | None = None
    conninfo: str = ""


_idle = _Idle()
_opened: weakref.WeakSet[psycopg.Connection[tuple[object, ...]]] = weakref.WeakSet()


def _take() -> psycopg.Connection[tuple[object, ...]]:
    conninfo = _conninfo()
    conn, _idle.conn = _idle.conn, None
    if conn is not None and (conn.closed or conn.broken or _idle.conninfo != conninfo):
        conn.close()  # the server went away, or the settings point elsewhere (tests)
        conn = None
    if conn is None:
        conn = psycopg.connect(conninfo, autocommit=True)
        _idle.conninfo = conninfo
        _opened.add(conn)
    return conn


def _give_back(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    if _idle.conn is None and not conn.closed and not conn.broken:
        _idle.conn = conn
    else:
        conn.close()


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    """Yield True if the lock ``name`` was acquired (without waiting), else False."""
    conn = _take()
    try:
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name]).fetchone()
        except psycopg.OperationalError:
            # An idle connection the server has since closed: one fresh attempt.
            conn.close()
            conn = _take()
            row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name]).fetchone()
        acquired = bool(row and row[0])
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
                except psycopg.Error:
                    conn.close()  # ending the session releases its locks
    finally:
        _give_back(conn)


def lock_connections_close() -> None:
    """Close every lock connection this process opened (before dropping the database, in tests).
    Any lock still held on one is released; call it only when no job is running."""
    for conn in list(_opened):
        conn.close()
    _idle.conn = None
