"""The editorial workflow (issue 5): every transition by every role, revisions, scheduling, sanitising."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from accounts import handover
from accounts.models import User
from content import roles
from content.models import (
    Announcement,
    Article,
    Category,
    DocumentField,
    LegalDocument,
    Page,
    Revision,
    SiteSettings,
    Status,
    Transition,
    WorkSchedule,
)
from content.services import workflow
from content.services.workflow import item_save, item_transition
from portal_platform.errors import ApplicationError
from tenants.context import tenant_db
from tenants.models import Portal
from tests.board import account, roles_ready

pytestmark = pytest.mark.django_db

ROLE_KEYS = (roles.CONTRIBUTOR, roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD, roles.TENANT_ADMIN)


@pytest.fixture
def staff(portal_a: Portal) -> Iterator[dict[str, User]]:
    """One account per editorial role, plus a second contributor, inside portal A."""
    with schema_context(portal_a.schema_name):
        roles_ready()
        SiteSettings.objects.get_or_create(pk=1)
        people = {key: account(f"{key.replace('_', '')}.xa-a", roles=[key]) for key in ROLE_KEYS}
        people["other"] = account("khac.xa-a", roles=[roles.CONTRIBUTOR])
        yield people


@pytest.fixture
def section(staff: dict[str, User]) -> Category:
    return Category.objects.create(name="Tin tức", slug="tin-tuc")


def _article(user: User, section: Category, **extra: Any) -> Article:
    data = {
        "title": "Xã An tổ chức Hội nghị",
        "body": "<p>Nội dung</p>",
        "author": "Phóng viên",
        "sections": [section.pk],
        **extra,
    }
    return item_save(model=Article, data=data, user=user)


def _approved(staff: dict[str, User], section: Category) -> Article:
    item = _article(staff[roles.CONTRIBUTOR], section)
    item = item_transition(item=item, action="submit", user=staff[roles.CONTRIBUTOR])
    return item_transition(item=item, action="approve", user=staff[roles.BOARD_HEAD])


def _published(staff: dict[str, User], section: Category) -> Article:
    return item_transition(item=_approved(staff, section), action="publish", user=staff[roles.BOARD_DEPUTY])


def _refused(code: str, fn: Any, **kwargs: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        fn(**kwargs)
    assert caught.value.code == code, caught.value.message


# --- the role matrix -------------------------------------------------------------------------------

# (action, source status, roles allowed); every other role is refused.
MATRIX: list[tuple[str, str, set[str]]] = [
    ("submit", Status.DRAFT, {roles.CONTRIBUTOR, roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("return", Status.SUBMITTED, {roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("approve", Status.SUBMITTED, {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("publish", Status.APPROVED, {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("unpublish", Status.PUBLISHED, {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("archive", Status.UNPUBLISHED, {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
]


def _item_in(status: str, staff: dict[str, User], section: Category) -> Article:
    owner = staff[roles.CONTRIBUTOR]
    item = _article(owner, section, slug=f"bai-{status}-{Article.objects.count()}")
    head = staff[roles.BOARD_HEAD]
    paths: dict[str, list[tuple[str, User]]] = {
        Status.DRAFT: [],
        Status.SUBMITTED: [("submit", owner)],
        Status.APPROVED: [("submit", owner), ("approve", head)],
        Status.PUBLISHED: [("submit", owner), ("approve", head), ("publish", head)],
        Status.UNPUBLISHED: [("submit", owner), ("approve", head), ("publish", head), ("unpublish", head)],
    }
    for action, user in paths[status]:
        item = item_transition(item=item, action=action, user=user, comment="lý do")
    assert item.status == status
    return item


@pytest.mark.parametrize(("action", "source", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_every_transition_by_every_role(
    staff: dict[str, User], section: Category, action: str, source: str, allowed: set[str]
) -> None:
    for key in ROLE_KEYS:
        item = _item_in(source, staff, section)
        before = (item.status, item.live, Transition.objects.count())
        if key in allowed:
            done = item_transition(item=item, action=action, user=staff[key], comment="lý do")
            assert done.status == workflow.ACTION_TARGETS[action], (action, key)
            last = workflow.item_history(item=done).first()
            assert last is not None and last.action == action and last.from_status == source
            assert last.actor == staff[key].username and last.to_status == done.status
        else:
            _refused("workflow_forbidden", item_transition, item=item, action=action, user=staff[key], comment="x")
            item.refresh_from_db()
            assert (item.status, item.live, Transition.objects.count()) == before, (action, key)


def test_transitions_from_the_wrong_state_are_refused(staff: dict[str, User], section: Category) -> None:
    head = staff[roles.BOARD_HEAD]
    draft = _item_in(Status.DRAFT, staff, section)
    for action in ("approve", "publish", "unpublish", "return", "forward"):
        _refused("workflow_invalid_transition", item_transition, item=draft, action=action, user=head, comment="x")
    live = _item_in(Status.PUBLISHED, staff, section)
    _refused("workflow_invalid_transition", item_transition, item=live, action="archive", user=head)
    _refused("workflow_unknown_action", item_transition, item=live, action="delete", user=head)
    assert Article.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_contributor_works_only_on_their_own_items(staff: dict[str, User], section: Category) -> None:
    mine = _article(staff[roles.CONTRIBUTOR], section)
    other = staff["other"]
    _refused("workflow_forbidden", item_transition, item=mine, action="submit", user=other)
    _refused("workflow_forbidden", item_save, model=Article, item=mine, data={"title": "Sửa"}, user=other)
    submitted = item_transition(item=mine, action="submit", user=staff[roles.CONTRIBUTOR])
    # Under review: the author waits for the board.
    _refused(
        "workflow_forbidden",
        item_save,
        model=Article,
        item=submitted,
        data={"title": "Sửa"},
        user=staff[roles.CONTRIBUTOR],
    )
    returned = item_transition(item=submitted, action="return", user=staff[roles.EDITOR], comment="Bổ sung ảnh")
    assert returned.status_comment == "Bổ sung ảnh"
    again = item_save(model=Article, item=returned, data={"title": "Đã sửa"}, user=staff[roles.CONTRIBUTOR])
    assert again.title == "Đã sửa" and again.status == Status.RETURNED


def test_the_portal_admin_writes_no_content(staff: dict[str, User], section: Category) -> None:
    _refused("workflow_forbidden", _article, user=staff[roles.TENANT_ADMIN], section=section)
    assert not Article.objects.exists()


def test_return_and_unpublish_need_a_reason(staff: dict[str, User], section: Category) -> None:
    item = _item_in(Status.SUBMITTED, staff, section)
    _refused("comment_required", item_transition, item=item, action="return", user=staff[roles.EDITOR], comment=" ")
    live = _item_in(Status.PUBLISHED, staff, section)
    _refused("comment_required", item_transition, item=live, action="unpublish", user=staff[roles.BOARD_HEAD])
    assert Article.objects.get(pk=live.pk).live


def test_two_step_review_needs_an_editor_first(staff: dict[str, User], section: Category) -> None:
    SiteSettings.objects.filter(pk=1).update(review_steps=2)
    item = _item_in(Status.SUBMITTED, staff, section)
    head = staff[roles.BOARD_HEAD]
    _refused("workflow_invalid_transition", item_transition, item=item, action="approve", user=head)
    _refused("workflow_forbidden", item_transition, item=item, action="forward", user=staff[roles.CONTRIBUTOR])
    item = item_transition(item=item, action="forward", user=staff[roles.EDITOR])
    assert item.status == Status.REVIEWED
    item = item_transition(item=item, action="approve", user=head)
    assert item.status == Status.APPROVED
    SiteSettings.objects.filter(pk=1).update(review_steps=1)
    one_step = _item_in(Status.SUBMITTED, staff, section)
    _refused("workflow_invalid_transition", item_transition, item=one_step, action="forward", user=staff[roles.EDITOR])


def test_nothing_is_public_before_approval_whatever_the_path(staff: dict[str, User], section: Category) -> None:
    head = staff[roles.BOARD_HEAD]
    item = _article(head, section)
    # The head's own draft still needs the approval step; publish from draft is refused.
    _refused("workflow_invalid_transition", item_transition, item=item, action="publish", user=head)
    # A write that tries to set workflow fields through the data is refused as unknown fields.
    _refused("unknown_fields", item_save, model=Article, item=item, data={"live": True}, user=head)
    assert not Article.objects.filter(live=True).exists()


# --- live items, revisions ----------------------------------------------------------------------


def test_editing_a_published_item_keeps_the_live_version_until_approved(
    staff: dict[str, User], section: Category
) -> None:
    live = _published(staff, section)
    assert live.live and live.published_at is not None and live.title == "Xã An tổ chức Hội nghị"
    edited = item_save(model=Article, item=live, data={"title": "Tiêu đề mới"}, user=staff[roles.EDITOR])
    row = Article.objects.get(pk=live.pk)
    assert row.live and row.title == "Xã An tổ chức Hội nghị" and row.has_pending_changes
    assert edited.status == Status.DRAFT
    assert workflow.item_working_data(item=row)["title"] == "Tiêu đề mới"
    item = item_transition(item=row, action="submit", user=staff[roles.EDITOR])
    item = item_transition(item=item, action="approve", user=staff[roles.BOARD_HEAD])
    assert Article.objects.get(pk=live.pk).title == "Xã An tổ chức Hội nghị"
    item = item_transition(item=item, action="publish", user=staff[roles.BOARD_HEAD])
    row = Article.objects.get(pk=live.pk)
    assert row.title == "Tiêu đề mới" and row.live and not row.has_pending_changes


def test_unpublishing_with_a_pending_edit_keeps_the_edit(staff: dict[str, User], section: Category) -> None:
    live = _published(staff, section)
    item_save(model=Article, item=live, data={"title": "Bản sửa"}, user=staff[roles.EDITOR])
    item = item_transition(
        item=Article.objects.get(pk=live.pk), action="unpublish", user=staff[roles.BOARD_HEAD], comment="Sai số liệu"
    )
    assert not item.live and item.status == Status.UNPUBLISHED and item.title == "Bản sửa"
    archived = item_transition(item=item, action="archive", user=staff[roles.BOARD_HEAD])
    assert archived.status == Status.ARCHIVED
    _refused(
        "item_archived", item_save, model=Article, item=archived, data={"title": "x"}, user=staff[roles.BOARD_HEAD]
    )


def test_saving_an_approved_item_withdraws_the_approval(staff: dict[str, User], section: Category) -> None:
    item = _approved(staff, section)
    item = item_save(model=Article, item=item, data={"summary": "Tóm tắt"}, user=staff[roles.EDITOR])
    assert item.status == Status.SUBMITTED
    assert workflow.item_history(item=item).first().action == "edit"  # type: ignore[union-attr]


def test_every_save_is_a_revision_with_a_diff_and_restore(staff: dict[str, User], section: Category) -> None:
    editor = staff[roles.EDITOR]
    item = _article(editor, section)
    item = item_save(model=Article, item=item, data={"title": "Xã An tổ chức Đại hội"}, user=editor)
    same = item_save(model=Article, item=item, data={"title": "Xã An tổ chức Đại hội"}, user=editor)
    revs = list(workflow.item_revisions(item=same))
    assert [r.number for r in revs] == [2, 1]  # saving unchanged content adds nothing
    changes = workflow.revision_diff(item=item, old=revs[1], new=revs[0])
    assert [c.name for c in changes] == ["title"]
    assert "<del>Hội nghị</del>" in changes[0].html and "<ins>Đại hội</ins>" in changes[0].html
    restored = workflow.revision_restore(item=item, revision=revs[1], user=editor)
    assert restored.title == "Xã An tổ chức Hội nghị"
    assert workflow.item_revisions(item=restored).first().number == 3  # type: ignore[union-attr]


def test_a_revision_of_another_item_is_refused(staff: dict[str, User], section: Category) -> None:
    a = _article(staff[roles.EDITOR], section)
    b = _article(staff[roles.EDITOR], section, title="Bài khác")
    foreign = workflow.item_revisions(item=b).first()
    assert foreign is not None
    _refused("revision_not_found", workflow.revision_restore, item=a, revision=foreign, user=staff[roles.EDITOR])


def test_published_content_is_never_deleted(staff: dict[str, User], section: Category) -> None:
    live = _published(staff, section)
    _refused("item_was_published", workflow.item_delete, item=live, user=staff[roles.BOARD_HEAD])
    draft = _article(staff[roles.CONTRIBUTOR], section, title="Nháp")
    workflow.item_delete(item=draft, user=staff[roles.CONTRIBUTOR])
    assert not Article.objects.filter(pk=draft.pk).exists()
    assert not Revision.objects.filter(object_id=draft.pk, content_type__model="article").exists()


# --- scheduling ----------------------------------------------------------------------------------


def test_scheduled_publication_happens_once_at_the_minute(staff: dict[str, User], section: Category) -> None:
    from django.utils import timezone

    item = _approved(staff, section)
    at = timezone.now() + dt.timedelta(hours=2)
    item = item_transition(item=item, action="publish", user=staff[roles.BOARD_HEAD], publish_at=at)
    assert item.status == Status.APPROVED and item.publish_at == at and not item.live
    assert workflow.items_publish_due(now=at - dt.timedelta(minutes=1)) == 0
    assert workflow.items_publish_due(now=at) == 1
    assert workflow.items_publish_due(now=at + dt.timedelta(minutes=1)) == 0
    row = Article.objects.get(pk=item.pk)
    assert row.live and row.published_at == at and row.publish_at is None
    history = list(workflow.item_history(item=row).values_list("action", flat=True))
    assert history.count("scheduled_publish") == 1 and "schedule" in history


def test_a_schedule_can_be_cancelled(staff: dict[str, User], section: Category) -> None:
    from django.utils import timezone

    item = _approved(staff, section)
    at = timezone.now() + dt.timedelta(hours=1)
    item = item_transition(item=item, action="publish", user=staff[roles.BOARD_HEAD], publish_at=at)
    item = item_transition(item=item, action="unschedule", user=staff[roles.BOARD_DEPUTY])
    assert item.publish_at is None
    assert workflow.items_publish_due(now=at) == 0


def test_a_suspended_portal_publishes_nothing(portal_a: Portal, staff: dict[str, User], section: Category) -> None:
    from django.utils import timezone

    item = _approved(staff, section)
    later = _approved(staff, section)
    at = timezone.now() + dt.timedelta(minutes=5)
    item_transition(item=later, action="publish", user=staff[roles.BOARD_HEAD], publish_at=at)
    Portal.objects.filter(pk=portal_a.pk).update(status="suspended")
    try:
        _refused("portal_not_active", item_transition, item=item, action="publish", user=staff[roles.BOARD_HEAD])
        assert workflow.items_publish_due(now=at) == 0
    finally:
        Portal.objects.filter(pk=portal_a.pk).update(status="active")
    assert not Article.objects.filter(live=True).exists()


def test_the_scheduler_job_publishes_in_each_portal(
    portal_a: Portal, staff: dict[str, User], section: Category
) -> None:
    """The actor runs in the schema its message names (TenantContextMiddleware)."""
    from django.utils import timezone

    from content import tasks

    item = _approved(staff, section)
    item_transition(
        item=item, action="publish", user=staff[roles.BOARD_HEAD], publish_at=timezone.now() + dt.timedelta(seconds=1)
    )
    Article.objects.filter(pk=item.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert tenant_db.schema_name == portal_a.schema_name
    tasks.publish_due.fn(schema_name=portal_a.schema_name)
    assert Article.objects.get(pk=item.pk).live


# --- content rules -------------------------------------------------------------------------------


def test_a_republished_article_names_its_source(staff: dict[str, User], section: Category) -> None:
    editor = staff[roles.EDITOR]
    _refused("invalid_content", _article, user=editor, section=section, is_republished=True, source_name="Báo Nghệ An")
    ok = _article(
        editor,
        section,
        is_republished=True,
        source_name="Báo Nghệ An",
        source_url="https://baonghean.vn/bai-viet",
        source_published_at="2026-11-20T08:00:00+07:00",
    )
    assert ok.source_published_at is not None


def test_required_fields_and_sections(staff: dict[str, User], section: Category) -> None:
    editor = staff[roles.EDITOR]
    with pytest.raises(ApplicationError) as caught:
        item_save(model=Article, data={"title": "", "body": "", "author": ""}, user=editor)
    assert caught.value.code == "invalid_content" and "title" in caught.value.extra["fields"]
    _refused("invalid_content", item_save, model=Article, data={"title": "T", "body": "B", "author": "A"}, user=editor)
    _refused(
        "invalid_content",
        item_save,
        model=Article,
        data={"title": "T", "body": "B", "author": "A", "sections": [987654]},
        user=editor,
    )
    assert not Article.objects.exists() and not Revision.objects.exists()


def test_slugs_come_from_vietnamese_titles(staff: dict[str, User], section: Category) -> None:
    a = _article(staff[roles.EDITOR], section, title="Đảng bộ xã Đông Hồ")
    b = _article(staff[roles.EDITOR], section, title="Đảng bộ xã Đông Hồ")
    assert a.slug == "dang-bo-xa-dong-ho" and b.slug == "dang-bo-xa-dong-ho-2"


def test_legal_document_rules(staff: dict[str, User]) -> None:
    editor = staff[roles.EDITOR]
    field = DocumentField.objects.create(name="Đất đai", slug="dat-dai")
    base = {
        "form": "quyet-dinh",
        "number": "12/2026/QĐ-UBND",
        "issuer": "UBND xã An",
        "signer": "Nguyễn Văn A",
        "field": field.pk,
        "issue_date": "2026-11-01",
        "abstract": "Ban hành quy chế",
    }
    doc = item_save(model=LegalDocument, data=base, user=editor)
    _refused("invalid_content", item_save, model=LegalDocument, data={**base, "validity": "replaced"}, user=editor)
    _refused(
        "invalid_content", item_save, model=LegalDocument, data={**base, "effective_date": "2026-10-01"}, user=editor
    )
    newer = item_save(model=LegalDocument, data={**base, "number": "20/2026/QĐ-UBND"}, user=editor)
    doc = item_save(model=LegalDocument, item=doc, data={"validity": "replaced", "replaced_by": newer.pk}, user=editor)
    assert doc.replaced_by == newer


def test_work_schedule_weeks_start_on_monday(staff: dict[str, User]) -> None:
    editor = staff[roles.EDITOR]
    _refused("invalid_content", item_save, model=WorkSchedule, data={"week_start": "2026-11-25"}, user=editor)
    week = item_save(
        model=WorkSchedule,
        data={
            "week_start": "2026-11-23",
            "entries": [{"date": "2026-11-23", "time": "08:00", "leader": "Chủ tịch", "activity": "Giao ban"}],
        },
        user=editor,
    )
    assert week.week_start == dt.date(2026, 11, 23)


def test_background_pages_go_through_the_workflow(staff: dict[str, User]) -> None:
    page = Page.objects.create(kind="intro", slug="gioi-thieu", title="Giới thiệu")
    page = item_save(model=Page, item=page, data={"body": "<p>Xã An</p>"}, user=staff[roles.EDITOR])
    page = item_transition(item=page, action="submit", user=staff[roles.EDITOR])
    page = item_transition(item=page, action="approve", user=staff[roles.BOARD_HEAD])
    page = item_transition(item=page, action="publish", user=staff[roles.BOARD_HEAD])
    assert page.live and page.body == "<p>Xã An</p>"
    announcement = item_save(
        model=Announcement, data={"title": "Thông báo", "body": "<p>x</p>"}, user=staff[roles.CONTRIBUTOR]
    )
    assert announcement.slug == "thong-bao" and not announcement.live


# --- sanitising ----------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<form action="https://evil.example"><input name=x></form>',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<p onmouseover="alert(1)">x</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:/">',
]


@pytest.mark.parametrize("payload", XSS)
def test_stored_html_never_carries_script(staff: dict[str, User], section: Category, payload: str) -> None:
    item = _article(staff[roles.EDITOR], section, body=f"<p>Trước</p>{payload}<p>Sau</p>")
    body = Article.objects.get(pk=item.pk).body.lower()
    for bad in ("<script", "javascript:", "vbscript:", "onerror", "onload", "onmouseover", "ontoggle", "<iframe",
                "<svg", "<object", "<embed", "<form", "<meta", "<base", "style=", "data:"):  # fmt: skip
        assert bad not in body, (payload, body)
    assert "trước" in body  # the text around survives (an unclosed <style> swallows what follows, as in a browser)


def test_word_paste_comes_out_clean(staff: dict[str, User], section: Category) -> None:
    word = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{margin:0}</style>'
        "<xml><o:DocumentProperties><o:Author>X</o:Author></o:DocumentProperties></xml></head><body>"
        "<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->"
        '<p class="MsoNormal" style="mso-line-height-rule:exactly"><span lang="VI" style="font-size:13pt">'
        "Ủy ban nhân dân xã<o:p></o:p></span></p><p class=MsoNormal>&nbsp;</p>"
        '<p class="MsoNormal"><b><span style="font-family:Times">Thông báo</span></b></p></body></html>'
    )
    item = _article(staff[roles.EDITOR], section, body=word)
    assert Article.objects.get(pk=item.pk).body == "<p>Ủy ban nhân dân xã</p><p><b>Thông báo</b></p>"


# --- hand-over and isolation ---------------------------------------------------------------------


def test_a_closed_accounts_open_items_pass_to_the_successor(staff: dict[str, User], section: Category) -> None:
    leaving, successor = staff[roles.CONTRIBUTOR], staff["other"]
    draft = _article(leaving, section)
    live = _published(staff, section)
    moved = handover.handover_run(from_user=leaving, to_user=successor)
    assert moved["content.items"] == 1
    assert Article.objects.get(pk=draft.pk).owner == successor
    assert Article.objects.get(pk=live.pk).owner == leaving  # published work stays credited


def test_portals_do_not_see_each_others_items(
    portal_a: Portal, portal_b: Portal, staff: dict[str, User], section: Category
) -> None:
    _published(staff, section)
    with schema_context(portal_b.schema_name):
        assert not Article.objects.exists() and not Revision.objects.exists()


def test_the_import_command_makes_drafts_only(
    portal_a: Portal, staff: dict[str, User], section: Category, tmp_path: Any
) -> None:
    import json

    from django.core.management import CommandError, call_command

    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            [
                {
                    "type": "article",
                    "fields": {
                        "title": "Tin nhập",
                        "body": "<p>x<script>1</script></p>",
                        "author": "A",
                        "sections": ["tin-tuc"],
                    },
                },
                {"type": "announcement", "fields": {"title": "Thông báo nhập", "body": "<p>y</p>"}},
            ]
        ),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([{"type": "article", "fields": {"title": "Không chuyên mục", "body": "x", "author": "A"}}])
    )
    head = staff[roles.BOARD_HEAD].username
    with pytest.raises(CommandError):
        call_command("content_import", str(bad), schema=portal_a.schema_name, username=head)
    assert not Article.objects.exists()
    call_command("content_import", str(good), schema=portal_a.schema_name, username=head, submit=True)
    article = Article.objects.get()
    assert article.status == Status.SUBMITTED and not article.live and "<script" not in article.body
    assert not Announcement.objects.filter(live=True).exists()


def test_listeners_hear_of_each_public_change_after_commit(
    portal_a: Portal, staff: dict[str, User], section: Category, django_capture_on_commit_callbacks: Any
) -> None:
    from content import publishing

    heard: list[tuple[str, str, int]] = []
    publishing.listen("tests", lambda schema, label, pk: heard.append((schema, label, pk)))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            item = _approved(staff, section)
        assert heard == []  # nothing public yet
        with django_capture_on_commit_callbacks(execute=True):
            item = item_transition(item=item, action="publish", user=staff[roles.BOARD_HEAD])
        with django_capture_on_commit_callbacks(execute=True):
            item_transition(item=item, action="unpublish", user=staff[roles.BOARD_HEAD], comment="Sai")
    finally:
        publishing.unlisten("tests")
    assert heard == [(portal_a.schema_name, "content.article", item.pk)] * 2


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from content.services.media import media_upload

    return media_upload(file=SimpleUploadedFile(name, data), name=name, alt_text="Ảnh", uploaded_by="test")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.integration
def test_a_cover_is_public_exactly_while_its_article_is_live(
    staff: dict[str, User], section: Category, django_capture_on_commit_callbacks: Any
) -> None:
    from content.models import MediaFile
    from content.services.media import media_delete

    image = _upload("anh.png", _png())
    _refused("invalid_content", _article, user=staff[roles.EDITOR], section=section, cover=image.pk)  # no alt text
    with django_capture_on_commit_callbacks(execute=True):
        item = _article(staff[roles.EDITOR], section, cover=image.pk, cover_alt="Toàn cảnh hội nghị")
        item = item_transition(item=item, action="submit", user=staff[roles.EDITOR])
        item = item_transition(item=item, action="approve", user=staff[roles.BOARD_HEAD])
    assert not MediaFile.objects.get(pk=image.pk).is_public
    with django_capture_on_commit_callbacks(execute=True):
        item = item_transition(item=item, action="publish", user=staff[roles.BOARD_HEAD])
    assert MediaFile.objects.get(pk=image.pk).is_public
    _refused("media_in_use", media_delete, media=MediaFile.objects.get(pk=image.pk))
    with django_capture_on_commit_callbacks(execute=True):
        item_transition(item=item, action="unpublish", user=staff[roles.BOARD_HEAD], comment="Gỡ")
    assert not MediaFile.objects.get(pk=image.pk).is_public


@pytest.mark.integration
def test_legal_documents_attach_pdf_or_word_only(staff: dict[str, User]) -> None:
    field = DocumentField.objects.create(name="Xây dựng", slug="xay-dung")
    base = {
        "form": "quyet-dinh",
        "number": "1/2026/QĐ-UBND",
        "issuer": "UBND xã An",
        "signer": "A",
        "field": field.pk,
        "issue_date": "2026-11-01",
        "abstract": "Quy chế",
    }
    image = _upload("anh.png", _png())
    pdf = _upload("quyet-dinh.pdf", PDF)
    _refused(
        "invalid_content",
        item_save,
        model=LegalDocument,
        data={**base, "attachments": [image.pk]},
        user=staff[roles.EDITOR],
    )
    doc = item_save(model=LegalDocument, data={**base, "attachments": [pdf.pk]}, user=staff[roles.EDITOR])
    assert list(doc.attachments.values_list("pk", flat=True)) == [pdf.pk]


@pytest.mark.integration
def test_leaders_and_contact_officers_go_through_the_workflow(
    staff: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    from content.models import ContactOfficer, Leader, MediaFile

    editor, head = staff[roles.EDITOR], staff[roles.BOARD_HEAD]
    photo = _upload("chan-dung.png", _png())
    pdf = _upload("ho-so.pdf", PDF)
    _refused(
        "invalid_content", item_save, model=Leader, data={"name": "A", "position": "B", "photo": pdf.pk}, user=editor
    )
    leader = item_save(
        model=Leader,
        data={
            "name": "Nguyễn Văn A",
            "position": "Chủ tịch UBND xã",
            "photo": photo.pk,
            "profile": "<p onclick=x>Tiểu sử</p>",
        },
        user=editor,
    )
    assert leader.profile == "<p>Tiểu sử</p>" and not leader.live
    with django_capture_on_commit_callbacks(execute=True):
        for action in ("submit", "approve", "publish"):
            leader = item_transition(item=leader, action=action, user=editor if action == "submit" else head)
    assert leader.live and MediaFile.objects.get(pk=photo.pk).is_public
    _refused(
        "invalid_content",
        item_save,
        model=ContactOfficer,
        data={"name": "B", "position": "C", "area": "Đất đai"},
        user=editor,
    )
    officer = item_save(
        model=ContactOfficer,
        data={"name": "Trần Thị B", "position": "Công chức", "area": "Đất đai", "phone": "0238 3 000 000"},
        user=editor,
    )
    assert officer.status == Status.DRAFT
