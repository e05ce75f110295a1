"""Routing benchmark, variant "stock": django-tenants' own middleware in place of ours.

``TenantMainMiddleware`` looks the host up in the Domain table on every request, and with
``TENANT_LIMIT_SET_CALLS = False`` every cursor issues ``SET search_path`` (django-tenants' default).
"""

from portal_platform.settings import *  # noqa: F403
from portal_platform.settings import MIDDLEWARE as _BASE_MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "bench.urls"
PUBLIC_SCHEMA_URLCONF = "bench.urls"
TENANT_LIMIT_SET_CALLS = False
MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware"
    if name == "tenants.middleware.TenantRoutingMiddleware"
    else name
    for name in _BASE_MIDDLEWARE
]
assert "django_tenants.middleware.main.TenantMainMiddleware" in MIDDLEWARE
