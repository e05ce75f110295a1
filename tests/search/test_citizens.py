"""Answered citizens' questions and consultations in the index: only what the public page shows.

The citizen's own question (name, email, phone, the original wording) never enters; a question
reaches the index only as the published ``QuestionAnswer`` the board worded, and leaves when that is
unpublished. Consultations enter while published, without their comments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tenants.utils import schema_context

from content.models import (
    CommentStatus,
    Consultation,
    ConsultationComment,
    Question,
    QuestionAnswer,
    QuestionStatus,
    Unit,
)
from content.services import citizens
from content.services.workflow import item_save, item_transition
from portal_platform.search import selectors
from portal_platform.search.models import Entry
from portal_platform.search.selectors import Filters
from portal_platform.search.services import index_portal_drift, index_portal_rebuild
from tests.citizens import permissions_ready
from tests.search.conftest import Desk, run_jobs

pytestmark = pytest.mark.django_db

Jobs = Callable[[], list[dict[str, Any]]]

ASKER = {"name": "Trần Văn Khải", "email": "khai.tran@example.vn", "phone": "0987 654 321"}


def _question(desk: Desk, *, answered: bool = True, **data: Any) -> Question:
    """A citizen's question as the back office leaves it (answered, or still waiting)."""
    with schema_context(desk.portal.schema_name):
        unit, _created = Unit.objects.get_or_create(name="Phòng Tài nguyên và Môi trường")
        fields: dict[str, Any] = {
            **ASKER,
            "title": "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
            "body": f"Tôi là {ASKER['name']}, số điện thoại {ASKER['phone']}: làm sổ đỏ cần giấy tờ gì?",
            "field": desk.field,
            "due_date": timezone.localdate() + dt.timedelta(days=15),
            **data,
        }
        if answered:
            fields.update(
                status=QuestionStatus.ANSWERED,
                unit=unit,
                answer="Hồ sơ gồm đơn đăng ký và giấy tờ về quyền sử dụng đất.",
                answered_at=timezone.now(),
            )
        return Question.objects.create(**fields)


def _publication(desk: Desk, question: Question, **wording: Any) -> QuestionAnswer:
    """The board's public version of ``question`` (its text reworded without the asker's details)."""
    with schema_context(desk.portal.schema_name):
        permissions_ready()
        data = {"question": "Làm giấy chứng nhận quyền sử dụng đất lần đầu cần những giấy tờ gì?", **wording}
        return citizens.question_publication_create(question=question, user=desk.editor, data=data)


def _publish(desk: Desk, item: Any) -> Any:
    with schema_context(desk.portal.schema_name):
        item = item_transition(item=item, action="submit", user=desk.editor)
        item = item_transition(item=item, action="approve", user=desk.head)
        return item_transition(item=item, action="publish", user=desk.head)


def _consultation(desk: Desk, **data: Any) -> Consultation:
    today = timezone.localdate()
    with schema_context(desk.portal.schema_name):
        return item_save(
            model=Consultation,
            data={
                "title": "Dự thảo Quy chế quản lý chợ xã An",
                "slug": f"quy-che-cho-{desk.portal.abbreviation}",
                "summary": "Quy định việc sắp xếp các hộ kinh doanh tại chợ.",
                "body": "<p>Điều 1. Phạm vi điều chỉnh</p>",
                "issuer": "Phòng Kinh tế",
                "opens_on": (today - dt.timedelta(days=1)).isoformat(),
                "closes_on": (today + dt.timedelta(days=10)).isoformat(),
                **data,
            },
            user=desk.editor,
        )


def _entries(desk: Desk, source: str) -> list[Entry]:
    return list(Entry.objects.filter(portal=desk.portal, source=source).order_by("object_id"))


def _row_text(entry: Entry) -> str:
    return " ".join(str(v) for v in Entry.objects.filter(pk=entry.pk).values().get().values())


def test_a_published_answer_enters_without_the_askers_personal_data(
    desk_a: Desk, heard_jobs: Jobs, django_capture_on_commit_callbacks: Any
) -> None:
    question = _question(desk_a)
    with django_capture_on_commit_callbacks(execute=True):
        item = _publication(desk_a, question)
    assert heard_jobs() == []  # a draft of the public version is not public
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(desk_a, item)
    jobs = heard_jobs()
    assert jobs == [{"schema_name": desk_a.portal.schema_name, "model_label": "content.questionanswer", "pk": item.pk}]
    run_jobs(jobs)

    [entry] = _entries(desk_a, "content.questionanswer")
    assert (entry.kind, entry.path, entry.title, entry.doc_field) == (
        "question",
        f"/hoi-dap/{item.pk}/",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "dat-dai",
    )
    assert entry.date == timezone.localdate()  # the answer's date
    assert entry.data["unit"] == "Phòng Tài nguyên và Môi trường"
    text = _row_text(entry)
    assert "Hồ sơ gồm đơn đăng ký" in text  # the answer is searchable …
    for private in (*ASKER.values(), "Trần", "Khải", "khai.tran", "0987", "654 321", "tran van khai"):
        assert private.lower() not in text.lower()  # … the asker is not, in any form (nor folded)
    hits = selectors.search(query="giay chung nhan quyen su dung dat", filters=Filters(kinds=("question",)), scope=None)
    assert [h.url for h in hits.hits] == [f"https://xa-a.thunghiem.test/hoi-dap/{item.pk}/"]
    assert hits.hits[0].kind_label == "Hỏi đáp"
    assert selectors.search(query="Khải", scope=None).total == 0


def test_unanswered_and_unpublished_questions_never_enter(desk_a: Desk) -> None:
    waiting = _question(desk_a, answered=False, title="Câu hỏi chưa trả lời về thuế đất")
    answered = _question(desk_a, title="Câu hỏi đã trả lời nhưng chưa công khai")
    draft = _publication(desk_a, answered, title="Bản công khai chưa duyệt")
    with schema_context(desk_a.portal.schema_name):
        approved = item_transition(item=draft, action="submit", user=desk_a.editor)
        approved = item_transition(item=approved, action="approve", user=desk_a.head)
    assert desk_a.sync(approved) == "unchanged"
    report = index_portal_rebuild(portal=desk_a.portal)
    assert report.items == 0
    assert _entries(desk_a, "content.questionanswer") == []
    assert not Entry.objects.filter(portal=desk_a.portal).exists()
    # The private Question is no source at all: a job naming it is ignored.
    from portal_platform.search.services import index_item_sync

    assert index_item_sync(schema_name=desk_a.portal.schema_name, model_label="content.question", pk=waiting.pk) == (
        "ignored"
    )
    assert selectors.search(query="thue dat", scope=None).total == 0


def test_an_unpublished_answer_leaves_the_index(
    desk_a: Desk, heard_jobs: Jobs, django_capture_on_commit_callbacks: Any
) -> None:
    item = _publish(desk_a, _publication(desk_a, _question(desk_a)))
    desk_a.sync(item)
    assert len(_entries(desk_a, "content.questionanswer")) == 1
    with django_capture_on_commit_callbacks(execute=True), schema_context(desk_a.portal.schema_name):
        item_transition(item=item, action="unpublish", user=desk_a.head, comment="Còn thông tin cá nhân")
    jobs = heard_jobs()
    assert [j["model_label"] for j in jobs] == ["content.questionanswer"]
    run_jobs(jobs)
    assert _entries(desk_a, "content.questionanswer") == []
    assert index_portal_drift(portal=desk_a.portal).clean


def test_a_consultation_enters_while_published_without_its_comments(
    desk_a: Desk, heard_jobs: Jobs, django_capture_on_commit_callbacks: Any
) -> None:
    draft = _consultation(desk_a)
    assert desk_a.sync(draft) == "unchanged"  # unpublished: nothing enters
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(desk_a, draft)
    run_jobs(heard_jobs())
    [entry] = _entries(desk_a, "content.consultation")
    assert (entry.kind, entry.path, entry.date, entry.title) == (
        "consultation",
        f"/gop-y-du-thao/{item.slug}/",
        item.opens_on,
        "Dự thảo Quy chế quản lý chợ xã An",
    )
    assert entry.data["closes_on"] == item.closes_on.isoformat()

    # An approved comment is public on the page, but the index holds no comment (names, emails).
    with schema_context(desk_a.portal.schema_name):
        comment = ConsultationComment.objects.create(
            consultation=item,
            name="Lê Thị Mận",
            email="man.le@example.vn",
            body="Đề nghị bổ sung quy định về vệ sinh an toàn thực phẩm.",
            status=CommentStatus.APPROVED,
            moderated_at=timezone.now(),
        )
    assert desk_a.sync(item) == "unchanged"
    text = _row_text(Entry.objects.get(pk=entry.pk)).lower()
    for private in (comment.name, comment.email, "vệ sinh an toàn"):
        assert private.lower() not in text

    hits = selectors.search(query="quy che quan ly cho", filters=Filters(kinds=("consultation",)), scope=desk_a.portal)
    assert [h.object_id for h in hits.hits] == [item.pk]
    assert hits.hits[0].kind_label == "Dự thảo lấy ý kiến"

    # The synthesis report, once published, is searchable too.
    with schema_context(desk_a.portal.schema_name):
        item = item_save(
            model=Consultation,
            item=item,
            data={"synthesis": "<p>Đã tiếp thu ý kiến về giờ họp chợ.</p>"},
            user=desk_a.editor,
        )
    with django_capture_on_commit_callbacks(execute=True):
        item = _publish(desk_a, item)
    run_jobs(heard_jobs())
    assert "Đã tiếp thu ý kiến về giờ họp chợ." in Entry.objects.get(pk=entry.pk).body
    assert Entry.objects.get(pk=entry.pk).data["has_synthesis"] is True

    with django_capture_on_commit_callbacks(execute=True), schema_context(desk_a.portal.schema_name):
        item_transition(item=item, action="unpublish", user=desk_a.head, comment="Lùi thời gian lấy ý kiến")
    run_jobs(heard_jobs())
    assert _entries(desk_a, "content.consultation") == []


def test_rebuild_and_check_cover_questions_and_consultations(desk_a: Desk) -> None:
    answer = _publish(desk_a, _publication(desk_a, _question(desk_a)))
    consultation = _publish(desk_a, _consultation(desk_a))
    drift = index_portal_drift(portal=desk_a.portal)
    assert drift.missing == [
        ("content.consultation", consultation.pk, "vi"),
        ("content.questionanswer", answer.pk, "vi"),
    ]
    with pytest.raises(CommandError):
        call_command("search_check", portal=desk_a.portal.abbreviation)
    call_command("search_rebuild", portal=desk_a.portal.abbreviation)
    assert index_portal_drift(portal=desk_a.portal).clean
    assert {e.kind for e in Entry.objects.filter(portal=desk_a.portal)} == {"question", "consultation"}
    call_command("search_check", portal=desk_a.portal.abbreviation)

    # A lost unpublication shows as an orphan, and the rebuild removes it.
    with schema_context(desk_a.portal.schema_name):
        QuestionAnswer.objects.filter(pk=answer.pk).update(live=False, status="unpublished")
    assert index_portal_drift(portal=desk_a.portal).orphaned == [("content.questionanswer", answer.pk, "vi")]
    assert index_portal_rebuild(portal=desk_a.portal).removed == 1
    assert [e.kind for e in Entry.objects.filter(portal=desk_a.portal)] == ["consultation"]
