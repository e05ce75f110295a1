"""Nightly schedule (one message per portal, spread), retention and pruning (never the newest good
backup), the replaced schema dropped after its time, and failures shown in the console and /readyz."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from infra import backup_store
from portal_platform.health import ALERTS_CACHE_KEY
from provisioning import backup_tasks, backups, schemas
from provisioning.backup_models import Backup, BackupJob, BackupStatus, RetiredSchema
from tenants.models import Portal, PortalStatus
from tests.backups import run_backup

pytestmark = pytest.mark.integration


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The messages the schedule sends (kwargs and options), instead of a broker nobody reads here."""
    messages: list[dict[str, Any]] = []

    def record(**options: Any) -> None:
        messages.append(options)

    monkeypatch.setattr(backup_tasks.backup_job_run, "send_with_options", record)
    return messages


def test_nightly_schedule_one_message_per_active_portal_spread_and_never_twice(
    committed: None, portal_sl: Portal, portal_sl1: Portal, sent: list[dict[str, Any]], settings: Any
) -> None:
    settings.BACKUP_SPREAD_MINUTES = 120
    night = dt.date(2031, 1, 1)
    active = list(Portal.objects.filter(status=PortalStatus.ACTIVE, read_only=False).order_by("pk"))
    try:
        planned = backups.backups_schedule_nightly(today=night)
        assert [p.portal for p in planned] == [p.abbreviation for p in active]
        delays = [p.delay_ms for p in planned]
        assert delays[0] == 0 and delays == sorted(delays) and len(set(delays)) == len(delays)
        assert delays[-1] < 120 * 60_000
        if len(delays) > 1:  # evenly spread
            assert delays[1] == 120 * 60_000 // len(delays)
        assert len(sent) == len(active)
        assert sorted(m["kwargs"]["job_id"] for m in sent) == sorted(p.job_id for p in planned)
        assert [m.get("delay", 0) for m in sent] == delays

        again = backups.backups_schedule_nightly(today=night)
        assert again == [] and len(sent) == len(active)
        assert BackupJob.objects.filter(scheduled_for=night).count() == len(active)
    finally:
        BackupJob.objects.filter(scheduled_for=night).delete()


def _fake(portal: Portal, when: dt.datetime, status: str = BackupStatus.GOOD) -> Backup:
    """A catalogue row as a backup made at ``when`` leaves it (its objects, if any, are put by the test)."""
    backup = Backup.objects.create(
        portal=portal,
        schema_name=portal.schema_name,
        portal_abbreviation=portal.abbreviation,
        trigger="scheduled",
        status=status,
        bucket="portal-backups",
        prefix=f"backups/test-retention/{when:%Y%m%d%H%M%S}-{status}/",
        finished_at=when,
    )
    Backup.objects.filter(pk=backup.pk).update(started_at=when)
    backup.refresh_from_db()
    return backup


@pytest.fixture
def quiet_portal(committed: None, province: Portal) -> Iterator[Portal]:
    """A portal row with no schema: the retention only reads the catalogue and the store."""
    portal = Portal.objects.create(
        schema_name="portal_luu_giu", name="Xã Lưu Giữ", abbreviation="luu-giu", kind="commune", parent=province
    )
    yield portal
    Backup.objects.filter(portal=portal).delete()
    portal.delete()


def test_retention_keeps_7_daily_4_weekly_12_monthly_and_the_newest(quiet_portal: Portal, settings: Any) -> None:
    assert (settings.BACKUP_RETENTION_DAILY, settings.BACKUP_RETENTION_WEEKLY, settings.BACKUP_RETENTION_MONTHLY) == (
        7,
        4,
        12,
    )
    now = timezone.now().replace(hour=1, minute=30, second=0, microsecond=0)
    made = [_fake(quiet_portal, now - dt.timedelta(days=day)) for day in range(0, 500)]
    keep = backups.retention_keep(made)
    by_age = {b.pk: (now - b.finished_at).days for b in made}  # type: ignore[operator]
    kept_ages = sorted(by_age[pk] for pk in keep)
    assert kept_ages[:7] == list(range(7))  # the last 7 days
    assert len(keep) <= 7 + 4 + 12 and len(keep) >= 12
    assert max(kept_ages) > 300  # twelve months back
    months = {
        (timezone.localtime(b.finished_at).year, timezone.localtime(b.finished_at).month) for b in made if b.pk in keep
    }
    assert len(months) >= 12

    # Prune deletes the others' objects; the kept ones' objects stay.
    client = backups.backup_client()
    from infra.s3 import ensure_bucket

    ensure_bucket(client, "portal-backups")
    dropped = next(b for b in made if b.pk not in keep)
    kept = next(b for b in made if b.pk in keep)
    for backup in (dropped, kept):
        client.put_object(Bucket=backup.bucket, Key=backup.prefix + "manifest.json", Body=b"{}")
    dry = backups.backups_prune(portal=quiet_portal, dry_run=True)
    assert set(dry.kept) == keep and Backup.objects.get(pk=dropped.pk).status == BackupStatus.GOOD
    result = backups.backups_prune(portal=quiet_portal)
    assert set(result.pruned) == {b.pk for b in made} - keep
    assert Backup.objects.get(pk=dropped.pk).status == BackupStatus.PRUNED
    assert not list(backup_store.objects_list(client, bucket=dropped.bucket, prefix=dropped.prefix))
    assert list(backup_store.objects_list(client, bucket=kept.bucket, prefix=kept.prefix))
    backup_store.prefix_delete(client, bucket=kept.bucket, prefix=kept.prefix)


def test_pruning_never_deletes_the_newest_good_backup(quiet_portal: Portal, settings: Any) -> None:
    settings.BACKUP_RETENTION_DAILY, settings.BACKUP_RETENTION_WEEKLY, settings.BACKUP_RETENTION_MONTHLY = 1, 0, 0
    now = timezone.now()
    old_good = _fake(quiet_portal, now - dt.timedelta(days=400))
    newer_failed = _fake(quiet_portal, now - dt.timedelta(days=2), status=BackupStatus.FAILED)
    newest_failed = _fake(quiet_portal, now - dt.timedelta(hours=1), status=BackupStatus.FAILED)
    result = backups.backups_prune(portal=quiet_portal)
    assert result.kept == [old_good.pk] and result.pruned == []
    assert Backup.objects.get(pk=old_good.pk).status == BackupStatus.GOOD
    # A failed backup past the daily window loses its objects; a recent one stays for inspection.
    assert result.failed_removed == [newer_failed.pk]
    assert Backup.objects.get(pk=newest_failed.pk).status == BackupStatus.FAILED


def test_replaced_schema_is_dropped_once_its_time_is_up(committed: None, portal_sl: Portal) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA old_kiemthu_giu")
        cursor.execute("CREATE SCHEMA old_kiemthu_bo")
    keep = RetiredSchema.objects.create(
        schema_name="old_kiemthu_giu", portal=portal_sl, drop_after=timezone.now() + dt.timedelta(hours=1)
    )
    due = RetiredSchema.objects.create(
        schema_name="old_kiemthu_bo", portal=portal_sl, drop_after=timezone.now() - dt.timedelta(minutes=1)
    )
    try:
        result = backups.backups_maintain()
        assert result.schemas_dropped == ["old_kiemthu_bo"]
        assert not backups._schema_exists("old_kiemthu_bo") and backups._schema_exists("old_kiemthu_giu")
        due.refresh_from_db()
        assert due.dropped_at is not None
    finally:
        schemas.schema_drop("old_kiemthu_giu")
        RetiredSchema.objects.filter(pk__in=[keep.pk, due.pk]).delete()


def test_a_failed_backup_shows_on_readyz_and_the_console_without_failing_readiness(
    committed: None, portal_sl1: Portal, settings: Any
) -> None:
    run_backup(portal_sl1)
    caches["shared"].delete(ALERTS_CACHE_KEY)
    body = Client().get("/readyz").json()
    assert not any(a["portal"] == "xa-sl1" for a in body["alerts"]["backups"])

    failed = _fake(portal_sl1, timezone.now(), status=BackupStatus.FAILED)
    Backup.objects.filter(pk=failed.pk).update(
        started_at=timezone.now() + dt.timedelta(seconds=1), error_message="Không kết nối được kho lưu trữ"
    )
    try:
        caches["shared"].delete(ALERTS_CACHE_KEY)
        response = Client().get("/readyz")
        assert response.status_code == 200  # readiness is about serving; the alert is for people
        alerts = [a for a in response.json()["alerts"]["backups"] if a["portal"] == "xa-sl1"]
        assert [a["code"] for a in alerts] == ["backup_failed"] and alerts[0]["backup"] == failed.pk
        assert "Không kết nối được kho lưu trữ" in alerts[0]["message"]

        from accounts.models import User

        operator = User.objects.filter(username="vanhanh.canhbao").first() or User.objects.create_user(
            username="vanhanh.canhbao", password="x", is_staff=True, must_change_password=False
        )
        console = Client(HTTP_HOST=settings.CONSOLE_HOST)
        console.force_login(operator)
        page = console.get("/sao-luu/").content.decode()
        assert 'id="backup-alerts"' in page and "Không kết nối được kho lưu trữ" in page
    finally:
        failed.delete()
        caches["shared"].delete(ALERTS_CACHE_KEY)


def test_stale_portal_is_reported(committed: None, portal_sl1: Portal, settings: Any) -> None:
    Portal.objects.filter(pk=portal_sl1.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    try:
        settings.BACKUP_MAX_AGE_HOURS = 1
        Backup.objects.filter(portal=portal_sl1, status=BackupStatus.GOOD).update(
            finished_at=timezone.now() - dt.timedelta(hours=2)
        )
        assert any(a.code == "backup_stale" and a.portal == "xa-sl1" for a in backups.backup_alerts())
        run_backup(portal_sl1)
        assert not any(a.code == "backup_stale" and a.portal == "xa-sl1" for a in backups.backup_alerts())
    finally:
        Portal.objects.filter(pk=portal_sl1.pk).update(created_at=timezone.now())


def test_drill_schedule_picks_the_least_recently_drilled(
    committed: None, portal_sl: Portal, portal_sl1: Portal
) -> None:
    for portal in (portal_sl, portal_sl1):
        if not Backup.objects.filter(portal=portal, status=BackupStatus.GOOD).exists():
            run_backup(portal)
    Backup.objects.filter(portal__in=[portal_sl, portal_sl1]).update(drilled_at=None, drill_ok=None)
    Backup.objects.filter(portal=portal_sl).update(drilled_at=timezone.now())
    jobs = backups.backups_drill_schedule(count=1)
    try:
        assert len(jobs) == 1
        drilled = jobs[0].backup
        assert drilled is not None and drilled.portal_id != portal_sl.pk
        finished = backups.backup_job_run(job_id=jobs[0].pk)
        assert finished is not None
        assert finished.status == "succeeded", finished.error_message
        scratch = finished.work_schema
        assert scratch.startswith("drill_") and not backups._schema_exists(scratch)
        drilled.refresh_from_db()
        assert drilled.drill_ok is True and drilled.drilled_at is not None
    finally:
        BackupJob.objects.filter(pk__in=[j.pk for j in jobs]).delete()
