import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT_ROOT = Path(settings.BASE_DIR)


def run_with_production_settings(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {
        **{
            name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },
        "DJANGO_SETTINGS_MODULE": "halobuzz.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "halobuzz.example",
        "DEBUG": "false",
        "EMAIL_URL": "smtp+tls://halobuzz:secret@mail.halobuzz.example:587",
        **extra_env,
    }
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_under_production_settings():
    result = run_with_production_settings("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with_production_settings("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_demo_data_is_refused_on_a_production_site():
    result = run_with_production_settings("seed_demo")
    assert result.returncode != 0
    assert "DEBUG must be on" in result.stderr
