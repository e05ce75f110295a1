"""Backup → restore round trips: in place and as a copy, content, media, accounts and workflow history
identical afterwards; encryption at rest; one portal's backup never holds another portal's data."""

from __future__ import annotations

import subprocess

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from content.models import Article, MediaFile
from content.services import media_delete
from infra import pgtools, stream_crypto
from provisioning import backups, schemas
from provisioning.backup_models import BackupStatus, RetiredSchema, VerifyStatus
from provisioning.models import JobStatus
from tenants.models import Domain, Portal
from tests.backups import fill, media_of, rows_of, run_backup, run_job

pytestmark = pytest.mark.integration


def test_restore_in_place_brings_back_exactly_what_was_backed_up(committed: None, portal_sl: Portal) -> None:
    made = fill(portal_sl, "tron")
    backup = run_backup(portal_sl)
    assert backup.status == BackupStatus.GOOD and backup.verify_status == VerifyStatus.OK
    assert backup.manifest["tables"]["content_article"] >= 2
    assert backup.media_files == len(media_of(portal_sl.schema_name)) > 0
    rows_before, media_before = rows_of(portal_sl.schema_name), media_of(portal_sl.schema_name)

    # Afterwards the portal changes: a new article, an account renamed, a media file deleted.
    with schema_context(portal_sl.schema_name):
        user = User.objects.get(username="contributor.tron")
        user.full_name = "Đã đổi tên"
        user.save()
        Article.objects.filter(pk=made["draft"]).update(title="Sửa sau sao lưu")
        media_delete(media=MediaFile.objects.get(pk=made["document"]), actor="kiemthu")
    assert rows_of(portal_sl.schema_name) != rows_before
    assert media_of(portal_sl.schema_name) != media_before

    job = run_job(backups.backup_restore_request(backup=backup, confirm="xa-sl", requested_by="kiemthu", send=False))
    assert job.status == JobStatus.SUCCEEDED, (job.error_step, job.error_message)
    assert [s.status for s in job.steps.all()] == ["done"] * 8
    assert rows_of(portal_sl.schema_name) == rows_before
    assert media_of(portal_sl.schema_name).items() >= media_before.items()
    portal_sl.refresh_from_db()
    assert portal_sl.read_only is False
    # The safety backup holds the state just before the restore; the old schema is kept for a while.
    assert job.safety_backup is not None and job.safety_backup.status == BackupStatus.GOOD
    retired = RetiredSchema.objects.get(job=job)
    assert pgtools.SCHEMA_NAME.match(retired.schema_name)
    with schema_context(portal_sl.schema_name):
        assert User.objects.get(username="contributor.tron").full_name != "Đã đổi tên"
    response = Client(HTTP_HOST="xa-sl.thunghiem.test").get("/")
    assert response.status_code == 200
    schemas.schema_drop(retired.schema_name)


def test_restore_as_a_copy_builds_a_new_portal_and_leaves_the_original(committed: None, portal_sl: Portal) -> None:
    fill(portal_sl, "banSao".lower())
    backup = run_backup(portal_sl)
    rows_backup, media_backup = rows_of(portal_sl.schema_name), media_of(portal_sl.schema_name)
    job = run_job(
        backups.backup_restore_copy_request(
            backup=backup, abbreviation="xa-sl-ban-sao", domains=["ban-sao.thunghiem.test"], send=False
        )
    )
    try:
        assert job.status == JobStatus.SUCCEEDED, (job.error_step, job.error_message)
        copy = Portal.objects.get(abbreviation="xa-sl-ban-sao")
        assert copy.status == "active" and copy.schema_name == "portal_xa_sl_ban_sao"
        assert rows_of(copy.schema_name) == rows_backup
        assert media_of(copy.schema_name) == media_backup
        assert rows_of(portal_sl.schema_name) == rows_backup  # the original is untouched
        assert Client(HTTP_HOST="ban-sao.thunghiem.test").get("/").status_code == 200
    finally:
        copy_portal = Portal.objects.filter(abbreviation="xa-sl-ban-sao").first()
        if copy_portal is not None:
            job.refresh_from_db()
            backups._undo_restore_copy(job)
        assert not Domain.objects.filter(domain="ban-sao.thunghiem.test").exists()


def test_stored_parts_are_encrypted(committed: None, portal_sl: Portal) -> None:
    backup = run_backup(portal_sl)
    client = backups.backup_client()
    database = backups._part(backup, backups.DATABASE_PART)
    stored = client.get_object(Bucket=backup.bucket, Key=database["key"])["Body"].read()
    plain = b"".join(backups.part_read(backup, backups.DATABASE_PART))
    assert plain.startswith(b"PGDMP") and portal_sl.schema_name.encode() in plain
    assert not stored.startswith(b"PGDMP") and portal_sl.schema_name.encode() not in stored
    assert plain[:4096] not in stored and len(stored) > len(plain)
    media = backups._part(backup, backups.MEDIA_PART)
    stored_media = client.get_object(Bucket=backup.bucket, Key=media["key"])["Body"].read()
    assert b"%PDF-1.4" not in stored_media and b"ustar" not in stored_media
    assert stored.startswith(stream_crypto.MAGIC)


def test_a_backup_holds_only_its_own_portal(committed: None, portal_sl: Portal, portal_sl1: Portal) -> None:
    fill(portal_sl1, "rieng")  # portal_xa_sl1: its schema name starts with portal_xa_sl
    fill(portal_sl, "minh")
    backup = run_backup(portal_sl)
    tools, _conninfo, env = backups._pg()
    dump = b"".join(backups.part_read(backup, backups.DATABASE_PART))
    script = subprocess.run(
        [tools.pg_restore, "-f", "-"], input=dump, capture_output=True, check=True, env=env
    ).stdout.decode()
    assert "Hội nghị minh" in script
    assert "Hội nghị rieng" not in script and "portal_xa_sl1" not in script
    listing = subprocess.run([tools.pg_restore, "-l"], input=dump, capture_output=True, check=True).stdout.decode()
    entries = [line.split() for line in listing.splitlines() if line and not line.startswith(";")]
    assert entries and all("portal_xa_sl" in entry for entry in entries), listing
    assert not any("public" in entry or "portal_xa_sl1" in entry for entry in entries), listing
    in_backup: dict[str, bytes] = {}
    for item in backups.media_read(backup):
        in_backup[item.name] = b"".join(item.chunks)
    assert set(in_backup) == set(media_of(portal_sl.schema_name)) == {o["key"] for o in backup.manifest["objects"]}
    other = media_of(portal_sl1.schema_name)
    assert other and not (set(other) & set(in_backup))
    assert not any(b"rieng" in data for data in in_backup.values())  # the other portal's PDF says "rieng"
