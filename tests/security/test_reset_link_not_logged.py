"""No log line ever carries a password-reset link or token.

The reset is asked for through the real view with the production logging configuration and the
console e-mail backend as the settings resolve it (the default, and Django's own named
explicitly), and everything written to stdout, stderr and the log records is searched for the
token the view really made and for the link."""

import http.client
import json
import logging
import logging.config
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import factories
from tests.ops.test_deploy_check import ROOT, run_manage

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"/accounts/password/reset/(?!sent/|complete/)[^/\s]+/[^/\s]+")
DJANGO_CONSOLE = "django.core.mail.backends.console.EmailBackend"


def settings_value(name: str, **env) -> object:
    code = f"import json; from django.conf import settings as s; print(json.dumps(s.{name}))"
    result = run_manage("shell", "-c", code, env_overrides=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production_logging() -> dict:
    # Production with a real mail server; the console backend is a development stand-in.
    return settings_value("LOGGING", EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage() + (self.format(record) if record.exc_info else ""))


@pytest.fixture
def production_log(production_logging, capsys):
    """Call it when the test starts: the production handlers then write to the captured stdout and
    stderr (a handler takes the stream at configuration), and every record is kept too. It returns
    a function that reads all of it."""
    records = Records()

    def start():
        logging.config.dictConfig(production_logging)
        logging.getLogger().addHandler(records)  # after the configured handlers, as any extra one would be
        return lambda: "\n".join([*capsys.readouterr(), *records.lines])

    try:
        yield start
    finally:
        logging.getLogger().removeHandler(records)
        logging.config.dictConfig(django_settings.LOGGING)


@pytest.mark.parametrize("configured", ["", DJANGO_CONSOLE], ids=["default backend", "Django's console"])
def test_a_reset_e_mail_written_to_the_log_carries_no_link_or_token(configured, production_log, settings):
    # None removes the variable: the default backend is what settings pick when EMAIL_BACKEND is unset.
    env = {"DJANGO_DEBUG": "1", "EMAIL_BACKEND": configured or None}
    settings.EMAIL_BACKEND = settings_value("EMAIL_BACKEND", **env)
    assert "console" in settings.EMAIL_BACKEND.lower()  # the case in question: mail printed to the log
    read_log = production_log()
    user = factories.UserFactory()
    tokens = []
    real_make_token = default_token_generator.make_token

    def make_token(u):  # the token the view really puts in the e-mail
        tokens.append(real_make_token(u))
        return tokens[-1]

    with mock.patch.object(default_token_generator, "make_token", side_effect=make_token):
        response = Client().post(
            "/accounts/password/reset/", {"email": user.email, "captcha_0": "k", "captcha_1": "PASSED"}
        )
    assert response.status_code == 302
    log = read_log()
    assert f"To: {user.email}" in log and user.username in log  # the e-mail did go to the log
    assert len(tokens) == 1
    assert tokens[0] not in log
    assert f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/" not in log
    assert not RESET_LINK.search(log), RESET_LINK.search(log).group(0)
    assert "链接已隐去" in log  # the reader of the log learns why there is no link


def test_a_mangled_reset_link_logged_as_not_found_carries_no_token(production_log):
    """A mail client that appends to the link makes a 404, and Django logs its path."""
    read_log = production_log()
    user = factories.UserFactory()
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    response = Client().get(f"/accounts/password/reset/{uid}/{token}/%E3%80%82/")
    assert response.status_code == 404
    log = read_log()
    assert "Not Found" in log  # Django did log the request
    assert token not in log
    assert not RESET_LINK.search(log), RESET_LINK.search(log).group(0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_clicking_the_link_leaves_no_token_in_gunicorns_logs():
    """The request line of the click on the e-mailed link holds the token; gunicorn's access log,
    as deploy/gunicorn.conf.py configures it, prints request lines."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.test_settings",  # the page needs no database: the uid is no user
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    token = "diy0f6-" + uuid.uuid4().hex  # the shape of Django's tokens
    request_id = uuid.uuid4().hex
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, "gunicorn did not start"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "gunicorn did not listen within 60 s"
                    time.sleep(0.05)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request(
                "GET", f"/accounts/password/reset/zz/{token}/", headers={"X-Request-ID": request_id}
            )
            assert connection.getresponse().status == 200
            connection.close()
            deadline = time.monotonic() + 30
            while True:  # the access line is written once the response has gone
                log.seek(0)
                written = log.read().decode()
                if f"rid={request_id}" in written:
                    break
                assert time.monotonic() < deadline, f"no access log line within 30 s: {written}"
                time.sleep(0.05)
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert token not in written
    assert not RESET_LINK.search(written), RESET_LINK.search(written).group(0)


def test_clicking_the_link_leaves_no_token_in_nginxs_access_log(live_server, settings):
    """deploy/nginx/portal.conf in front of the portal, its access log kept: the click on the
    link, and a page it leads to that names the link as Referer, log neither token nor link."""
    from tests.security.test_private_files import STRICT, _nginx_config

    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if binary is None:
        reason = "needs nginx (apt-get install nginx) to read its access log"
        if STRICT:
            pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    workdir = Path(tempfile.mkdtemp(prefix="portal-nginx-log-"))
    port = _free_port()
    config = _nginx_config(
        workdir,
        port=port,
        upstream=live_server.url.removeprefix("http://"),
        private_root=Path(settings.PRIVATE_MEDIA_ROOT),
        static_root=Path(settings.STATIC_ROOT),
    )
    # The harness turns the access log off; a stock nginx.conf logs every request line (and Referer).
    default_log = workdir / "default-access.log"
    text = config.read_text(encoding="utf-8")
    assert "  access_log off;\n" in text
    config.write_text(
        text.replace("  access_log off;\n", f"  access_log {default_log} combined;\n"), encoding="utf-8"
    )
    user = factories.UserFactory()
    link = f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/"
    token = default_token_generator.make_token(user)
    log_path = workdir / "access.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "-p", str(workdir), "-c", str(config), "-g", "daemon off;"], stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"nginx did not start: {log_path.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen within 30 s"
                time.sleep(0.05)
        for path, headers in (
            (f"{link}{token}/", {}),
            ("/accounts/login/", {"Referer": f"http://127.0.0.1:{port}{link}{token}/"}),
        ):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status in (200, 302), (path, response.status)
            connection.close()
        deadline = time.monotonic() + 30
        while True:  # nginx writes the line once the response has gone
            written = "\n".join(
                path.read_text(encoding="utf-8", errors="replace")
                for path in (log_path, default_log)
                if path.exists()
            )
            if written.count('"GET ') >= 2:
                break
            assert time.monotonic() < deadline, f"no access log lines within 30 s: {written}"
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    assert "/accounts/login/" in written  # the log does keep request lines
    assert token not in written
    assert not RESET_LINK.search(written), RESET_LINK.search(written).group(0)
