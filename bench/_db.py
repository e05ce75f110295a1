"""Helpers the benchmarks share."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit


def admin_connect_kwargs(url: str) -> tuple[str, dict[str, Any]]:
    """(the database name in ``url``, psycopg.connect kwargs for the server's `postgres` database)."""
    parts = urlsplit(url)
    kwargs: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "dbname": "postgres",
        "autocommit": True,
        "connect_timeout": 5,
    }
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    return unquote(parts.path.lstrip("/")), kwargs


def recreate_database(url: str) -> str:
    """Drop and create the database named in ``url``: every run starts from the current migrations."""
    import psycopg
    from psycopg import sql

    name, kwargs = admin_connect_kwargs(url)
    if not name:
        raise ValueError(f"DATABASE_URL has no database name: {url}")
    with psycopg.connect(**kwargs) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name
