"""The three ways to make a portal's schema, fastest first, and the pool of spare schemas.

1. **pool**: a spare schema, migrated ahead of time, is renamed to the portal's schema
   (`ALTER SCHEMA … RENAME`, a catalogue update that takes well under a millisecond);
2. **clone**: the template schema (migrated once per migration state) is copied with
   django-tenants' `clone_schema` SQL function;
3. **migrate**: `CREATE SCHEMA` and every tenant migration, the reference path.

Spares and the template schema carry a fingerprint of the tenant apps' migrations; after a deploy
that adds a migration, stale spares are migrated or dropped and never handed out.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CloneSchema
from django_tenants.postgresql_backend.base import _check_schema_name

from provisioning.locks import advisory_lock
from provisioning.models import SpareSchema
from tenants.context import tenant_db

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "portal_template"
SPARE_PREFIX = "spare_"


@lru_cache(maxsize=1)
def tenant_migration_state() -> str:
    """A fingerprint of the latest migration of every tenant app, as found on disk."""
    labels = {apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.TENANT_APPS}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = sorted(node for node in loader.graph.leaf_nodes() if node[0] in labels)
    return hashlib.sha256(repr(leaves).encode()).hexdigest()[:32]


def _quote(schema_name: str) -> str:
    _check_schema_name(schema_name)
    return connection.ops.quote_name(schema_name)


def schema_drop(schema_name: str) -> None:
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # Deferred foreign-key checks from rows written earlier in this transaction would
            # otherwise block dropping their tables ("pending trigger events").
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP SCHEMA IF EXISTS {_quote(schema_name)} CASCADE")


def schema_migrate(schema_name: str) -> None:
    """Create (if needed) and migrate ``schema_name`` with the tenant apps' migrations."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema_name)}")
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    tenant_db.set_schema_to_public()


def _schema_state(schema_name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", [schema_name]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _mark_state(schema_name: str, state: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON SCHEMA {_quote(schema_name)} IS %s", [state])


def template_schema_ensure() -> str:
    """The migrated, empty schema that clones copy; rebuilt when the migrations have changed."""
    state = tenant_migration_state()
    if _schema_state(TEMPLATE_SCHEMA) == state:
        return TEMPLATE_SCHEMA
    # Build under a temporary name and swap, so a concurrent clone never sees a half-built template.
    building = f"portal_template_{uuid.uuid4().hex[:8]}"
    schema_migrate(building)
    _mark_state(building, state)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('portal_template'))")
        if _schema_state(TEMPLATE_SCHEMA) == state:
            schema_drop(building)  # someone else won the race
        else:
            schema_drop(TEMPLATE_SCHEMA)
            cursor.execute(f"ALTER SCHEMA {_quote(building)} RENAME TO {_quote(TEMPLATE_SCHEMA)}")
    return TEMPLATE_SCHEMA


def template_schema_ready() -> bool:
    return _schema_state(TEMPLATE_SCHEMA) == tenant_migration_state()


def schema_clone(target: str) -> None:
    CloneSchema().clone_schema(TEMPLATE_SCHEMA, target, set_connection=True)


def spare_claim(*, target: str) -> bool:
    """Rename a current spare to ``target``; False if the pool has none. Safe under concurrency:
    `SKIP LOCKED` hands each spare to one claimer only, and the rename commits with the claim."""
    with transaction.atomic():
        spare = (
            SpareSchema.objects.select_for_update(skip_locked=True)
            .filter(migration_state=tenant_migration_state())
            .first()
        )
        if spare is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SCHEMA {_quote(spare.schema_name)} RENAME TO {_quote(target)}")
        spare.delete()
    return True


def pool_top_up(*, size: int | None = None) -> dict[str, int]:
    """Bring stale spares up to date (or drop them) and create spares until the pool has ``size``.

    One maintainer at a time (advisory lock); a second concurrent call returns at once.
    """
    target = settings.PROVISIONING_POOL_SIZE if size is None else size
    result = {"migrated": 0, "dropped": 0, "created": 0}
    with advisory_lock("provisioning_pool") as acquired:
        if not acquired:
            return result
        state = tenant_migration_state()
        for spare in SpareSchema.objects.exclude(migration_state=state):
            try:
                schema_migrate(spare.schema_name)
                _mark_state(spare.schema_name, state)
                SpareSchema.objects.filter(pk=spare.pk).update(migration_state=state)
                result["migrated"] += 1
            except Exception:
                logger.exception("pool: could not migrate spare %s; dropping it", spare.schema_name)
                schema_drop(spare.schema_name)
                spare.delete()
                result["dropped"] += 1
        missing = target - SpareSchema.objects.filter(migration_state=state).count()
        if missing > 0:
            template_schema_ensure()
        for _ in range(max(missing, 0)):
            name = f"{SPARE_PREFIX}{uuid.uuid4().hex[:16]}"
            schema_clone(name)
            _mark_state(name, state)
            SpareSchema.objects.create(schema_name=name, migration_state=state)
            result["created"] += 1
    return result


@dataclass(frozen=True)
class PoolStatus:
    size_setting: int
    migration_state: str
    ready: list[str]
    stale: list[str]
    template_ready: bool


def pool_status() -> PoolStatus:
    state = tenant_migration_state()
    spares = list(SpareSchema.objects.all())
    return PoolStatus(
        size_setting=settings.PROVISIONING_POOL_SIZE,
        migration_state=state,
        ready=[s.schema_name for s in spares if s.migration_state == state],
        stale=[s.schema_name for s in spares if s.migration_state != state],
        template_ready=template_schema_ready(),
    )
