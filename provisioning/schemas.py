"""The three ways to make a portal's schema, fastest first, and the pool of spare schemas.

1. **pool**: a spare schema, made ahead of time, is renamed to the portal's schema
   (`ALTER SCHEMA … RENAME`, a catalogue update that takes well under a millisecond). Spares are
   kept per site template and come **pre-seeded**: the template's editorial roles and site content
   are already in them, with the placeholder ``{agency_name}`` where the agency's name goes, so
   the job's roles and content steps only check them and fill the name in;
2. **clone**: the template schema (migrated once per migration state, empty) is copied;
3. **migrate**: `CREATE SCHEMA` and every tenant migration, the reference path.

Copies are made by ``provisioning.copying.schema_copy``, whose cost does not grow with the number
of schemas in the database (django-tenants' ``clone_schema``, the fallback, does).

Spares and template schemas carry a fingerprint of the tenant apps' migrations, and pre-seeded
ones also the site template's key, version and a fingerprint of its content: after a deploy that
adds a migration or changes a template, stale spares are migrated (bare ones) or dropped
(pre-seeded ones) and never handed out.
"""

from __future__ import annotations

import functools
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
from django_tenants.utils import schema_context

from content.services import AGENCY_NAME_PLACEHOLDER, roles_apply, site_content_apply
from provisioning.copying import CopyUnsupported, schema_copy
from provisioning.locks import advisory_lock
from provisioning.models import SpareSchema
from provisioning.site_templates import SiteTemplate, TemplateError, available_templates, load_template
from tenants.context import tenant_db

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "portal_template"
SEEDED_PREFIX = "portal_tpl_"
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


def _copy(source: str, target: str) -> None:
    try:
        schema_copy(source, target)
    except CopyUnsupported as exc:
        # Correct but slow with many schemas: see provisioning.copying.
        logger.warning("schema copy falls back to django-tenants' clone_schema: %s", exc)
        CloneSchema().clone_schema(source, target, set_connection=True)


def schema_clone(target: str) -> None:
    """Copy the (empty, migrated) template schema to ``target``."""
    _copy(TEMPLATE_SCHEMA, target)


# --- pre-seeded templates -------------------------------------------------------------------------


@functools.cache
def template_fingerprint(template: SiteTemplate) -> str:
    """Changes whenever anything in the template does, even if someone forgot to bump its version."""
    return hashlib.sha256(repr(template).encode()).hexdigest()[:16]


def seeded_schema_name(key: str) -> str:
    return f"{SEEDED_PREFIX}{key.replace('-', '_')}"


def seed_state(template: SiteTemplate) -> str:
    """What a pre-seeded schema is made of: migrations, template key, version and content."""
    return f"{tenant_migration_state()}:{template.key}:{template.version}:{template_fingerprint(template)}"


def schema_seed(schema_name: str, template: SiteTemplate) -> None:
    """Apply ``template``'s roles and site content to ``schema_name``, leaving the agency's name as
    the placeholder that ``content.services.site_agency_fill`` replaces when a portal takes it."""
    with schema_context(schema_name):
        roles_apply(roles=template.roles)
        site_content_apply(template=template, agency_name=AGENCY_NAME_PLACEHOLDER)


def seeded_template_ensure(template: SiteTemplate) -> str:
    """The schema that pre-seeded spares of ``template`` are copied from: the template schema plus
    the site template's roles and content; rebuilt when the migrations or the template changed."""
    name = seeded_schema_name(template.key)
    state = seed_state(template)
    if _schema_state(name) == state:
        return name
    base = template_schema_ensure()
    building = f"portal_tplb_{uuid.uuid4().hex[:8]}"
    _copy(base, building)
    try:
        schema_seed(building, template)
    except Exception:
        schema_drop(building)
        raise
    _mark_state(building, state)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
        if _schema_state(name) == state:
            schema_drop(building)  # someone else won the race
        else:
            schema_drop(name)
            cursor.execute(f"ALTER SCHEMA {_quote(building)} RENAME TO {_quote(name)}")
    return name


# --- the pool -------------------------------------------------------------------------------------


def spare_claim(*, target: str, template: SiteTemplate | None = None) -> SpareSchema | None:
    """Rename a current spare to ``target`` and return it (deleted from the pool); None if none.

    A spare pre-seeded with ``template`` (this version, this content, these migrations) first,
    else a bare one (migrated, empty) if the pool still has any; never one seeded with another
    template or an older version of this one. Safe under concurrency: `SKIP LOCKED` hands each
    spare to one claimer only, and the rename commits with the claim.
    """
    with transaction.atomic():
        current = SpareSchema.objects.select_for_update(skip_locked=True).filter(
            migration_state=tenant_migration_state()
        )
        spare = None
        if template is not None:
            spare = current.filter(
                template_key=template.key,
                template_version=str(template.version),
                template_fingerprint=template_fingerprint(template),
            ).first()
        if spare is None:
            spare = current.filter(template_key="").first()
        if spare is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SCHEMA {_quote(spare.schema_name)} RENAME TO {_quote(target)}")
        spare.delete()
    return spare


def pool_template_keys() -> list[str]:
    """The site templates the pool keeps pre-seeded spares of (the setting; empty means all)."""
    return list(settings.PROVISIONING_POOL_TEMPLATES) or available_templates()


def _current_templates() -> dict[str, SiteTemplate]:
    found: dict[str, SiteTemplate] = {}
    for key in available_templates():
        try:
            found[key] = load_template(key)
        except TemplateError:
            logger.exception("pool: site template %s cannot be loaded; no spares for it", key)
    return found


def _spare_is_current(spare: SpareSchema, state: str, templates: dict[str, SiteTemplate]) -> bool:
    if spare.migration_state != state:
        return False
    if not spare.template_key:
        return True
    template = templates.get(spare.template_key)
    return (
        template is not None
        and spare.template_version == str(template.version)
        and spare.template_fingerprint == template_fingerprint(template)
    )


def _spare_drop(spare: SpareSchema) -> bool:
    """Drop a spare nobody is claiming at this moment; False if a claimer holds it."""
    with transaction.atomic():
        locked = SpareSchema.objects.select_for_update(skip_locked=True).filter(pk=spare.pk).first()
        if locked is None:
            return False
        schema_drop(locked.schema_name)
        locked.delete()
    return True


def pool_top_up(*, size: int | None = None, templates: list[str] | None = None) -> dict[str, int]:
    """Bring the pool up to date and fill it to ``size`` spares per site template.

    Bare spares (migrated, empty: pools made before spares were pre-seeded) with older migrations
    are migrated, or dropped if that fails; pre-seeded spares with older migrations or an older or
    changed template are dropped. Then each template in ``templates`` (default: the setting) gets
    new pre-seeded spares until it has ``size`` (default: PROVISIONING_POOL_SIZE); a template that
    cannot be seeded is logged and counted in ``failed``, and the others are still filled.
    One maintainer at a time (advisory lock); a second concurrent call returns at once.
    """
    target = settings.PROVISIONING_POOL_SIZE if size is None else size
    keys = pool_template_keys() if templates is None else templates
    result = {"migrated": 0, "dropped": 0, "created": 0, "failed": 0}
    with advisory_lock("provisioning_pool") as acquired:
        if not acquired:
            return result
        state = tenant_migration_state()
        current_templates = _current_templates()
        for spare in SpareSchema.objects.all():
            if _spare_is_current(spare, state, current_templates):
                continue
            if spare.template_key:
                result["dropped"] += _spare_drop(spare)
                continue
            try:
                schema_migrate(spare.schema_name)
                _mark_state(spare.schema_name, state)
                SpareSchema.objects.filter(pk=spare.pk).update(migration_state=state)
                result["migrated"] += 1
            except Exception:
                logger.exception("pool: could not migrate spare %s; dropping it", spare.schema_name)
                result["dropped"] += _spare_drop(spare)
        for key in keys:
            template = current_templates.get(key)
            if template is None:
                continue
            fingerprint = template_fingerprint(template)
            have = SpareSchema.objects.filter(
                migration_state=state,
                template_key=key,
                template_version=str(template.version),
                template_fingerprint=fingerprint,
            ).count()
            if have >= target:
                continue
            try:
                source = seeded_template_ensure(template)
                for _ in range(target - have):
                    name = f"{SPARE_PREFIX}{uuid.uuid4().hex[:16]}"
                    _copy(source, name)
                    _mark_state(name, seed_state(template))
                    SpareSchema.objects.create(
                        schema_name=name,
                        migration_state=state,
                        template_key=key,
                        template_version=str(template.version),
                        template_fingerprint=fingerprint,
                    )
                    result["created"] += 1
            except Exception:
                # One template that cannot be seeded (say, a role naming a permission that no
                # migration makes) must not leave the other templates without spares.
                logger.exception("pool: could not make spares of site template %s", key)
                result["failed"] += 1
    return result


@dataclass(frozen=True)
class PoolSpare:
    schema_name: str
    template: str  # "department v1", or "" for a bare spare
    ready: bool


@dataclass(frozen=True)
class PoolStatus:
    size_setting: int
    migration_state: str
    ready: list[str]
    stale: list[str]
    template_ready: bool
    spares: list[PoolSpare]
    ready_by_template: dict[str, int]


def pool_status() -> PoolStatus:
    state = tenant_migration_state()
    templates = _current_templates()
    spares: list[PoolSpare] = []
    by_template = dict.fromkeys(pool_template_keys(), 0)
    for spare in SpareSchema.objects.all():
        ready = _spare_is_current(spare, state, templates)
        label = f"{spare.template_key} v{spare.template_version}" if spare.template_key else ""
        spares.append(PoolSpare(schema_name=spare.schema_name, template=label, ready=ready))
        if ready and spare.template_key:
            by_template[spare.template_key] = by_template.get(spare.template_key, 0) + 1
    return PoolStatus(
        size_setting=settings.PROVISIONING_POOL_SIZE,
        migration_state=state,
        ready=[s.schema_name for s in spares if s.ready],
        stale=[s.schema_name for s in spares if not s.ready],
        template_ready=template_schema_ready(),
        spares=spares,
        ready_by_template=by_template,
    )
