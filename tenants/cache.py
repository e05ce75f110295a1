"""Cache keys prefixed with the current schema, so portal A can never read portal B's entries."""

from __future__ import annotations

from tenants.context import tenant_db


def make_key(key: str, key_prefix: str, version: int | str) -> str:
    # Read at every call: the schema changes per request and per job, never per process.
    return f"{tenant_db.schema_name}:{key_prefix}:{version}:{key}"
