"""BACKUP_ENCRYPTION_KEY: required outside development, read from a file, checked at start-up."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, subprocess_env


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    environ = subprocess_env(**env)
    for name in ("PORTAL_DEV", "DEBUG", "BACKUP_ENCRYPTION_KEY", "BACKUP_ENCRYPTION_KEY_FILE"):
        if name not in env:
            environ.pop(name, None)
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(len(settings.BACKUP_ENCRYPTION_KEY))",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_the_key(tmp_path: Path) -> None:
    result = _check(SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "BACKUP_ENCRYPTION_KEY is unset" in result.stderr and "outside the database" in result.stderr


def test_the_key_comes_from_a_file_and_must_be_32_bytes(tmp_path: Path) -> None:
    key_file = tmp_path / "backup.key"
    key_file.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    result = _check(SECRET_KEY="k" * 50, BACKUP_ENCRYPTION_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "32"
    short = _check(SECRET_KEY="k" * 50, BACKUP_ENCRYPTION_KEY=base64.b64encode(os.urandom(16)).decode())
    assert short.returncode != 0 and "exactly 32 bytes" in short.stderr
    garbage = _check(SECRET_KEY="k" * 50, BACKUP_ENCRYPTION_KEY="không phải base64!")
    assert garbage.returncode != 0 and "BACKUP_ENCRYPTION_KEY" in garbage.stderr
    assert "không phải" not in garbage.stderr  # the value of a secret is never echoed


def test_development_derives_a_key_from_secret_key() -> None:
    result = _check(PORTAL_DEV="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "32"
