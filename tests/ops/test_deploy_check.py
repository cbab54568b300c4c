"""`manage.py check --deploy` is clean with production environment variables."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#k2Lq9!vR4mZ8pW1sT6yB3nF5hJ0cD-prod-like-secret-key-for-the-check",
    "ALLOWED_HOSTS": "rc.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
}


def run_manage(*args, env_overrides=None):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    env.update(env_overrides or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env_overrides={"DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_captcha_test_mode_is_off_in_production_settings():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(getattr(settings, 'CAPTCHA_TEST_MODE', False))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
