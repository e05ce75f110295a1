from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from provisioning import services
from provisioning.models import ProvisioningJob
from tenants.models import Portal


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Jobs are run in-process by the test; nothing is sent to a broker."""
    sent: list[dict[str, Any]] = []

    def record(actor: Any, **kwargs: Any) -> None:
        sent.append({"actor": actor.actor_name, **kwargs})

    monkeypatch.setattr(services, "enqueue", record)
    return sent


@pytest.fixture
def file_and_approve(province: Portal, no_enqueue: list[dict[str, Any]]) -> Callable[..., ProvisioningJob]:
    def make(abbreviation: str, kind: str = "commune", schema_path: str = "", **extra: Any) -> ProvisioningJob:
        fields: dict[str, Any] = {
            "name": f"Ủy ban nhân dân xã {abbreviation.title()}",
            "abbreviation": abbreviation,
            "kind": kind,
            "template": kind,
            "admin_name": "Nguyễn Văn An",
            "admin_email": "an@example.vn",
            "request_reference": "123/UBND-VP",
            "address": "Xã Thử, tỉnh Nghệ An",
            "phone": "0238 111 222",
            "email": f"{abbreviation}@example.vn",
            "responsible_person": "Chủ tịch UBND xã",
            **extra,
        }
        return services.request_file_and_approve(forced_schema_path=schema_path, **fields)

    return make
