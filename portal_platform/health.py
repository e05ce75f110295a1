"""Liveness (/healthz) and readiness (/readyz) of a web process.

Readiness checks each real dependency with a short time-out and reports one entry per check, with
the address that was tried, so an operator reading the JSON (or the console) knows which service
is down and where the process looked for it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse

CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    address: str
    ms: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ok": self.ok, "address": self.address, "ms": round(self.ms, 1)}
        if self.error:
            data["error"] = self.error
        return data


def _address(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or default_port}"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    url = settings.BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme.startswith("redis"):
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=CHECK_TIMEOUT_SECONDS, socket_connect_timeout=CHECK_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    elif scheme.startswith("amqp"):
        import pika

        params = pika.URLParameters(url)
        params.socket_timeout = CHECK_TIMEOUT_SECONDS
        params.blocked_connection_timeout = CHECK_TIMEOUT_SECONDS
        params.connection_attempts = 1
        pika.BlockingConnection(params).close()
    # stub:// is the in-process broker of unit tests: always reachable.


def check_cache() -> None:
    caches["shared"].get("readyz:probe")


def check_object_storage() -> None:
    from infra.s3 import s3_client

    client = s3_client(
        endpoint_url=settings.S3_ENDPOINT_URL,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        region=settings.S3_REGION,
        timeout=CHECK_TIMEOUT_SECONDS,
    )
    client.head_bucket(Bucket=settings.S3_BUCKET)


def _checks() -> list[tuple[str, str, Callable[[], None]]]:
    db = settings.DATABASES["default"]
    return [
        ("database", f"{db['HOST']}:{db['PORT']}", check_database),
        ("broker", _address(settings.BROKER_URL, 5672), check_broker),
        ("cache", _address(settings.CACHE_URL, 6379), check_cache),
        ("object_storage", f"{_address(settings.S3_ENDPOINT_URL, 443)}/{settings.S3_BUCKET}", check_object_storage),
    ]


def run_checks() -> list[CheckResult]:
    results = []
    for name, address, check in _checks():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            results.append(
                CheckResult(
                    name, False, address, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"[:300]
                )
            )
        else:
            results.append(CheckResult(name, True, address, (time.perf_counter() - started) * 1000))
    return results


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    ok = all(result.ok for result in results)
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {r.name: r.as_dict() for r in results},
        "alerts": alerts(),
    }
    return JsonResponse(body, status=200 if ok else 503)


ALERTS_CACHE_KEY = "readyz:alerts"


def alerts() -> dict[str, Any]:
    """What an operator must look at, reported but not counted against readiness: a failed nightly
    backup must not take every web node out of the load balancer. Cached for 30 s (probes are often)."""
    try:
        cached = caches["shared"].get(ALERTS_CACHE_KEY)
    except Exception:
        cached = None
    if cached is not None:
        return dict(cached)
    try:
        from provisioning.backups import backup_alerts

        found: dict[str, Any] = {"backups": [alert.as_dict() for alert in backup_alerts()]}
    except Exception as exc:  # the database is down: the checks above already say so
        return {"backups": [], "error": f"{type(exc).__name__}: {exc}"[:300]}
    with contextlib.suppress(Exception):  # the cache is down: the check above says so
        caches["shared"].set(ALERTS_CACHE_KEY, found, timeout=30)
    return found
