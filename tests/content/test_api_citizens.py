"""The citizens' part of the content API: published questions and answers, consultations on drafts.

Read-only and anonymous like the rest of ``/api/v1/``; never the asker's or the commenter's
personal data, nothing unpublished or unmoderated, nothing of another portal.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from content import roles
from content.models import (
    CommentStatus,
    Consultation,
    ConsultationComment,
    DocumentField,
    MediaFile,
    Question,
    QuestionAnswer,
    Unit,
)
from content.services import citizens as services
from content.services.workflow import item_save, item_transition
from tenants.models import Portal
from tests.board import client_for
from tests.citizens import permissions_ready, staff

pytestmark = pytest.mark.django_db

API = "/api/v1"
CITIZEN = {"name": "Nguyễn Thị Hoa", "email": "hoa.nguyen@example.vn", "phone": "0912 345 678"}
COMMENTER_EMAIL = "binh.tran@example.vn"
# Every unpublished or unmoderated text carries this mark; no public answer may ever contain it.
SECRET = "CHUA-CONG-BO"


@pytest.fixture
def people(portal_a: Portal) -> Iterator[dict[str, Any]]:
    with schema_context(portal_a.schema_name):
        permissions_ready()
        yield {
            "head": staff("truongban.xa-a", roles.BOARD_HEAD),
            "deputy": staff("phoban.xa-a", roles.BOARD_DEPUTY),
            "editor": staff("bientap.xa-a", roles.EDITOR),
            "unit": Unit.objects.create(name="Văn phòng HĐND và UBND", email="vanphong@example.vn"),
            "land": DocumentField.objects.create(name="Đất đai", slug="dat-dai"),
            "tax": DocumentField.objects.create(name="Thuế", slug="thue"),
        }


def _get(path: str, portal: Portal, **params: Any) -> Any:
    return client_for(portal).get(f"{API}/{path}", params)


def _code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def _publish(item: Any, people: dict[str, Any]) -> Any:
    item = item_transition(item=item, action="submit", user=people["editor"])
    item = item_transition(item=item, action="approve", user=people["deputy"])
    return item_transition(item=item, action="publish", user=people["head"])


# --- questions ----------------------------------------------------------------------------------


def _question(
    people: dict[str, Any], title: str, *, field: DocumentField | None = None, answer: bool = True
) -> Question:
    question = services.question_submit(
        **CITIZEN, title=title, body=f"Nội dung: {title}", field_id=(field or people["land"]).pk
    )
    if answer:
        question = services.question_route(question=question, unit=people["unit"], user=people["editor"])
        question = services.question_answer(question=question, answer=f"Trả lời: {title}", user=people["editor"])
    return question


def _answer(people: dict[str, Any], title: str, *, publish: bool = True, **kwargs: Any) -> QuestionAnswer:
    item = services.question_publication_create(question=_question(people, title, **kwargs), user=people["editor"])
    return _publish(item, people) if publish else item


def test_questions_show_published_answers_only_and_no_personal_data(portal_a: Portal, people: dict[str, Any]) -> None:
    land = _answer(people, "Thủ tục cấp sổ đỏ lần đầu")
    tax = _answer(people, "Miễn thuế đất nông nghiệp", field=people["tax"])
    draft = _answer(people, f"{SECRET} bản nháp", publish=False)
    withdrawn = _answer(people, f"{SECRET} đã gỡ")
    item_transition(item=withdrawn, action="unpublish", user=people["head"], comment="Gỡ")
    unanswered = _question(people, f"{SECRET} chưa trả lời", answer=False)

    listed = _get("questions/", portal_a)
    assert listed.status_code == 200
    page = listed.json()
    assert page["count"] == 2 and [row["id"] for row in page["results"]] == [tax.pk, land.pk]  # newest first
    row = page["results"][1]
    assert set(row) == {"id", "title", "field", "answered_by", "asked_on", "answered_on", "published_at"}
    assert row["field"] == {"slug": "dat-dai", "name": "Đất đai"} and row["answered_by"] == "Văn phòng HĐND và UBND"
    assert row["asked_on"] == timezone.localdate().isoformat()

    detail = _get(f"questions/{land.pk}/", portal_a)
    assert detail.status_code == 200
    body = detail.json()
    assert body["question"] == "Nội dung: Thủ tục cấp sổ đỏ lần đầu"
    assert body["answer"] == "Trả lời: Thủ tục cấp sổ đỏ lần đầu"
    assert set(body) == {*row, "question", "answer"}

    # Never the asker's name, email or phone, nor the unit's address, nor anything unpublished.
    for response in (listed, detail, _get(f"questions/{tax.pk}/", portal_a)):
        text = response.content.decode()
        for value in (*CITIZEN.values(), "Hoa", "0912345678", "vanphong@example.vn", SECRET):
            assert value not in text, value
    for hidden in (draft, withdrawn):
        response = _get(f"questions/{hidden.pk}/", portal_a)
        assert (response.status_code, _code(response)) == (404, "question_not_found")
        assert SECRET not in response.content.decode()
    # The unanswered question's id is no way in (the private table is not read here).
    assert not QuestionAnswer.objects.filter(pk=unanswered.pk).exists()
    response = _get(f"questions/{unanswered.pk}/", portal_a)
    assert (response.status_code, _code(response)) == (404, "question_not_found")
    assert SECRET not in response.content.decode() and CITIZEN["email"] not in response.content.decode()


def test_questions_filter_by_field(portal_a: Portal, people: dict[str, Any]) -> None:
    land = _answer(people, "Về đất")
    tax = _answer(people, "Về thuế", field=people["tax"])

    def ids(**params: Any) -> list[int]:
        response = _get("questions/", portal_a, **params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [tax.pk, land.pk]
    assert ids(field="thue") == [tax.pk]
    assert ids(field="dat-dai") == [land.pk]
    assert ids(field="khong-co") == []
    bad = _get("questions/", portal_a, field="không hợp lệ")
    assert (bad.status_code, _code(bad)) == (400, "invalid_input")
    paged = _get("questions/", portal_a, page_size=1).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1 and paged["next"]


# --- consultations ------------------------------------------------------------------------------


def _consultation(people: dict[str, Any], slug: str, opens: int, closes: int, **extra: Any) -> Consultation:
    today = timezone.localdate()
    data = {
        "title": f"Dự thảo {slug}",
        "slug": slug,
        "summary": f"Tóm tắt {slug}",
        "body": f"<p>Điều 1 của {slug}</p>",
        "issuer": "Phòng Kinh tế",
        "opens_on": (today + dt.timedelta(days=opens)).isoformat(),
        "closes_on": (today + dt.timedelta(days=closes)).isoformat(),
        **extra,
    }
    return item_save(model=Consultation, data=data, user=people["editor"])


def _file(name: str, title: str = "") -> MediaFile:
    return MediaFile.objects.create(
        kind="document",
        file_type="pdf",
        content_type="application/pdf",
        original_name=name,
        key=f"media/{name}",
        size=1234,
        sha256="0" * 64,
        title=title,
    )


def test_consultations_by_period_with_files_synthesis_and_approved_comments(
    portal_a: Portal, people: dict[str, Any]
) -> None:
    draft_file, note = _file("du-thao.pdf", "Dự thảo quy chế"), _file("to-trinh.pdf")
    open_ = _publish(_consultation(people, "quy-che-cho", -1, 10, files=[draft_file.pk, note.pk]), people)
    upcoming = _publish(_consultation(people, "sap-mo", 3, 20), people)
    closed = _publish(_consultation(people, "da-dong", -30, -2, synthesis="<p>Đã tiếp thu 5 ý kiến.</p>"), people)
    draft = _consultation(people, "ban-nhap", -1, 10, title=f"{SECRET} nháp")
    # Comments: one approved, one rejected, one waiting; only the first is public.
    sent = {
        status: services.consultation_comment_submit(
            consultation=open_, name=f"Người góp ý {status}", email=COMMENTER_EMAIL, body=f"Ý kiến {status}"
        )
        for status in ("approved", "rejected", "pending")
    }
    for status in ("approved", "rejected"):
        decision = {"approved": services.APPROVE, "rejected": services.REJECT}[status]
        services.consultation_comment_moderate(comment=sent[status], decision=decision, user=people["editor"])
    assert ConsultationComment.objects.get(pk=sent["approved"].pk).status == CommentStatus.APPROVED
    # The synthesis of a pending edit is not public until approved.
    item_save(model=Consultation, item=upcoming, data={"synthesis": f"<p>{SECRET}</p>"}, user=people["editor"])

    def slugs(**params: Any) -> list[str]:
        response = _get("consultations/", portal_a, **params)
        assert response.status_code == 200, response.content
        assert SECRET not in response.content.decode()
        return [row["slug"] for row in response.json()["results"]]

    assert slugs() == ["sap-mo", "quy-che-cho", "da-dong"]  # the latest to open first; no draft
    assert slugs(period="open") == ["quy-che-cho"]
    assert slugs(period="upcoming") == ["sap-mo"]
    assert slugs(period="closed") == ["da-dong"]
    bad = _get("consultations/", portal_a, period="maybe")
    assert (bad.status_code, _code(bad)) == (400, "invalid_input")
    rows = {row["slug"]: row for row in _get("consultations/", portal_a).json()["results"]}
    assert {slug: (row["period"], row["is_open"]) for slug, row in rows.items()} == {
        "quy-che-cho": ("open", True),
        "sap-mo": ("upcoming", False),
        "da-dong": ("closed", False),
    }
    assert rows["quy-che-cho"]["comment_count"] == 1 and rows["da-dong"]["has_synthesis"]
    assert not rows["sap-mo"]["has_synthesis"] and "comments" not in rows["sap-mo"] and "body" not in rows["sap-mo"]
    paged = _get("consultations/", portal_a, page_size=2).json()
    assert paged["count"] == 3 and len(paged["results"]) == 2 and paged["next"]

    response = _get("consultations/quy-che-cho/", portal_a)
    assert response.status_code == 200
    detail = response.json()
    text = response.content.decode()
    assert COMMENTER_EMAIL not in text and "email" not in text and SECRET not in text
    assert detail["opens_on"] == open_.opens_on.isoformat() and detail["is_open"] and detail["synthesis"] is None
    assert detail["body"] == "<p>Điều 1 của quy-che-cho</p>"
    assert [(c["name"], c["body"]) for c in detail["comments"]] == [("Người góp ý approved", "Ý kiến approved")]
    assert set(detail["comments"][0]) == {"id", "name", "body", "created_at"}
    # The files with the addresses the public page links them by.
    page = client_for(portal_a).get("/gop-y-du-thao/quy-che-cho/").content.decode()
    hrefs = set(re.findall(r'href="(/[^"]*(?:du-thao|to-trinh)\.pdf)"', page))
    assert {f["url"] for f in detail["files"]} == hrefs and len(hrefs) == 2
    assert {(f["title"], f["original_name"], f["file_type"]) for f in detail["files"]} == {
        ("Dự thảo quy chế", "du-thao.pdf", "pdf"),
        ("", "to-trinh.pdf", "pdf"),
    }

    closed_detail = _get("consultations/da-dong/", portal_a).json()
    assert closed_detail["synthesis"] == "<p>Đã tiếp thu 5 ý kiến.</p>" and closed_detail["comments"] == []
    assert _get("consultations/sap-mo/", portal_a).json()["synthesis"] is None
    for hidden in (draft.slug, "khong-co"):
        missing = _get(f"consultations/{hidden}/", portal_a)
        assert (missing.status_code, _code(missing)) == (404, "consultation_not_found")
    item_transition(item=closed, action="unpublish", user=people["head"], comment="Gỡ")
    assert _get("consultations/da-dong/", portal_a).status_code == 404
    assert slugs() == ["sap-mo", "quy-che-cho"]


# --- isolation and the schema -------------------------------------------------------------------


def test_another_portal_never_shows_these_items(portal_a: Portal, portal_b: Portal, people: dict[str, Any]) -> None:
    answer = _answer(people, "Câu hỏi của xã An")
    consultation = _publish(_consultation(people, "du-thao-xa-an", -1, 5), people)
    assert _get("questions/", portal_a).json()["count"] == 1
    assert _get("consultations/", portal_a).json()["count"] == 1
    with schema_context(portal_b.schema_name):
        assert not QuestionAnswer.objects.filter(pk=answer.pk).exists()
    for path in ("questions/", "consultations/", "consultations/?period=open"):
        listed = client_for(portal_b).get(f"{API}/{path}")
        assert listed.status_code == 200 and listed.json()["count"] == 0, path
    for path in (f"questions/{answer.pk}/", f"consultations/{consultation.slug}/"):
        response = _get(path, portal_b)
        assert response.status_code == 404 and "xã An" not in response.content.decode(), path


def test_the_new_operations_are_described(portal_a: Portal) -> None:
    schema = json.loads(client_for(portal_a).get("/api/schema/", {"format": "json"}).content)
    operations = {
        op["operationId"]: op
        for path, methods in schema["paths"].items()
        if path.startswith((f"{API}/questions/", f"{API}/consultations/"))
        for op in methods.values()
    }
    assert set(operations) == {"questions_list", "questions_retrieve", "consultations_list", "consultations_retrieve"}
    for op in operations.values():
        assert op["summary"] and op["description"] and op["tags"]
    names = {p["name"] for p in operations["consultations_list"]["parameters"]}
    assert names == {"period", "page", "page_size"}
    comment = schema["components"]["schemas"]["ConsultationCommentOutput"]["properties"]
    assert "email" not in comment and set(comment) == {"id", "name", "body", "created_at"}
