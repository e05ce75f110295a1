from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from portal_platform.sealing import seal
from provisioning import services
from provisioning.models import JobStatus, JobStep, ProvisioningJob, ProvisioningRequest, StepStatus
from tenants.models import Portal, PortalStatus

pytestmark = pytest.mark.django_db

BODY: dict[str, Any] = {
    "name": "Ủy ban nhân dân xã Hưng Nguyên",
    "abbreviation": "hungnguyen",
    "kind": "commune",
    "template": "commune",
    "admin_name": "Lê Văn Cường",
    "admin_email": "cuong@hungnguyen.example.vn",
    "request_reference": "12/UBND-VP ngày 01/11/2026",
}


@pytest.fixture
def api(settings: Any, province: Portal, no_enqueue: list[dict[str, Any]]) -> Client:
    operator = User.objects.create_user(username="vanhanh", password="x", is_staff=True)
    token = Token.objects.create(user=operator)
    return Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")


def test_wrong_or_missing_token_is_refused_with_a_code(settings: Any) -> None:
    client = Client(HTTP_HOST=settings.CONSOLE_HOST)
    response = client.get("/api/v1/portals/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    response = client.get("/api/v1/portals/", HTTP_AUTHORIZATION="Token sai-ma")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response.json()["error"]["message"]


def test_non_operator_is_forbidden(settings: Any) -> None:
    user = User.objects.create_user(username="congdan", password="x")
    token = Token.objects.create(user=user)
    response = Client(HTTP_HOST=settings.CONSOLE_HOST).get("/api/v1/portals/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_missing_field_names_the_field(api: Client) -> None:
    body = {key: value for key, value in BODY.items() if key != "admin_email"}
    response = api.post("/api/v1/provisioning/requests/", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "admin_email" in error["details"]
    assert not ProvisioningRequest.objects.exists()


def test_service_error_carries_its_code_and_a_vietnamese_message(api: Client) -> None:
    response = api.post(
        "/api/v1/provisioning/requests/", {**BODY, "abbreviation": "Hưng Nguyên"}, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_abbreviation"
    assert "Tên viết tắt" in error["message"]
    assert error["details"]["field"] == "abbreviation"


def test_create_approve_list_job_and_lifecycle(api: Client, no_enqueue: list[dict[str, Any]]) -> None:
    response = api.post("/api/v1/provisioning/requests/", BODY, content_type="application/json")
    assert response.status_code == 201, response.json()
    request_id = response.json()["id"]
    assert response.json()["domains"] == ["hungnguyen.nghean.localhost"]
    assert response.json()["status"] == "pending"

    listed = api.get("/api/v1/provisioning/requests/?status=pending").json()
    assert [item["id"] for item in listed] == [request_id]

    response = api.post(f"/api/v1/provisioning/requests/{request_id}/approve/", {}, content_type="application/json")
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert [step["name"] for step in response.json()["steps"]] == list(services.STEPS)
    assert no_enqueue == [{"actor": "provisioning.job_run", "job_id": job_id}]

    again = api.post(f"/api/v1/provisioning/requests/{request_id}/approve/", {}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "request_already_decided"

    services.job_run(job_id=job_id)  # what the worker does
    job = api.get(f"/api/v1/provisioning/jobs/{job_id}/").json()
    assert job["status"] == JobStatus.SUCCEEDED
    assert job["progress"] == 100
    assert job["admin_username"] == "admin.hungnguyen"
    assert job["admin_password_available"] is True

    password = api.post(f"/api/v1/provisioning/jobs/{job_id}/admin-password/").json()
    assert password["username"] == "admin.hungnguyen" and len(password["password"]) >= 12
    second = api.post(f"/api/v1/provisioning/jobs/{job_id}/admin-password/")
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "password_unavailable"

    portals = api.get("/api/v1/portals/?kind=commune").json()
    portal = next(p for p in portals if p["abbreviation"] == "hungnguyen")
    assert portal["domains"] == ["hungnguyen.nghean.localhost"]

    assert api.post(f"/api/v1/portals/{portal['id']}/suspend/").json()["status"] == PortalStatus.SUSPENDED
    assert api.post(f"/api/v1/portals/{portal['id']}/resume/").json()["status"] == PortalStatus.ACTIVE
    assert api.post(f"/api/v1/portals/{portal['id']}/archive/").json()["status"] == PortalStatus.ARCHIVED
    conflict = api.post(f"/api/v1/portals/{portal['id']}/resume/")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "invalid_transition"


def test_reject_needs_a_reason(api: Client) -> None:
    request = services.request_file(**BODY)
    response = api.post(
        f"/api/v1/provisioning/requests/{request.pk}/reject/", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    response = api.post(
        f"/api/v1/provisioning/requests/{request.pk}/reject/",
        {"reason": "Thiếu văn bản đề nghị"},
        content_type="application/json",
    )
    assert response.json()["status"] == "rejected"


def test_file_and_approve_in_one_step_and_retry(api: Client) -> None:
    response = api.post("/api/v1/provisioning/requests/", {**BODY, "approve": True}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    job = ProvisioningJob.objects.get(pk=response.json()["job_id"])
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, admin_password_sealed=seal("x", purpose="p")
    )
    assert api.post(f"/api/v1/provisioning/jobs/{job.pk}/retry/").json()["status"] == JobStatus.QUEUED
    assert api.get("/api/v1/provisioning/jobs/999999/").json()["error"]["code"] == "job_not_found"


def test_openapi_schema_documents_the_api(api: Client) -> None:
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/provisioning/requests/" in paths
    assert "/api/v1/portals/{id}/suspend/" in paths


def test_job_step_details_are_translated_for_the_reader(api: Client) -> None:
    job = services.request_file_and_approve(**BODY)
    JobStep.objects.filter(job=job, name="schema").update(
        status=StepStatus.DONE, detail="Clone of the template schema", detail_params={}
    )
    JobStep.objects.filter(job=job, name="reserve").update(
        status=StepStatus.DONE, detail="%(value)s", detail_params={"value": "portal_hungnguyen"}
    )
    # A row from before details were stored language-neutral: finished Vietnamese text.
    JobStep.objects.filter(job=job, name="domains").update(status=StepStatus.DONE, detail="đã có")

    def details(language: str) -> dict[str, str]:
        body = api.get(f"/api/v1/provisioning/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()
        return {step["name"]: step["detail"] for step in body["steps"]}

    assert details("vi")["schema"] == "Sao chép lược đồ mẫu"
    assert details("en")["schema"] == "Clone of the template schema"
    assert details("en")["reserve"] == details("vi")["reserve"] == "portal_hungnguyen"
    assert details("en")["domains"] == "đã có"

    operator = User.objects.create_user(username="op.ngonngu", password="x", is_staff=True)
    console = Client(HTTP_HOST=api.defaults["HTTP_HOST"])
    console.force_login(operator)
    page = console.get(f"/tac-vu/{job.pk}/").content.decode()
    assert '<td class="step-detail">Sao chép lược đồ mẫu</td>' in page
    assert '<td class="step-detail">portal_hungnguyen</td>' in page
