"""The console's provisioning screens: operators only, Vietnamese, thin over provisioning.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from portal_platform.console.views import STEP_LABELS
from portal_platform.sealing import seal
from provisioning import services
from provisioning.models import (
    DowntimeNotice,
    JobStatus,
    JobStep,
    ProvisioningJob,
    ProvisioningRequest,
    RequestStatus,
    StepStatus,
)
from tenants.models import Portal, PortalStatus

pytestmark = pytest.mark.django_db

CONSOLE_PAGES = ["console:portals", "console:requests", "console:request-new", "console:pool"]


def vi(text: Any) -> str:
    """What the page shows in Vietnamese, whether or not the catalogue has this msgid yet."""
    with translation.override("vi"):
        return str(text)


def vi_msg(msgid: str) -> str:
    with translation.override("vi"):
        return gettext(msgid)


def console_client(user: User | None = None) -> Client:
    client = Client(HTTP_HOST=settings.CONSOLE_HOST)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def operator() -> User:
    return User.objects.create_user("op.console", password="Thu@Nghiem2026", is_staff=True)


@pytest.fixture
def op(operator: User) -> Client:
    return console_client(operator)


def request_fields(abbreviation: str = "xa-moi", **overrides: str) -> dict[str, str]:
    fields = {
        "name": "Ủy ban nhân dân xã Mới",
        "abbreviation": abbreviation,
        "kind": "commune",
        "parent": "",
        "domains": "",
        "template": "commune",
        "address": "Xã Mới, tỉnh Nghệ An",
        "phone": "0238 111 222",
        "email": "xamoi@example.vn",
        "responsible_person": "Chủ tịch UBND xã Mới",
        "admin_name": "Nguyễn Văn An",
        "admin_email": "an@example.vn",
        "admin_department": "",
        "request_reference": "123/UBND-VP",
    }
    fields.update(overrides)
    return fields


def service_fields(abbreviation: str) -> dict[str, Any]:
    """The same request as the keyword arguments of services.request_file."""
    return {**request_fields(abbreviation), "parent": None, "domains": None}


@pytest.fixture
def approved_job(province: Portal, operator: User) -> Callable[[str], ProvisioningJob]:
    """A job filed and approved through the service; nothing is sent to a worker (rolled back)."""

    def make(abbreviation: str) -> ProvisioningJob:
        return services.request_file_and_approve(decided_by=operator, **service_fields(abbreviation))

    return make


# --- who may see the console --------------------------------------------------------------------


@pytest.mark.parametrize("name", CONSOLE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(name: str) -> None:
    url = reverse(name, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    response = console_client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login", urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("name", CONSOLE_PAGES)
def test_accounts_that_are_not_operators_are_refused(name: str) -> None:
    citizen = User.objects.create_user("not.staff", password="Thu@Nghiem2026")
    response = console_client(citizen).get(reverse(name, urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    assert response.status_code == 403


def test_actions_are_refused_to_non_operators_too(portal_a: Portal) -> None:
    citizen = User.objects.create_user("not.staff", password="Thu@Nghiem2026")
    response = console_client(citizen).post(f"/cong-thong-tin/{portal_a.pk}/tam-dung/")
    assert response.status_code == 403
    portal_a.refresh_from_db()
    assert portal_a.status == PortalStatus.ACTIVE


# --- requests -------------------------------------------------------------------------------------


def test_the_new_request_form_offers_the_templates_and_defaults_to_the_province(op: Client, province: Portal) -> None:
    response = op.get("/yeu-cau/moi/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    for key in ("province", "department", "commune"):
        assert f'value="{key}"' in body
    assert f'<option value="{province.pk}" selected>' in body


def test_a_bad_abbreviation_is_shown_in_vietnamese_and_nothing_typed_is_lost(op: Client, province: Portal) -> None:
    before = ProvisioningRequest.objects.count()
    typed = request_fields("Xã Mới!", domains="xamoi.example.vn\nxa-moi.example.vn")
    response = op.post("/yeu-cau/moi/", typed)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tên viết tắt chỉ gồm chữ thường không dấu" in body  # the service's message, in Vietnamese
    assert 'aria-invalid="true"' in body  # on the abbreviation field
    for name in ("name", "abbreviation", "address", "responsible_person", "admin_name", "request_reference"):
        assert f'value="{typed[name]}"' in body, name
    assert "xamoi.example.vn\nxa-moi.example.vn</textarea>" in body
    assert ProvisioningRequest.objects.count() == before


def test_a_request_filed_without_approval_waits_for_a_decision(op: Client, province: Portal) -> None:
    response = op.post("/yeu-cau/moi/", request_fields("xa-cho"))
    filed = ProvisioningRequest.objects.get(abbreviation="xa-cho")
    assert response.status_code == 302 and response["Location"] == f"/yeu-cau/{filed.pk}/"
    assert filed.status == RequestStatus.PENDING
    assert filed.parent == province  # the provincial portal by default
    assert filed.domains == [f"xa-cho.{settings.PLATFORM_DOMAIN}"]  # the default domain
    assert not ProvisioningJob.objects.filter(request=filed).exists()

    listing = op.get("/yeu-cau/", {"status": "pending"}).content.decode()
    assert filed.name in listing
    assert filed.name not in op.get("/yeu-cau/", {"status": "rejected"}).content.decode()
    detail = op.get(f"/yeu-cau/{filed.pk}/").content.decode()
    assert f'action="/yeu-cau/{filed.pk}/phe-duyet/"' in detail and f'action="/yeu-cau/{filed.pk}/tu-choi/"' in detail


def test_filing_and_approving_at_once_starts_a_job(
    op: Client, operator: User, province: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = op.post("/yeu-cau/moi/", request_fields("xa-ngay", approve_now="on"))
    job = ProvisioningJob.objects.get(request__abbreviation="xa-ngay")
    assert response.status_code == 302 and response["Location"] == f"/tac-vu/{job.pk}/"
    assert job.request.status == RequestStatus.APPROVED
    assert job.request.decided_by == operator and job.request.filed_by == operator
    assert job.steps.count() == len(services.STEPS)
    assert len(callbacks) == 1  # the job is sent to a worker after commit


def test_approving_a_pending_request_starts_a_job(
    op: Client, province: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    filed = services.request_file(**service_fields("xa-duyet"))
    with django_capture_on_commit_callbacks(execute=False):
        response = op.post(f"/yeu-cau/{filed.pk}/phe-duyet/")
    job = ProvisioningJob.objects.get(request=filed)
    assert response["Location"] == f"/tac-vu/{job.pk}/"
    # A second approval is refused with the service's message, shown on the request page.
    page = op.post(f"/yeu-cau/{filed.pk}/phe-duyet/", follow=True).content.decode()
    assert vi_msg("This request has already been decided.") in page
    assert ProvisioningJob.objects.filter(request=filed).count() == 1


def test_rejecting_requires_a_reason(op: Client, operator: User, province: Portal) -> None:
    filed = services.request_file(**service_fields("xa-tuchoi"))
    response = op.post(f"/yeu-cau/{filed.pk}/tu-choi/", {"reason": "   "})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == RequestStatus.PENDING

    response = op.post(f"/yeu-cau/{filed.pk}/tu-choi/", {"reason": "Thiếu văn bản đề nghị có chữ ký."})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == RequestStatus.REJECTED and filed.decided_by == operator
    assert filed.reject_reason == "Thiếu văn bản đề nghị có chữ ký."
    assert "Thiếu văn bản đề nghị có chữ ký." in op.get(f"/yeu-cau/{filed.pk}/").content.decode()


# --- jobs -----------------------------------------------------------------------------------------


def test_the_job_page_shows_every_step_and_polls_the_api(
    op: Client, approved_job: Callable[[str], ProvisioningJob]
) -> None:
    job = approved_job("xa-buoc")
    JobStep.objects.filter(job=job, name="reserve").update(
        status=StepStatus.DONE, duration_ms=12.4, detail="portal_xa_buoc"
    )
    JobStep.objects.filter(job=job, name="schema").update(status=StepStatus.RUNNING)
    ProvisioningJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    response = op.get(f"/tac-vu/{job.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in services.STEPS:
        assert f'data-step="{name}"' in body
        assert vi(STEP_LABELS[name]) in body
    assert 'aria-live="polite"' in body
    assert 'value="14"' in body  # progress: 1 of 7 steps done
    assert "portal_xa_buoc" in body and ">12<" in body  # detail and time in ms
    assert f"/api/v1/provisioning/jobs/{job.pk}/" in body  # the live poll …
    assert f'href="/tac-vu/{job.pk}/"' in body  # … and the manual refresh without JavaScript
    assert 'id="job-retry" hidden' in body and 'id="job-password" hidden' in body

    # The endpoint the page polls answers to the operator's session.
    api = op.get(f"/api/v1/provisioning/jobs/{job.pk}/")
    assert api.status_code == 200 and api.json()["progress"] == 14


def test_a_failed_job_shows_its_error_and_can_be_retried(
    op: Client, approved_job: Callable[[str], ProvisioningJob], django_capture_on_commit_callbacks: Any
) -> None:
    job = approved_job("xa-loi")
    JobStep.objects.filter(job=job, name="reserve").update(status=StepStatus.FAILED, error="Tên viết tắt vừa bị dùng.")
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error_step="reserve", error_code="abbreviation_taken", error_message="Lỗi thử nghiệm."
    )
    body = op.get(f"/tac-vu/{job.pk}/").content.decode()
    assert "Lỗi thử nghiệm." in body and "Tên viết tắt vừa bị dùng." in body
    assert 'id="job-retry" hidden' not in body
    assert "<script>" not in body  # a finished job is not polled

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = op.post(f"/tac-vu/{job.pk}/chay-lai/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.error_message == ""
    assert len(callbacks) == 1


def test_the_one_time_password_is_shown_once(op: Client, approved_job: Callable[[str], ProvisioningJob]) -> None:
    job = approved_job("xa-matkhau")
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        admin_username="admin.xa-matkhau",
        admin_password_sealed=seal("Mk@Thu-2026!abcd", purpose=services.PASSWORD_PURPOSE),
    )
    page = op.get(f"/tac-vu/{job.pk}/").content.decode()
    assert 'id="job-password" hidden' not in page
    assert "Mk@Thu-2026!abcd" not in page

    first = op.post(f"/tac-vu/{job.pk}/mat-khau/")
    assert first.status_code == 200
    assert "Mk@Thu-2026!abcd" in first.content.decode()
    assert "admin.xa-matkhau" in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    job.refresh_from_db()
    assert job.admin_password_sealed == "" and job.admin_password_revealed_at is not None

    second = op.post(f"/tac-vu/{job.pk}/mat-khau/", follow=True)
    body = second.content.decode()
    assert "Mk@Thu-2026!abcd" not in body
    assert [m.level_tag for m in second.context["messages"]] == ["warning"]
    assert 'id="job-password" hidden' in body  # the button is gone


# --- portals --------------------------------------------------------------------------------------


def test_the_portal_list_shows_status_domains_and_actions(op: Client, portal_a: Portal) -> None:
    body = op.get("/cong-thong-tin/").content.decode()
    assert portal_a.name in body
    assert portal_a.get_primary_domain().domain in body
    assert f'action="/cong-thong-tin/{portal_a.pk}/tam-dung/"' in body
    assert f'href="/cong-thong-tin/{portal_a.pk}/bao-tri/"' in body
    assert portal_a.name not in op.get("/cong-thong-tin/", {"status": "suspended"}).content.decode()


def test_suspend_and_resume_change_the_portal_status(op: Client, portal_a: Portal) -> None:
    suspended = op.post(f"/cong-thong-tin/{portal_a.pk}/tam-dung/", follow=True)
    assert suspended.redirect_chain == [("/cong-thong-tin/", 302)]
    assert [m.level_tag for m in suspended.context["messages"]] == ["success"]
    portal_a.refresh_from_db()
    assert portal_a.status == PortalStatus.SUSPENDED
    assert f'action="/cong-thong-tin/{portal_a.pk}/hoat-dong-lai/"' in suspended.content.decode()

    resumed = op.post(f"/cong-thong-tin/{portal_a.pk}/hoat-dong-lai/", follow=True)
    assert [m.level_tag for m in resumed.context["messages"]] == ["success"]
    portal_a.refresh_from_db()
    assert portal_a.status == PortalStatus.ACTIVE

    # Resuming an active portal is refused by the service; the console says why.
    response = op.post(f"/cong-thong-tin/{portal_a.pk}/hoat-dong-lai/", follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert op.get(f"/cong-thong-tin/{portal_a.pk}/tam-dung/").status_code == 405  # POST only


def test_archiving_asks_for_confirmation_first(op: Client, portal_a: Portal) -> None:
    confirm = op.get(f"/cong-thong-tin/{portal_a.pk}/luu-tru/")
    assert confirm.status_code == 200 and portal_a.name in confirm.content.decode()
    portal_a.refresh_from_db()
    assert portal_a.status == PortalStatus.ACTIVE
    assert op.post(f"/cong-thong-tin/{portal_a.pk}/luu-tru/").status_code == 302
    portal_a.refresh_from_db()
    assert portal_a.status == PortalStatus.ARCHIVED


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def test_downtime_under_seven_working_days_needs_the_urgent_mark(op: Client, portal_a: Portal) -> None:
    start = timezone.now() + dt.timedelta(days=2)
    typed = {
        "starts_at": _local(start),
        "expected_end": _local(start + dt.timedelta(hours=3)),
        "message": "Nâng cấp máy chủ.",
    }
    url = f"/cong-thong-tin/{portal_a.pk}/bao-tri/"
    refused = op.post(url, typed)
    assert refused.status_code == 200
    body = refused.content.decode()
    expected = vi_msg(
        "Planned downtime must be announced at least %(days)s working days ahead; mark it urgent otherwise."
    ) % {"days": settings.DOWNTIME_NOTICE_WORKING_DAYS}
    assert expected in body
    assert f'value="{typed["starts_at"]}"' in body and "Nâng cấp máy chủ.</textarea>" in body
    assert not DowntimeNotice.objects.filter(portal=portal_a).exists()

    accepted = op.post(url, {**typed, "urgent": "on"})
    assert accepted.status_code == 302
    notice = DowntimeNotice.objects.get(portal=portal_a)
    assert notice.urgent and notice.message == "Nâng cấp máy chủ."
    assert _local(notice.starts_at) == typed["starts_at"]
    assert typed["starts_at"] in op.get(url).content.decode()  # listed among the announced ones


def test_downtime_announced_well_ahead_needs_no_urgent_mark(op: Client, portal_a: Portal) -> None:
    start = timezone.now() + dt.timedelta(days=30)
    response = op.post(
        f"/cong-thong-tin/{portal_a.pk}/bao-tri/",
        {"starts_at": _local(start), "expected_end": _local(start + dt.timedelta(hours=2))},
    )
    assert response.status_code == 302
    assert DowntimeNotice.objects.filter(portal=portal_a, urgent=False).count() == 1


# --- pool -----------------------------------------------------------------------------------------


def test_the_pool_page_shows_the_pool_and_tops_it_up_in_the_background(
    op: Client, django_capture_on_commit_callbacks: Any
) -> None:
    page = op.get("/kho-luoc-do/")
    assert page.status_code == 200
    assert page.context["pool"].size_setting == settings.PROVISIONING_POOL_SIZE
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = op.post("/kho-luoc-do/bo-sung/")
    assert response.status_code == 302 and response["Location"] == "/kho-luoc-do/"
    assert len(callbacks) == 1
