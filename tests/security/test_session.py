"""Sessions: cookie flags in production, a new session key at login, nothing left after logout,
the idle timeout enforced by the server (not only by the page's warning), the keepalive, and a
saved draft that outlives an expired session. The browser side (the warning two minutes before)
is tests/e2e/test_session_timeout.py."""

import json
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.ops.test_deploy_check import run_manage

pytestmark = pytest.mark.django_db

SETTING_NAMES = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_REFRESH_INTERVAL",
    "MIDDLEWARE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "DEBUG",
]


def production_settings(**env) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {SETTING_NAMES!r}}}))"
    )
    result = run_manage("shell", "-c", code, env_overrides=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_and_same_site():
    values = production_settings()
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    # A quiet half hour ends the session; activity renews it, at most a minute late, so the page's
    # warning two minutes before the end is never too late.
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True or (
        "core.middleware.SessionRefreshMiddleware" in values["MIDDLEWARE"]
        and values["SESSION_REFRESH_INTERVAL"] < 120
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["DEBUG"] is False


def _login_response(client, user):
    return client.post(
        "/accounts/login/",
        {
            "user_type": "personal",
            "username": user.username,
            "password": factories.PASSWORD,
            "captcha_0": "k",
            "captcha_1": "PASSED",
        },
    )


def test_the_session_cookie_carries_the_flags(client, settings):
    settings.SESSION_COOKIE_SECURE = True  # as in production
    response = _login_response(client, factories.UserFactory())
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_logging_in_gives_a_new_session_key(client):
    """Session fixation: a key planted before login is worthless after it."""
    client.post("/accounts/register/", {"agree": "on"})  # an anonymous session with data
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=planted).exists()
    assert _login_response(client, factories.UserFactory()).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted
    assert not Session.objects.filter(session_key=planted).exists()


def test_logging_out_ends_the_session_on_the_server(applicant):
    client = Client()
    _login_response(client, applicant)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # Replaying the old cookie gets nowhere.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(reverse("applications:status"))["Location"].startswith("/accounts/login/")


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def test_an_idle_session_is_over_on_the_server_and_the_saved_draft_survives(applicant, settings):
    settings.SESSION_COOKIE_AGE = 2  # the real timeout, only shorter
    client = Client()
    application = factories.ApplicationFactory(applicant=applicant, graduate_school="华南理工大学")
    personal = reverse("applications:step", kwargs={"public_id": application.public_id, "step": "personal"})
    started = time.monotonic()
    _login_response(client, applicant)
    assert client.get(personal).status_code == 200

    _wait_until(started + settings.SESSION_COOKIE_AGE + 1)  # idle: the test client still sends the cookie
    response = client.get(personal)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    # A POST from the stale page is refused too, and saves nothing.
    client.post(personal, {"graduate_school": "被篡改的学校", "nav": "save"})
    application.refresh_from_db()
    assert application.graduate_school == "华南理工大学"

    # Logging in again lands back on the step, with the draft as it was saved.
    settings.SESSION_COOKIE_AGE = 1800
    response = client.post(
        "/accounts/login/",
        {
            "user_type": "personal",
            "username": applicant.username,
            "password": factories.PASSWORD,
            "captcha_0": "k",
            "captcha_1": "PASSED",
            "next": personal,
        },
    )
    assert response["Location"] == personal
    assert 'value="华南理工大学"' in client.get(personal).content.decode()


def test_the_login_page_explains_a_timeout():
    html = Client().get("/accounts/login/?timeout=1&next=/talent/").content.decode()
    assert "您较长时间未操作，已自动退出" in html and "已保存的申报草稿不会丢失" in html


def test_keepalive_keeps_the_session_that_would_otherwise_end(settings):
    """继续办理 renews the session: of two users idle as long, only the one who clicked is still in."""
    settings.SESSION_COOKIE_AGE = 4
    settings.SESSION_REFRESH_INTERVAL = 60  # page views alone would not renew within the test
    clicked, idle = Client(), Client()
    started = time.monotonic()
    for client in (clicked, idle):
        _login_response(client, factories.UserFactory())
    _wait_until(started + 2.4)
    response = clicked.get(reverse("portal:keepalive"))
    assert response.status_code == 200 and response.json()["ok"] is True
    assert response.json()["seconds_left"] >= 3
    _wait_until(started + settings.SESSION_COOKIE_AGE + 1)
    assert clicked.get(reverse("applications:status")).status_code == 200
    assert idle.get(reverse("applications:status"))["Location"].startswith("/accounts/login/")


def test_keepalive_needs_a_login_and_gives_no_session(client):
    response = client.get(reverse("portal:keepalive"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Session.objects.exists()


def test_every_logged_in_page_carries_the_warning_with_the_real_age(applicant_client, settings):
    settings.SESSION_COOKIE_AGE = 125
    html = applicant_client.get(reverse("portal:home")).content.decode()
    assert 'id="session-warning"' in html
    assert 120 <= int(re.search(r'data-session-age="(\d+)"', html).group(1)) <= 125
    assert f'data-keepalive-url="{reverse("portal:keepalive")}"' in html
    assert 'id="session-warning"' not in Client().get("/accounts/login/").content.decode()
