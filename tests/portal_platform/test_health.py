from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from infra.embedded import RedisService
from tenants.models import Portal
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

CHECKS = {"database", "broker", "cache", "object_storage"}


def test_healthz_and_readyz_answer_on_every_host(portal_a: Portal, settings) -> None:
    for host in (host_of(portal_a), settings.CONSOLE_HOST, "unknown.example.org"):
        assert Client().get("/healthz", HTTP_HOST=host).json() == {"status": "ok"}
        response = Client().get("/readyz", HTTP_HOST=host)
        body = response.json()
        assert response.status_code == 200, body
        assert set(body["checks"]) == CHECKS
        assert all(check["ok"] for check in body["checks"].values())


def test_readyz_reports_a_stopped_service_by_name_and_address(tmp_path: Path, settings) -> None:
    redis = RedisService(tmp_path, port=RedisService.pick_free_port())
    redis.start()
    try:
        url = f"redis://{redis.address}/0"
        settings.BROKER_URL = url
        settings.CACHES = {
            **settings.CACHES,
            "shared": {**settings.CACHES["shared"], "LOCATION": url},
        }
        assert Client().get("/readyz").status_code == 200
    finally:
        redis.stop()

    response = Client().get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["address"] == redis.address
    assert "error" in body["checks"]["broker"]
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_reports_unreachable_object_storage(settings) -> None:
    settings.S3_ENDPOINT_URL = "http://127.0.0.1:9"
    body = Client().get("/readyz").json()
    assert body["checks"]["object_storage"]["ok"] is False
    assert body["checks"]["object_storage"]["address"].startswith("127.0.0.1:9/")
