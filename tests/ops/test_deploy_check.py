"""`manage.py check --deploy` is clean with production environment variables.

PRODUCTION_ENV names every choice production must make (core/checks.py, hukou_card/checks.py):
the broker, the e-mail and SMS backends, the public address and a signing key of its own (a key
and certificates made once per test run, configured explicitly, so not the development CA)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hukou_card.signing import ensure_development_credentials

ROOT = Path(__file__).resolve().parents[2]

_KEYS = ensure_development_credentials(Path(tempfile.mkdtemp(prefix="portal-production-key-")))

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7#k2Lq9!vR4mZ8pW1sT6yB3nF5hJ0cD-prod-like-secret-key-for-the-check",
    "ALLOWED_HOSTS": "rc.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "none",
    "SITE_URL": "https://rc.example.gov.cn",
    "CARD_SIGNING_KEY": str(_KEYS.key_path),
    "CARD_SIGNING_CERT": str(_KEYS.cert_path),
    "CARD_SIGNING_CA_CERT": str(_KEYS.ca_paths[0]),
}
# Variables of the caller's shell that would change what the subprocess checks.
_CLEARED = {
    "DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_TASK_ALWAYS_EAGER",
    "CARD_SIGNING_KEY_PASSPHRASE", "PORTAL_DEMO", "REDIS_URL",
}  # fmt: skip


def run_manage(*args, env_overrides=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(overrides=None) -> dict[str, str]:
    """The caller's environment with PRODUCTION_ENV on top; an override of None removes the variable."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(PRODUCTION_ENV)
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


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
