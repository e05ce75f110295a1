"""Routing benchmark, variant "routed": the platform's settings as they are, with the trivial page.

``tenants.middleware.TenantRoutingMiddleware`` (in-process host map with a version check) and
``TENANT_LIMIT_SET_CALLS = True`` come unchanged from ``portal_platform.settings``.
"""

from portal_platform.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
PUBLIC_SCHEMA_URLCONF = "bench.urls"
