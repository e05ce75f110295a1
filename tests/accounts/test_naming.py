"""Account naming rule (Đ10.2.d): admin.<abbr>, admin.<department>.<abbr>, <name>.<abbr>."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import account_create
from accounts.validators import current_abbreviation, username_suggest, validate_username
from portal_platform.errors import ValidationFailed
from tenants.models import Portal


@pytest.mark.parametrize(
    "username",
    ["admin.sokhcn", "admin.vanphong.sokhcn", "nguyenvanan.sokhcn", "tranthibinh2.sokhcn", "an.sokhcn"],
)
def test_accepted(username: str) -> None:
    validate_username(username, abbreviation="sokhcn")


@pytest.mark.parametrize(
    "username",
    [
        "nguyenvanan",  # no abbreviation
        "nguyenvanan.sotc",  # another portal's abbreviation
        "Nguyenvanan.sokhcn",  # upper case
        "nguyễnvănan.sokhcn",  # accents
        "nguyen.van.an.sokhcn",  # separators
        "nguyen_van_an.sokhcn",
        "2nguyen.sokhcn",  # starts with a digit
        "a.sokhcn",  # too short
        "a" * 41 + ".sokhcn",  # too long
        "admin..sokhcn",
    ],
)
def test_refused_with_the_rule_and_an_example(username: str) -> None:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_username(username, abbreviation="sokhcn")
    assert caught.value.code == "invalid_username"
    with translation.override("en"):
        message = caught.value.messages[0]
    assert "nguyenvanan.sokhcn" in message and "admin.sokhcn" in message


def test_hyphenated_abbreviation() -> None:
    validate_username("tranthibinh2.xa-con-cuong", abbreviation="xa-con-cuong")
    validate_username("admin.xa-con-cuong", abbreviation="xa-con-cuong")


def test_suggestion_strips_vietnamese_diacritics() -> None:
    assert username_suggest("Nguyễn Văn Đạt", abbreviation="sokhcn") == "nguyenvandat.sokhcn"
    assert username_suggest("Trần Thị Bình", abbreviation="xa-con-cuong") == "tranthibinh.xa-con-cuong"
    validate_username(username_suggest("Lê Đức Ánh", abbreviation="sotc"), abbreviation="sotc")


@pytest.mark.django_db
def test_abbreviation_is_the_portals_or_the_consoles(portal_a: Portal, settings: Any) -> None:
    assert current_abbreviation() == settings.CONSOLE_ABBREVIATION == "cttdt"
    with schema_context(portal_a.schema_name):
        assert current_abbreviation() == "xa-a"


@pytest.mark.django_db
def test_service_refuses_a_bad_name_and_creates_nothing(portal_a: Portal) -> None:
    with schema_context(portal_a.schema_name):
        with pytest.raises(ValidationFailed) as caught:
            account_create(username="nguyenvanan.xa-b", full_name="Nguyễn Văn An")
        assert caught.value.code == "invalid_username"
        assert not User.objects.filter(username="nguyenvanan.xa-b").exists()
        user, _issued = account_create(username="nguyenvanan.xa-a", full_name="Nguyễn Văn An")
        assert user.pk
