"""Citizens' questions end to end: the public form, routing and answering in the back office, the
deadline in working days, publication through the editorial workflow, and what the public sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import ngettext
from django_tenants.utils import schema_context

from accounts.models import User
from content import roles
from content.models import (
    CitizenSettings,
    DocumentField,
    Question,
    QuestionAnswer,
    QuestionStatus,
    Revision,
    Status,
    Unit,
)
from content.selectors_citizens import question_is_overdue, questions_overdue_count
from content.services import citizens as services
from content.services.workflow import item_transition
from portal_platform.errors import ApplicationError
from tenants.models import Portal
from tests.citizens import backoffice, captcha_solved, citizen, html, permissions_ready, staff, vi_msg

pytestmark = pytest.mark.django_db

CITIZEN = {"name": "Nguyễn Thị Hoa", "email": "hoa.nguyen@example.vn", "phone": "0912 345 678"}


@pytest.fixture
def people(portal_a: Portal) -> Iterator[dict[str, Any]]:
    """Portal A's board and staff, a unit and two fields; yielded inside portal A's schema."""
    with schema_context(portal_a.schema_name):
        permissions_ready()
        yield {
            "head": staff("truongban.xa-a", roles.BOARD_HEAD),
            "deputy": staff("phoban.xa-a", roles.BOARD_DEPUTY),
            "editor": staff("bientap.xa-a", roles.EDITOR),
            "admin": staff("admin.xa-a", roles.TENANT_ADMIN),
            "unit": Unit.objects.create(name="Văn phòng HĐND và UBND"),
            "land": DocumentField.objects.create(name="Đất đai", slug="dat-dai"),
            "tax": DocumentField.objects.create(name="Thuế", slug="thue"),
        }


def _ask(portal: Portal, field: DocumentField, **override: str) -> Any:
    client = citizen(portal)
    form = client.get("/hoi-dap/gui-cau-hoi/")
    assert form.status_code == 200
    data = {
        **CITIZEN,
        "field": str(field.pk),
        "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất",
        "body": "Gia đình tôi muốn làm sổ đỏ lần đầu thì cần những giấy tờ gì?",
        "website": "",
        **captcha_solved(form),
        **override,
    }
    return client.post("/hoi-dap/gui-cau-hoi/", data)


def test_a_question_goes_from_the_form_to_the_public_page_without_personal_data(
    portal_a: Portal, people: dict[str, Any]
) -> None:
    # 1. A citizen asks.
    response = _ask(portal_a, people["land"])
    assert response.status_code == 200, html(response)
    question = Question.objects.get()
    assert question.reference in html(response)
    assert question.status == QuestionStatus.RECEIVED and question.email == CITIZEN["email"]
    assert question.due_date == services.working_days_add(start=timezone.localdate(), days=15)
    assert question.due_date.strftime("%d/%m/%Y") in html(response)

    editor, head, unit = people["editor"], people["head"], people["unit"]
    office = backoffice(portal_a, editor)
    change = f"/admin/content/question/{question.pk}/change/"
    form = {"unit": "", "answer": "", "handling_note": "", "_save": "Lưu"}

    # 2. Answering before routing is refused on the form, and nothing changes.
    refused = office.post(change, {**form, "answer": "Trả lời sớm"})
    assert refused.status_code == 200
    assert escape(vi_msg("Route the question to a unit before answering it.")) in html(refused)
    question.refresh_from_db()
    assert question.status == QuestionStatus.RECEIVED and question.answer == ""

    # 3. The board routes it to a unit, 4. the unit's staff answer.
    assert office.post(change, {**form, "unit": str(unit.pk)}).status_code == 302
    question.refresh_from_db()
    assert (question.status, question.unit, question.routed_by) == (QuestionStatus.ROUTED, unit, editor.username)
    answer = "Hồ sơ gồm: đơn đăng ký, giấy tờ về quyền sử dụng đất và bản đồ thửa đất."
    assert office.post(change, {**form, "unit": str(unit.pk), "answer": answer}).status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answer == answer and question.answered_at

    # 5. A public version is prepared: a workflow draft without the citizen's details.
    made = office.post(f"/admin/content/question/{question.pk}/publication/")
    item = QuestionAnswer.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/admin/content/questionanswer/{item.pk}/change/"
    assert item.status == Status.DRAFT and not item.live and item.answer == answer
    for revision in Revision.objects.filter(object_id=item.pk, content_type__model="questionanswer"):
        for value in CITIZEN.values():
            assert value not in str(revision.data)
    public = citizen(portal_a)
    assert "sổ đỏ" not in html(public.get("/hoi-dap/")) and public.get(f"/hoi-dap/{item.pk}/").status_code == 404

    # 6. Through the workflow: the editor submits, the head approves and publishes.
    workflow = f"/admin/content/questionanswer/{item.pk}/workflow/"
    assert office.post(workflow, {"action": "submit"}).status_code == 302
    board = backoffice(portal_a, head)
    assert board.post(workflow, {"action": "approve"}).status_code == 302
    assert public.get(f"/hoi-dap/{item.pk}/").status_code == 404  # approved is not yet public
    assert board.post(workflow, {"action": "publish"}).status_code == 302
    item.refresh_from_db()
    assert item.live and item.status == Status.PUBLISHED

    # 7. The public sees it, and never the citizen's name, email or phone.
    listing, detail = public.get("/hoi-dap/"), public.get(f"/hoi-dap/{item.pk}/")
    assert listing.status_code == detail.status_code == 200
    assert escape(item.title) in html(listing) and escape(answer) in html(detail)
    assert unit.name in html(detail)
    for page in (listing, detail):
        for value in (*CITIZEN.values(), "Hoa", "0912345678"):
            assert value not in html(page), value


def test_the_workflow_decides_who_publishes_an_answer(portal_a: Portal, people: dict[str, Any]) -> None:
    question = _answered(people)
    item = services.question_publication_create(question=question, user=people["editor"])
    item = item_transition(item=item, action="submit", user=people["editor"])
    for user in (people["editor"], people["admin"]):
        with pytest.raises(ApplicationError) as caught:
            item_transition(item=item, action="approve", user=user)
        assert caught.value.code == "workflow_forbidden"
    # A second public version of the same question is refused.
    with pytest.raises(ApplicationError) as again:
        services.question_publication_create(question=question, user=people["editor"])
    assert again.value.code == "question_already_published"
    # An unanswered question cannot be published at all.
    open_question = _submitted(people, title="Câu hỏi khác")
    with pytest.raises(ApplicationError) as early:
        services.question_publication_create(question=open_question, user=people["editor"])
    assert early.value.code == "question_not_answered"


def test_the_board_rewords_the_public_text_and_edits_wait_for_approval(
    portal_a: Portal, people: dict[str, Any]
) -> None:
    question = _answered(people, body="Tôi là Nguyễn Thị Hoa ở xóm 3, xin hỏi về thuế đất.")
    item = services.question_publication_create(
        question=question, user=people["editor"], data={"question": "Xin hỏi về thuế đất."}
    )
    item = _published(item, people)
    page = html(citizen(portal_a).get(f"/hoi-dap/{item.pk}/"))
    assert "Xin hỏi về thuế đất." in page and "Nguyễn Thị Hoa" not in page
    # An edit of a published answer stays out of sight until approved again.
    from content.services.workflow import item_save

    item_save(model=QuestionAnswer, item=item, data={"answer": "Câu trả lời mới"}, user=people["editor"])
    assert "Câu trả lời mới" not in html(citizen(portal_a).get(f"/hoi-dap/{item.pk}/"))


# --- the deadline -----------------------------------------------------------------------------------


def test_working_days_skip_weekends_and_holidays(settings: Any) -> None:
    friday = dt.date(2026, 11, 27)
    assert services.working_days_add(start=friday, days=1) == dt.date(2026, 11, 30)  # Monday
    assert services.working_days_add(start=friday, days=5) == dt.date(2026, 12, 4)
    assert services.working_days_add(start=dt.date(2026, 11, 28), days=1) == dt.date(2026, 11, 30)  # from Saturday
    assert services.working_days_add(start=friday, days=15) == dt.date(2026, 12, 18)
    settings.PUBLIC_HOLIDAYS = [dt.date(2026, 11, 30), dt.date(2026, 12, 2)]
    assert services.working_days_add(start=friday, days=1) == dt.date(2026, 12, 1)
    assert services.working_days_add(start=friday, days=5) == dt.date(2026, 12, 8)


def test_the_deadline_is_set_at_receipt_from_the_portals_setting(
    portal_a: Portal, people: dict[str, Any], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    friday = dt.date(2026, 12, 4)
    settings.PUBLIC_HOLIDAYS = [dt.date(2026, 12, 7)]
    real_localdate = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: friday if value is None else real_localdate(value, tz)
    )
    CitizenSettings.objects.create(answer_working_days=3)
    question = _submitted(people)
    # Friday + 3 working days: Monday 7 is a holiday, so Tuesday, Wednesday, Thursday.
    assert question.due_date == dt.date(2026, 12, 10)
    # A later change of the setting does not move a deadline already given.
    CitizenSettings.objects.filter(pk=1).update(answer_working_days=30)
    question.refresh_from_db()
    assert question.due_date == dt.date(2026, 12, 10)


def test_overdue_questions_are_flagged_filtered_and_counted(portal_a: Portal, people: dict[str, Any]) -> None:
    due = timezone.localdate() - dt.timedelta(days=1)
    late = _submitted(people, title="Quá hạn")
    on_time = _submitted(people, title="Còn hạn")
    answered_late = _answered(people, title="Đã trả lời")
    rejected = _submitted(people, title="Không xử lý")
    services.question_reject(question=rejected, user=people["editor"], reason="Trùng lặp")
    Question.objects.filter(pk__in=[late.pk, answered_late.pk, rejected.pk]).update(due_date=due)
    Question.objects.filter(pk=on_time.pk).update(due_date=timezone.localdate())  # due today: on time
    assert questions_overdue_count() == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert question_is_overdue(late) and not question_is_overdue(on_time)
    assert question_is_overdue(on_time, today=timezone.localdate() + dt.timedelta(days=1))

    office = backoffice(portal_a, people["editor"])
    listing = office.get("/admin/content/question/")
    assert listing.status_code == 200
    with translation.override("vi"):
        count_text = ngettext(
            "%(n)s question is past its answer deadline.", "%(n)s questions are past their answer deadline.", 1
        ) % {"n": 1}
    assert escape(count_text) in html(listing)
    filtered = office.get("/admin/content/question/?overdue=yes")
    assert late.reference in html(filtered)
    for other in (on_time, answered_late, rejected):
        assert other.reference not in html(filtered)
    assert on_time.reference in html(office.get("/admin/content/question/?overdue=no"))


# --- staff permissions --------------------------------------------------------------------------------


def test_routing_and_answering_need_their_permissions(portal_a: Portal, people: dict[str, Any]) -> None:
    question = _submitted(people)
    for action in (
        lambda user: services.question_route(question=question, unit=people["unit"], user=user),
        lambda user: services.question_reject(question=question, user=user, reason="x"),
    ):
        with pytest.raises(ApplicationError) as caught:
            action(people["admin"])
        assert caught.value.code == "citizens_forbidden"
    services.question_route(question=question, unit=people["unit"], user=people["editor"])
    with pytest.raises(ApplicationError) as caught:
        services.question_answer(question=question, answer="x", user=people["admin"])
    assert caught.value.code == "citizens_forbidden"
    retired = Unit.objects.create(name="Phòng cũ", is_active=False)
    with pytest.raises(ApplicationError) as inactive:
        services.question_route(question=question, unit=retired, user=people["editor"])
    assert inactive.value.code == "unit_inactive"
    services.question_reject(question=question, user=people["editor"], reason="Không thuộc thẩm quyền")
    with pytest.raises(ApplicationError) as closed:
        services.question_answer(question=question, answer="x", user=people["editor"])
    assert closed.value.code == "question_closed"


def test_personal_data_is_shown_only_to_staff_with_the_permission(portal_a: Portal, people: dict[str, Any]) -> None:
    question = _submitted(people)
    # Sees the inbox and may route, but is not allowed the citizen's details.
    clerk = staff("vanthu.xa-a")
    from django.contrib.auth.models import Permission

    for codename in ("view_question", "change_question", "route_question"):
        clerk.user_permissions.add(Permission.objects.get(content_type__app_label="content", codename=codename))
    office = backoffice(portal_a, clerk)
    pages = [
        office.get("/admin/content/question/"),
        office.get(f"/admin/content/question/{question.pk}/change/"),
        office.get(f"/admin/content/question/{question.pk}/history/"),
    ]
    assert all(page.status_code == 200 for page in pages)
    assert question.reference in html(pages[0]) and escape(question.title) in html(pages[1])
    for page in pages:
        for value in CITIZEN.values():
            assert value not in html(page), value
    # Nor can the clerk find a question by a citizen's email (the search box shows only what they typed).
    search = office.get("/admin/content/question/?q=" + CITIZEN["email"])
    assert search.status_code == 200 and question.reference not in html(search)

    # The board's editor, who handles questions, sees them.
    handler = backoffice(portal_a, people["editor"])
    for path in ("/admin/content/question/", f"/admin/content/question/{question.pk}/change/"):
        shown = html(handler.get(path))
        assert CITIZEN["name"] in shown and CITIZEN["email"] in shown and CITIZEN["phone"] in shown
    assert question.reference in html(handler.get("/admin/content/question/?q=" + CITIZEN["email"]))
    # The portal administrator manages units but does not see questions at all.
    assert backoffice(portal_a, people["admin"]).get("/admin/content/question/").status_code == 403


def test_a_portal_never_sees_another_portals_questions(
    portal_a: Portal, portal_b: Portal, people: dict[str, Any]
) -> None:
    question = _answered(people, title="Câu hỏi của xã An")
    item = _published(services.question_publication_create(question=question, user=people["editor"]), people)
    with schema_context(portal_b.schema_name):
        assert not Question.objects.exists() and not QuestionAnswer.objects.exists()
    other = citizen(portal_b)
    assert "Câu hỏi của xã An" not in html(other.get("/hoi-dap/"))
    assert other.get(f"/hoi-dap/{item.pk}/").status_code == 404
    assert "Câu hỏi của xã An" in html(citizen(portal_a).get("/hoi-dap/"))


def test_unpublished_answers_leave_the_public_pages(portal_a: Portal, people: dict[str, Any]) -> None:
    item = _published(
        services.question_publication_create(question=_answered(people, title="Sẽ gỡ"), user=people["editor"]),
        people,
    )
    public = citizen(portal_a)
    assert "Sẽ gỡ" in html(public.get("/hoi-dap/"))
    item_transition(item=item, action="unpublish", user=people["head"], comment="Hết hiệu lực")
    assert "Sẽ gỡ" not in html(public.get("/hoi-dap/"))
    assert public.get(f"/hoi-dap/{item.pk}/").status_code == 404


def test_the_public_list_filters_by_field(portal_a: Portal, people: dict[str, Any]) -> None:
    for title, field in (("Về đất", people["land"]), ("Về thuế", people["tax"])):
        question = _answered(people, title=title, field_id=field.pk)
        _published(services.question_publication_create(question=question, user=people["editor"]), people)
    page = html(citizen(portal_a).get("/hoi-dap/?linh-vuc=thue"))
    assert "Về thuế" in page and "Về đất" not in page


# --- helpers -----------------------------------------------------------------------------------------


def _submitted(people: dict[str, Any], **override: Any) -> Question:
    data: dict[str, Any] = {
        **CITIZEN,
        "title": "Câu hỏi",
        "body": "Nội dung câu hỏi",
        "field_id": people["land"].pk,
        **override,
    }
    return services.question_submit(**data)


def _answered(people: dict[str, Any], **override: Any) -> Question:
    question = _submitted(people, **override)
    question = services.question_route(question=question, unit=people["unit"], user=people["editor"])
    return services.question_answer(question=question, answer="Câu trả lời của đơn vị.", user=people["editor"])


def _published(item: QuestionAnswer, people: dict[str, Any]) -> QuestionAnswer:
    user: User = people["editor"]
    item = item_transition(item=item, action="submit", user=user)
    item = item_transition(item=item, action="approve", user=people["deputy"])
    return item_transition(item=item, action="publish", user=people["head"])
