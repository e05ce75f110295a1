"""Completing an incident report while it is not closed: the service, the back office, the portal API,
the history the console shows, and what it does to the reports' uptime."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from accounts.models import User
from portal_platform.errors import Conflict, ValidationFailed
from portal_platform.reports import incidents, periods
from portal_platform.reports.figures import portal_figures
from portal_platform.reports.models import Incident, IncidentAction, IncidentStatus
from tenants.models import Portal
from tests.reports.seed import client_for
from tests.reports.test_incidents import _valid

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
JUNE = periods.month(2025, 6)  # 30 days: 43 200 minutes
AFTER_JUNE = dt.datetime(2025, 8, 1, 9, 0, tzinfo=HCM)


def _html(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def _open_outage(portal: Portal) -> Incident:
    return incidents.incident_create(
        portal=portal,
        data=_valid(started_at=dt.datetime(2025, 6, 10, 8, 0, tzinfo=HCM), ended_at=None, service_down=True),
        filed_by="admin.xa-a",
        now=dt.datetime(2025, 6, 10, 8, 30, tzinfo=HCM),
    )


def test_an_open_ended_outage_is_downtime_until_it_is_ended(portal_a: Portal, portal_b: Portal) -> None:
    incident = _open_outage(portal_a)

    # While it lasts: from 10/06 08:00 to the end of the month (01/07 00:00) = 20 days 16 hours.
    while_open = portal_figures(portal=portal_a, period=JUNE, now=AFTER_JUNE).operation
    assert while_open.period_minutes == 30 * 24 * 60
    assert while_open.downtime_minutes == (20 * 24 + 16) * 60
    assert while_open.uptime_percent == round(100 * (1 - 29_760 / 43_200), 3)
    # Seen in the middle of the month, it counts up to "now" only.
    mid_month = portal_figures(portal=portal_a, period=JUNE, now=dt.datetime(2025, 6, 11, 8, 0, tzinfo=HCM))
    assert mid_month.operation.downtime_minutes == 24 * 60

    # The portal came back at 10:00: two hours of downtime, and the uptime figure follows.
    incidents.incident_update(
        incident=incident,
        data={"ended_at": dt.datetime(2025, 6, 10, 10, 0, tzinfo=HCM)},
        actor="admin.xa-a",
        now=AFTER_JUNE,
    )
    ended = portal_figures(portal=portal_a, period=JUNE, now=AFTER_JUNE).operation
    assert ended.downtime_minutes == 120
    assert ended.uptime_percent == round(100 * (1 - 120 / 43_200), 3) == 99.722
    # The other portal's uptime never moved.
    assert portal_figures(portal=portal_b, period=JUNE, now=AFTER_JUNE).operation.downtime_minutes == 0


def test_update_records_what_changed_and_refuses_bad_times_and_closed_incidents(portal_a: Portal) -> None:
    incident = _open_outage(portal_a)
    with translation.override("vi"), pytest.raises(ValidationFailed) as before_start:
        incidents.incident_update(
            incident=incident,
            data={"ended_at": dt.datetime(2025, 6, 9, 8, 0, tzinfo=HCM)},
            actor="admin.xa-a",
        )
    assert before_start.value.code == "invalid_incident"
    assert set(before_start.value.extra["fields"]) == {"ended_at"}
    assert "Thời điểm kết thúc không thể trước thời điểm bắt đầu." in before_start.value.message
    with pytest.raises(ValidationFailed) as future:
        incidents.incident_update(
            incident=incident, data={"ended_at": timezone.now() + dt.timedelta(hours=1)}, actor="admin.xa-a"
        )
    assert set(future.value.extra["fields"]) == {"ended_at"}
    incident.refresh_from_db()
    assert incident.ended_at is None  # nothing half-done

    incidents.incident_update(
        incident=incident,
        data={"ended_at": dt.datetime(2025, 6, 10, 10, 0, tzinfo=HCM), "impact": "Gián đoạn 2 giờ"},
        actor="phoban.xa-a",
    )
    unchanged = incidents.incident_update(incident=incident, data={"impact": "Gián đoạn 2 giờ"}, actor="x")
    assert unchanged.impact == "Gián đoạn 2 giờ"
    updates = list(incident.events.filter(action=IncidentAction.UPDATE))
    assert len(updates) == 1  # an update that changes nothing records nothing
    assert updates[0].actor == "phoban.xa-a"
    assert updates[0].changes == {
        "ended_at": [None, "10/06/2025 10:00"],
        "impact": ["Người dân không tra cứu được thủ tục", "Gián đoạn 2 giờ"],
    }
    assert [event.action for event in incident.events.all()] == ["create", "update"]
    last = incidents.incident_last_update(incident=incident)
    assert last is not None and last.actor == "phoban.xa-a"

    incidents.incident_acknowledge(incident=incident, actor="vanhanh")
    # Acknowledged is not closed: the portal may still add what it did.
    incidents.incident_update(incident=incident, data={"actions_taken": "Thay ổ cứng"}, actor="admin.xa-a")
    incidents.incident_close(incident=incident, actor="vanhanh", resolution="Đã khắc phục")
    with translation.override("vi"), pytest.raises(Conflict) as closed:
        incidents.incident_update(incident=incident, data={"impact": "Sửa"}, actor="admin.xa-a")
    assert closed.value.code == "incident_closed"
    assert "đã đóng" in closed.value.message
    assert [event.action for event in incident.events.all()] == ["create", "update", "acknowledge", "update", "close"]


def test_portal_api_patch_completes_its_own_incident_only(
    portal_a: Portal,
    portal_b: Portal,
    staff_a: dict[str, User],
    staff_b: dict[str, User],
) -> None:
    incident = _open_outage(portal_a)
    url = f"/api/v1/reports/incidents/{incident.pk}/"
    admin = client_for(portal_a, staff_a["admin"])

    bad = admin.patch(url, {"ended_at": "2025-06-01T08:00:00+07:00"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_incident"
    assert "ended_at" in bad.json()["error"]["details"]["fields"]
    misspelt = admin.patch(url, {"colour": "red"}, content_type="application/json")
    assert misspelt.status_code == 400 and misspelt.json()["error"]["code"] == "unknown_fields"

    done = admin.patch(
        url,
        {"ended_at": "2025-06-10T10:00:00+07:00", "actions_taken": "Khởi động lại dịch vụ"},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["ended_at"].startswith("2025-06-10T10:00:00")
    assert body["actions_taken"] == "Khởi động lại dịch vụ" and body["title"] == "Cổng không truy cập được"
    assert [event["action"] for event in body["events"]] == ["create", "update"]
    assert body["events"][1]["actor"] == "admin.xa-a"
    assert set(body["events"][1]["changes"]) == {"ended_at", "actions_taken"}
    assert admin.get(url).json()["events"][1]["changes"]["ended_at"] == [None, "10/06/2025 10:00"]

    # Readers may look, not change.
    editor = client_for(portal_a, staff_a["editor"])
    assert editor.get(url).status_code == 200
    refused = editor.patch(url, {"impact": "x"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "report_editor_required"

    # Portal B neither sees nor updates portal A's incident.
    other = client_for(portal_b, staff_b["admin"])
    assert other.get(url).status_code == 404
    hidden = other.patch(url, {"ended_at": "2025-06-10T09:00:00+07:00"}, content_type="application/json")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "incident_not_found"
    incident.refresh_from_db()
    assert timezone.localtime(incident.ended_at, HCM).hour == 10

    incidents.incident_close(incident=incident, actor="vanhanh", resolution="Đã khắc phục")
    final = admin.patch(url, {"impact": "Thêm"}, content_type="application/json")
    assert final.status_code == 409 and final.json()["error"]["code"] == "incident_closed"


def test_back_office_completes_the_incident_and_the_console_shows_who(
    portal_a: Portal,
    portal_b: Portal,
    staff_a: dict[str, User],
    staff_b: dict[str, User],
    operator: Client,
) -> None:
    incident = incidents.incident_create(
        portal=portal_a,
        data=_valid(
            started_at=dt.datetime(2025, 6, 10, 8, 0, 30, tzinfo=HCM), ended_at=None, impact="", actions_taken=""
        ),
        filed_by="admin.xa-a",
    )
    url = f"/admin/bao-cao/su-co/{incident.pk}/"
    admin = client_for(portal_a, staff_a["admin"])
    assert url in _html(admin.get("/admin/bao-cao/"))
    page = admin.get(url)
    assert page.status_code == 200
    assert 'name="ended_at"' in _html(page) and 'value="10/06/2025 08:00"' in _html(page)

    form = {
        "kind": "incident",
        "severity": "medium",
        "title": "Cổng không truy cập được",
        "started_at": "10/06/2025 08:00",
        "service_down": "on",
    }
    bad = admin.post(url, {**form, "ended_at": "09/06/2025 08:00"})
    assert bad.status_code == 400 and "Thời điểm kết thúc không thể trước thời điểm bắt đầu." in _html(bad)
    done = admin.post(url, {**form, "ended_at": "10/06/2025 11:30", "impact": "Gián đoạn dịch vụ công"})
    assert done.status_code == 302
    incident.refresh_from_db()
    assert incident.impact == "Gián đoạn dịch vụ công"
    assert timezone.localtime(incident.ended_at, HCM).strftime("%d/%m %H:%M") == "10/06 11:30"
    # The start was not touched: shown to the minute, it keeps its seconds.
    assert incident.started_at.second == 30
    update = incidents.incident_last_update(incident=incident)
    assert update is not None and set(update.changes) == {"ended_at", "impact"}

    # Read-only for an editor; portal B cannot open it.
    editor = client_for(portal_a, staff_a["editor"])
    assert 'name="ended_at"' not in _html(editor.get(url))
    assert editor.post(url, {**form, "impact": "x"}).status_code == 403
    assert client_for(portal_b, staff_b["admin"]).get(url).status_code == 302  # back to its own reports
    incident.refresh_from_db()
    assert incident.impact == "Gián đoạn dịch vụ công"

    console = _html(operator.get(f"/su-co/{incident.pk}/"))
    assert 'id="incident-last-update"' in console and "admin.xa-a" in console
    assert "Gián đoạn dịch vụ công" in console and 'id="incident-history"' in console

    incidents.incident_close(incident=incident, actor="vanhanh", resolution="Đã khắc phục")
    closed_page = admin.get(url)
    assert 'name="ended_at"' not in _html(closed_page)
    refused = admin.post(url, {**form, "ended_at": "10/06/2025 11:30", "impact": "Sửa"})
    assert refused.status_code == 409
    incident.refresh_from_db()
    assert incident.impact == "Gián đoạn dịch vụ công" and incident.status == IncidentStatus.CLOSED
