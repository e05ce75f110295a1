"""The evaluation: scores recomputed by hand for a small case (two portals, known content and
weights), criteria that do not apply renormalised away, weights changed and scores recomputed, the
ranking with each portal's weakest criteria, the criteria's validation, the API and the console."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from accounts.models import User
from content import roles
from content.models import Article, Category, DocumentField, LegalDocument, Question, QuestionStatus, Unit
from portal_platform.errors import NotFound, ValidationFailed
from portal_platform.reports import periods
from portal_platform.reports.evaluation import (
    CriterionChange,
    criteria_update,
    evaluation_compute,
    evaluation_ranking,
    html_accessibility_problems,
)
from portal_platform.reports.figures import portal_figures
from portal_platform.reports.models import Criterion, Evaluation, Incident, IncidentKind
from tenants.models import Portal
from tests.board import account, roles_ready
from tests.site.content import publish

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = periods.month(2022, 3)  # 31 days, long past: every day of it counts
_serial = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def _article(head: User, section: Category, title: str, when: dt.datetime, body: str = "") -> None:
    item = publish(
        Article,
        {
            "title": title,
            "summary": title,
            "body": body or f"<p>{title}</p><h2>Chi tiết</h2>",
            "author": "PV",
            "sections": [section.pk],
        },
        head,
    )
    Article.objects.filter(pk=item.pk).update(first_published_at=when)


def _document(head: User, field: DocumentField, number: str, issued: dt.date, when: dt.datetime) -> None:
    item = publish(
        LegalDocument,
        {
            "form": "quyet-dinh",
            "issuer": "UBND xã",
            "signer": "Chủ tịch",
            "field": field.pk,
            "number": number,
            "issue_date": issued.isoformat(),
            "abstract": f"Văn bản {number}",
        },
        head,
    )
    LegalDocument.objects.filter(pk=item.pk).update(first_published_at=when)


def _setup(marker: str) -> tuple[User, Category, DocumentField]:
    roles_ready()
    head = account(f"truongban.dg{marker}", roles=[roles.BOARD_HEAD])
    section = Category.objects.create(name=f"Tin đánh giá {marker}", slug=f"tin-danh-gia-{marker}")
    field = DocumentField.objects.create(name=f"Lĩnh vực đánh giá {marker}", slug=f"linh-vuc-danh-gia-{marker}")
    return head, section, field


@pytest.fixture
def seeded(portal_a: Portal, portal_b: Portal) -> None:
    """Portal A: 3 articles in March 2022 (one with an image lacking alt text), 2 legal documents
    (one posted 2 days after issue, one 37 days after), no question, no outage.
    Portal B: 1 article, no legal document, 1 question answered on time, a 12-hour outage."""
    with schema_context(portal_a.schema_name):
        head, section, field = _setup("a")
        _article(head, section, "Bài một", at(2022, 3, 1, 0, 0))  # the first minute of the period
        _article(head, section, "Bài hai", at(2022, 3, 31, 23, 59), body='<p>Ảnh <img src="/a.png"></p>')
        _article(head, section, "Bài ba", at(2022, 3, 15, 9))
        _article(head, section, "Bài tháng tư", at(2022, 4, 1, 0, 0))  # just outside
        _document(head, field, "01/2022/QĐ-DGA", dt.date(2022, 3, 1), at(2022, 3, 3, 10))
        _document(head, field, "02/2022/QĐ-DGA", dt.date(2022, 2, 1), at(2022, 3, 10, 10))
    with schema_context(portal_b.schema_name):
        head, section, field = _setup("b")
        _article(head, section, "Bài xã Bình", at(2022, 3, 20, 8))
        unit = Unit.objects.create(name="Văn phòng đánh giá")
        question = Question.objects.create(
            name="Công dân",
            email="congdan@example.vn",
            title=f"Câu hỏi {next(_serial)}",
            body="Nội dung",
            due_date=dt.date(2022, 3, 10),
            status=QuestionStatus.ANSWERED,
            unit=unit,
            answer="Trả lời",
            answered_at=at(2022, 3, 5, 9),
        )
        Question.objects.filter(pk=question.pk).update(received_at=at(2022, 3, 2, 9))
    Incident.objects.create(
        portal=portal_b,
        kind=IncidentKind.INCIDENT,
        title="Mất điện máy chủ",
        started_at=at(2022, 3, 10, 0, 0),
        ended_at=at(2022, 3, 10, 12, 0),
        service_down=True,
        filed_by="admin.xa-b",
    )


@pytest.fixture
def weights(settings: Any) -> None:
    """Only period-bound criteria, so the hand computation does not depend on the portals' pages."""
    settings.EVALUATION_ARTICLES_PER_WEEK = 1.0
    settings.EVALUATION_UPTIME_FLOOR = 95.0
    settings.REPORT_LEGAL_DOCUMENT_DAYS = 7
    chosen = {
        "update_frequency": "2",
        "legal_document_timeliness": "1",
        "answer_timeliness": "3",
        "accessibility": "1",
        "uptime": "1",
    }
    for criterion in Criterion.objects.all():
        criterion.is_active = criterion.code in chosen
        criterion.weight = Decimal(chosen.get(criterion.code, "1"))
        criterion.save()


def test_scores_recomputed_by_hand(seeded: None, weights: None, portal_a: Portal, portal_b: Portal) -> None:
    evaluation_compute(period=MARCH, portals=[portal_a, portal_b])
    a = Evaluation.objects.get(portal=portal_a, period_start=MARCH.start, period_end=MARCH.end)
    b = Evaluation.objects.get(portal=portal_b, period_start=MARCH.start, period_end=MARCH.end)
    score = {code: part["score"] for code, part in a.details.items()}
    # A: 3 articles in 31/7 weeks against 1 a week = 67.74; 1 of 2 documents within 7 days = 50;
    # no question: not applicable; 2 of 3 articles pass the content check = 66.67; no outage = 100.
    assert score == {
        "update_frequency": 67.74,
        "legal_document_timeliness": 50.0,
        "answer_timeliness": None,
        "accessibility": 66.67,
        "uptime": 100.0,
    }
    # Renormalised over the weights that apply: 2 + 1 + 1 + 1 = 5.
    assert a.total == Decimal("70.43")  # (2×67.74 + 50 + 66.67 + 100) / 5 = 70.430
    assert a.details["answer_timeliness"]["share"] == 0.0
    assert a.details["update_frequency"]["share"] == 40.0
    score_b = {code: part["score"] for code, part in b.details.items()}
    # B: 1 article = 22.58; no document: n/a; 1 of 1 answered on time = 100; 1 of 1 passes = 100;
    # 720 of 44 640 minutes down: 98.387 % → (98.387 − 95) / 5 × 100 = 67.74.
    assert score_b == {
        "update_frequency": 22.58,
        "legal_document_timeliness": None,
        "answer_timeliness": 100.0,
        "accessibility": 100.0,
        "uptime": 67.74,
    }
    assert b.total == Decimal("73.27")  # (2×22.58 + 3×100 + 100 + 67.74) / 7 = 73.271
    assert b.details["legal_document_timeliness"]["explanation"]  # says why it does not apply
    assert "img" not in a.details["accessibility"]["explanation"]
    assert "Bài hai" in a.details["accessibility"]["explanation"]

    ranking = [row for row in evaluation_ranking(period=MARCH) if row.portal.pk in {portal_a.pk, portal_b.pk}]
    assert [row.portal.pk for row in ranking] == [portal_b.pk, portal_a.pk]
    weakest_a = next(row.weakest for row in ranking if row.portal.pk == portal_a.pk)
    assert [w["code"] for w in weakest_a] == ["legal_document_timeliness", "accessibility", "update_frequency"]
    weakest_b = next(row.weakest for row in ranking if row.portal.pk == portal_b.pk)
    assert [w["code"] for w in weakest_b] == ["update_frequency", "uptime"]  # full marks are not weaknesses


def test_changing_weights_then_recomputing_replaces_the_scores(
    seeded: None, weights: None, portal_a: Portal, portal_b: Portal
) -> None:
    evaluation_compute(period=MARCH, portals=[portal_a, portal_b])
    before = Evaluation.objects.get(portal=portal_a, period_start=MARCH.start)
    assert before.details["accessibility"]["weight"] == "1.00"
    criteria_update(
        changes=[
            CriterionChange(code="accessibility", weight=Decimal("0")),
            CriterionChange(code="uptime", is_active=False),
            CriterionChange(code="legal_document_timeliness", name="Văn bản đăng đúng hạn", weight=Decimal("3")),
        ]
    )
    # The stored scores keep the weights they were computed with until computed again.
    assert Evaluation.objects.get(pk=before.pk).total == Decimal("70.43")
    evaluation_compute(period=MARCH, portals=[portal_a, portal_b])
    assert Evaluation.objects.filter(portal=portal_a, period_start=MARCH.start, period_end=MARCH.end).count() == 1
    after = Evaluation.objects.get(portal=portal_a, period_start=MARCH.start)
    # (2×67.74 + 3×50) / 5 = 57.096; accessibility weighs 0, uptime is off (not in the snapshot).
    assert after.total == Decimal("57.10")
    assert "uptime" not in after.details
    assert after.details["legal_document_timeliness"]["name"] == "Văn bản đăng đúng hạn"
    assert after.details["accessibility"]["share"] == 0.0
    b = Evaluation.objects.get(portal=portal_b, period_start=MARCH.start)
    assert b.total == Decimal("69.03")  # (2×22.58 + 3×100) / 5 = 69.032


def test_a_portal_where_nothing_applies_scores_zero_rather_than_failing(weights: None, portal_a: Portal) -> None:
    # February 2003: nothing happened; only uptime (100) applies.
    [evaluation] = evaluation_compute(period=periods.month(2003, 2), portals=[portal_a])
    applicable = {code for code, part in evaluation.details.items() if part["score"] is not None}
    assert applicable == {"update_frequency", "uptime"}
    assert evaluation.details["update_frequency"]["score"] == 0.0


def test_criteria_validation_is_all_or_nothing() -> None:
    before = {c.code: (c.name, c.weight, c.is_active) for c in Criterion.objects.all()}
    with pytest.raises(ValidationFailed) as negative:
        criteria_update(
            changes=[
                CriterionChange(code="uptime", weight=Decimal("5")),
                CriterionChange(code="accessibility", weight=Decimal("-1")),
            ]
        )
    assert negative.value.code == "invalid_weight" and negative.value.extra["criterion"] == "accessibility"
    with pytest.raises(ValidationFailed) as too_big:
        criteria_update(changes=[CriterionChange(code="uptime", weight=Decimal("1000"))])
    assert too_big.value.code == "invalid_weight"
    with pytest.raises(ValidationFailed) as empty:
        criteria_update(changes=[CriterionChange(code="uptime", name="  ")])
    assert empty.value.code == "invalid_name"
    with pytest.raises(NotFound):
        criteria_update(changes=[CriterionChange(code="khong-co", weight=Decimal("1"))])
    with pytest.raises(ValidationFailed) as none_active:
        criteria_update(changes=[CriterionChange(code=c.code, is_active=False) for c in Criterion.objects.all()])
    assert none_active.value.code == "no_active_criterion"
    with pytest.raises(ValidationFailed) as all_zero:
        criteria_update(changes=[CriterionChange(code=c.code, weight=Decimal("0")) for c in Criterion.objects.all()])
    assert all_zero.value.code == "no_active_criterion"
    assert {c.code: (c.name, c.weight, c.is_active) for c in Criterion.objects.all()} == before


def test_the_content_check() -> None:
    assert html_accessibility_problems("<p>x</p><h2>a</h2><h3>b</h3><h2>c</h2>") == []
    assert html_accessibility_problems('<img src="a.png" alt="Hội nghị">') == []
    assert len(html_accessibility_problems('<img src="a.png"><img src="b.png" alt=" ">')) == 1
    assert html_accessibility_problems("<h2>a</h2><h4>b</h4>")
    assert html_accessibility_problems("<h3>starts too deep</h3>")
    assert html_accessibility_problems("") == []


# --- API and console --------------------------------------------------------------------------------


@pytest.fixture
def operator() -> User:
    user = User.objects.create_user(username="vanhanh.danhgia", password="x", is_staff=True)
    user.must_change_password = False
    user.save()
    return user


@pytest.fixture
def api(operator: User, settings: Any) -> Client:
    token, _created = Token.objects.get_or_create(user=operator)
    return Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")


def test_api_criteria_compute_and_scores(api: Client, seeded: None, weights: None, portal_a: Portal) -> None:
    listed = api.get("/api/v1/evaluation/criteria/")
    assert listed.status_code == 200 and len(listed.json()) == 9
    bad = api.patch(
        "/api/v1/evaluation/criteria/",
        {"criteria": [{"code": "uptime", "weight": -2}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_weight"
    not_a_number = api.patch(
        "/api/v1/evaluation/criteria/",
        {"criteria": [{"code": "uptime", "weight": "nhiều"}]},
        content_type="application/json",
    )
    assert not_a_number.json()["error"]["code"] == "invalid_weight"
    none_left = api.patch(
        "/api/v1/evaluation/criteria/",
        {"criteria": [{"code": c.code, "is_active": False} for c in Criterion.objects.all()]},
        content_type="application/json",
    )
    assert none_left.status_code == 400 and none_left.json()["error"]["code"] == "no_active_criterion"
    changed = api.patch(
        "/api/v1/evaluation/criteria/",
        {"criteria": [{"code": "uptime", "weight": "2,5"}]},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert next(c for c in changed.json() if c["code"] == "uptime")["weight"] == "2.50"

    assert (
        api.post("/api/v1/evaluation/compute/", {"period": "2022-13"}, content_type="application/json").json()["error"][
            "code"
        ]
        == "invalid_period"
    )
    computed = api.post("/api/v1/evaluation/compute/", {"period": "2022-03"}, content_type="application/json")
    assert computed.status_code == 200, computed.json()
    results = computed.json()["results"]
    assert {portal_a.pk} <= {row["portal_id"] for row in results}
    row_a = next(row for row in results if row["portal_id"] == portal_a.pk)
    assert {c["code"] for c in row_a["criteria"]} == {
        "update_frequency",
        "legal_document_timeliness",
        "answer_timeliness",
        "accessibility",
        "uptime",
    }
    assert row_a["weakest"][0]["code"] == "legal_document_timeliness"
    scores = api.get("/api/v1/evaluation/scores/?period=2022-03").json()
    assert scores["results"] == results
    assert api.get("/api/v1/evaluation/scores/?period=quy-1").json()["error"]["code"] == "invalid_period"
    assert api.get("/api/v1/evaluation/scores/?period=2019-04").json()["results"] == []


def test_api_needs_an_operator_and_every_operation_is_described(api: Client, settings: Any) -> None:
    citizen = User.objects.create_user(username="congdan.danhgia", password="x")
    token, _created = Token.objects.get_or_create(user=citizen)
    refused = Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.get("/api/v1/evaluation/criteria/").status_code == 403
    assert refused.get("/api/v1/reports/periodic/?period=2025-01").status_code == 403
    schema = api.get("/api/schema/?format=json").json()
    expected = {
        "/api/v1/evaluation/criteria/": {"get", "patch"},
        "/api/v1/evaluation/compute/": {"post"},
        "/api/v1/evaluation/scores/": {"get"},
        "/api/v1/reports/periodic/": {"get"},
        "/api/v1/reports/periodic/docx/": {"get"},
        "/api/v1/reports/periodic/xlsx/": {"get"},
    }
    for path, methods in expected.items():
        assert path in schema["paths"], sorted(schema["paths"])
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["summary"] and operation["description"], operation["operationId"]


def test_console_criteria_ranking_and_compute(operator: User, settings: Any, seeded: None, weights: None) -> None:
    console = Client(HTTP_HOST=settings.CONSOLE_HOST)
    console.force_login(operator)
    page = console.get("/danh-gia/tieu-chi/")
    assert page.status_code == 200 and b'name="uptime-weight"' in page.content
    form: dict[str, str] = {}
    for criterion in Criterion.objects.all():
        form[f"{criterion.code}-name"] = criterion.name
        form[f"{criterion.code}-weight"] = str(criterion.weight).replace(".", ",")
        if criterion.is_active:
            form[f"{criterion.code}-is_active"] = "on"
    wrong = console.post("/danh-gia/tieu-chi/", {**form, "uptime-weight": "-1"})
    assert wrong.status_code == 200 and "Trọng số không được âm".encode() in wrong.content
    assert b"has-error" in wrong.content
    nothing = {key: value for key, value in form.items() if not key.endswith("is_active")}
    refused = console.post("/danh-gia/tieu-chi/", nothing)
    assert "Phải có ít nhất một tiêu chí".encode() in refused.content
    assert Criterion.objects.filter(is_active=True).count() == 5  # nothing saved
    saved = console.post("/danh-gia/tieu-chi/", {**form, "uptime-weight": "1,5"})
    assert saved.status_code == 302
    assert Criterion.objects.get(code="uptime").weight == Decimal("1.5")

    empty = console.get("/danh-gia/?period=2022-03")
    assert empty.status_code == 200 and "chưa được tính".encode() in empty.content
    computed = console.post("/danh-gia/tinh-diem/", {"period": "2022-03"})
    assert computed.status_code == 302 and computed["Location"] == "/danh-gia/?period=2022-03"
    ranking = console.get(computed["Location"])
    assert ranking.status_code == 200 and "Ủy ban nhân dân xã An".encode() in ranking.content
    assert "Đăng văn bản kịp thời".encode() in ranking.content  # a weakest criterion, by name
    bad = console.get("/danh-gia/?period=2022-99")
    assert bad.status_code == 400 and b"error-summary" in bad.content


def test_the_monthly_job_scores_the_month_and_its_reporting_year(seeded: None, weights: None, portal_a: Portal) -> None:
    from portal_platform.reports.tasks import evaluation_monthly

    evaluation_monthly.fn(today="2022-04-03")
    evaluation_monthly.fn(today="2022-04-03")  # twice: still one row per portal and period
    march = Evaluation.objects.filter(portal=portal_a, period_start=MARCH.start, period_end=MARCH.end)
    assert march.count() == 1 and march.get().total == Decimal("70.43")
    year = periods.report_year(2022)
    assert Evaluation.objects.filter(portal=portal_a, period_start=year.start, period_end=year.end).count() == 1


def test_coverage_freshness_and_english_read_the_portal_as_it_is_now(portal_a: Portal) -> None:
    from django.utils import timezone

    from content.models import Announcement, ContactOfficer, Leader, Page, PageKind, WorkSchedule
    from content.services.workflow import item_save
    from portal_platform.reports.evaluation import (
        EvaluationInput,
        content_facts,
        measure_background_freshness,
        measure_english_coverage,
        measure_section_coverage,
    )
    from tests.site.content import publish_item

    with schema_context(portal_a.schema_name):
        # A known state: nothing public (rolled back after the test).
        for model in (Article, LegalDocument, Announcement, WorkSchedule, Page, Leader, ContactOfficer):
            model.objects.update(live=False)
        head, _section, _field = _setup("ph")
        data = {
            "title": "Cơ cấu tổ chức",
            "title_en": "Organisation",
            "body": "<p>Các phòng</p>",
            "body_en": "<p>Offices</p>",
        }
        existing = Page.objects.filter(kind=PageKind.ORGANISATION).first()
        if existing is None:
            page = publish(Page, {"kind": PageKind.ORGANISATION, "slug": "co-cau-to-chuc-dg", **data}, head)
        else:
            page = publish_item(item_save(model=Page, item=existing, data=data, user=head), head)
        publish(
            ContactOfficer,
            {
                "name": "Nguyễn Văn Đầu Mối",
                "position": "Chuyên viên",
                "area": "Hỏi đáp",
                "area_en": "Questions",
                "email": "daumoi@example.vn",
            },
            head,
        )
    now = timezone.now()
    facts = content_facts(portal=portal_a, period=MARCH, now=now)
    assert {group for group, present in facts.groups.items() if present} == {"organisation", "contacts"}
    data_in = EvaluationInput(
        portal=portal_a,
        period=MARCH,
        figures=portal_figures(portal=portal_a, period=MARCH, now=now),
        facts=facts,
        elapsed_days=31,
        backup_days=0,
    )
    coverage = measure_section_coverage(data_in)
    assert coverage.score == 22.22 and "giới thiệu" in coverage.explanation  # 2 of 9; the introduction is missing
    english = measure_english_coverage(data_in)
    assert english.score == 66.67  # organisation yes, functions no, contact officers 1 of 1
    assert "chức năng" in english.explanation
    assert measure_background_freshness(data_in).score == 100.0
    with schema_context(portal_a.schema_name):
        Page.objects.filter(pk=page.pk).update(published_at=now - dt.timedelta(days=800), last_reviewed_at=None)
    stale = portal_figures(portal=portal_a, period=MARCH, now=now).background
    assert (stale.pages, stale.stale) == (1, 1)
