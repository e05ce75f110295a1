"""What stands between the public forms and the database: the CAPTCHA, the honeypot, the rate limit,
field checks with Vietnamese messages (the citizen's input kept), and escaping of all of it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import ngettext
from django_tenants.utils import schema_context

from content import roles
from content.models import Consultation, ConsultationComment, DocumentField, Question, QuestionAnswer, Unit
from content.services import citizens as services
from content.services.workflow import item_save, item_transition
from tenants.models import Portal
from tests.citizens import (
    backoffice,
    captcha_key,
    captcha_solved,
    citizen,
    fresh_address,
    html,
    permissions_ready,
    staff,
    vi_msg,
)

pytestmark = pytest.mark.django_db

ASK = "/hoi-dap/gui-cau-hoi/"
GOOD = {
    "name": "Phạm Văn Dũng",
    "email": "dung@example.vn",
    "phone": "",
    "title": "Hỏi về học phí",
    "body": "Học phí năm học mới là bao nhiêu?",
    "website": "",
}


@pytest.fixture
def setup(portal_a: Portal) -> Iterator[dict[str, Any]]:
    with schema_context(portal_a.schema_name):
        permissions_ready()
        field = DocumentField.objects.create(name="Giáo dục", slug="giao-duc")
        yield {
            "field": field,
            "editor": staff("bientap.xa-a", roles.EDITOR),
            "head": staff("truongban.xa-a", roles.BOARD_HEAD),
        }


def _good(setup: dict[str, Any]) -> dict[str, str]:
    return {**GOOD, "field": str(setup["field"].pk)}


# --- CAPTCHA -----------------------------------------------------------------------------------------


def test_the_real_captcha_is_on_by_default() -> None:
    assert django_settings.CAPTCHA_TEST_MODE is False and captcha_settings.CAPTCHA_TEST_MODE is False


def test_a_wrong_or_missing_captcha_stores_nothing_and_keeps_the_input(portal_a: Portal, setup: dict[str, Any]) -> None:
    client = citizen(portal_a)
    form = client.get(ASK)
    assert 'class="captcha"' in html(form) and 'alt="' in html(form)
    key = captcha_key(form)
    wrong = client.post(ASK, {**_good(setup), "captcha_0": key, "captcha_1": "SAI"})
    assert wrong.status_code == 400
    page = html(wrong)
    assert escape(vi_msg("The characters do not match the picture. Type the characters of the new picture.")) in page
    assert 'value="Phạm Văn Dũng"' in page and "Học phí năm học mới là bao nhiêu?" in page
    assert captcha_key(wrong) != key  # a new picture
    # The failed challenge is used up: the right answer to it no longer works either.
    assert not CaptchaStore.objects.filter(hashkey=key).exists()
    missing = client.post(ASK, {**_good(setup), "captcha_0": captcha_key(wrong), "captcha_1": ""})
    assert missing.status_code == 400
    assert escape(vi_msg("Type the characters shown in the picture.")) in html(missing)
    forged = client.post(ASK, {**_good(setup), "captcha_0": "0" * 40, "captcha_1": "ABCDE"})
    assert forged.status_code == 400
    assert not Question.objects.exists()


def test_the_right_captcha_answer_works_once(portal_a: Portal, setup: dict[str, Any]) -> None:
    client = citizen(portal_a)
    solved = captcha_solved(client.get(ASK))
    assert client.post(ASK, {**_good(setup), **solved}).status_code == 200
    replay = client.post(ASK, {**_good(setup), **solved})
    assert replay.status_code == 400
    assert Question.objects.count() == 1


def test_test_mode_accepts_passed(portal_a: Portal, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    client = citizen(portal_a)
    key = captcha_key(client.get(ASK))
    assert client.post(ASK, {**_good(setup), "captcha_0": key, "captcha_1": "PASSED"}).status_code == 200
    assert Question.objects.count() == 1


def test_the_captcha_picture_is_served(portal_a: Portal, setup: dict[str, Any]) -> None:
    client = citizen(portal_a)
    picture = client.get(f"/captcha/image/{captcha_key(client.get(ASK))}/")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"


# --- the honeypot ------------------------------------------------------------------------------------


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(portal_a: Portal, setup: dict[str, Any]) -> None:
    client = citizen(portal_a)
    form = client.get(ASK)
    assert 'name="website"' in html(form) and 'style="display:none"' in html(form)
    robot = client.post(ASK, {**_good(setup), **captcha_solved(form), "website": "http://spam.example"})
    assert robot.status_code == 400
    assert escape(vi_msg("The form was not filled in as expected. Please fill it in again.")) in html(robot)
    assert not Question.objects.exists()


def test_a_comment_with_the_honeypot_filled_is_refused(portal_a: Portal, setup: dict[str, Any]) -> None:
    item = _open_consultation(setup)
    client = citizen(portal_a)
    url = f"/gop-y-du-thao/{item.slug}/gop-y/"
    robot = client.post(url, {"name": "Bot", "email": "bot@example.vn", "body": "Mua ngay", "website": "x",
                              **captcha_solved(client.get(url))})  # fmt: skip
    assert robot.status_code == 400 and not ConsultationComment.objects.exists()


# --- the rate limit ----------------------------------------------------------------------------------


def test_a_flood_gets_429_and_stores_nothing(
    portal_a: Portal, portal_b: Portal, setup: dict[str, Any], settings: Any
) -> None:
    settings.CITIZEN_SUBMISSIONS_PER_HOUR = 2
    address = fresh_address()
    client = citizen(portal_a, address)
    for _ in range(2):
        assert client.post(ASK, {**_good(setup), **captcha_solved(client.get(ASK))}).status_code == 200
    flood = client.post(ASK, {**_good(setup), **captcha_solved(client.get(ASK))})
    assert flood.status_code == 429 and flood["Retry-After"] == "3600"
    with translation.override("vi"):
        explained = ngettext(
            "This portal accepts at most %(n)s submission per hour from the same connection. Your submission was "
            "not saved; please try again in an hour.",
            "This portal accepts at most %(n)s submissions per hour from the same connection. Your submission was "
            "not saved; please try again in an hour.",
            2,
        ) % {"n": 2}
    assert escape(vi_msg("Too many submissions")) in html(flood) and escape(explained) in html(flood)
    assert Question.objects.count() == 2
    # Invalid attempts count too: a robot cannot keep guessing.
    assert client.post(ASK, {}).status_code == 429
    # Another address, and the same address on another portal, are counted on their own.
    other = citizen(portal_a)
    assert other.post(ASK, {**_good(setup), **captcha_solved(other.get(ASK))}).status_code == 200
    assert citizen(portal_b, address).get(ASK).status_code == 200
    assert citizen(portal_b, address).post(ASK, {}).status_code == 400
    with schema_context(portal_a.schema_name):
        assert Question.objects.count() == 3


def test_comments_are_rate_limited_too(portal_a: Portal, setup: dict[str, Any], settings: Any) -> None:
    settings.CITIZEN_SUBMISSIONS_PER_HOUR = 1
    item = _open_consultation(setup)
    client = citizen(portal_a)
    url = f"/gop-y-du-thao/{item.slug}/gop-y/"
    data = {"name": "An", "email": "an@example.vn", "body": "Ý kiến", "website": ""}
    assert client.post(url, {**data, **captcha_solved(client.get(url))}).status_code == 200
    assert client.post(url, {**data, **captcha_solved(client.get(url))}).status_code == 429
    assert ConsultationComment.objects.count() == 1


# --- field checks ----------------------------------------------------------------------------------


def test_bad_input_gets_vietnamese_messages_next_to_the_fields_and_is_kept(
    portal_a: Portal, setup: dict[str, Any]
) -> None:
    client = citizen(portal_a)
    form = client.get(ASK)
    sent = {
        "name": "  ",
        "email": "khong-phai-email",
        "phone": "abc",
        "title": "",
        "body": "x" * 5001,
        "field": "999999",
        "website": "",
        **captcha_solved(form),
    }
    response = client.post(ASK, sent)
    assert response.status_code == 400
    page = html(response)
    expected = {
        "name": vi_msg("Enter your full name."),
        "email": vi_msg("Enter a valid email address, for example ten@example.com."),
        "phone": vi_msg("Enter a valid phone number, for example 0912 345 678."),
        "title": vi_msg("Enter the subject of your question."),
        "field": vi_msg("Choose a field from the list."),
        "body": vi_msg("This text is too long: at most %(max)s characters (it has %(length)s).")
        % {"max": 5000, "length": 5001},
    }
    for name, message in expected.items():
        block = f'id="id_{name}_error"'
        assert block in page, name
        # The message sits in the field's own error block, which the input points to.
        start = page.index(block)
        assert escape(message) in page[start : start + 600], name
    assert 'aria-describedby="id_email_helptext id_email_error"' in page and 'aria-invalid="true"' in page
    assert 'value="khong-phai-email"' in page and 'value="abc"' in page and "x" * 5001 in page
    assert 'lang="vi"' in page
    assert not Question.objects.exists()

    # No contact at all: one message asks for an email or a phone.
    nothing = client.post(ASK, {**_good(setup), "email": "", "phone": "", **captcha_solved(client.get(ASK))})
    assert escape(vi_msg("Enter an email address or a phone number, so that the answer can reach you.")) in html(
        nothing
    )
    # A phone alone is enough.
    phone_only = client.post(
        ASK, {**_good(setup), "email": "", "phone": "+84 912-345-678", **captcha_solved(client.get(ASK))}
    )
    assert phone_only.status_code == 200
    assert Question.objects.get().phone == "+84 912-345-678"


def test_comment_fields_are_checked(portal_a: Portal, setup: dict[str, Any]) -> None:
    item = _open_consultation(setup)
    client = citizen(portal_a)
    url = f"/gop-y-du-thao/{item.slug}/gop-y/"
    response = client.post(url, {"name": "", "email": "", "body": "", "website": "", **captcha_solved(client.get(url))})
    assert response.status_code == 400
    for message in ("Enter your full name.", "Enter your email address.", "Write your comment."):
        assert escape(vi_msg(message)) in html(response)
    assert not ConsultationComment.objects.exists()


def test_a_null_character_is_refused_not_a_server_error(portal_a: Portal, setup: dict[str, Any]) -> None:
    client = citizen(portal_a)
    response = client.post(ASK, {**_good(setup), "body": "a\x00b", **captcha_solved(client.get(ASK))})
    assert response.status_code == 400
    assert escape(vi_msg("This text contains characters that are not allowed.")) in html(response)


# --- escaping ------------------------------------------------------------------------------------------

PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "<b onmouseover=alert(2)>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_everything_a_citizen_sends_is_escaped(portal_a: Portal, setup: dict[str, Any], payload: str) -> None:
    client = citizen(portal_a)
    # Every field, on the page that shows the errors again.
    everything = {name: payload for name in ("name", "email", "phone", "title", "body", "field")}
    bounced = client.post(ASK, {**everything, "website": "", "captcha_0": "x", "captcha_1": payload})
    assert bounced.status_code == 400 and payload not in html(bounced)
    assert escape(payload) in html(bounced)

    # Stored where the text is free (name, subject, question), then shown to staff and the public.
    question = services.question_submit(
        name=payload, email="a@example.vn", phone="", title=payload, body=payload, field_id=setup["field"].pk
    )
    unit = Unit.objects.create(name="Phòng Văn hoá")
    services.question_route(question=question, unit=unit, user=setup["editor"])
    services.question_answer(question=question, answer=payload, user=setup["editor"])
    staff_page = html(backoffice(portal_a, setup["editor"]).get(f"/admin/content/question/{question.pk}/change/"))
    assert payload not in staff_page and escape(payload) in staff_page
    item = services.question_publication_create(question=question, user=setup["editor"])
    item = item_transition(item=item, action="submit", user=setup["editor"])
    item = item_transition(item=item, action="approve", user=setup["head"])
    item_transition(item=item, action="publish", user=setup["head"])
    for path in ("/hoi-dap/", f"/hoi-dap/{QuestionAnswer.objects.get().pk}/"):
        page = html(citizen(portal_a).get(path))
        assert payload not in page and escape(payload) in page

    # A comment: on the form again, then approved on the public page.
    consultation = _open_consultation(setup)
    url = f"/gop-y-du-thao/{consultation.slug}/gop-y/"
    bounced = client.post(url, {"name": payload, "email": payload, "body": payload, "website": "",
                                "captcha_0": "x", "captcha_1": "x"})  # fmt: skip
    assert payload not in html(bounced) and escape(payload) in html(bounced)
    comment = services.consultation_comment_submit(
        consultation=consultation, name=payload, email="b@example.vn", body=payload
    )
    services.consultation_comment_moderate(comment=comment, decision="approve", user=setup["editor"])
    page = html(citizen(portal_a).get(f"/gop-y-du-thao/{consultation.slug}/"))
    assert payload not in page and escape(payload) in page
    moderation = html(backoffice(portal_a, setup["editor"]).get("/admin/content/consultationcomment/"))
    assert payload not in moderation


def _open_consultation(setup: dict[str, Any]) -> Consultation:
    today = timezone.localdate()
    item = item_save(
        model=Consultation,
        data={
            "title": f"Dự thảo {Consultation.objects.count() + 1}",
            "summary": "Tóm tắt",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=7)).isoformat(),
        },
        user=setup["editor"],
    )
    item = item_transition(item=item, action="submit", user=setup["editor"])
    item = item_transition(item=item, action="approve", user=setup["head"])
    return item_transition(item=item, action="publish", user=setup["head"])
