"""Sliding session expiry without a database write on every page view."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.middleware import SESSION_REFRESHED_KEY

pytestmark = pytest.mark.django_db


def _session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if "django_session" in q["sql"] and q["sql"].startswith(("UPDATE", "INSERT")))


def test_session_is_written_once_per_interval_not_per_page(applicant_client, settings):
    settings.SESSION_REFRESH_INTERVAL = 60
    url = reverse("portal:home")
    first = _session_writes(applicant_client, url)
    assert first == 1  # a fresh login has never been refreshed
    assert _session_writes(applicant_client, url) == 0
    assert _session_writes(applicant_client, url) == 0


def test_session_is_renewed_after_the_interval(applicant_client, settings):
    settings.SESSION_REFRESH_INTERVAL = 60
    url = reverse("portal:home")
    applicant_client.get(url)
    session = applicant_client.session
    session[SESSION_REFRESHED_KEY] = time.time() - 61
    session.save()
    assert _session_writes(applicant_client, url) == 1
    assert time.time() - applicant_client.session[SESSION_REFRESHED_KEY] < 5


def test_page_counts_down_from_the_real_expiry(applicant_client, settings):
    settings.SESSION_COOKIE_AGE = 1800
    applicant_client.get(reverse("portal:home"))
    session = applicant_client.session
    session[SESSION_REFRESHED_KEY] = time.time() - 30  # within the interval: not renewed
    session.save()
    page = applicant_client.get(reverse("portal:home")).content.decode()
    seconds = int(page.split('data-session-age="')[1].split('"')[0])
    assert 1765 <= seconds <= 1770


def test_keepalive_renews_at_once(applicant_client):
    applicant_client.get(reverse("portal:home"))
    session = applicant_client.session
    session[SESSION_REFRESHED_KEY] = time.time() - 10
    session.save()
    data = applicant_client.get(reverse("portal:keepalive")).json()
    assert data["seconds_left"] >= 1795


def test_anonymous_visitor_gets_no_session(client):
    client.get(reverse("accounts:login"))
    assert "sessionid" not in client.cookies or not client.cookies["sessionid"].value
