"""Incident reports (Đ15.6): filed by a portal, acknowledged and closed by the provincial unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import User
from portal_platform.errors import Conflict, ValidationFailed
from portal_platform.reports import incidents
from portal_platform.reports.models import Incident, IncidentStatus
from tenants.models import Portal
from tests.reports.seed import client_for

pytestmark = pytest.mark.django_db


def _valid(**override: object) -> dict[str, object]:
    now = timezone.now()
    return {
        "kind": "incident",
        "title": "Cổng không truy cập được",
        "started_at": now - dt.timedelta(hours=3),
        "ended_at": now - dt.timedelta(hours=1),
        "service_down": True,
        "impact": "Người dân không tra cứu được thủ tục",
        "actions_taken": "Khởi động lại máy chủ",
        **override,
    }


def test_validation_says_what_is_wrong_in_vietnamese(portal_a: Portal) -> None:
    now = timezone.now()
    with translation.override("vi"), pytest.raises(ValidationFailed) as error:
        incidents.incident_create(
            portal=portal_a,
            data=_valid(title=" ", kind="other", ended_at=now - dt.timedelta(hours=5)),
            filed_by="admin.xa-a",
        )
    assert error.value.code == "invalid_incident"
    assert set(error.value.extra["fields"]) == {"title", "kind", "ended_at"}
    assert "Thời điểm kết thúc không thể trước thời điểm bắt đầu." in error.value.message
    with pytest.raises(ValidationFailed) as future:
        incidents.incident_create(
            portal=portal_a, data=_valid(started_at=now + dt.timedelta(days=1), ended_at=None), filed_by="x"
        )
    assert set(future.value.extra["fields"]) == {"started_at"}
    assert not Incident.objects.filter(portal=portal_a).exists()


def test_acknowledge_then_close_with_a_resolution_recording_who_and_when(portal_a: Portal) -> None:
    incident = incidents.incident_create(portal=portal_a, data=_valid(ended_at=None), filed_by="admin.xa-a")
    assert incident.status == IncidentStatus.OPEN and incident.filed_by == "admin.xa-a"
    # The portal completes it when the site is back.
    incident = incidents.incident_update(incident=incident, data={"ended_at": timezone.now()}, actor="admin.xa-a")
    assert incident.ended_at is not None

    incident = incidents.incident_acknowledge(incident=incident, actor="vanhanh")
    assert (incident.status, incident.acknowledged_by) == (IncidentStatus.ACKNOWLEDGED, "vanhanh")
    with pytest.raises(Conflict) as twice:
        incidents.incident_acknowledge(incident=incident, actor="vanhanh")
    assert twice.value.code == "incident_not_open"
    with pytest.raises(ValidationFailed) as no_resolution:
        incidents.incident_close(incident=incident, actor="vanhanh", resolution="")
    assert no_resolution.value.code == "resolution_required"
    incident = incidents.incident_close(incident=incident, actor="truongphong", resolution="Đã nâng cấp máy chủ")
    assert (incident.status, incident.closed_by, incident.resolution) == (
        IncidentStatus.CLOSED,
        "truongphong",
        "Đã nâng cấp máy chủ",
    )
    assert incident.closed_at and incident.acknowledged_at and incident.closed_at >= incident.acknowledged_at
    with pytest.raises(Conflict) as closed:
        incidents.incident_update(incident=incident, data={"title": "Sửa"}, actor="admin.xa-a")
    assert closed.value.code == "incident_closed"


def test_portal_api_files_and_lists_only_its_own(
    portal_a: Portal,
    portal_b: Portal,
    staff_a: dict[str, User],
    staff_b: dict[str, User],
) -> None:
    admin = client_for(portal_a, staff_a["admin"])
    body = {
        "kind": "security_risk",
        "severity": "high",
        "title": "Phát hiện mã độc",
        "started_at": "2025-06-01T08:00:00+07:00",
        "impact": "Chưa ảnh hưởng",
        "actions_taken": "Cô lập máy chủ",
    }
    created = admin.post("/api/v1/reports/incidents/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["filed_by"] == "admin.xa-a" and created.json()["status"] == "open"
    bad = admin.post(
        "/api/v1/reports/incidents/",
        {**body, "ended_at": "2025-05-01T08:00:00+07:00"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_incident"
    assert "ended_at" in bad.json()["error"]["details"]["fields"]

    editor = client_for(portal_a, staff_a["editor"])
    assert editor.post("/api/v1/reports/incidents/", body, content_type="application/json").status_code == 403
    assert [row["title"] for row in editor.get("/api/v1/reports/incidents/").json()] == ["Phát hiện mã độc"]

    other = client_for(portal_b, staff_b["admin"])
    assert other.get("/api/v1/reports/incidents/").json() == []
    assert Incident.objects.get().portal_id == portal_a.pk


def test_console_sees_all_filters_acknowledges_and_closes(
    portal_a: Portal,
    portal_b: Portal,
    operator: Client,
) -> None:
    first = incidents.incident_create(portal=portal_a, data=_valid(), filed_by="admin.xa-a")
    second = incidents.incident_create(portal=portal_b, data=_valid(kind="security_risk"), filed_by="admin.xa-b")
    listed = operator.get("/api/v1/incidents/").json()
    assert {row["id"] for row in listed} >= {first.pk, second.pk}
    only_b = operator.get("/api/v1/incidents/", {"portal": portal_b.pk}).json()
    assert [row["id"] for row in only_b] == [second.pk]
    risks = operator.get("/api/v1/incidents/", {"kind": "security_risk"}).json()
    assert first.pk not in {row["id"] for row in risks}

    acknowledged = operator.post(f"/api/v1/incidents/{first.pk}/acknowledge/").json()
    assert acknowledged["status"] == "acknowledged" and acknowledged["acknowledged_by"] == "vanhanh.baocao"
    assert operator.post(f"/api/v1/incidents/{first.pk}/acknowledge/").status_code == 409
    refused = operator.post(f"/api/v1/incidents/{first.pk}/close/", {"resolution": ""}, content_type="application/json")
    assert refused.json()["error"]["code"] == "resolution_required"
    closed = operator.post(
        f"/api/v1/incidents/{first.pk}/close/", {"resolution": "Đã khắc phục"}, content_type="application/json"
    ).json()
    assert closed["status"] == "closed" and closed["resolution"] == "Đã khắc phục"
    assert [row["id"] for row in operator.get("/api/v1/incidents/", {"status": "open"}).json()] == [second.pk]
    assert operator.post("/api/v1/incidents/999999/acknowledge/").json()["error"]["code"] == "incident_not_found"
