"""Routing benchmark, variant "unrouted" (the baseline): no tenant middleware at all.

Every request stays on the public schema; the rest of the middleware stack is the platform's.
"""

from portal_platform.settings import *  # noqa: F403
from portal_platform.settings import MIDDLEWARE as _BASE_MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "bench.urls"
PUBLIC_SCHEMA_URLCONF = "bench.urls"
MIDDLEWARE = [name for name in _BASE_MIDDLEWARE if name != "tenants.middleware.TenantRoutingMiddleware"]
