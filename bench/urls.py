"""The trivial page that the routing benchmark serves, identical for every variant.

It touches neither the database, the cache nor the session, so the difference between variants is
the routing cost alone. The schema the request was routed to goes in a header (not the body, which
stays byte-identical), so the benchmark can check that a request really went through the router.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tenants.context import tenant_db

BODY = "bench ok\n"
SCHEMA_HEADER = "X-Bench-Schema"


def trivial(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(BODY, content_type="text/plain; charset=utf-8")
    response[SCHEMA_HEADER] = tenant_db.schema_name
    return response


urlpatterns = [path("", trivial, name="bench-trivial")]
