"""Session advisory locks held on a connection of their own.

Django's connection may be closed in the middle of a job (django-tenants' migration runner closes
it), which would silently release a lock taken on it. A dedicated connection keeps the lock exactly
as long as the holder lives: if the worker process is killed, PostgreSQL drops the connection and
the lock with it, so a redelivered job can proceed.
"""

from __future__ import annotations

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


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    """Yield True if the lock ``name`` was acquired (without waiting), else False."""
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name]).fetchone()
        acquired = bool(row and row[0])
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
