"""Keeping the index in step with the portals: the workflow's transitions, rebuild and drift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from content.models import Announcement, Article, LegalDocument, Page, WorkSchedule
from content.services.workflow import item_save, item_transition, items_publish_due
from portal_platform.search.models import Entry
from portal_platform.search.services import (
    index_item_sync,
    index_portal_drift,
    index_portal_rebuild,
)
from tests.search.conftest import Desk, run_jobs

pytestmark = pytest.mark.django_db

Jobs = Callable[[], list[dict[str, Any]]]


def _entries(desk: Desk, item: Any = None) -> list[Entry]:
    rows = Entry.objects.filter(portal=desk.portal)
    if item is not None:
        rows = rows.filter(source=item._meta.label_lower, object_id=item.pk)
    return list(rows.order_by("language"))


def test_each_workflow_transition_reaches_the_index_through_the_actor(
    desk_a: Desk, heard_jobs: Jobs, django_capture_on_commit_callbacks: Any
) -> None:
    schema = desk_a.portal.schema_name
    with django_capture_on_commit_callbacks(execute=True):
        item = desk_a.approved(Article, title="Xã An khánh thành cầu Đồng Hoà")
    assert heard_jobs() == []  # drafts, submissions and approvals are not public
    assert _entries(desk_a) == []

    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        item = item_transition(item=item, action="publish", user=desk_a.head)
    jobs = heard_jobs()
    assert jobs == [{"schema_name": schema, "model_label": "content.article", "pk": item.pk}]
    run_jobs(jobs)
    [entry] = _entries(desk_a, item)
    assert (entry.title, entry.kind, entry.path) == (
        "Xã An khánh thành cầu Đồng Hoà",
        "article",
        f"/tin-tuc/{item.slug}/",
    )

    # An edit of a live item waits for approval: the index keeps the published version.
    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        item = item_save(model=Article, item=item, data={"title": "Cầu Đồng Hoà thông xe"}, user=desk_a.editor)
        item = item_transition(item=item, action="submit", user=desk_a.editor)
        item = item_transition(item=item, action="approve", user=desk_a.head)
    assert heard_jobs() == []
    assert _entries(desk_a, item)[0].title == "Xã An khánh thành cầu Đồng Hoà"

    # Republishing the edit updates the entry.
    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        item = item_transition(item=item, action="publish", user=desk_a.head)
    run_jobs(heard_jobs())
    assert _entries(desk_a, item)[0].title == "Cầu Đồng Hoà thông xe"

    # Unpublishing removes it; archiving keeps it out.
    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        item = item_transition(item=item, action="unpublish", user=desk_a.head, comment="Sai số liệu")
    jobs = heard_jobs()
    run_jobs(jobs)
    assert _entries(desk_a, item) == []
    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        item_transition(item=item, action="archive", user=desk_a.head)
    run_jobs(heard_jobs() or jobs)  # a late or repeated job changes nothing
    assert _entries(desk_a, item) == []


def test_scheduled_items_enter_only_when_published(
    desk_a: Desk, heard_jobs: Jobs, django_capture_on_commit_callbacks: Any
) -> None:
    schema = desk_a.portal.schema_name
    at = timezone.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        item = item_transition(
            item=desk_a.approved(Announcement, title="Lịch tiếp dân"), action="publish", user=desk_a.head, publish_at=at
        )
    assert heard_jobs() == []
    desk_a.sync(item)  # even a sync asked for by hand leaves it out: it is not public yet
    assert _entries(desk_a, item) == []
    with django_capture_on_commit_callbacks(execute=True), schema_context(schema):
        assert items_publish_due(now=at + dt.timedelta(minutes=1)) == 1
    run_jobs(heard_jobs())
    assert [e.title for e in _entries(desk_a, item)] == ["Lịch tiếp dân"]


def test_jobs_are_idempotent_and_read_the_current_state(desk_a: Desk) -> None:
    item = desk_a.published(Article, title="Hội nghị tổng kết", index=False)
    assert desk_a.sync(item) == "indexed"
    assert desk_a.sync(item) == "unchanged"
    first = _entries(desk_a, item)[0]
    assert desk_a.sync(item) == "unchanged"
    assert _entries(desk_a, item)[0].indexed_at == first.indexed_at  # not rewritten
    with schema_context(desk_a.portal.schema_name):
        item_transition(item=item, action="unpublish", user=desk_a.head, comment="Trùng")
    assert desk_a.sync(item) == "removed"
    assert desk_a.sync(item) == "unchanged"
    assert (
        index_item_sync(schema_name=desk_a.portal.schema_name, model_label="content.article", pk=10**9) == "unchanged"
    )
    assert index_item_sync(schema_name="portal_khong_co", model_label="content.article", pk=item.pk) == "ignored"
    assert index_item_sync(schema_name=desk_a.portal.schema_name, model_label="content.workschedule", pk=1) == "ignored"


def test_only_public_items_and_no_personal_data(desk_a: Desk) -> None:
    schema = desk_a.portal.schema_name
    with schema_context(schema):
        draft = item_save(
            model=Article,
            data={"title": "Bản nháp", "body": "<p>x</p>", "author": "A", "sections": [desk_a.section.pk]},
            user=desk_a.writer,
        )
    approved = desk_a.approved(Article, title="Đã duyệt chưa đăng")
    live = desk_a.published(Article, title="Đã đăng", body="<p>Liên hệ <b>Phòng</b> Văn hoá</p>")
    with schema_context(schema):
        week = item_save(model=WorkSchedule, data={"week_start": "2026-11-23"}, user=desk_a.editor)
    for item in (draft, approved, week):
        desk_a.sync(item)
    report = index_portal_rebuild(portal=desk_a.portal)
    assert report.items == 1
    [entry] = _entries(desk_a)
    assert entry.object_id == live.pk
    assert entry.body == "Liên hệ Phòng Văn hoá"  # plain text, tags gone
    row = Entry.objects.filter(pk=entry.pk).values().get()
    text = " ".join(str(v) for v in row.values())
    for private in (desk_a.writer.username, desk_a.head.username, desk_a.writer.email or "@"):
        assert private not in text


def test_every_content_source_builds_its_entry(desk_a: Desk) -> None:
    doc = desk_a.published(
        LegalDocument,
        number="15/2026/QĐ-UBND",
        abstract="Quy định bồi thường khi thu hồi đất",
        issuer="UBND xã An",
        issue_date="2026-10-05",
    )
    note = desk_a.published(Announcement, title="Thông báo tuyển dụng", language="vi")
    with schema_context(desk_a.portal.schema_name):
        page = Page.objects.create(kind="intro", slug="gioi-thieu-chung", title="Giới thiệu chung")
        page = item_save(
            model=Page,
            item=page,
            data={"body": "<p>Xã An</p>", "title_en": "About", "body_en": "<p>An commune</p>"},
            user=desk_a.editor,
        )
        page = item_transition(item=page, action="submit", user=desk_a.editor)
        page = item_transition(item=page, action="approve", user=desk_a.head)
        page = item_transition(item=page, action="publish", user=desk_a.head)
    desk_a.sync(page)
    [entry] = _entries(desk_a, doc)
    assert (entry.kind, entry.path, entry.date, entry.doc_field, entry.issuer_key) == (
        "legal_document",
        f"/van-ban/{doc.pk}/",
        dt.date(2026, 10, 5),
        "dat-dai",
        "ubnd xa an",
    )
    assert entry.title == "Quyết định 15/2026/QĐ-UBND"
    assert entry.data["number"] == "15/2026/QĐ-UBND"
    assert _entries(desk_a, note)[0].path == f"/thong-bao/{note.slug}/"
    english, vietnamese = _entries(desk_a, page)
    assert (vietnamese.language, vietnamese.title, english.language, english.title) == (
        "vi",
        "Giới thiệu chung",
        "en",
        "About",
    )
    assert vietnamese.path == english.path == "/gioi-thieu/gioi-thieu-chung/"
    # Dropping the English version drops its row.
    with schema_context(desk_a.portal.schema_name):
        page = item_save(model=Page, item=page, data={"title_en": "", "body_en": ""}, user=desk_a.editor)
        page = item_transition(item=page, action="submit", user=desk_a.editor)
        page = item_transition(item=page, action="approve", user=desk_a.head)
        page = item_transition(item=page, action="publish", user=desk_a.head)
    desk_a.sync(page)
    assert [e.language for e in _entries(desk_a, page)] == ["vi"]


def test_rebuild_and_drift_check(desk_a: Desk, desk_b: Desk) -> None:
    kept = desk_a.published(Article, title="Tin giữ nguyên", index=False)
    changed = desk_a.published(Article, title="Tin sẽ sửa", index=False)
    gone = desk_a.published(Article, title="Tin sẽ gỡ", index=False)
    other = desk_b.published(Article, title="Tin của xã Bình")
    assert index_portal_drift(portal=desk_a.portal).missing == sorted(
        ("content.article", i.pk, "vi") for i in (kept, changed, gone)
    )
    first = index_portal_rebuild(portal=desk_a.portal)
    assert (first.items, first.entries, first.written, first.removed) == (3, 3, 3, 0)
    assert index_portal_drift(portal=desk_a.portal).clean

    # Changes the index did not hear of (a lost job): the drift check sees each kind.
    Entry.objects.filter(portal=desk_a.portal, object_id=changed.pk).update(title="cũ", checksum="x")
    with schema_context(desk_a.portal.schema_name):
        Article.objects.filter(pk=gone.pk).update(live=False, status="unpublished")
    drift = index_portal_drift(portal=desk_a.portal)
    assert drift.stale == [("content.article", changed.pk, "vi")]
    assert drift.orphaned == [("content.article", gone.pk, "vi")]
    assert drift.missing == []
    with pytest.raises(CommandError):
        call_command("search_check", portal=desk_a.portal.abbreviation)

    second = index_portal_rebuild(portal=desk_a.portal)
    assert (second.items, second.written, second.removed) == (2, 1, 1)  # the unchanged row is not rewritten
    assert index_portal_drift(portal=desk_a.portal).clean
    assert {e.title for e in _entries(desk_a)} == {"Tin giữ nguyên", "Tin sẽ sửa"}
    assert [e.object_id for e in _entries(desk_b)] == [other.pk]  # another portal untouched
    call_command("search_check", portal=desk_a.portal.abbreviation)
    call_command("search_rebuild", schema=desk_b.portal.schema_name)
    with pytest.raises(CommandError):
        call_command("search_rebuild", portal="khong-co")


def test_what_the_index_does_not_hold_sends_no_job(
    desk_a: Desk, heard_jobs: Jobs, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        week = desk_a.approved(WorkSchedule, week_start="2026-11-30", title="Lịch tuần")
        with schema_context(desk_a.portal.schema_name):
            item_transition(item=week, action="publish", user=desk_a.head)
    assert heard_jobs() == []


def test_the_nightly_repair_rebuilds_drifted_portals(desk_a: Desk, desk_b: Desk) -> None:
    from portal_platform.search.tasks import index_repair_all

    lost = desk_a.published(Article, title="Tin mà công việc lập chỉ mục bị mất")
    kept = desk_b.published(Article, title="Tin của xã Bình")
    Entry.objects.filter(portal=desk_a.portal, object_id=lost.pk).delete()
    untouched = Entry.objects.get(portal=desk_b.portal, object_id=kept.pk).indexed_at
    index_repair_all()
    assert index_portal_drift(portal=desk_a.portal).clean
    assert [e.title for e in _entries(desk_a)] == ["Tin mà công việc lập chỉ mục bị mất"]
    assert Entry.objects.get(portal=desk_b.portal, object_id=kept.pk).indexed_at == untouched
