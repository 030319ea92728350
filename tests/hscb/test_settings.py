"""Settings come from the environment: safe local defaults, strict production behaviour.

Each case runs in a fresh Python process, because settings are read once at start-up and the test
process itself may run with DATABASE_URL or REDIS_URL set (as under CI).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETTINGS_SOURCE = (ROOT / "hscb" / "settings.py").read_text(encoding="utf-8")
# Every variable hscb/settings.py reads (env.str("NAME"), env.db("NAME") …).
SETTINGS_VARIABLES = sorted(
    set(re.findall(r"\benv\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS_SOURCE))
)
# Set by the test suite for browser tests; Django's deployment check rightly refuses it.
TEST_ONLY_VARIABLES = ["DJANGO_ALLOW_ASYNC_UNSAFE"]

PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
}))
"""


def production_environment() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "board.example.org",
        "SITE_URL": "https://board.example.org",
        "EMAIL_URL": "smtp+tls://mailer:not-a-password@smtp.example.org:587",
        "CSRF_TRUSTED_ORIGINS": "https://board.example.org",
        "DATABASE_URL": "postgres://board:not-a-password@db.example.org:5432/board",
        "REDIS_URL": "redis://redis.example.org:6379/0",
    }


def run_python(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run Python in the project's folder with a clean environment plus `variables`."""
    dropped = {*SETTINGS_VARIABLES, *TEST_ONLY_VARIABLES}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["DJANGO_SETTINGS_MODULE"] = "hscb.settings"
    env.update(variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_with(**variables: str) -> dict[str, object]:
    result = run_python("-c", PRINT_SETTINGS, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_debug_sqlite_eager_celery_and_console_email():
    values = settings_with()

    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"


def test_database_url_chooses_postgresql_and_redis_url_the_celery_broker():
    values = settings_with(
        DATABASE_URL="postgres://board@127.0.0.1:5432/board",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert values["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/0"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_with_debug_off_a_missing_required_variable_is_an_error(missing):
    variables = production_environment()
    del variables[missing]

    result = run_python("manage.py", "check", **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", "", "Set the SECRET_KEY environment variable"),
        ("SITE_URL", None, "Set SITE_URL to the site's https:// address"),
        ("SITE_URL", "http://board.example.org", "Set SITE_URL to the site's https:// address"),
        ("EMAIL_URL", None, "Set EMAIL_URL to the mail server"),
    ],
)
def test_with_debug_off_links_and_email_must_be_real(variable, value, message):
    variables = production_environment()
    if value is None:
        del variables[variable]
    else:
        variables[variable] = value

    result = run_python("manage.py", "check", **variables)

    assert result.returncode != 0
    assert message in result.stderr


def test_with_debug_off_empty_allowed_hosts_is_an_error():
    result = run_python("manage.py", "check", **{**production_environment(), "ALLOWED_HOSTS": ""})

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_deploy_check_passes_with_the_production_variables():
    result = run_python(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", **production_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_variable_the_settings_read_is_documented():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(SETTINGS_VARIABLES)
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    in_example = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert set(SETTINGS_VARIABLES) - in_example == set()
    assert [name for name in SETTINGS_VARIABLES if f"`{name}`" not in readme] == []


@pytest.mark.parametrize(
    "variables",
    [{"REMINDER_DAYS_BEFORE": "30,0"}, {"REMINDER_OVERDUE_EVERY_DAYS": "0"}],
    ids=["a zero-day reminder", "overdue every zero days"],
)
def test_a_reminder_ladder_of_zero_days_is_an_error_at_start_up(variables):
    result = run_python("manage.py", "check", **variables)
    assert result.returncode != 0
    assert "REMINDER_* settings must be whole numbers of days, 1 or more." in result.stderr


def test_the_reminder_ladder_is_read_from_the_environment():
    result = run_python(
        "-c",
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.REMINDER_DAYS_BEFORE, settings.REMINDER_OVERDUE_EVERY_DAYS)",
        REMINDER_DAYS_BEFORE="14,3",
        REMINDER_OVERDUE_EVERY_DAYS="2",
    )
    assert result.stdout.strip().splitlines()[-1] == "[14, 3] 2"
