"""The three interfaces over the same services: the REST API on the console host (operator token, in
the OpenAPI schema), the console screens, and the management commands."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import User
from provisioning import backups
from provisioning.backup_models import Backup, BackupJob, BackupStatus
from provisioning.models import JobStatus
from tenants.models import Portal

pytestmark = pytest.mark.integration


@pytest.fixture
def operator(committed: None) -> Any:
    user = User.objects.filter(username="vanhanh.saoluu").first() or User.objects.create_user(
        username="vanhanh.saoluu", password="x", is_staff=True
    )
    user.must_change_password = False
    user.save()
    return user


@pytest.fixture
def api(operator: Any, settings: Any) -> Client:
    token, _created = Token.objects.get_or_create(user=operator)
    return Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")


def test_api_back_up_follow_verify_restore_and_prune(
    api: Client, portal_sl1: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    response = api.post("/api/v1/backups/", {"portal": portal_sl1.pk}, content_type="application/json")
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["kind"] == "backup" and job["status"] == "queued"
    assert [s["name"] for s in job["steps"]] == list(backups.STEPS["backup"])
    backups.backup_job_run(job_id=job["id"])  # what the worker does with the message
    followed = api.get(f"/api/v1/backup-jobs/{job['id']}/").json()
    assert followed["status"] == "succeeded" and all(s["status"] == "done" for s in followed["steps"])
    backup_id = followed["backup_id"]

    listed = api.get(f"/api/v1/backups/?portal={portal_sl1.pk}&status=good").json()
    assert backup_id in [b["id"] for b in listed]
    assert all(b["portal_abbreviation"] == "xa-sl1" for b in listed)
    detail = api.get(f"/api/v1/backups/{backup_id}/").json()
    assert detail["manifest"]["schema"] == portal_sl1.schema_name
    assert {p["name"] for p in detail["manifest"]["parts"]} == {"database", "media"}

    verify = api.post(f"/api/v1/backups/{backup_id}/verify/")
    assert verify.status_code == 202 and verify.json()["kind"] == "verify"
    assert backups.backup_job_run(job_id=verify.json()["id"]).status == JobStatus.SUCCEEDED  # type: ignore[union-attr]

    wrong = api.post(
        f"/api/v1/backups/{backup_id}/restore/",
        {"mode": "in_place", "confirm": "xa-sl"},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "confirmation_mismatch"
    bad = api.post(
        f"/api/v1/backups/{backup_id}/restore/",
        {"mode": "copy", "abbreviation": "Bản Sao"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_abbreviation"
    assert bad.json()["error"]["details"]["field"] == "abbreviation"
    drill = api.post(f"/api/v1/backups/{backup_id}/drill/")
    assert drill.status_code == 202
    with caplog.at_level(logging.INFO, logger="provisioning.backups"):
        finished = backups.backup_job_run(job_id=drill.json()["id"])
    # A drill is a check nobody waits for: it runs at the lowest priority, as nightly backups do.
    assert f"restore drill of job #{drill.json()['id']} ran at low priority" in caplog.text
    assert finished is not None
    assert finished.status == JobStatus.SUCCEEDED, finished.error_message
    assert Backup.objects.get(pk=backup_id).drill_ok is True

    pruned = api.post(
        "/api/v1/backups/prune/", {"portal": portal_sl1.pk, "dry_run": True}, content_type="application/json"
    )
    assert pruned.status_code == 200 and backup_id in pruned.json()["kept"]
    assert api.get("/api/v1/backups/alerts/").status_code == 200
    assert api.get("/api/v1/backups/999999/").json()["error"]["code"] == "backup_not_found"


def test_api_needs_an_operator_and_is_in_the_schema(api: Client, settings: Any) -> None:
    citizen = User.objects.filter(username="congdan.saoluu").first() or User.objects.create_user(
        username="congdan.saoluu", password="x"
    )
    token, _created = Token.objects.get_or_create(user=citizen)
    refused = Client(HTTP_HOST=settings.CONSOLE_HOST).get("/api/v1/backups/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code == 403
    schema = api.get("/api/schema/").content.decode()
    for path in ("/api/v1/backups/", "/api/v1/backups/{id}/restore/", "/api/v1/backup-jobs/{id}/", "backups_prune"):
        assert path in schema


def test_console_list_back_up_now_verify_and_restore_confirmation(
    operator: Any, settings: Any, portal_sl1: Portal
) -> None:
    console = Client(HTTP_HOST=settings.CONSOLE_HOST)
    console.force_login(operator)
    page = console.get("/sao-luu/")
    assert page.status_code == 200
    assert b'name="portal"' in page.content

    response = console.post("/sao-luu/sao-luu-ngay/", {"portal": portal_sl1.pk})
    assert response.status_code == 302
    job = BackupJob.objects.filter(portal=portal_sl1, kind="backup").latest("pk")
    assert response["Location"] == f"/sao-luu/tac-vu/{job.pk}/"
    assert console.get(response["Location"]).status_code == 200
    backups.backup_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.backup is not None
    backup = job.backup

    detail = console.get(f"/sao-luu/{backup.pk}/")
    assert detail.status_code == 200 and backup.prefix.encode() in detail.content
    assert console.post(f"/sao-luu/{backup.pk}/kiem-tra/").status_code == 302
    restore_page = console.get(f"/sao-luu/{backup.pk}/khoi-phuc/")
    assert restore_page.status_code == 200 and b'value="in_place"' in restore_page.content

    # A wrong confirmation shows the service's message on the field and queues nothing.
    before = BackupJob.objects.filter(kind="restore").count()
    wrong = console.post(f"/sao-luu/{backup.pk}/khoi-phuc/", {"mode": "in_place", "tai-cho-confirm": "sai"})
    assert wrong.status_code == 200 and b"xa-sl1" in wrong.content and b"has-error" in wrong.content
    assert BackupJob.objects.filter(kind="restore").count() == before
    queued = console.post(f"/sao-luu/{backup.pk}/khoi-phuc/", {"mode": "in_place", "tai-cho-confirm": "xa-sl1"})
    assert queued.status_code == 302
    restore = BackupJob.objects.filter(kind="restore", portal=portal_sl1).latest("pk")
    finished = backups.backup_job_run(job_id=restore.pk)
    assert finished is not None
    assert finished.status == JobStatus.SUCCEEDED, finished.error_message
    assert console.get(f"/sao-luu/tac-vu/{restore.pk}/").status_code == 200

    anonymous = Client(HTTP_HOST=settings.CONSOLE_HOST).get("/sao-luu/")
    assert anonymous.status_code == 302


def test_commands_backup_list_verify_prune_restore(committed: None, portal_sl1: Portal) -> None:
    out = io.StringIO()
    call_command("backup", portal="xa-sl1", stdout=out)
    assert "Bản sao lưu #" in out.getvalue()
    backup = Backup.objects.filter(portal=portal_sl1, status=BackupStatus.GOOD).latest("pk")
    out = io.StringIO()
    call_command("list", portal="xa-sl1", stdout=out, stderr=io.StringIO())
    assert f"{backup.pk}\txa-sl1" in out.getvalue()
    out = io.StringIO()
    call_command("verify", backup=backup.pk, stdout=out)
    assert "tốt" in out.getvalue()
    out = io.StringIO()
    call_command("prune", portal="xa-sl1", dry_run=True, stdout=out)
    assert "Giữ" in out.getvalue()
    with pytest.raises(CommandError, match="confirmation_mismatch"):
        call_command("restore", backup=backup.pk, in_place=True, confirm="khac", stdout=io.StringIO())
    out = io.StringIO()
    call_command("restore", backup=backup.pk, copy=True, abbreviation="xa-sl1-lenh", stdout=out)
    assert "xa-sl1-lenh" in out.getvalue()
    job = BackupJob.objects.filter(kind="restore_copy", target_abbreviation="xa-sl1-lenh").latest("pk")
    backups._undo_restore_copy(job)
    assert not Portal.objects.filter(abbreviation="xa-sl1-lenh").exists()
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("backup", portal="khong-co", stdout=io.StringIO())
