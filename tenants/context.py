"""A typed view of django-tenants' connection, which adds schema switching to Django's wrapper."""

from __future__ import annotations

from typing import Any, Protocol, cast

from django.db import connection


class TenantConnection(Protocol):
    schema_name: str
    tenant: Any

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...
    def set_schema(self, schema_name: str, include_public: bool = True) -> None: ...
    def set_schema_to_public(self) -> None: ...


# `connection` is Django's per-thread proxy; the cast only tells mypy which methods it forwards.
tenant_db = cast(TenantConnection, connection)


def on_console() -> bool:
    """True when the connection is in the public schema (the control plane, the console host)."""
    return tenant_db.schema_name == "public"
