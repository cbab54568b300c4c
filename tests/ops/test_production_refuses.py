"""Production (DJANGO_DEBUG=0) never starts on a development stand-in (DESIGN.md §7).

Each refusal is a system check error, so every process that serves stops with the same message:
`manage.py check` and `migrate`, `runserver`, gunicorn, the Celery worker and beat (subprocesses
with a production environment, below); the variants of each check run in-process. The
environment that names every choice passes (tests/ops/test_deploy_check.py).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from core.checks import check_production_settings
from hukou_card.checks import check_card_signing_key
from tests.ops.test_deploy_check import PRODUCTION_ENV, ROOT, production_env, run_manage

# Every stand-in at once: what `docker compose up` with an .env from before this change would do.
NOTHING_CHOSEN = {
    "CELERY_BROKER_URL": None,
    "EMAIL_BACKEND": None,
    "SMS_BACKEND": None,
    "SITE_URL": None,
    "CARD_SIGNING_KEY": None,
    "CARD_SIGNING_CERT": None,
    "CARD_SIGNING_CA_CERT": None,
}
EVERY_REFUSAL = ["core.E001", "core.E002", "core.E003", "core.E006", "hukou_card.E001"]


def _ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_manage_check_refuses_each_development_stand_in_with_one_message():
    result = run_manage("check", env_overrides=NOTHING_CHOSEN)
    assert result.returncode == 1
    assert "SystemCheckError" in result.stderr
    for check_id in EVERY_REFUSAL:
        assert f"({check_id})" in result.stderr, check_id
    assert "CELERY_BROKER_URL is not set" in result.stderr
    assert "EMAIL_BACKEND is not set" in result.stderr
    assert "SMS_BACKEND is not set" in result.stderr
    assert "SITE_URL is http://127.0.0.1:8000" in result.stderr
    assert "No card-signing key is configured" in result.stderr


def test_migrate_refuses_before_touching_the_database(tmp_path):
    database = tmp_path / "db.sqlite3"
    result = run_manage(
        "migrate", env_overrides={"SMS_BACKEND": None, "DATABASE_URL": f"sqlite:///{database}"}
    )
    assert result.returncode == 1
    assert "(core.E003) SMS_BACKEND is not set" in result.stderr
    assert not database.exists() or database.stat().st_size == 0


def _run(command: list[str], overrides: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        env=production_env(overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_runserver_refuses(tmp_path):
    result = _run(
        [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:0"], {"SITE_URL": None}, tmp_path
    )
    assert result.returncode != 0
    assert "(core.E006) SITE_URL is http://127.0.0.1:8000" in result.stderr


def test_gunicorn_refuses_in_its_master_before_any_worker(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = _run(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--config",
            "deploy/gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
        ],
        {"CARD_SIGNING_KEY": None, "CARD_SIGNING_CERT": None, "CARD_SIGNING_CA_CERT": None},
        tmp_path,
    )
    assert result.returncode == 1
    assert "gunicorn refuses to start." in result.stderr
    assert "(hukou_card.E001) No card-signing key is configured" in result.stderr
    assert "Booting worker" not in result.stderr


@pytest.mark.parametrize("role", ["worker", "beat"])
def test_the_celery_worker_and_beat_refuse(tmp_path, role):
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "config", role, "-l", "info"]
    command += ["--pool", "solo"] if role == "worker" else ["--schedule", str(tmp_path / "beat-schedule")]
    # An unused port: the check must stop the process before it ever tries the broker.
    result = _run(command, {"EMAIL_BACKEND": None, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}, tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"celery {role} refuses to start." in output
    assert "(core.E002) EMAIL_BACKEND is not set" in output


# --- The variants, in-process ---------------------------------------------------------------------

PRODUCTION_SETTINGS = {
    "PRODUCTION": True,
    "CELERY_BROKER_URL": PRODUCTION_ENV["CELERY_BROKER_URL"],
    "CELERY_TASK_ALWAYS_EAGER": False,
    "EMAIL_BACKEND": PRODUCTION_ENV["EMAIL_BACKEND"],
    "SMS_BACKEND": "none",
    "SITE_URL": PRODUCTION_ENV["SITE_URL"],
}


@pytest.mark.parametrize(
    ("overrides", "expected", "words"),
    [
        ({}, [], ""),
        ({"CELERY_TASK_ALWAYS_EAGER": True}, ["core.E001"], "CELERY_TASK_ALWAYS_EAGER is on"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, [], ""),
        ({"SMS_BACKEND": "NONE"}, [], ""),
        ({"SMS_BACKEND": "core.sms.ConsoleSmsBackend"}, ["core.E004"], "development backend"),
        ({"SMS_BACKEND": "core.notifications.LocmemSmsBackend"}, ["core.E004"], "development backend"),
        ({"SMS_BACKEND": "sms_gateway.NoSuchBackend"}, ["core.E005"], "cannot be imported"),
        ({"SITE_URL": ""}, ["core.E006"], "SITE_URL is (empty)"),
        ({"SITE_URL": "rc.example.gov.cn"}, ["core.E006"], "SITE_URL is rc.example.gov.cn"),
    ],
)
def test_production_settings_variants(overrides, expected, words):
    with override_settings(**{**PRODUCTION_SETTINGS, **overrides}):
        errors = check_production_settings()
    assert _ids(errors) == expected
    assert all(words in error.msg for error in errors)


def test_development_is_never_refused():
    with override_settings(PRODUCTION=False, CELERY_TASK_ALWAYS_EAGER=True, SMS_BACKEND="", EMAIL_BACKEND=""):
        assert check_production_settings() == []
    with override_settings(PRODUCTION=False, CARD_SIGNING_KEY="", CARD_SIGNING_CERT=""):
        assert check_card_signing_key() == []


def _signing_settings(**overrides):
    values = {
        "PRODUCTION": True,
        "CARD_SIGNING_KEY": PRODUCTION_ENV["CARD_SIGNING_KEY"],
        "CARD_SIGNING_CERT": PRODUCTION_ENV["CARD_SIGNING_CERT"],
        "CARD_SIGNING_CA_CERT": PRODUCTION_ENV["CARD_SIGNING_CA_CERT"],
        "CARD_SIGNING_KEY_PASSPHRASE": "",
    }
    return override_settings(**{**values, **overrides})


def test_a_configured_key_that_loads_passes():
    with _signing_settings():
        assert check_card_signing_key() == []


def test_a_missing_key_file_is_named(tmp_path):
    missing = tmp_path / "bureau-key.pem"
    with _signing_settings(CARD_SIGNING_KEY=str(missing)):
        errors = check_card_signing_key()
    assert _ids(errors) == ["hukou_card.E003"]
    assert errors[0].msg == f"CARD_SIGNING_KEY={missing}: no such file."


def test_a_missing_ca_bundle_is_named(tmp_path):
    with _signing_settings(CARD_SIGNING_CA_CERT=str(tmp_path)):
        errors = check_card_signing_key()
    assert _ids(errors) == ["hukou_card.E003"]
    assert errors[0].msg == f"CARD_SIGNING_CA_CERT={tmp_path}: is a directory, not a file."


def test_a_key_without_its_certificate_is_refused():
    with _signing_settings(CARD_SIGNING_CERT=""):
        errors = check_card_signing_key()
    assert _ids(errors) == ["hukou_card.E002"]
    assert "CARD_SIGNING_CERT is not set" in errors[0].msg


def test_a_wrong_passphrase_is_refused(tmp_path):
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(Path(PRODUCTION_ENV["CARD_SIGNING_KEY"]).read_bytes(), None)
    encrypted = tmp_path / "encrypted-key.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"the-right-one"),
        )
    )
    with _signing_settings(CARD_SIGNING_KEY=str(encrypted), CARD_SIGNING_KEY_PASSPHRASE="the-right-one"):
        assert check_card_signing_key() == []
    with _signing_settings(CARD_SIGNING_KEY=str(encrypted), CARD_SIGNING_KEY_PASSPHRASE="a-wrong-one"):
        errors = check_card_signing_key()
    assert _ids(errors) == ["hukou_card.E004"]
    assert "wrong CARD_SIGNING_KEY_PASSPHRASE" in errors[0].msg


def test_load_demo_exits_non_zero_in_production(tmp_path):
    database = tmp_path / "db.sqlite3"
    result = run_manage("load_demo", "--if-empty", env_overrides={"DATABASE_URL": f"sqlite:///{database}"})
    assert result.returncode == 1
    assert "load_demo refuses to run in production (DJANGO_DEBUG=0)" in result.stderr
    assert "Nothing was created." in result.stderr
    assert not database.exists() or database.stat().st_size == 0


def test_gunicorn_refuses_a_sub_category_without_eligibility_rules(tmp_path):
    """The checks that read the database run at gunicorn's start too (applications/checks.py): a code
    renamed in the admin would otherwise pass every rule silently."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert run_manage("migrate", "-v0", env_overrides=env).returncode == 0
    rename = "from applications.models import TalentSubcategory as T; T.objects.filter(code='2.2').update(code='2.9')"
    assert run_manage("shell", "-c", rename, env_overrides=env).returncode == 0
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = _run(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--config",
            "deploy/gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 1
    assert "(applications.E001) TalentSubcategory '2.9'" in result.stderr


def test_gunicorn_with_every_choice_made_serves_and_healthz_names_what_is_switched_off(tmp_path):
    import http.client
    import json
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",  # a broker named, reachable without a Redis
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESSLOG": "",
        "LOG_LEVEL": "WARNING",
    }
    assert run_manage("migrate", "-v0", env_overrides=env).returncode == 0
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=production_env(env),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text(errors="replace")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": "rc.example.gov.cn"})
                response = connection.getresponse()
                status, body = response.status, response.read()
                connection.close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
                time.sleep(0.1)  # between polls of the condition
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert status == 200
    assert json.loads(body) == {
        "status": "degraded",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "reasons": ["SMS disabled: SMS_BACKEND=none"],
    }

