"""Per-portal cache keys and storage prefixes, with two portals in one process."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from infra.s3 import s3_client
from tenants.models import Portal

pytestmark = pytest.mark.django_db


def test_cache_keys_are_prefixed_per_schema(portal_a: Portal, portal_b: Portal) -> None:
    key = f"menu-{uuid.uuid4().hex}"
    with schema_context(portal_a.schema_name):
        cache.set(key, "menu of A")
    with schema_context(portal_b.schema_name):
        assert cache.get(key) is None
        cache.set(key, "menu of B")
    with schema_context(portal_a.schema_name):
        assert cache.get(key) == "menu of A"
    assert cache.get(key) is None  # public sees neither


def test_storage_prefix_is_computed_at_every_call(portal_a: Portal, portal_b: Portal) -> None:
    storage = default_storage  # one instance for the whole process, as in production
    name = f"uploads/{uuid.uuid4().hex}.txt"
    with schema_context(portal_a.schema_name):
        saved_a = storage.save(name, ContentFile(b"of A"))
    with schema_context(portal_b.schema_name):
        saved_b = storage.save(name, ContentFile(b"of B"))
        assert storage.open(saved_b).read() == b"of B"
    with schema_context(portal_a.schema_name):
        assert storage.open(saved_a).read() == b"of A"

    client = s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        region=settings.S3_REGION,
    )
    keys = {
        obj["Key"] for obj in client.list_objects_v2(Bucket=settings.S3_BUCKET, Prefix="portals/").get("Contents", [])
    }
    assert f"portals/{portal_a.schema_name}/{saved_a}" in keys
    assert f"portals/{portal_b.schema_name}/{saved_b}" in keys
    # The same relative name in both portals: each resolves to its own object.
    assert saved_a == saved_b


def test_control_plane_files_live_under_their_own_prefix() -> None:
    from tenants.storage import storage_prefix

    assert storage_prefix("public") == "platform"
    assert default_storage.location == "platform"  # type: ignore[attr-defined]
