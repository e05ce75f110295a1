"""Password rules (Đ10.2.đ) on every path, first-login change, expiry and its warning."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.services import account_create, account_password_issue, account_password_set
from accounts.validators import MinimumLengthValidator
from portal_platform import audit
from portal_platform.errors import ValidationFailed
from portal_platform.models import AuditLog
from tenants.models import Portal
from tests.conftest import ROOT, host_of

pytestmark = pytest.mark.django_db

GOOD = "Sông-Lam#2026xanh"


def _codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {error.code for error in exc.error_list if error.code}
    return set()


def _messages(password: str, user: User | None = None) -> str:
    with translation.override("en"):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return " ".join(exc.messages)
    return ""


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("song-lam#2026xanh", "an upper-case letter"),
        ("SONG-LAM#2026XANH", "a lower-case letter"),
        ("Sông-Lam#haiNghin", "a digit"),
        ("SongLam2026Xanhxanh", "a special character"),
    ],
)
def test_each_character_class_is_required(password: str, missing: str) -> None:
    assert _codes(password) == {"password_character_classes"}
    assert missing in _messages(password)


def test_length_common_and_similarity_rules() -> None:
    assert "password_too_short" in _codes("Ab1!xyz")
    assert "at least 12 characters" in _messages("Ab1!xyz")
    # On Django's list of common passwords (compared in lower case).
    assert "password_too_common" in _codes("Password123")
    assert "too common" in _messages("Password123")
    user = User(username="nguyenvanan.xa-a", full_name="Nguyễn Văn An", email="an@example.vn")
    assert "password_too_similar" in _codes("Nguyenvanan.xa-a1", user)
    assert "too similar" in _messages("Nguyenvanan.xa-a1", user)
    assert _codes(GOOD, user) == set()


def test_messages_are_translated_to_vietnamese() -> None:
    """What a commune clerk reads, from the catalogue in locale/."""
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        validate_password("abc")
    text = " ".join(info.value.messages)
    assert "Mật khẩu quá ngắn: phải có ít nhất 12 ký tự." in text
    assert "Mật khẩu còn thiếu một chữ in hoa, một chữ số, một ký tự đặc biệt" in text
    assert "Mật khẩu này quá phổ biến" in text


def test_minimum_length_comes_from_the_setting(settings: Any) -> None:
    settings.PASSWORD_MIN_LENGTH = 16
    with pytest.raises(ValidationError):
        MinimumLengthValidator().validate("Ab1!Ab1!Ab1!Ab1")  # 15
    MinimumLengthValidator().validate("Ab1!Ab1!Ab1!Ab1!")  # 16


def test_minimum_length_below_eight_stops_start_up() -> None:
    env = {**os.environ, "PASSWORD_MIN_LENGTH": "6", "DJANGO_SETTINGS_MODULE": "portal_platform.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "PASSWORD_MIN_LENGTH" in result.stderr
    assert "≥ 8" in result.stderr


def test_service_refuses_a_weak_password_and_changes_nothing() -> None:
    user = User.objects.create_user(username="kiemtra.cttdt", password=GOOD)
    before = user.password
    with pytest.raises(ValidationFailed) as caught:
        account_password_set(user=user, password="short")
    assert caught.value.code == "weak_password"
    user.refresh_from_db()
    assert user.password == before


def test_service_sets_an_argon2_hash_and_the_change_date() -> None:
    user = User.objects.create_user(username="kiemtra2.cttdt", password=GOOD)
    account_password_set(user=user, password="Hà-Tĩnh#Nghệ-An2026")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.password_changed_at is not None
    assert not user.must_change_password
    assert AuditLog.objects.filter(action=audit.PASSWORD_CHANGE, target=user.username).exists()


def test_password_set_by_someone_else_or_issued_must_be_changed() -> None:
    admin = User.objects.create_user(username="admin.kt.cttdt", password=GOOD)
    user = User.objects.create_user(username="kiemtra3.cttdt", password=GOOD)
    account_password_set(user=user, password="Hà-Tĩnh#Nghệ-An2026", issued_by=admin)
    assert user.must_change_password
    user.must_change_password = False
    user.save()
    issued = account_password_issue(user=user, issued_by=admin)
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(issued)
    validate_password(issued, user)
    assert AuditLog.objects.filter(action=audit.PASSWORD_RESET, target=user.username, actor=admin.username).exists()


def test_management_command_applies_the_rules(portal_a: Portal, tmp_path: Path) -> None:
    with schema_context(portal_a.schema_name):
        User.objects.create_user(username="lenhdoi.xa-a", password=GOOD)
    weak = tmp_path / "weak"
    weak.write_text("yeu\n")
    with pytest.raises(CommandError):
        call_command("account_password", portal="xa-a", username="lenhdoi.xa-a", password_file=str(weak))
    strong = tmp_path / "strong"
    strong.write_text("Hà-Tĩnh#Nghệ-An2026\n")
    call_command("account_password", portal="xa-a", username="lenhdoi.xa-a", password_file=str(strong))
    with schema_context(portal_a.schema_name):
        user = User.objects.get(username="lenhdoi.xa-a")
        assert user.check_password("Hà-Tĩnh#Nghệ-An2026") and user.must_change_password


# --- forced change on pages and API ---------------------------------------------------------------


def _login(client: Client, host: str, username: str, password: str) -> Any:
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"}, HTTP_HOST=host)


def test_first_login_must_change_before_any_page(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        _user, issued = account_create(username="moi.xa-a", full_name="Người Mới")
    assert issued
    host = host_of(portal_a)
    client = Client()
    assert _login(client, host, "moi.xa-a", issued).status_code == 302
    for path in ("/admin/", "/admin/accounts/user/", "/"):
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/doi-mat-khau/")
    page = client.get("/tai-khoan/doi-mat-khau/", HTTP_HOST=host)
    assert page.status_code == 200 and page.context["forced"]
    weak = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": issued, "new_password1": "abc", "new_password2": "abc"},
        HTTP_HOST=host,
    )
    assert weak.status_code == 200  # refused, shown again
    done = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": issued, "new_password1": GOOD, "new_password2": GOOD},
        HTTP_HOST=host,
    )
    assert done.status_code == 302
    assert client.get("/admin/", HTTP_HOST=host).status_code == 200
    with schema_context(portal_a.schema_name):
        user = User.objects.get(username="moi.xa-a")
        assert not user.must_change_password and user.password_changed_at is not None


def test_admin_own_password_page_leads_to_the_one_change_page(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        user = User.objects.create_user(username="doi.xa-a", password=GOOD, is_staff=True)
    client = Client()
    with schema_context(portal_a.schema_name):
        client.force_login(user)
    response = client.get("/admin/password_change/", HTTP_HOST=host_of(portal_a))
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/doi-mat-khau/"


def test_api_refuses_an_account_that_must_change_its_password(settings: Any) -> None:
    operator = User.objects.create_user(
        username="vanhanh.cttdt", password=GOOD, is_staff=True, must_change_password=True
    )
    token = Token.objects.create(user=operator)
    client = Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/v1/portals/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"
    assert response.json()["error"]["message"]
    User.objects.filter(pk=operator.pk).update(must_change_password=False, password_changed_at=timezone.now())
    assert client.get("/api/v1/portals/").status_code == 200


def test_expired_password_is_refused_on_pages_and_api(settings: Any) -> None:
    operator = User.objects.create_user(username="hethan.cttdt", password=GOOD, is_staff=True, is_superuser=True)
    User.objects.filter(pk=operator.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    token = Token.objects.create(user=operator)
    api = Client(HTTP_HOST=settings.CONSOLE_HOST, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/portals/").json()["error"]["code"] == "password_change_required"
    client = Client()
    client.force_login(operator)
    response = client.get("/", HTTP_HOST=settings.CONSOLE_HOST)
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/doi-mat-khau/")
    assert client.get("/tai-khoan/doi-mat-khau/", HTTP_HOST=settings.CONSOLE_HOST).context["expired"]


def test_null_change_date_counts_from_the_day_the_account_joined(settings: Any) -> None:
    fresh = User.objects.create_user(username="cu.cttdt", password=GOOD, is_staff=True, is_superuser=True)
    assert fresh.password_changed_at is None
    client = Client()
    client.force_login(fresh)
    assert client.get("/", HTTP_HOST=settings.CONSOLE_HOST).status_code == 200
    User.objects.filter(pk=fresh.pk).update(date_joined=timezone.now() - dt.timedelta(days=100))
    assert client.get("/", HTTP_HOST=settings.CONSOLE_HOST).status_code == 302


def test_warning_in_the_days_before_expiry_once_a_day(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        user = User.objects.create_user(username="sapheth.xa-a", password=GOOD, is_staff=True, is_superuser=True)
        User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=85, hours=1))
        client = Client()
        client.force_login(user)
    host = host_of(portal_a)
    first = client.get("/admin/", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 200
    with translation.override("en"):
        assert "expires in 4 days" in first.content.decode()
    second = client.get("/admin/", HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    assert "expires in" not in second.content.decode()


def test_back_office_reset_action_shows_the_password_once(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        admin = User.objects.create_user(username="admin.xa-a.reset", password=GOOD, is_staff=True, is_superuser=True)
        target = User.objects.create_user(username="quen.xa-a", password=GOOD, is_staff=True)
    client = Client()
    with schema_context(portal_a.schema_name):
        client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_password", "_selected_action": [str(target.pk)]},
        HTTP_HOST=host_of(portal_a),
        follow=True,
    )
    assert response.status_code == 200
    with schema_context(portal_a.schema_name):
        target.refresh_from_db()
        assert target.must_change_password
    shown = [str(m) for m in response.context["messages"]]
    assert any("quen.xa-a" in text for text in shown)


def test_back_office_add_account_checks_name_and_password(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        admin = User.objects.create_user(username="admin.xa-a.add", password=GOOD, is_staff=True, is_superuser=True)
    client = Client()
    with schema_context(portal_a.schema_name):
        client.force_login(admin)
    host = host_of(portal_a)
    bad = client.post(
        "/admin/accounts/user/add/",
        {"username": "Nguyen Van A", "full_name": "Nguyễn Văn A", "password1": "abc", "password2": "abc"},
        HTTP_HOST=host,
    )
    assert bad.status_code == 200
    errors = bad.context["adminform"].form.errors
    assert "username" in errors
    good = client.post(
        "/admin/accounts/user/add/",
        {"username": "nguyenvana.xa-a", "full_name": "Nguyễn Văn A", "password1": GOOD, "password2": GOOD},
        HTTP_HOST=host,
    )
    assert good.status_code == 302, good.context and good.context["adminform"].form.errors
    with schema_context(portal_a.schema_name):
        created = User.objects.get(username="nguyenvana.xa-a")
        assert created.must_change_password and created.password.startswith("argon2")
    assert AuditLog.objects.filter(action=audit.ACCOUNT_CREATE, target="nguyenvana.xa-a", portal=portal_a).exists()


def test_no_delete_in_the_back_office(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        admin = User.objects.create_user(username="admin.xa-a.del", password=GOOD, is_staff=True, is_superuser=True)
    client = Client()
    with schema_context(portal_a.schema_name):
        client.force_login(admin)
    response = client.get(f"/admin/accounts/user/{admin.pk}/delete/", HTTP_HOST=host_of(portal_a))
    assert response.status_code == 403
