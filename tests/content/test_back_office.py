"""The back office of the workflow (issue 5): forms through item_save, buttons, queues, diff, stale pages.

Every request goes through the Django test client on the portal's own host, as the board uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles
from content.admin.workflow import EDITOR_EXTENSIONS
from content.models import Article, Category, Page, Revision, SiteSettings, Status, Transition
from content.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from content.services import page_review_confirm, pages_stale, pages_stale_counts, workflow
from content.services.workflow import item_save, item_transition
from portal_platform.errors import ApplicationError
from tenants.models import Portal
from tests.board import account, client_for, roles_ready

pytestmark = pytest.mark.django_db

ROLE_KEYS = (roles.CONTRIBUTOR, roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD, roles.TENANT_ADMIN)
ADMIN = "/admin/content/article/"


def vi(msgid: str, **values: Any) -> str:
    """A message as the Vietnamese screen shows it (whether or not the catalogue has it yet)."""
    with translation.override("vi"):
        text = gettext(msgid)
        return text % values if values else text


@pytest.fixture
def staff(portal_a: Portal) -> Iterator[dict[str, User]]:
    with schema_context(portal_a.schema_name):
        roles_ready()
        SiteSettings.objects.get_or_create(pk=1)
        people = {key: account(f"{key.replace('_', '')}.xa-a", roles=[key]) for key in ROLE_KEYS}
        people["other"] = account("khac.xa-a", roles=[roles.CONTRIBUTOR])
        yield people


@pytest.fixture
def section(staff: dict[str, User]) -> Category:
    return Category.objects.create(name="Tin tức", slug="tin-tuc")


@pytest.fixture
def clients(portal_a: Portal, staff: dict[str, User]) -> dict[str, Client]:
    return {key: client_for(portal_a, user) for key, user in staff.items()}


def _form(section: Category, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Xã An tổ chức Hội nghị",
        "slug": "",
        "summary": "",
        "body": "<p>Nội dung</p>",
        "cover_alt": "",
        "sections": [section.pk],
        "author": "Phóng viên",
        "language": "vi",
        "source_name": "",
        "source_url": "",
        "source_published_at_0": "",
        "source_published_at_1": "",
        "revision_comment": "",
    }
    data.update(extra)
    return data


def _article(user: User, section: Category, **extra: Any) -> Article:
    data = {"title": "Bài viết", "body": "<p>Nội dung</p>", "author": "Phóng viên", "sections": [section.pk], **extra}
    return item_save(model=Article, data=data, user=user)


def _in_state(status: str, staff: dict[str, User], section: Category, **extra: Any) -> Article:
    owner, head = staff[roles.CONTRIBUTOR], staff[roles.BOARD_HEAD]
    item = _article(owner, section, **extra)
    paths: dict[str, list[tuple[str, User]]] = {
        Status.DRAFT: [],
        Status.SUBMITTED: [("submit", owner)],
        Status.APPROVED: [("submit", owner), ("approve", head)],
        Status.PUBLISHED: [("submit", owner), ("approve", head), ("publish", head)],
    }
    for action, user in paths[status]:
        item = item_transition(item=item, action=action, user=user)
    return item


def _change(item: Any) -> str:
    return f"/admin/content/{item._meta.model_name}/{item.pk}/change/"


def _step(client: Client, item: Any, action: str, **extra: str) -> str:
    response = client.post(
        f"/admin/content/{item._meta.model_name}/{item.pk}/quy-trinh/", {"action": action, **extra}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def _listed(client: Client, path: str) -> list[int]:
    response = client.get(path)
    assert response.status_code == 200
    return sorted(obj.pk for obj in response.context["cl"].result_list)


# --- the form saves through item_save -------------------------------------------------------------


def test_create_and_edit_through_the_admin_makes_revisions(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    client = clients[roles.CONTRIBUTOR]
    page = client.get(f"{ADMIN}add/")
    assert page.status_code == 200
    assert "data-django-prose-editor-configurable" in page.content.decode()  # the editor on the body
    response = client.post(f"{ADMIN}add/", _form(section, revision_comment="Bản đầu"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        item = Article.objects.get()
        assert item.owner == staff[roles.CONTRIBUTOR] and item.status == Status.DRAFT
        assert item.slug == "xa-an-to-chuc-hoi-nghi"  # made by the service from the title
        assert [(r.number, r.comment) for r in workflow.item_revisions(item=item)] == [(1, "Bản đầu")]

    response = client.post(_change(item), _form(section, title="Xã An tổ chức Đại hội", slug=item.slug))
    assert response.status_code == 302
    with schema_context(portal_a.schema_name):
        item = Article.objects.get()
        assert item.title == "Xã An tổ chức Đại hội" and item.sections.get() == section
        assert workflow.item_revisions(item=item).count() == 2
    # The workflow fields are shown, not editable: a posted status is ignored.
    client.post(_change(item), _form(section, title="Lần ba", slug=item.slug, status="published", live="on"))
    with schema_context(portal_a.schema_name):
        item = Article.objects.get()
        assert item.title == "Lần ba" and item.status == Status.DRAFT and not item.live


def test_bad_input_shows_the_services_message_and_saves_nothing(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    client = clients[roles.EDITOR]
    response = client.post(f"{ADMIN}add/", _form(section, title="", sections=[]))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "title" in errors and "sections" in errors
    response = client.post(f"{ADMIN}add/", _form(section, is_republished="on", source_name="Báo Nghệ An"))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        assert not Article.objects.exists() and not Revision.objects.exists()
        item = _article(staff[roles.EDITOR], section)
    response = client.post(_change(item), _form(section, sections=["987654"]))
    assert response.status_code == 200 and "sections" in response.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        assert workflow.item_revisions(item=item).count() == 1


def test_malicious_html_posted_through_the_form_is_stored_clean(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    body = (
        '<p onclick="alert(1)">Trước</p><script>alert(1)</script><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">x</a><iframe src="https://evil.example"></iframe><p>Sau</p>'
    )
    response = clients[roles.EDITOR].post(f"{ADMIN}add/", _form(section, body=body))
    assert response.status_code == 302
    with schema_context(portal_a.schema_name):
        stored = Article.objects.get().body.lower()
        revision = Revision.objects.get()
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe"):
        assert bad not in stored and bad not in str(revision.data["body"]).lower()
    assert "trước" in stored and "sau" in stored


def test_editing_a_live_item_keeps_the_published_version_and_says_so(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        live = _in_state(Status.PUBLISHED, staff, section, title="Bản đã xuất bản")
    client = clients[roles.EDITOR]
    response = client.post(_change(live), _form(section, title="Bản sửa", slug=live.slug), follow=True)
    assert response.status_code == 200
    with schema_context(portal_a.schema_name):
        row = Article.objects.get(pk=live.pk)
        assert row.live and row.title == "Bản đã xuất bản" and row.has_pending_changes
    page = client.get(_change(live)).content.decode()
    assert vi("This item has an edit waiting for approval; the public still sees the published version.") in page
    assert 'value="Bản sửa"' in page  # the form edits the working version, not the live row


def test_roles_decide_what_the_admin_offers(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        theirs = _article(staff["other"], section, title="Bài của người khác")
        submitted = _in_state(Status.SUBMITTED, staff, section)
    contributor = clients[roles.CONTRIBUTOR]
    # Another contributor's draft is not visible; an item under review cannot be changed by its author.
    assert contributor.get(_change(theirs)).status_code == 302
    assert theirs.pk not in _listed(contributor, ADMIN)
    view = contributor.get(_change(submitted))
    assert view.status_code == 200 and not view.context["has_change_permission"]
    assert contributor.post(_change(submitted), _form(section, title="Sửa")).status_code == 403
    # The portal administrator writes no content.
    assert clients[roles.TENANT_ADMIN].get(f"{ADMIN}add/").status_code == 403
    with schema_context(portal_a.schema_name):
        assert Article.objects.get(pk=submitted.pk).title == "Bài viết"


# --- workflow buttons ------------------------------------------------------------------------------


def test_each_button_takes_its_step(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        item = _article(staff[roles.CONTRIBUTOR], section)
    page = clients[roles.CONTRIBUTOR].get(_change(item)).content.decode()
    assert 'name="action" value="submit"' in page and 'value="approve"' not in page

    steps = [
        (roles.CONTRIBUTOR, "submit", {}, Status.SUBMITTED),
        (roles.EDITOR, "return", {"comment": "Bổ sung ảnh"}, Status.RETURNED),
        (roles.CONTRIBUTOR, "submit", {}, Status.SUBMITTED),
        (roles.BOARD_DEPUTY, "approve", {}, Status.APPROVED),
        (roles.BOARD_HEAD, "publish", {}, Status.PUBLISHED),
        (roles.BOARD_HEAD, "unpublish", {"comment": "Sai số liệu"}, Status.UNPUBLISHED),
        (roles.BOARD_HEAD, "archive", {}, Status.ARCHIVED),
    ]
    for key, action, extra, target in steps:
        with schema_context(portal_a.schema_name):
            offered = {a.key for a in workflow.actions_available(item=Article.objects.get(pk=item.pk), user=staff[key])}
        assert action in offered
        page = _step(clients[key], item, action, **extra)
        with schema_context(portal_a.schema_name):
            row = Article.objects.get(pk=item.pk)
            assert row.status == target, (action, page)
            last = workflow.item_history(item=row).first()
            assert last is not None and last.action == action and last.actor == staff[key].username
    with schema_context(portal_a.schema_name):
        history = list(workflow.item_history(item=row).values_list("comment", flat=True))
    assert "Bổ sung ảnh" in history and "Sai số liệu" in history
    page = clients[roles.BOARD_HEAD].get(_change(item)).content.decode()
    assert "Bổ sung ảnh" in page and "Sai số liệu" in page  # the history panel


def test_a_refused_step_shows_a_vietnamese_error_and_changes_nothing(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        item = _in_state(Status.SUBMITTED, staff, section)
        before = Transition.objects.count()
    page = _step(clients[roles.CONTRIBUTOR], item, "approve")
    with translation.override("vi"):
        label = str(workflow.ACTIONS["approve"].label)
    assert vi("Your role does not allow this step (%(action)s).", action=label) in page
    page = _step(clients[roles.EDITOR], item, "return", comment=" ")
    with translation.override("vi"):
        return_label = str(workflow.ACTIONS["return"].label)
    assert vi("Give a reason for “%(action)s”.", action=return_label) in page
    page = _step(clients[roles.BOARD_HEAD], item, "publish")
    assert 'class="error"' in page
    page = _step(clients[roles.BOARD_HEAD], item, "no-such-step")
    assert vi("Unknown workflow step.") in page
    with schema_context(portal_a.schema_name):
        row = Article.objects.get(pk=item.pk)
        assert row.status == Status.SUBMITTED and not row.live and Transition.objects.count() == before
    # A GET never takes a step.
    assert clients[roles.BOARD_HEAD].get(f"{ADMIN}{item.pk}/quy-trinh/").status_code == 405


def test_publication_can_be_scheduled_from_the_button(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        item = _in_state(Status.APPROVED, staff, section)
    head = clients[roles.BOARD_HEAD]
    assert 'type="datetime-local"' in head.get(_change(item)).content.decode()
    past = timezone.localtime() - dt.timedelta(hours=1)
    page = _step(head, item, "publish", publish_at=past.strftime("%Y-%m-%dT%H:%M"))
    assert vi("Choose a time in the future, or leave the time empty to publish now.") in page
    with schema_context(portal_a.schema_name):
        assert Article.objects.get(pk=item.pk).publish_at is None
    at = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    _step(head, item, "publish", publish_at=at.strftime("%Y-%m-%dT%H:%M"))
    with schema_context(portal_a.schema_name):
        row = Article.objects.get(pk=item.pk)
        assert row.status == Status.APPROVED and row.publish_at == at and not row.live
    assert item.pk in _listed(head, f"{ADMIN}?queue=scheduled")
    _step(head, item, "unschedule")
    with schema_context(portal_a.schema_name):
        assert Article.objects.get(pk=item.pk).publish_at is None


# --- queues ----------------------------------------------------------------------------------------


def test_queues_hold_the_right_items(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        draft = _in_state(Status.DRAFT, staff, section)
        others = _article(staff["other"], section, title="Nháp của người khác")
        submitted = _in_state(Status.SUBMITTED, staff, section)
        approved = _in_state(Status.APPROVED, staff, section)
        live = _in_state(Status.PUBLISHED, staff, section)
        returned = item_transition(
            item=_in_state(Status.SUBMITTED, staff, section), action="return", user=staff[roles.EDITOR], comment="x"
        )
    contributor, editor, head = clients[roles.CONTRIBUTOR], clients[roles.EDITOR], clients[roles.BOARD_HEAD]
    assert _listed(contributor, f"{ADMIN}?queue=mine") == sorted([draft.pk, returned.pk])
    assert others.pk not in _listed(contributor, ADMIN)
    assert _listed(editor, f"{ADMIN}?queue=review") == [submitted.pk]
    assert _listed(head, f"{ADMIN}?queue=approval") == [submitted.pk]  # one-step review
    assert _listed(head, f"{ADMIN}?queue=approved") == [approved.pk]
    assert _listed(head, f"{ADMIN}?queue=published") == [live.pk]
    assert _listed(head, f"{ADMIN}?queue=scheduled") == []

    with schema_context(portal_a.schema_name):
        SiteSettings.objects.filter(pk=1).update(review_steps=2)
    _step(editor, submitted, "forward")  # two-step review: the editor's button
    assert _listed(head, f"{ADMIN}?queue=approval") == [submitted.pk]
    assert _listed(editor, f"{ADMIN}?queue=review") == []

    # The index shows each role the counts of its own queues.
    index = head.get("/admin/").content.decode()
    assert 'id="workflow-queues"' in index
    assert f'href="{ADMIN}?queue=approval"' in index and f'href="{ADMIN}?queue=published"' in index
    mine = contributor.get("/admin/").content.decode()
    assert f'href="{ADMIN}?queue=mine"' in mine and "?queue=approval" not in mine
    assert vi("My drafts") in mine and vi("Waiting for approval") not in mine
    assert 'id="workflow-queues"' not in clients[roles.TENANT_ADMIN].get("/admin/").content.decode()


# --- revisions -----------------------------------------------------------------------------------


def test_the_diff_page_and_restore(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    editor = staff[roles.EDITOR]
    with schema_context(portal_a.schema_name):
        item = _article(editor, section, title="Xã An tổ chức Hội nghị <b>")
        item = item_save(model=Article, item=item, data={"title": "Xã An tổ chức Đại hội <b>"}, user=editor)
    client = clients[roles.EDITOR]
    change = client.get(_change(item)).content.decode()
    assert f"{ADMIN}{item.pk}/phien-ban/so-sanh/?old=1&amp;new=2" in change
    page = client.get(f"{ADMIN}{item.pk}/phien-ban/so-sanh/", {"old": 1, "new": 2}).content.decode()
    assert "<del>Hội nghị " in page and "<ins>Đại hội " in page
    assert "&lt;b&gt;" in page and "<b>" not in page.split('class="revision-diff"')[1]  # text stays escaped
    assert client.get(f"{ADMIN}{item.pk}/phien-ban/so-sanh/", {"old": 1, "new": 99}).status_code == 404

    response = client.post(f"{ADMIN}{item.pk}/phien-ban/1/khoi-phuc/", follow=True)
    assert response.status_code == 200
    with schema_context(portal_a.schema_name):
        row = Article.objects.get(pk=item.pk)
        assert row.title == "Xã An tổ chức Hội nghị <b>"
        assert workflow.item_revisions(item=row).first().number == 3  # type: ignore[union-attr]
    # Someone who may not edit the item cannot restore either.
    assert clients["other"].post(f"{ADMIN}{item.pk}/phien-ban/1/khoi-phuc/").status_code == 404  # not visible
    with schema_context(portal_a.schema_name):
        assert workflow.item_revisions(item=row).count() == 3


def test_published_items_are_never_deleted_from_the_admin(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        live = _in_state(Status.PUBLISHED, staff, section)
        draft = _article(staff[roles.EDITOR], section, title="Nháp bỏ đi")
    head = clients[roles.BOARD_HEAD]
    assert f"{ADMIN}{live.pk}/delete/" not in head.get(_change(live)).content.decode()
    assert head.post(f"{ADMIN}{live.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in head.get(ADMIN).content.decode()
    response = clients[roles.EDITOR].post(f"{ADMIN}{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    with schema_context(portal_a.schema_name):
        assert Article.objects.filter(pk=live.pk).exists() and not Article.objects.filter(pk=draft.pk).exists()
        assert not Revision.objects.filter(object_id=draft.pk, content_type__model="article").exists()


# --- the editor widget and the language ----------------------------------------------------------


def test_the_editor_offers_only_what_the_sanitiser_keeps(
    portal_a: Portal, staff: dict[str, User], clients: dict[str, Client]
) -> None:
    from django_prose_editor.config import allowlist_from_extensions

    allowed = allowlist_from_extensions(EDITOR_EXTENSIONS)
    assert allowed["tags"] <= ALLOWED_TAGS
    # rel is set on every link by the sanitiser itself; an ordered list's type is cosmetic and dropped.
    dropped = {"a": {"rel"}, "ol": {"type", "data-type"}}
    for tag, attributes in allowed["attributes"].items():
        assert set(attributes) - dropped.get(tag, set()) <= ALLOWED_ATTRIBUTES.get(tag, set()), tag
    assert clients[roles.EDITOR].get("/static/django_prose_editor/editor.js").status_code == 200


def test_the_back_office_speaks_vietnamese(
    portal_a: Portal, staff: dict[str, User], section: Category, clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        item = _in_state(Status.SUBMITTED, staff, section)
    page = clients[roles.BOARD_HEAD].get(_change(item), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="vi"' in page
    assert "Lưu và tiếp tục chỉnh sửa" in page  # Django's own admin catalogue
    for msgid in ("Workflow steps", "Workflow history", "Note on this version"):
        assert vi(msgid) in page, msgid
    with translation.override("vi"):
        assert pgettext("workflow", "Revisions") in page and pgettext("workflow", "Comment") in page
    assert str(vi_label(Status.SUBMITTED.label)) in page
    listing = clients[roles.BOARD_HEAD].get(ADMIN).content.decode()
    assert vi("queue") in listing and vi("Waiting for approval") in listing


def vi_label(label: Any) -> str:
    with translation.override("vi"):
        return str(label)


# --- stale background pages ----------------------------------------------------------------------


def _page(staff: dict[str, User], kind: str, *, live: bool) -> Page:
    page = Page.objects.create(kind=kind, slug=f"trang-{kind}", title=f"Trang {kind}", body="<p>x</p>")
    if live:
        page = item_save(model=Page, item=page, data={"body": "<p>Đã hoàn thiện</p>"}, user=staff[roles.EDITOR])
        for action in ("submit", "approve", "publish"):
            page = item_transition(item=page, action=action, user=staff[roles.BOARD_HEAD])
    return page


def test_stale_pages_are_flagged_and_confirmed(
    portal_a: Portal, staff: dict[str, User], clients: dict[str, Client]
) -> None:
    with schema_context(portal_a.schema_name):
        placeholder = _page(staff, "intro", live=False)
        fresh = _page(staff, "contacts", live=True)
        old = _page(staff, "leaders", live=True)
        long_ago = timezone.now() - dt.timedelta(days=400)
        Page.objects.filter(pk=old.pk).update(published_at=long_ago, first_published_at=long_ago)
        assert set(pages_stale().values_list("pk", flat=True)) == {placeholder.pk, old.pk}

    head, editor = clients[roles.BOARD_HEAD], clients[roles.EDITOR]
    assert _listed(head, "/admin/content/page/?stale=yes") == sorted([placeholder.pk, old.pk])
    assert _listed(head, "/admin/content/page/?stale=no") == [fresh.pk]
    page = head.get(_change(old)).content.decode()
    assert "/xac-nhan-ra-soat/" in page
    assert "/xac-nhan-ra-soat/" not in editor.get(_change(old)).content.decode()  # no review_page permission

    refused = editor.post(f"/admin/content/page/{old.pk}/xac-nhan-ra-soat/", follow=True).content.decode()
    assert vi("Your role does not allow confirming that a background page is up to date.") in refused
    not_live = head.post(f"/admin/content/page/{placeholder.pk}/xac-nhan-ra-soat/", follow=True).content.decode()
    assert vi("Only a published page can be confirmed as up to date; complete and publish it first.") in not_live
    head.post(f"/admin/content/page/{old.pk}/xac-nhan-ra-soat/", follow=True)
    with schema_context(portal_a.schema_name):
        assert Page.objects.get(pk=old.pk).last_reviewed_at is not None
        assert set(pages_stale().values_list("pk", flat=True)) == {placeholder.pk}
        # The period is the portal's setting.
        SiteSettings.objects.filter(pk=1).update(page_review_days=1)
        later = timezone.now() + dt.timedelta(days=2)
        assert set(pages_stale(now=later).values_list("pk", flat=True)) == {placeholder.pk, old.pk, fresh.pk}
        SiteSettings.objects.filter(pk=1).update(page_review_days=180)

    # The list action does the same for several pages; pages it cannot confirm are named.
    response = head.post(
        "/admin/content/page/",
        {"action": "confirm_reviewed", "_selected_action": [fresh.pk, placeholder.pk]},
        follow=True,
    )
    assert response.status_code == 200
    with schema_context(portal_a.schema_name):
        assert Page.objects.get(pk=fresh.pk).last_reviewed_at is not None
        assert Page.objects.get(pk=placeholder.pk).last_reviewed_at is None
        with pytest.raises(ApplicationError) as caught:
            page_review_confirm(page=placeholder, user=staff[roles.BOARD_HEAD])
        assert caught.value.code == "page_not_live"


def test_the_console_shows_each_portals_stale_pages(portal_a: Portal, portal_b: Portal, staff: dict[str, User]) -> None:
    with schema_context(portal_a.schema_name):
        _page(staff, "intro", live=False)
        _page(staff, "contacts", live=True)
        old = _page(staff, "leaders", live=True)
        Page.objects.filter(pk=old.pk).update(published_at=timezone.now() - dt.timedelta(days=400))
        expected_a = pages_stale().count()
    with schema_context(portal_b.schema_name):
        expected_b = pages_stale().count()
    assert expected_a >= 2
    counts = pages_stale_counts(schema_names=[portal_a.schema_name, portal_b.schema_name, "no_such_schema"])
    assert counts == {portal_a.schema_name: expected_a, portal_b.schema_name: expected_b}
    # The SQL and the ORM agree when the period changes too.
    later = timezone.now() + dt.timedelta(days=200)
    with schema_context(portal_a.schema_name):
        assert pages_stale_counts(schema_names=[portal_a.schema_name], now=later) == {
            portal_a.schema_name: pages_stale(now=later).count()
        }

    with schema_context(settings.PUBLIC_SCHEMA_NAME):  # the console's operators live in the public schema
        operator = User.objects.create_user("op.console", password="Thu@Nghiem2026", is_staff=True)
        console = Client(HTTP_HOST=settings.CONSOLE_HOST)
        console.force_login(operator)
    body = console.get("/cong-thong-tin/").content.decode()
    assert vi("Background pages due for review") in body
    row = body.split(portal_a.name, 1)[1].split("</tr>", 1)[0]
    with translation.override("vi"):
        from django.utils.translation import ngettext

        label = ngettext("%(count)s page due for review", "%(count)s pages due for review", expected_a)
    assert label.replace("%(count)s", str(expected_a)) in row


# --- the other item types --------------------------------------------------------------------------


def test_every_item_type_is_written_through_its_admin(
    portal_a: Portal, staff: dict[str, User], clients: dict[str, Client]
) -> None:
    from content.models import Announcement, DocumentField, LegalDocument, WorkSchedule

    head = clients[roles.BOARD_HEAD]
    for model in ("article", "legaldocument", "announcement", "workschedule", "page", "tag", "documentfield"):
        assert head.get(f"/admin/content/{model}/").status_code == 200, model
        assert head.get(f"/admin/content/{model}/add/").status_code == 200, model
    with schema_context(portal_a.schema_name):
        field = DocumentField.objects.create(name="Đất đai", slug="dat-dai")
    document = {
        "form": "quyet-dinh",
        "number": "12/2026/QĐ-UBND",
        "issuer": "UBND xã An",
        "signer": "Nguyễn Văn A",
        "field": field.pk,
        "issue_date": "01/11/2026",
        "effective_date": "15/10/2026",  # before the issue date: refused by the service
        "abstract": "Ban hành quy chế",
        "validity": "in_force",
        "replaced_by": "",
        "national_db_url": "",
        "revision_comment": "",
    }
    refused = head.post("/admin/content/legaldocument/add/", document)
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    assert head.post("/admin/content/legaldocument/add/", {**document, "effective_date": ""}).status_code == 302
    announcement = {"title": "Thông báo lịch tiếp dân", "slug": "", "body": "<p>Thứ Năm</p>", "language": "vi"}
    response = head.post(
        "/admin/content/announcement/add/", {**announcement, "valid_until": "", "revision_comment": ""}
    )
    assert response.status_code == 302
    week = {"week_start": "25/11/2026", "title": "", "entries": "[]", "notes": "", "revision_comment": ""}
    refused = head.post("/admin/content/workschedule/add/", week)  # a Wednesday
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    assert head.post("/admin/content/workschedule/add/", {**week, "week_start": "23/11/2026"}).status_code == 302
    with schema_context(portal_a.schema_name):
        document_row = LegalDocument.objects.get()
        assert document_row.effective_date is None and document_row.status == Status.DRAFT
        assert Announcement.objects.get().slug == "thong-bao-lich-tiep-dan"
        assert WorkSchedule.objects.get().week_start == dt.date(2026, 11, 23)
        assert Revision.objects.count() == 3
