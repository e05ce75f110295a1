from __future__ import annotations

import subprocess
import sys

import pytest

from portal_platform.env import SettingError, env_bool, env_int, env_str, env_url
from tests.conftest import ROOT, subprocess_env


def test_readers_name_the_variable_and_the_expected_form(tmp_path) -> None:
    with pytest.raises(SettingError, match=r"BROKER_URL.*amqp or redis"):
        env_url("BROKER_URL", ("amqp", "redis"), environ={"BROKER_URL": "kafka://x"})
    with pytest.raises(SettingError, match="PORT_X is 'abc'; expected an integer"):
        env_int("PORT_X", 1, environ={"PORT_X": "abc"})
    with pytest.raises(SettingError, match=r"MIN_LEN.*≥ 8"):
        env_int("MIN_LEN", 12, minimum=8, environ={"MIN_LEN": "4"})
    with pytest.raises(SettingError, match="DEBUG"):
        env_bool("DEBUG", False, environ={"DEBUG": "perhaps"})
    with pytest.raises(SettingError, match="SECRET_KEY is unset"):
        env_str("SECRET_KEY", environ={})
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    assert env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(secret), "SECRET_KEY": "x"}) == "from-a-file"
    with pytest.raises(SettingError, match="SECRET_KEY_FILE"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL"),
        ("S3_ENDPOINT_URL", "not a url", "S3_ENDPOINT_URL"),
        ("TENANT_ROUTING_RECHECK_SECONDS", "-1", "TENANT_ROUTING_RECHECK_SECONDS"),
        ("PLATFORM_DOMAIN", "bad_domain!", "PLATFORM_DOMAIN"),
    ],
)
def test_bad_setting_stops_start_up_with_its_name(name: str, value: str, expected: str) -> None:
    env = subprocess_env(**{name: value})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert expected in result.stderr
    assert "expected" in result.stderr
