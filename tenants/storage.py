"""Media files on the S3 API, each portal under its own prefix.

The prefix is computed from the connection's schema at every call, never once per process: one
worker process serves many portals in turn, and a prefix fixed at start-up would put portal B's
uploads under portal A's folder.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from storages.backends.s3 import S3Storage

from infra.s3 import client_config
from tenants.context import tenant_db

PORTAL_PREFIX = "portals"
PLATFORM_PREFIX = "platform"


def storage_prefix(schema_name: str) -> str:
    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        return PLATFORM_PREFIX
    return f"{PORTAL_PREFIX}/{schema_name}"


class TenantS3Storage(S3Storage):
    def __init__(self, **options: Any) -> None:
        defaults: dict[str, Any] = {
            "endpoint_url": settings.S3_ENDPOINT_URL,
            "access_key": settings.S3_ACCESS_KEY_ID,
            "secret_key": settings.S3_SECRET_ACCESS_KEY,
            "region_name": settings.S3_REGION,
            "bucket_name": settings.S3_BUCKET,
            "client_config": client_config(),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        }
        defaults.update(options)
        super().__init__(**defaults)

    @property
    def location(self) -> str:
        return storage_prefix(tenant_db.schema_name)

    @location.setter
    def location(self, value: str) -> None:
        # S3Storage.__init__ assigns a fixed location from settings; the per-call prefix wins.
        pass
