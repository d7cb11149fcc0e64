"""Production settings refuse to start on missing or weak secrets, and pass the deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DATABASE_URL": "sqlite:////tmp/ppks-settings-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "tK9#vQ2$mW7!pL4@xR8%nB1^cF6&hJ3*yD5(gS0)zA2-eU7+iO9=",
}


def manage(*args: str, **overrides: str | None) -> subprocess.CompletedProcess:
    """Run manage.py under production settings; an override of None unsets that variable."""
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    settings = {**PRODUCTION, **overrides}
    env.update({k: v for k, v in settings.items() if v is not None})
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_passes_the_deploy_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("SECRET_KEY", None, "SECRET_KEY"),
        ("SECRET_KEY", "short", "at least 50 characters"),
        ("SECRET_KEY", "change-me-" * 6, "at least 50 characters"),
        ("SECRET_KEY", "ab" * 40, "at least 50 characters"),
        ("REDIS_URL", None, "REDIS_URL"),
        ("DATABASE_URL", None, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_without_a_real_setting(name, value, complaint):
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_production_refuses_a_gateway_without_a_strong_secret():
    result = manage("check", NOTIFY_WEBHOOK_URL="https://gateway.example/send",
                    NOTIFY_WEBHOOK_SECRET="short")  # fmt: skip

    assert result.returncode != 0
    assert "NOTIFY_WEBHOOK_SECRET" in result.stderr


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_session_idle_in_a_transaction_is_ended_so_a_vanished_worker_frees_its_locks():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "1min"
