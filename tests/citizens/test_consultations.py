"""Consultations on draft documents end to end: published through the workflow, comments while open,
moderation, the close, and the synthesis report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import escape
from django_tenants.utils import schema_context

from content import publishing, roles
from content.models import CommentStatus, Consultation, ConsultationComment, Status
from content.services import citizens as services
from content.services.workflow import item_save, item_transition
from portal_platform.errors import ApplicationError
from tenants.models import Portal
from tests.citizens import backoffice, captcha_solved, citizen, html, permissions_ready, staff, vi_msg

pytestmark = pytest.mark.django_db

COMMENTER = {"name": "Trần Văn Bình", "email": "binh.tran@example.vn"}


@pytest.fixture
def people(portal_a: Portal) -> Iterator[dict[str, Any]]:
    with schema_context(portal_a.schema_name):
        permissions_ready()
        yield {
            "head": staff("truongban.xa-a", roles.BOARD_HEAD),
            "deputy": staff("phoban.xa-a", roles.BOARD_DEPUTY),
            "editor": staff("bientap.xa-a", roles.EDITOR),
            "contributor": staff("congtacvien.xa-a", roles.CONTRIBUTOR),
        }


def _today_is(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: day if value is None else real(value, tz))


def _draft(people: dict[str, Any], **override: Any) -> Consultation:
    today = timezone.localdate()
    data = {
        "title": "Dự thảo Quy chế quản lý chợ xã An",
        "summary": "Quy định việc sắp xếp, quản lý các hộ kinh doanh tại chợ.",
        "body": "<p>Điều 1. Phạm vi điều chỉnh</p><script>alert(1)</script>",
        "issuer": "Phòng Kinh tế",
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "closes_on": (today + dt.timedelta(days=10)).isoformat(),
        **override,
    }
    return item_save(model=Consultation, data=data, user=people["editor"])


def _publish(item: Consultation, people: dict[str, Any]) -> Consultation:
    item = item_transition(item=item, action="submit", user=people["editor"])
    item = item_transition(item=item, action="approve", user=people["head"])
    return item_transition(item=item, action="publish", user=people["deputy"])


def _comment(portal: Portal, item: Consultation, **override: str) -> Any:
    client = citizen(portal)
    url = f"/gop-y-du-thao/{item.slug}/gop-y/"
    form = client.get(url)
    assert form.status_code == 200 and "<form" in html(form)
    return client.post(url, {**COMMENTER, "body": "Đề nghị bổ sung quy định về vệ sinh.", "website": "",
                             **captcha_solved(form), **override})  # fmt: skip


def test_a_consultation_from_draft_to_synthesis(
    portal_a: Portal,
    people: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    heard: list[tuple[str, str, int]] = []
    publishing.listen("test-citizens", lambda schema, label, pk: heard.append((schema, label, pk)))
    try:
        _the_whole_flow(portal_a, people, monkeypatch, django_capture_on_commit_callbacks, heard)
    finally:
        publishing.unlisten("test-citizens")


def _the_whole_flow(
    portal_a: Portal,
    people: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capture: Callable[..., Any],
    heard: list[tuple[str, str, int]],
) -> None:
    public = citizen(portal_a)
    # 1. A draft consultation is not public, nor can anyone comment on it.
    item = _draft(people)
    detail, form_url = f"/gop-y-du-thao/{item.slug}/", f"/gop-y-du-thao/{item.slug}/gop-y/"
    assert public.get(detail).status_code == 404 and public.get(form_url).status_code == 404
    assert item.title not in html(public.get("/gop-y-du-thao/"))

    # 2. Published through the workflow, it opens for comments.
    item = _publish(item, people)
    page = public.get(detail)
    assert page.status_code == 200 and form_url in html(page)
    assert "<script>alert(1)</script>" not in html(page)  # the draft's HTML was sanitised on saving
    assert escape(item.title) in html(public.get("/gop-y-du-thao/"))

    # 3. A citizen comments: stored, waiting for moderation, not shown.
    sent = _comment(portal_a, item)
    assert sent.status_code == 200, html(sent)
    comment = ConsultationComment.objects.get()
    assert comment.status == CommentStatus.PENDING and comment.email == COMMENTER["email"]
    assert COMMENTER["name"] not in html(public.get(detail))

    # 4. A moderator approves it: shown with the name, never with the email; listeners hear of it.
    office = backoffice(portal_a, people["editor"])
    with capture(execute=True):
        moderated = office.post(
            "/admin/content/consultationcomment/",
            {"action": "approve_selected", "_selected_action": [str(comment.pk)], "index": "0"},
        )
    assert moderated.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED and comment.moderated_by == people["editor"].username
    assert (portal_a.schema_name, "content.consultation", item.pk) in heard
    shown = html(public.get(detail))
    assert COMMENTER["name"] in shown and "Đề nghị bổ sung quy định về vệ sinh." in shown
    assert COMMENTER["email"] not in shown
    # A rejected comment never appears.
    second = services.consultation_comment_submit(consultation=item, name="Lê Thị C", email="c@example.vn", body="Spam")
    services.consultation_comment_moderate(comment=second, decision="reject", user=people["editor"])
    assert "Lê Thị C" not in html(public.get(detail))

    # 5. After the close date the form is gone and a POST is refused, with nothing stored.
    _today_is(monkeypatch, item.closes_on + dt.timedelta(days=1))
    closed_page = html(public.get(detail))
    assert form_url not in closed_page
    gone = public.get(form_url)
    closed_message = vi_msg("Comments on this draft closed on %(date)s; no more comments are accepted.") % {
        "date": item.closes_on.strftime("%d/%m/%Y")
    }
    assert gone.status_code == 200 and '<form method="post"' not in html(gone) and escape(closed_message) in html(gone)
    before = ConsultationComment.objects.count()
    refused = public.post(form_url, {**COMMENTER, "body": "Muộn", "website": "", "captcha_0": "x", "captcha_1": "x"})
    assert refused.status_code == 409 and escape(closed_message) in html(refused)
    assert ConsultationComment.objects.count() == before
    with pytest.raises(ApplicationError) as caught:
        services.consultation_comment_submit(consultation=item, name="A", email="a@example.vn", body="Muộn")
    assert caught.value.code == "consultation_closed"

    # 6. The synthesis: an edit of the live consultation, public only once approved and published.
    synthesis = "<p>Đã tiếp thu ý kiến về vệ sinh chợ.</p>"
    item = item_save(model=Consultation, item=item, data={"synthesis": synthesis}, user=people["editor"])
    assert "Đã tiếp thu" not in html(public.get(detail))
    item = _publish(item, people)
    assert item.synthesis == synthesis
    final = html(public.get(detail))
    assert "Đã tiếp thu ý kiến về vệ sinh chợ." in final and COMMENTER["name"] in final


def test_comments_are_accepted_only_within_the_dates(
    portal_a: Portal, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    today = timezone.localdate()
    item = _publish(
        _draft(
            people,
            opens_on=(today + dt.timedelta(days=3)).isoformat(),
            closes_on=(today + dt.timedelta(days=5)).isoformat(),
        ),
        people,
    )
    with pytest.raises(ApplicationError) as early:
        services.consultation_comment_submit(consultation=item, name="A", email="a@example.vn", body="Sớm")
    assert early.value.code == "consultation_not_open"
    assert f"/gop-y-du-thao/{item.slug}/gop-y/" not in html(citizen(portal_a).get(f"/gop-y-du-thao/{item.slug}/"))
    for day in (item.opens_on, item.closes_on):  # both ends included
        _today_is(monkeypatch, day)
        services.consultation_comment_submit(consultation=item, name="A", email="a@example.vn", body=f"{day}")
    assert ConsultationComment.objects.filter(consultation=item).count() == 2


def test_an_unpublished_consultation_takes_no_comment(portal_a: Portal, people: dict[str, Any]) -> None:
    item = _publish(_draft(people), people)
    item = item_transition(item=item, action="unpublish", user=people["head"], comment="Rút lại")
    with pytest.raises(ApplicationError) as caught:
        services.consultation_comment_submit(consultation=item, name="A", email="a@example.vn", body="x")
    assert caught.value.code == "consultation_not_found"
    assert citizen(portal_a).post(f"/gop-y-du-thao/{item.slug}/gop-y/", {}).status_code == 404
    assert not ConsultationComment.objects.exists()


def test_the_close_date_cannot_precede_the_opening(people: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as caught:
        _draft(people, opens_on="2026-12-10", closes_on="2026-12-01")
    assert caught.value.code == "invalid_content"
    assert not Consultation.objects.exists()


def test_moderation_needs_its_permission_and_can_be_revised(portal_a: Portal, people: dict[str, Any]) -> None:
    item = _publish(_draft(people), people)
    comment = services.consultation_comment_submit(consultation=item, name="An", email="an@example.vn", body="Góp ý về điều 5 của dự thảo")
    with pytest.raises(ApplicationError) as caught:
        services.consultation_comment_moderate(comment=comment, decision="approve", user=people["contributor"])
    assert caught.value.code == "citizens_forbidden"
    with pytest.raises(ApplicationError) as unknown:
        services.consultation_comment_moderate(comment=comment, decision="publish", user=people["editor"])
    assert unknown.value.code == "moderation_unknown_decision"
    services.consultation_comment_moderate(comment=comment, decision="approve", user=people["editor"])
    public = citizen(portal_a)
    assert "Góp ý về điều 5 của dự thảo" in html(public.get(f"/gop-y-du-thao/{item.slug}/"))
    services.consultation_comment_moderate(comment=comment, decision="reject", user=people["head"], note="Sai chủ đề")
    assert "Góp ý về điều 5 của dự thảo" not in html(public.get(f"/gop-y-du-thao/{item.slug}/"))


def test_the_moderation_page_shows_the_email_only_with_the_permission(portal_a: Portal, people: dict[str, Any]) -> None:
    item = _publish(_draft(people), people)
    comment = services.consultation_comment_submit(consultation=item, **COMMENTER, body="Góp ý")
    moderator = staff("kiemduyet.xa-a")
    from django.contrib.auth.models import Permission

    for codename in ("view_consultationcomment", "change_consultationcomment", "moderate_consultationcomment"):
        moderator.user_permissions.add(Permission.objects.get(content_type__app_label="content", codename=codename))
    office = backoffice(portal_a, moderator)
    for path in ("/admin/content/consultationcomment/", f"/admin/content/consultationcomment/{comment.pk}/change/"):
        page = office.get(path)
        assert page.status_code == 200 and COMMENTER["name"] in html(page)
        assert COMMENTER["email"] not in html(page)
    # Moderating from the comment's page.
    done = office.post(
        f"/admin/content/consultationcomment/{comment.pk}/change/",
        {"decision": "approve", "moderation_note": "", "_save": "Lưu"},
    )
    assert done.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED
    assert COMMENTER["email"] in html(backoffice(portal_a, people["editor"]).get("/admin/content/consultationcomment/"))


def test_the_back_office_makes_consultations_through_the_workflow(portal_a: Portal, people: dict[str, Any]) -> None:
    office = backoffice(portal_a, people["editor"])
    added = office.post(
        "/admin/content/consultation/add/",
        {
            "title": "Dự thảo Kế hoạch",
            "slug": "du-thao-ke-hoach",
            "issuer": "",
            "summary": "Tóm tắt",
            "body": "<p>Nội dung</p>",
            "opens_on": "01/12/2026",
            "closes_on": "20/12/2026",
            "synthesis": "",
            "_save": "Lưu",
        },
    )
    assert added.status_code == 302, html(added)
    item = Consultation.objects.get()
    assert item.status == Status.DRAFT and not item.live and item.working_revision is not None
    # A bad period is shown on the form and nothing is saved.
    bad = office.post(
        f"/admin/content/consultation/{item.pk}/change/",
        {"title": "Dự thảo Kế hoạch", "slug": "du-thao-ke-hoach", "issuer": "", "summary": "Tóm tắt", "body": "",
         "opens_on": "20/12/2026", "closes_on": "01/12/2026", "synthesis": "", "_save": "Lưu"},
    )  # fmt: skip
    assert bad.status_code == 200
    assert escape(vi_msg("The closing date cannot be before the opening date.")) in html(bad)
    item.refresh_from_db()
    assert item.closes_on == dt.date(2026, 12, 20)
    # The workflow's buttons: a contributor-level step is offered, publishing is not (editor).
    page = html(office.get(f"/admin/content/consultation/{item.pk}/change/"))
    assert 'value="submit"' in page and 'value="publish"' not in page
    assert office.post(f"/admin/content/consultation/{item.pk}/workflow/", {"action": "submit"}).status_code == 302
    refused = office.post(f"/admin/content/consultation/{item.pk}/workflow/", {"action": "approve"}, follow=True)
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED and not item.live
    assert refused.status_code == 200


def test_portals_do_not_share_consultations(portal_a: Portal, portal_b: Portal, people: dict[str, Any]) -> None:
    item = _publish(_draft(people, slug="du-thao-rieng"), people)
    other = citizen(portal_b)
    assert other.get(f"/gop-y-du-thao/{item.slug}/").status_code == 404
    assert item.title not in html(other.get("/gop-y-du-thao/"))
    assert other.post(f"/gop-y-du-thao/{item.slug}/gop-y/", {}).status_code == 404
    with schema_context(portal_b.schema_name):
        assert not Consultation.objects.exists() and not ConsultationComment.objects.exists()
