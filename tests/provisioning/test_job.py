from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_tenants.utils import schema_context, schema_exists

from content.models import Category, Page
from provisioning import schemas, services
from provisioning.models import JobStatus, ProvisioningJob, SpareSchema, StepStatus
from provisioning.site_templates import load_template
from tenants.models import Domain, Portal, PortalStatus
from tenants.routing import router

pytestmark = pytest.mark.django_db

MakeJob = Callable[..., ProvisioningJob]


def _run(job: ProvisioningJob) -> ProvisioningJob:
    finished = services.job_run(job_id=job.pk)
    assert finished is not None
    return finished


@pytest.mark.parametrize("path", ["migrate", "clone", "pool"])
def test_each_schema_path_makes_a_complete_live_portal(path: str, file_and_approve: MakeJob) -> None:
    if path == "pool":
        assert schemas.pool_top_up(size=1, templates=["commune"])["created"] == 1
    job = _run(file_and_approve(f"xa-{path}", schema_path=path))
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.schema_path == path
    assert [s.status for s in job.steps.all()] == [StepStatus.DONE] * 7
    assert all(s.duration_ms is not None for s in job.steps.all())
    if path == "pool":
        assert not SpareSchema.objects.exists()

    portal = Portal.objects.get(abbreviation=f"xa-{path}")
    assert portal.status == PortalStatus.ACTIVE
    assert portal.template_key == "commune" and portal.template_version == job.template_version
    assert schema_exists(portal.schema_name)
    assert portal.get_primary_domain().domain == f"xa-{path}.nghean.localhost"
    with schema_context(portal.schema_name):
        assert Category.objects.exists()
        assert Page.objects.filter(kind="intro").exists()
        assert Group.objects.count() == 5
        admin = get_user_model().objects.get(username=f"admin.xa-{path}")
        assert admin.must_change_password and admin.is_staff
        assert admin.groups.count() == 1
    router.clear()
    response = Client().get("/", HTTP_HOST=f"xa-{path}.nghean.localhost")
    assert response.status_code == 200
    assert portal.name in response.content.decode()


def test_one_time_password_is_sealed_and_shown_once(file_and_approve: MakeJob) -> None:
    job = _run(file_and_approve("xa-matkhau"))
    assert job.admin_password_sealed and "admin" not in job.admin_password_sealed
    password = services.job_password_reveal(job=job)
    assert password is not None and len(password) >= 12
    assert password not in ProvisioningJob.objects.filter(pk=job.pk).values_list("admin_password_sealed", flat=True)[0]
    assert services.job_password_reveal(job=job) is None
    with schema_context(Portal.objects.get(abbreviation="xa-matkhau").schema_name):
        user = get_user_model().objects.get(username="admin.xa-matkhau")
        assert user.check_password(password)
        assert not user.password.startswith(password)


def test_department_admin_name_follows_the_rule(file_and_approve: MakeJob) -> None:
    job = _run(file_and_approve("sotest", kind="department", admin_department="vp"))
    assert job.admin_username == "admin.vp.sotest"


@pytest.mark.parametrize("step", services.STEPS)
def test_failure_at_any_step_leaves_nothing_and_a_retry_resumes(
    step: str, file_and_approve: MakeJob, settings: Any
) -> None:
    settings.PROVISIONING_FAULTS = {step: "fail"}
    job = _run(file_and_approve("xa-hong", schema_path="clone"))
    assert job.status == JobStatus.FAILED
    assert job.error_step == step
    assert job.error_code == "step_failed"
    assert "thất bại" in job.error_message  # a Vietnamese sentence naming the step
    assert not Portal.objects.filter(abbreviation="xa-hong").exists()
    assert not Domain.objects.filter(domain="xa-hong.nghean.localhost").exists()
    assert not schema_exists("portal_xa_hong")
    assert job.steps.get(name=step).status == StepStatus.FAILED

    settings.PROVISIONING_FAULTS = {}
    services.job_retry(job=job)
    job = _run(job)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.attempts == 2
    assert Portal.objects.get(abbreviation="xa-hong").status == PortalStatus.ACTIVE


def test_a_resumed_job_skips_done_steps_and_finishes_once(file_and_approve: MakeJob, settings: Any) -> None:
    """What a redelivered message after a crash sees: a running job with some steps done."""
    job = file_and_approve("xa-tiep")
    settings.PROVISIONING_FAULTS = {"content": "fail"}
    # Simulate a crash: run the first steps by hand, leave the job 'running'.
    ctx = services.JobContext(job=job, request=job.request, template=load_template("commune"))
    for name in ("reserve", "schema", "domains", "roles"):
        services.STEP_FUNCTIONS[name](ctx)
        job.steps.filter(name=name).update(status=StepStatus.DONE)
    job.steps.filter(name="content").update(status=StepStatus.RUNNING)
    ProvisioningJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)
    settings.PROVISIONING_FAULTS = {}

    job = _run(job)
    assert job.status == JobStatus.SUCCEEDED
    assert Portal.objects.filter(abbreviation="xa-tiep").count() == 1
    assert _run(job).status == JobStatus.SUCCEEDED  # a second delivery changes nothing
    assert job.attempts == 2


def test_job_runs_never_twice_at_once(file_and_approve: MakeJob) -> None:
    from provisioning.locks import advisory_lock

    job = file_and_approve("xa-khoa")
    with advisory_lock(f"provisioning-job-{job.pk}") as acquired:
        assert acquired
        assert services.job_run(job_id=job.pk) is None  # another worker holds it
    assert ProvisioningJob.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_provisioned_admin_logs_in_only_on_its_own_portal(
    file_and_approve: MakeJob, portal_a: Portal, settings: Any
) -> None:
    job = _run(file_and_approve("xa-dangnhap"))
    password = services.job_password_reveal(job=job)
    router.clear()
    credentials = {"username": "admin.xa-dangnhap", "password": password}

    own = Client()
    response = own.post("/admin/login/?next=/admin/", credentials, HTTP_HOST="xa-dangnhap.nghean.localhost")
    assert response.status_code == 302
    # Logged in, but the issued password must be changed before anything else.
    response = own.get("/admin/", HTTP_HOST="xa-dangnhap.nghean.localhost")
    assert response.status_code == 302 and "/tai-khoan/doi-mat-khau/" in response["Location"]

    for host in (portal_a.get_primary_domain().domain, settings.CONSOLE_HOST):
        other = Client()
        response = other.post("/admin/login/?next=/admin/", credentials, HTTP_HOST=host)
        assert response.status_code == 200  # the login form again, with an error
        assert "_auth_user_id" not in other.session


def test_forced_password_change_lifts_the_flag(file_and_approve: MakeJob) -> None:
    job = _run(file_and_approve("xa-doimk"))
    password = services.job_password_reveal(job=job)
    router.clear()
    host = "xa-doimk.nghean.localhost"
    client = Client()
    client.post("/admin/login/", {"username": "admin.xa-doimk", "password": password}, HTTP_HOST=host)
    new = "Mật-khẩu-Mới-2026!"
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": password, "new_password1": new, "new_password2": new},
        HTTP_HOST=host,
    )
    assert response.status_code == 302
    assert client.get("/admin/", HTTP_HOST=host).status_code == 200
