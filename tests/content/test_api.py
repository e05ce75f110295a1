"""The content API on each portal's host (issue 5): public reads of published content only, the
editorial staff's endpoints through the workflow, cross-portal isolation and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from accounts.models import User
from content import roles
from content.api.staff import KINDS
from content.models import (
    Announcement,
    Article,
    Category,
    ContactOfficer,
    DocumentField,
    Leader,
    LegalDocument,
    Page,
    Publishable,
    Revision,
    SiteSettings,
    Tag,
    Transition,
    WorkSchedule,
)
from content.services import workflow
from content.services.workflow import item_save, item_transition
from tenants.models import Portal
from tests.board import account, client_for, roles_ready
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLE_KEYS = (roles.CONTRIBUTOR, roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD, roles.TENANT_ADMIN)
# Every unpublished text carries this mark; no public answer may ever contain it.
SECRET = "CHUA-CONG-BO"
_serial = itertools.count(1)


@pytest.fixture
def staff(portal_a: Portal) -> Iterator[dict[str, User]]:
    """One account per role in portal A, plus a second contributor."""
    with schema_context(portal_a.schema_name):
        roles_ready()
        SiteSettings.objects.get_or_create(pk=1)
        people = {key: account(f"{key.replace('_', '')}.xa-a", roles=[key]) for key in ROLE_KEYS}
        people["other"] = account("khac.xa-a", roles=[roles.CONTRIBUTOR])
        yield people


@pytest.fixture
def refs(staff: dict[str, User]) -> dict[str, int]:
    section = Category.objects.create(name="Tin tức", slug="tin-tuc")
    field = DocumentField.objects.create(name="Đất đai", slug="dat-dai")
    return {"section": section.pk, "field": field.pk}


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def _get(client: Client, path: str, **params: Any) -> Any:
    return client.get(f"{API}/{path}", params)


def _send(client: Client, method: str, path: str, payload: Any = None) -> Any:
    call: Callable[..., Any] = getattr(client, method)
    if payload is None:
        return call(f"{API}/{path}")
    return call(f"{API}/{path}", data=json.dumps(payload), content_type="application/json")


# --- items in every state, made through the services ------------------------------------------------------


def _data(model: type[Publishable], refs: dict[str, int], text: str) -> dict[str, Any]:
    n = next(_serial)
    if model is Article:
        return {
            "title": text,
            "slug": f"bai-{n}",
            "body": f"<p>{text}</p>",
            "author": "PV",
            "sections": [refs["section"]],
        }
    if model is LegalDocument:
        return {
            "form": "quyet-dinh",
            "number": f"{n}/2026/QĐ-UBND",
            "issuer": "UBND xã An",
            "signer": "Nguyễn Văn A",
            "field": refs["field"],
            "issue_date": "2026-03-01",
            "abstract": text,
        }
    if model is Page:
        return {"kind": "other", "slug": f"trang-{n}", "title": text, "body": f"<p>{text}</p>"}
    if model is WorkSchedule:
        monday = dt.date(2026, 1, 5) + dt.timedelta(weeks=n)
        return {
            "week_start": monday.isoformat(),
            "title": text,
            "entries": [{"date": monday.isoformat(), "activity": text}],
        }
    if model is Leader:
        return {"name": text, "position": "Chủ tịch", "profile": f"<p>{text}</p>", "order": n}
    if model is ContactOfficer:
        return {"name": text, "position": "Công chức", "area": f"Lĩnh vực {n}", "phone": "0238 000", "order": n}
    assert model is Announcement
    return {"title": text, "slug": f"thong-bao-{n}", "body": f"<p>{text}</p>"}


STATES = ("draft", "submitted", "returned", "approved", "scheduled", "published", "pending", "unpublished", "archived")
PATHS: dict[str, list[str]] = {
    "draft": [],
    "submitted": ["submit"],
    "returned": ["submit", "return"],
    "approved": ["submit", "approve"],
    "scheduled": ["submit", "approve", "schedule"],
    "published": ["submit", "approve", "publish"],
    "pending": ["submit", "approve", "publish", "edit"],
    "unpublished": ["submit", "approve", "publish", "unpublish"],
    "archived": ["submit", "approve", "publish", "unpublish", "archive"],
}


def _item(model: type[Publishable], state: str, staff: dict[str, User], refs: dict[str, int], **extra: Any) -> Any:
    """An item of ``model`` owned by the contributor, taken to ``state`` the way the board would."""
    public = state in ("published", "pending")
    text = f"Bài công khai {next(_serial)}" if public else f"{SECRET} {next(_serial)}"
    item: Any = item_save(model=model, data={**_data(model, refs, text), **extra}, user=staff[roles.CONTRIBUTOR])
    head = staff[roles.BOARD_HEAD]
    for step in PATHS[state]:
        if step == "submit":
            item = item_transition(item=item, action="submit", user=staff[roles.CONTRIBUTOR])
        elif step == "schedule":
            later = timezone.now() + dt.timedelta(days=1)
            item = item_transition(item=item, action="publish", user=head, publish_at=later)
        elif step == "edit":
            field = {LegalDocument: "abstract", Leader: "name", ContactOfficer: "name"}.get(model, "title")
            item = item_save(model=model, item=item, data={field: f"{SECRET} sửa"}, user=staff[roles.EDITOR])
        else:
            item = item_transition(item=item, action=step, user=head, comment="lý do")
    item = type(item)._default_manager.get(pk=item.pk)
    assert item.live == public, (state, item.status)
    return item


# How each type is found on the public API: list path, detail path of an item, key of a listed row.
PUBLIC: dict[type[Publishable], tuple[str, Callable[[Any], str], Callable[[dict[str, Any]], Any]]] = {
    Article: ("articles/", lambda i: f"articles/{i.slug}/", lambda r: r["slug"]),
    LegalDocument: ("legal-documents/", lambda i: f"legal-documents/{i.pk}/", lambda r: r["id"]),
    Page: ("pages/", lambda i: f"pages/{i.slug}/", lambda r: r["slug"]),
    WorkSchedule: ("schedules/", lambda i: f"schedules/{i.week_start.isoformat()}/", lambda r: r["week_start"]),
    Announcement: ("announcements/", lambda i: f"announcements/{i.slug}/", lambda r: r["slug"]),
    Leader: ("leaders/", lambda i: f"leaders/{i.pk}/", lambda r: r["id"]),
    ContactOfficer: ("contact-officers/", lambda i: f"contact-officers/{i.pk}/", lambda r: r["id"]),
}


def _public_key(item: Any) -> Any:
    if isinstance(item, LegalDocument | Leader | ContactOfficer):
        return item.pk
    if isinstance(item, WorkSchedule):
        return item.week_start.isoformat()
    return item.slug


# --- public: only what is live ------------------------------------------------------------------------------


@pytest.mark.parametrize("model", list(PUBLIC), ids=lambda m: m.__name__)
def test_public_endpoints_show_live_items_only(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int], model: type[Publishable]
) -> None:
    items = {state: _item(model, state, staff, refs) for state in STATES}
    list_path, detail_path, key = PUBLIC[model]
    # Staff signed in see no more than anyone else here: these endpoints are the public's.
    for client in (client_for(portal_a), client_for(portal_a, staff[roles.BOARD_HEAD])):
        listed = _get(client, list_path, page_size=100)
        assert listed.status_code == 200
        assert SECRET not in listed.content.decode()
        rows = listed.json()["results"]
        assert {key(row) for row in rows} == {_public_key(items["published"]), _public_key(items["pending"])}
        for row in rows:  # public fields only
            assert not {"owner", "status", "live", "working_revision", "live_revision", "status_comment"} & set(row)
        for state, item in items.items():
            detail = _get(client, detail_path(item))
            if state in ("published", "pending"):
                assert detail.status_code == 200 and SECRET not in detail.content.decode(), state
            else:
                # Not 403: the public is not told that something unpublished exists.
                assert detail.status_code == 404, state
                assert _code(detail).endswith("_not_found") and SECRET not in detail.content.decode()
    # The pending edit of a live item shows its published version.
    pending = items["pending"]
    text = getattr(pending, {LegalDocument: "abstract", Leader: "name", ContactOfficer: "name"}.get(model, "title"))
    assert (
        text.startswith("Bài công khai") and text in _get(client_for(portal_a), detail_path(pending)).content.decode()
    )


def test_article_output_filters_and_hidden_sections(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int]
) -> None:
    hidden = Category.objects.create(name=f"Ẩn {SECRET}", slug="an", is_visible=False)
    under_hidden = Category.objects.create(name=f"Con {SECRET}", slug="con-an", parent=hidden)
    child = Category.objects.create(name="Thời sự", slug="thoi-su", parent_id=refs["section"], order=1)
    tag = Tag.objects.create(name="Nông thôn mới", slug="nong-thon-moi")
    draft_tag = Tag.objects.create(name=f"Thẻ {SECRET}", slug="the-nhap")
    a = _item(Article, "published", staff, refs, sections=[refs["section"], hidden.pk], tags=[tag.pk], featured=True)
    b = _item(Article, "published", staff, refs, sections=[child.pk], language="en")
    c = _item(Article, "published", staff, refs, sections=[under_hidden.pk])
    _item(Article, "draft", staff, refs, tags=[draft_tag.pk], sections=[child.pk])
    client = client_for(portal_a)

    sections = _get(client, "sections/").json()["results"]
    assert [s["slug"] for s in sections] == ["tin-tuc", "thoi-su"]
    assert sections[1]["parent"] == refs["section"] and SECRET not in json.dumps(sections)
    assert _get(client, "sections/thoi-su/").json()["name"] == "Thời sự"
    assert _code(_get(client, "sections/con-an/")) == "section_not_found"
    assert [t["slug"] for t in _get(client, "tags/").json()["results"]] == ["nong-thon-moi"]

    def slugs(**params: Any) -> set[str]:
        response = _get(client, "articles/", **params)
        assert response.status_code == 200, response.content
        return {row["slug"] for row in response.json()["results"]}

    assert slugs() == {a.slug, b.slug, c.slug}
    assert slugs(section="tin-tuc") == {a.slug}
    assert slugs(section="thoi-su") == {b.slug}
    assert slugs(section="con-an") == set()  # a hidden section lists nothing
    assert slugs(tag="nong-thon-moi") == {a.slug}
    assert slugs(language="en") == {b.slug}
    assert slugs(featured="true") == {a.slug}
    assert slugs(featured="false") == {b.slug, c.slug}
    bad = _get(client, "articles/", language="fr")
    assert bad.status_code == 400 and _code(bad) == "invalid_input"

    detail = _get(client, f"articles/{a.slug}/").json()
    assert [s["slug"] for s in detail["sections"]] == ["tin-tuc"]  # the hidden one is left out
    assert detail["tags"] == [{"slug": "nong-thon-moi", "name": "Nông thôn mới"}]
    assert (
        detail["body"].startswith("<p>Bài công khai") and "body" not in _get(client, "articles/").json()["results"][0]
    )
    # Dates in ISO 8601 with the offset.
    assert dt.datetime.fromisoformat(detail["published_at"]).utcoffset() is not None


def test_legal_document_filters(portal_a: Portal, staff: dict[str, User], refs: dict[str, int]) -> None:
    other_field = DocumentField.objects.create(name="Giáo dục", slug="giao-duc")

    def doc(**extra: Any) -> LegalDocument:
        return _item(LegalDocument, "published", staff, refs, **extra)

    decision = doc(number="15/2026/QĐ-UBND", issuer="UBND xã An", issue_date="2026-02-10", effective_date="2026-02-20")
    plan = doc(
        form="ke-hoach", number="7/KH-UBND", issuer="Đảng ủy xã An", field=other_field.pk, issue_date="2026-05-04"
    )
    old = doc(number="3/2025/QĐ-UBND", issue_date="2025-06-01", effective_date="2025-07-01", validity="expired")
    unpublished_successor = _item(LegalDocument, "draft", staff, refs)
    replaced = doc(number="9/2025/QĐ-UBND", issue_date="2025-01-01", validity="replaced", replaced_by=decision.pk)
    replaced_by_draft = doc(
        number="10/2025/QĐ-UBND", issue_date="2025-01-02", validity="replaced", replaced_by=unpublished_successor.pk
    )
    client = client_for(portal_a)

    def ids(**params: Any) -> list[int]:
        response = _get(client, "legal-documents/", **params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    everything = [plan.pk, decision.pk, old.pk, replaced_by_draft.pk, replaced.pk]  # latest issue date first
    assert ids() == everything
    assert ids(number="qđ-ubnd") == [decision.pk, old.pk, replaced_by_draft.pk, replaced.pk]
    assert ids(number="15/2026") == [decision.pk]
    assert ids(issuer="đảng ủy") == [plan.pk]
    assert ids(field="giao-duc") == [plan.pk]
    assert ids(field="khong-co") == []
    assert ids(form="ke-hoach") == [plan.pk]
    assert ids(validity="expired") == [old.pk]
    assert ids(validity="replaced") == [replaced_by_draft.pk, replaced.pk]
    assert ids(issue_date_from="2026-01-01") == [plan.pk, decision.pk]
    assert ids(issue_date_from="2025-06-01", issue_date_to="2026-02-10") == [decision.pk, old.pk]
    assert ids(effective_date_from="2025-07-01", effective_date_to="2025-07-01") == [old.pk]
    assert ids(effective_date_from="2026-01-01") == [decision.pk]
    for bad in ({"validity": "maybe"}, {"issue_date_from": "10/02/2026"}, {"form": "x"}):
        response = _get(client, "legal-documents/", **bad)
        assert response.status_code == 400 and _code(response) == "invalid_input", bad

    row = _get(client, f"legal-documents/{replaced.pk}/").json()
    assert row["replaced_by"] == {"id": decision.pk, "number": "15/2026/QĐ-UBND"}
    assert row["field"] == {"slug": "dat-dai", "name": "Đất đai"} and row["issue_date"] == "2025-01-01"
    assert row["validity"] == "replaced" and row["validity_label"] and row["form_label"]
    # A replacement not yet published is not named, not even by its number.
    hidden = _get(client, f"legal-documents/{replaced_by_draft.pk}/")
    assert hidden.json()["replaced_by"] is None and unpublished_successor.number not in hidden.content.decode()
    assert _code(_get(client, f"legal-documents/{unpublished_successor.pk}/")) == "document_not_found"
    assert {f["slug"] for f in _get(client, "document-fields/").json()["results"]} == {"dat-dai", "giao-duc"}


def test_pagination(portal_a: Portal, staff: dict[str, User], refs: dict[str, int]) -> None:
    Category.objects.bulk_create(Category(name=f"Mục {n:03}", slug=f"muc-{n:03}", order=n + 1) for n in range(130))
    client = client_for(portal_a)
    first = _get(client, "sections/").json()
    assert first["count"] == 131 and len(first["results"]) == 20 and first["previous"] is None
    assert first["next"].startswith(f"http://{host_of(portal_a)}{API}/sections/?page=2")
    page = _get(client, "sections/", page=2, page_size=50).json()
    assert [s["slug"] for s in page["results"]][:2] == ["muc-049", "muc-050"]
    capped = _get(client, "sections/", page_size=1000).json()
    assert len(capped["results"]) == 100  # at most 100 per page, whatever is asked
    beyond = _get(client, "sections/", page=99)
    assert beyond.status_code == 404 and _code(beyond) == "not_found"
    for _n in range(3):
        _item(Announcement, "published", staff, refs)
    news = _get(client, "announcements/", page_size=2).json()
    assert news["count"] == 3 and len(news["results"]) == 2 and news["next"]


def test_work_schedule_by_week(portal_a: Portal, staff: dict[str, User], refs: dict[str, int]) -> None:
    week = _item(WorkSchedule, "published", staff, refs, week_start="2027-03-01")
    later = _item(WorkSchedule, "published", staff, refs, week_start="2027-03-15")
    _item(WorkSchedule, "approved", staff, refs, week_start="2027-03-08")
    client = client_for(portal_a)
    found = _get(client, "schedules/2027-03-03/")  # a Wednesday: the week holding it
    assert found.status_code == 200
    body = found.json()
    assert body["week_start"] == "2027-03-01" and body["week_end"] == "2027-03-07"
    assert body["entries"] == week.entries and body["title"] == week.title
    assert _code(_get(client, "schedules/2027-03-08/")) == "schedule_not_found"
    assert _code(_get(client, "schedules/2027-02-31/")) == "invalid_date"
    rows = _get(client, "schedules/", week_from="2027-03-02", week_to="2027-03-20").json()["results"]
    assert [r["week_start"] for r in rows] == [later.week_start.isoformat(), "2027-03-01"]
    assert [r["week_start"] for r in _get(client, "schedules/", week_from="2027-03-09").json()["results"]] == [
        "2027-03-15"
    ]


def test_announcements_past_their_date(portal_a: Portal, staff: dict[str, User], refs: dict[str, int]) -> None:
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    current = _item(Announcement, "published", staff, refs)
    expired = _item(Announcement, "published", staff, refs, valid_until=yesterday)
    client = client_for(portal_a)
    assert [r["slug"] for r in _get(client, "announcements/").json()["results"]] == [current.slug]
    everything = _get(client, "announcements/", include_expired="true").json()["results"]
    assert {r["slug"] for r in everything} == {current.slug, expired.slug}
    assert _get(client, f"announcements/{expired.slug}/").json()["valid_until"] == yesterday


def test_background_pages_by_kind(portal_a: Portal, staff: dict[str, User], refs: dict[str, int]) -> None:
    intro = _item(Page, "published", staff, refs, kind="intro")
    _item(Page, "published", staff, refs)
    client = client_for(portal_a)
    rows = _get(client, "pages/", kind="intro").json()["results"]
    assert [r["slug"] for r in rows] == [intro.slug] and rows[0]["kind_label"]


# --- staff endpoints ----------------------------------------------------------------------------------------


def _article_payload(refs: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "data": {"title": "Tin mới của xã", "body": "<p>Nội dung</p>", "author": "PV", "sections": [refs["section"]]}
        | extra
    }


def _state(model: type[Publishable]) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    rows = tuple(model._default_manager.order_by("pk").values_list("pk", "status", "live", "working_revision"))
    return rows, Revision.objects.count(), Transition.objects.count()


def test_staff_must_be_signed_in_with_an_editorial_role(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int]
) -> None:
    item = _item(Article, "draft", staff, refs)
    paths = [
        ("get", "staff/articles/"),
        ("post", "staff/articles/"),
        ("get", f"staff/articles/{item.pk}/"),
        ("patch", f"staff/articles/{item.pk}/"),
        ("delete", f"staff/articles/{item.pk}/"),
        ("post", f"staff/articles/{item.pk}/transitions/"),
        ("get", f"staff/articles/{item.pk}/history/"),
        ("get", f"staff/articles/{item.pk}/revisions/"),
        ("get", f"staff/articles/{item.pk}/revisions/1/"),
        ("post", f"staff/articles/{item.pk}/revisions/1/restore/"),
        ("get", f"staff/articles/{item.pk}/diff/?old=1&new=1"),
    ]
    before = _state(Article)
    citizen = account("congdan.xa-a", is_staff=False)
    for client, code in (
        (client_for(portal_a), "not_authenticated"),
        (client_for(portal_a, staff[roles.TENANT_ADMIN]), "editorial_role_required"),
        (client_for(portal_a, citizen), "editorial_role_required"),
    ):
        for method, path in paths:
            payload = {"data": {"title": "x"}} if method in ("post", "patch") else None
            response = _send(client, method, path, payload)
            assert response.status_code in (401, 403), (method, path)
            assert _code(response) == code, (method, path)
            assert SECRET not in response.content.decode()
    assert _state(Article) == before
    # A session is not enough for a write without the CSRF token (a page on another site cannot post).
    guarded = Client(HTTP_HOST=host_of(portal_a), enforce_csrf_checks=True)
    guarded.force_login(staff[roles.EDITOR])
    response = _send(guarded, "post", "staff/articles/", _article_payload(refs))
    assert (response.status_code, _code(response)) == (403, "permission_denied")
    assert _state(Article) == before
    token = "a" * 32  # what a page of the portal would have set in the CSRF cookie
    guarded.cookies[settings.CSRF_COOKIE_NAME] = token
    allowed = guarded.post(
        f"{API}/staff/articles/",
        data=json.dumps(_article_payload(refs)),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert allowed.status_code == 201, allowed.content
    # An issued or expired password must be changed first, here as on the pages.
    expired = account("hethan.xa-a", roles=[roles.EDITOR])
    User.objects.filter(pk=expired.pk).update(must_change_password=True)
    response = _get(client_for(portal_a, expired), "staff/articles/")
    assert (response.status_code, _code(response)) == (403, "password_change_required")
    # A closed (inactive) account's session no longer counts.
    editor = staff[roles.EDITOR]
    client = client_for(portal_a, editor)
    User.objects.filter(pk=editor.pk).update(is_active=False)
    assert _get(client, "staff/articles/").status_code == 403


def test_staff_lists_show_what_each_role_may_see(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int]
) -> None:
    mine = _item(Article, "draft", staff, refs)
    live = _item(Article, "pending", staff, refs)
    theirs = item_save(model=Article, data=_data(Article, refs, f"{SECRET} của người khác"), user=staff["other"])
    everyone = {mine.pk, live.pk, theirs.pk}

    def ids(user: User, **params: Any) -> set[int]:
        response = _get(client_for(portal_a, user), "staff/articles/", **params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    for key in (roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD):
        assert ids(staff[key]) == everyone, key
    assert ids(staff[roles.CONTRIBUTOR]) == {mine.pk, live.pk}  # a contributor sees their own only
    assert ids(staff["other"]) == {theirs.pk}
    assert ids(staff[roles.EDITOR], live="true") == {live.pk}
    assert ids(staff[roles.EDITOR], status="draft") == {mine.pk, theirs.pk, live.pk}
    assert ids(staff["other"], mine="true") == {theirs.pk}
    row = _get(client_for(portal_a, staff[roles.BOARD_HEAD]), f"staff/articles/{live.pk}/").json()
    # The working version (the pending edit) with the workflow state; the row still holds the live one.
    assert row["live"] and row["has_pending_changes"] and row["status"] == "draft"
    assert row["data"]["title"] == f"{SECRET} sửa" and row["owner"] == staff[roles.CONTRIBUTOR].username
    assert row["working_revision"] == 2 and row["live_revision"] == 1
    assert {a["key"] for a in row["actions"]} == {"submit", "unpublish"}
    refused = _get(client_for(portal_a, staff["other"]), f"staff/articles/{mine.pk}/")
    assert refused.status_code == 404 and _code(refused) == "item_not_found"


@pytest.mark.parametrize("key", ROLE_KEYS)
def test_create_by_each_role(portal_a: Portal, staff: dict[str, User], refs: dict[str, int], key: str) -> None:
    client = client_for(portal_a, staff[key])
    before = _state(Article)
    response = _send(client, "post", "staff/articles/", _article_payload(refs) | {"comment": "Bài đầu"})
    if key == roles.TENANT_ADMIN:
        assert response.status_code == 403 and _code(response) == "editorial_role_required"
        assert _state(Article) == before
        return
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["status"] == "draft" and not row["live"] and row["owner"] == staff[key].username
    assert row["data"]["slug"] == "tin-moi-cua-xa" and row["data"]["sections"] == [refs["section"]]
    item = Article.objects.get(pk=row["id"])
    assert not item.live and workflow.item_revisions(item=item).get().comment == "Bài đầu"


def test_bad_input_is_refused_and_changes_nothing(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int]
) -> None:
    live = _item(Article, "published", staff, refs)
    client = client_for(portal_a, staff[roles.BOARD_HEAD])
    before = _state(Article)
    cases: list[tuple[str, str, Any, int, str]] = [
        # Workflow fields are never input, wherever they are put.
        ("post", "staff/articles/", _article_payload(refs, live=True), 400, "unknown_fields"),
        ("post", "staff/articles/", _article_payload(refs) | {"status": "published"}, 400, "unknown_fields"),
        ("patch", f"staff/articles/{live.pk}/", {"data": {"title": "Mới", "status": "draft"}}, 400, "unknown_fields"),
        ("patch", f"staff/articles/{live.pk}/", {"data": {"title": "Mới"}, "live": False}, 400, "unknown_fields"),
        ("patch", f"staff/articles/{live.pk}/", {"data": {"published_at": None}}, 400, "unknown_fields"),
        # Content rules (the service's) and types (the API's): the same code, with the fields named.
        ("post", "staff/articles/", {"data": {"title": "", "body": "x", "author": "PV"}}, 400, "invalid_content"),
        ("post", "staff/articles/", _article_payload(refs, sections=["abc"]), 400, "invalid_content"),
        ("post", "staff/articles/", _article_payload(refs, sections=[987654]), 400, "invalid_content"),
        ("post", "staff/articles/", _article_payload(refs, source_published_at="hôm qua"), 400, "invalid_content"),
        ("post", "staff/articles/", _article_payload(refs, is_republished=True), 400, "invalid_content"),
        ("post", "staff/articles/", _article_payload(refs, slug=live.slug), 400, "invalid_content"),
        ("post", "staff/articles/", {"comment": "không có nội dung"}, 400, "invalid_input"),
        ("post", "staff/articles/", ["data"], 400, "invalid_input"),
        ("patch", f"staff/articles/{live.pk}/", {"data": {"language": "fr"}}, 400, "invalid_content"),
        (
            "post",
            "staff/schedules/",
            {"data": {"week_start": "2027-03-01", "entries": [{"date": "2027-03-01", "leader": "A", "owner": "x"}]}},
            400,
            "invalid_content",
        ),
        ("post", f"staff/articles/{live.pk}/transitions/", {"action": "publish", "live": True}, 400, "unknown_fields"),
        ("post", f"staff/articles/{live.pk}/transitions/", {"action": "delete"}, 400, "workflow_unknown_action"),
        ("post", f"staff/articles/{live.pk}/transitions/", {"comment": "x"}, 400, "invalid_input"),
        ("post", f"staff/articles/{live.pk}/transitions/", {"action": "unpublish"}, 400, "comment_required"),
        ("post", f"staff/articles/{live.pk}/transitions/", {"action": "archive"}, 409, "workflow_invalid_transition"),
        ("post", f"staff/articles/{live.pk}/revisions/1/restore/", {"number": 1}, 400, "unknown_fields"),
        ("get", f"staff/articles/{live.pk}/diff/?old=1", None, 400, "invalid_input"),
        ("get", f"staff/articles/{live.pk}/diff/?old=1&new=9", None, 404, "revision_not_found"),
        ("get", f"staff/articles/{live.pk}/revisions/9/", None, 404, "revision_not_found"),
        ("post", f"staff/articles/{live.pk}/revisions/9/restore/", {}, 404, "revision_not_found"),
        ("delete", f"staff/articles/{live.pk}/", None, 409, "item_was_published"),
        ("get", "staff/articles/987654/", None, 404, "item_not_found"),
    ]
    for method, path, payload, status_code, code in cases:
        response = _send(client, method, path, payload)
        assert (response.status_code, _code(response)) == (status_code, code), (method, path, response.content)
        assert response.json()["error"]["message"]
    assert _state(Article) == before
    fields = _send(client, "post", "staff/articles/", {"data": {"title": "", "body": "x"}}).json()["error"]["details"]
    assert "title" in fields["fields"]
    assert live.title == Article.objects.get(pk=live.pk).title


# (action, source state, roles allowed): the workflow's role matrix, now through the API.
MATRIX: list[tuple[str, str, set[str]]] = [
    ("submit", "draft", {roles.CONTRIBUTOR, roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("return", "submitted", {roles.EDITOR, roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("approve", "submitted", {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("publish", "approved", {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("unschedule", "scheduled", {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("unpublish", "published", {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
    ("archive", "unpublished", {roles.BOARD_DEPUTY, roles.BOARD_HEAD}),
]


@pytest.mark.parametrize(("action", "source", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_every_transition_by_every_role(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int], action: str, source: str, allowed: set[str]
) -> None:
    for key in ROLE_KEYS:
        item = _item(Article, source, staff, refs)
        before = _state(Article)
        response = _send(
            client_for(portal_a, staff[key]),
            "post",
            f"staff/articles/{item.pk}/transitions/",
            {"action": action, "comment": "lý do"},
        )
        if key in allowed:
            assert response.status_code == 200, (action, key, response.content)
            row = response.json()
            assert row["status"] == workflow.ACTION_TARGETS[action], (action, key)
            assert row["live"] == (action == "publish")
            history = _get(client_for(portal_a, staff[key]), f"staff/articles/{item.pk}/history/").json()
            assert history["results"][0]["action"] == action and history["results"][0]["actor"] == staff[key].username
        else:
            expected = "editorial_role_required" if key == roles.TENANT_ADMIN else "workflow_forbidden"
            assert (response.status_code, _code(response)) == (403, expected), (action, key)
            assert _state(Article) == before, (action, key)
            assert not Article.objects.filter(pk=item.pk, live=True).exists() or source == "published"


def test_the_whole_workflow_through_the_api(portal_a: Portal, staff: dict[str, User], refs: dict[str, int]) -> None:
    anonymous = client_for(portal_a)
    writer = client_for(portal_a, staff[roles.CONTRIBUTOR])
    editor = client_for(portal_a, staff[roles.EDITOR])
    head = client_for(portal_a, staff[roles.BOARD_HEAD])
    created = _send(writer, "post", "staff/articles/", _article_payload(refs))
    pk, slug = created.json()["id"], created.json()["data"]["slug"]

    def step(client: Client, action: str, **extra: Any) -> dict[str, Any]:
        response = _send(client, "post", f"staff/articles/{pk}/transitions/", {"action": action, **extra})
        assert response.status_code == 200, response.content
        return dict(response.json())

    assert step(writer, "submit")["status"] == "submitted"
    assert step(editor, "return", comment="Thêm ảnh")["status_comment"] == "Thêm ảnh"
    fixed = _send(writer, "patch", f"staff/articles/{pk}/", {"data": {"summary": "Tóm tắt"}, "comment": "Đã thêm"})
    assert fixed.status_code == 200 and fixed.json()["data"]["summary"] == "Tóm tắt"
    step(writer, "submit")
    # Under review: the author waits for the board.
    refused = _send(writer, "patch", f"staff/articles/{pk}/", {"data": {"summary": "Sửa nữa"}})
    assert (refused.status_code, _code(refused)) == (403, "workflow_forbidden")
    step(head, "approve")
    assert _get(anonymous, f"articles/{slug}/").status_code == 404
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    scheduled = step(head, "publish", publish_at=later)
    assert scheduled["status"] == "approved" and scheduled["publish_at"] and not scheduled["live"]
    assert _get(anonymous, f"articles/{slug}/").status_code == 404
    step(head, "unschedule")
    live = step(head, "publish")
    assert live["live"] and live["published_at"] and _get(anonymous, f"articles/{slug}/").status_code == 200

    # An edit of the live article waits for approval; the public keeps the published version.
    pending = _send(editor, "patch", f"staff/articles/{pk}/", {"data": {"title": f"{SECRET} tiêu đề"}}).json()
    assert pending["live"] and pending["has_pending_changes"] and pending["status"] == "draft"
    public = _get(anonymous, f"articles/{slug}/")
    assert public.json()["title"] == "Tin mới của xã" and SECRET not in public.content.decode()

    revisions = _get(editor, f"staff/articles/{pk}/revisions/").json()["results"]
    assert [r["number"] for r in revisions] == [3, 2, 1]
    assert revisions[0]["is_working"] and revisions[1]["is_live"] and not revisions[2]["is_live"]
    assert _get(editor, f"staff/articles/{pk}/revisions/1/").json()["data"]["summary"] == ""
    diff = _get(editor, f"staff/articles/{pk}/diff/", old=2, new=3).json()
    assert [c["name"] for c in diff["changes"]] == ["title"] and "<ins>" in diff["changes"][0]["html"]
    restored = _send(editor, "post", f"staff/articles/{pk}/revisions/2/restore/", {})
    assert restored.status_code == 200 and restored.json()["data"]["title"] == "Tin mới của xã"
    assert restored.json()["working_revision"] == 4
    history = [h["action"] for h in _get(head, f"staff/articles/{pk}/history/", page_size=100).json()["results"]]
    assert history[:3] == ["edit", "publish", "unschedule"] and history.count("submit") == 2

    step(head, "unpublish", comment="Sai số liệu")
    assert _get(anonymous, f"articles/{slug}/").status_code == 404
    assert step(head, "archive")["status"] == "archived"
    archived = _send(editor, "patch", f"staff/articles/{pk}/", {"data": {"title": "x"}})
    assert (archived.status_code, _code(archived)) == (409, "item_archived")
    # Published content is never deleted (an archived item is kept as it is); a draft is, by its author.
    assert _code(_send(head, "delete", f"staff/articles/{pk}/")) == "item_archived"
    draft = _send(writer, "post", "staff/articles/", _article_payload(refs)).json()["id"]
    assert _send(client_for(portal_a, staff["other"]), "delete", f"staff/articles/{draft}/").status_code == 404
    assert _send(writer, "delete", f"staff/articles/{draft}/").status_code == 204
    assert not Article.objects.filter(pk=draft).exists() and Article.objects.filter(pk=pk).exists()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.segment)
def test_every_item_type_goes_through_the_staff_api(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int], kind: Any
) -> None:
    # One serializer field per tracked field: adding a field to a model shows up here.
    assert set(kind.data().fields) == set(kind.model.revision_fields), kind.segment
    data = _data(kind.model, refs, "Nội dung công khai")
    editor, head = client_for(portal_a, staff[roles.EDITOR]), client_for(portal_a, staff[roles.BOARD_HEAD])
    created = _send(editor, "post", f"staff/{kind.segment}/", {"data": data})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for action in ("submit", "approve", "publish"):
        response = _send(head, "post", f"staff/{kind.segment}/{pk}/transitions/", {"action": action})
        assert response.status_code == 200, (action, response.content)
    item = kind.model._default_manager.get(pk=pk)
    assert item.live and _get(client_for(portal_a), PUBLIC[kind.model][1](item)).status_code == 200
    assert _get(editor, f"staff/{kind.segment}/", live="true").json()["count"] == 1


# --- isolation between portals ------------------------------------------------------------------------------


def test_portals_never_see_each_others_content(
    portal_a: Portal, portal_b: Portal, staff: dict[str, User], refs: dict[str, int]
) -> None:
    items = {model: [_item(model, s, staff, refs) for s in ("published", "draft")] for model in PUBLIC}
    a_editor = staff[roles.EDITOR]
    a_session = client_for(portal_a, a_editor)
    with schema_context(portal_b.schema_name):
        roles_ready()
        b_editor = account("bientap.xa-b", roles=[roles.EDITOR])
        b_draft = item_save(model=Announcement, data={"title": f"{SECRET} xã Bình", "body": "x"}, user=b_editor)
        b_session = client_for(portal_b, b_editor)
        # A's ids must not exist in B for "A's item on B's host" to mean anything.
        taken_in_b = {model: set(model._default_manager.values_list("pk", flat=True)) for model in PUBLIC}
    b_host = host_of(portal_b)

    # The public on B's host finds nothing of A's.
    anonymous_b = client_for(portal_b)
    for model, (list_path, detail_path, _key) in PUBLIC.items():
        listed = _get(anonymous_b, list_path)
        assert listed.status_code == 200 and listed.json()["count"] == 0, model
        for item in items[model]:
            assert _get(anonymous_b, detail_path(item)).status_code == 404
    for path in ("sections/", "tags/", "document-fields/"):
        assert _get(anonymous_b, path).json()["count"] == 0, path

    # A's session sent to B's host authenticates nobody there, and B's data stays out of reach.
    for kind in KINDS:
        response = a_session.get(f"{API}/staff/{kind.segment}/", HTTP_HOST=b_host)
        assert (response.status_code, _code(response)) == (403, "not_authenticated"), kind.segment
        assert SECRET not in response.content.decode()
    with schema_context(portal_a.schema_name):
        assert _get(client_for(portal_a, a_editor), "staff/announcements/").json()["count"] == 2  # A's own only

    # B's own editor, given A's ids, finds nothing on any endpoint.
    for kind in KINDS:
        for item in items[kind.model]:
            if item.pk in taken_in_b[kind.model]:
                continue
            base = f"staff/{kind.segment}/{item.pk}/"
            for method, path, payload in (
                ("get", base, None),
                ("patch", base, {"data": {}}),
                ("delete", base, None),
                ("post", f"{base}transitions/", {"action": "submit"}),
                ("get", f"{base}history/", None),
                ("get", f"{base}revisions/", None),
                ("get", f"{base}revisions/1/", None),
                ("post", f"{base}revisions/1/restore/", {}),
                ("get", f"{base}diff/?old=1&new=1", None),
            ):
                response = _send(b_session, method, path, payload)
                assert (response.status_code, _code(response)) == (404, "item_not_found"), (method, path)
    b_list = _get(b_session, "staff/announcements/").json()["results"]
    assert [row["id"] for row in b_list] == [b_draft.pk]
    with schema_context(portal_a.schema_name):
        for model, pair in items.items():
            for item in pair:
                row = model._default_manager.get(pk=item.pk)
                assert (row.status, row.live) == (item.status, item.live)


def test_api_tokens_are_refused_on_portal_hosts(portal_a: Portal, staff: dict[str, User]) -> None:
    """Tokens live in the public schema and name an account by id: on a portal's host that id would be
    read from the portal's accounts, so an operator's token could act as a portal account."""
    with schema_context("public"):
        operator = User.objects.create_user(username="vanhanh", password="x", is_staff=True)
        operator.password_changed_at = timezone.now()
        operator.save()
        token = Token.objects.create(user=operator)
    # The same id names a portal account, the one the token would have resolved to.
    if not User.objects.filter(pk=operator.pk).exists():
        account("trung.xa-a", roles=[roles.BOARD_HEAD], id=operator.pk)
    header = f"Token {token.key}"
    client = Client(HTTP_HOST=host_of(portal_a), HTTP_AUTHORIZATION=header)
    for path in ("staff/articles/", "staff/pages/"):
        response = _get(client, path)
        assert (response.status_code, _code(response)) == (403, "token_console_only"), path
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 401 and json.loads(schema.content)["error"]["code"] == "token_console_only"
    # Public reads need no identity and ignore the header.
    assert _get(client, "articles/").status_code == 200
    # The console still takes it.
    console = Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=header)
    assert console.get("/api/v1/portals/").status_code == 200


# --- OpenAPI ------------------------------------------------------------------------------------------------


def test_every_endpoint_is_in_the_portal_schema(portal_a: Portal) -> None:
    from django.urls import URLPattern
    from drf_spectacular.drainage import GENERATOR_STATS

    from content import urls_api

    GENERATOR_STATS.reset()
    response = client_for(portal_a).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    # No clashing component names or operation ids, nothing drf-spectacular had to guess.
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    schema = json.loads(response.content)
    paths = schema["paths"]
    for pattern in urls_api.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern).replace("<slug:slug>", "{slug}").replace("<int:pk>", "{id}")
        route = route.replace("<str:week>", "{week}").replace("<int:number>", "{number}")
        assert f"{API}/{route}" in paths, route
    # The yearly report and incidents (portal_platform.reports) are tested in tests/reports.
    operations = [op for path, methods in paths.items() if not path.startswith(f"{API}/reports/") for op in methods.values()]
    # 18 public reads of content, 4 of citizens' questions and consultations, 7 per staff kind, and
    # the shared search (portal_platform.search).
    assert len(operations) == 18 + 4 + 7 * 11 + 1
    ids = [op["operationId"] for op in operations]
    assert len(set(ids)) == len(ids)
    for op in operations:
        assert op["tags"] and op["summary"] and op["description"], op["operationId"]
    tags = {tag for op in operations for tag in op["tags"]}
    assert len(tags - {"search"}) == 2  # the content API's two, beside the shared search's
    staff_ops = [op for path, methods in paths.items() if "/staff/" in path for op in methods.values()]
    assert all(op["security"] == [{"cookieAuth": []}] for op in staff_ops)
    assert "ArticleData" in schema["components"]["schemas"]


@pytest.mark.integration
def test_covers_and_attachments_come_with_their_addresses(
    portal_a: Portal, staff: dict[str, User], refs: dict[str, int], django_capture_on_commit_callbacks: Any
) -> None:
    """Media of live items: the public gets addresses it can fetch (the files are public then)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from content.services.media import media_upload

    out = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 80, 160)).save(out, "JPEG")
    image = media_upload(
        file=SimpleUploadedFile("anh.jpg", out.getvalue()), name="anh.jpg", alt_text="Ảnh", uploaded_by="t"
    )
    pdf = media_upload(
        file=SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        name="qd.pdf",
        uploaded_by="t",
    )
    with django_capture_on_commit_callbacks(execute=True):
        article = _item(Article, "published", staff, refs, cover=image.pk, cover_alt="Quang cảnh")
        document = _item(LegalDocument, "published", staff, refs, attachments=[pdf.pk])
    anonymous = client_for(portal_a)
    cover = _get(anonymous, f"articles/{article.slug}/").json()["cover"]
    assert cover["alt_text"] == "Ảnh" and set(cover["renditions"]) >= {"thumb", "medium"}
    assert anonymous.get(cover["renditions"]["medium"]).status_code == 200
    files = _get(anonymous, f"legal-documents/{document.pk}/").json()["attachments"]
    assert [f["file_type"] for f in files] == ["pdf"]
    assert anonymous.get(files[0]["url"]).status_code == 200
