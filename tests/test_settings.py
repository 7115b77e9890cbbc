from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
    )


def test_the_documented_production_settings_pass_the_deploy_check() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 64 + "-production-secret-key-for-the-check",
        ALLOWED_HOSTS="parplan.example.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY phải được đặt khi DEBUG tắt" in result.stderr


def test_a_malformed_boolean_fails_loudly() -> None:
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG phải là có/không" in result.stderr


def test_a_missing_secret_key_is_one_line_not_a_traceback() -> None:
    result = manage("migrate", DEBUG="0")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY phải được đặt khi DEBUG tắt" in result.stderr


def test_an_unreachable_database_is_one_line_not_a_traceback() -> None:
    result = manage(
        "migrate", DATABASE_URL="postgres://nobody@127.0.0.1:1/parplan_missing"
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Không kết nối được cơ sở dữ liệu:")
    assert result.stderr.strip().count("\n") == 0


def test_hsts_preload_is_off_unless_asked_for() -> None:
    production = {"DEBUG": "0", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "x"}
    code = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
    off = manage("shell", "-c", code, **production)
    on = manage("shell", "-c", code, **production, SECURE_HSTS_PRELOAD="1")
    assert off.stdout.split()[-1] == "False" and on.stdout.split()[-1] == "True"


def _setting(expression: str, **env: str) -> str:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'parplan.settings'); django.setup(); from django.conf import settings; "
        f"print({expression})"
    )
    environ = {**os.environ, "DEBUG": "1", **env}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sqlite_connections_persist_as_postgresqls_do() -> None:
    conn_max_age = "settings.DATABASES['default']['CONN_MAX_AGE']"
    sqlite = {"DATABASE_URL": "sqlite:///x.sqlite3"}
    assert _setting(conn_max_age, **sqlite) == "60"
    assert _setting(conn_max_age, DB_CONN_MAX_AGE="0", **sqlite) == "0"


def test_sessions_stay_in_the_database_with_or_without_redis() -> None:
    """cached_db sessions would fail with Redis: every signed-in page an error."""
    for cache in ({}, {"REDIS_URL": "redis://127.0.0.1:6379/0"}):
        engine = _setting(
            "settings.SESSION_ENGINE", DATABASE_URL="sqlite:///x.sqlite3", **cache
        )
        assert engine == "django.contrib.sessions.backends.db"
