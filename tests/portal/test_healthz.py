"""/healthz: 503 when a dependency is down; in production, 200 "degraded" with the reasons while a
stand-in or a switched-off backend runs (in-process tasks, the development CA, demo data, SMS
`none`, console e-mail); "ok" only when production runs on the real thing."""

import pytest
from django.db import OperationalError

from tests import factories

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "PRODUCTION": True,
    "PORTAL_DEMO": False,
    "CELERY_TASK_ALWAYS_EAGER": False,  # the test broker is memory://, so "ok" without a Redis
    "CARD_SIGNING_KEY": "/run/secrets/card-signing-key.pem",
    "CARD_SIGNING_CERT": "/run/secrets/card-signing-cert.pem",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "core.notifications.LocmemSmsBackend",  # stands for a gateway: healthz does not judge it
}


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings


def test_development_is_ok_with_in_process_tasks(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager", "cache": "ok", "reasons": []}


def test_production_on_the_real_thing_is_ok(client, production):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok", "reasons": []}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"CELERY_TASK_ALWAYS_EAGER": True}, "tasks run in-process: no broker (CELERY_BROKER_URL)"),
        (
            {"CARD_SIGNING_KEY": "", "CARD_SIGNING_CERT": ""},
            "cards are signed by the development CA: 测试卡，无法律效力 (CARD_SIGNING_KEY)",
        ),
        ({"PORTAL_DEMO": True}, "demo data: PORTAL_DEMO=1"),
        ({"SMS_BACKEND": "none"}, "SMS disabled: SMS_BACKEND=none"),
        (
            {"EMAIL_BACKEND": "core.notifications.ConsoleEmailBackend"},
            "e-mail is printed to the console: EMAIL_BACKEND",
        ),
    ],
)
def test_each_stand_in_is_degraded_with_its_reason(client, production, overrides, reason):
    for name, value in overrides.items():
        setattr(production, name, value)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["reasons"] == [reason]


def test_demo_accounts_left_in_the_database_are_degraded(client, production, monkeypatch):
    from portal import services

    monkeypatch.setattr(services, "_demo_check", None)
    factories.UserFactory(email="someone@example.com")
    assert client.get("/healthz").json()["status"] == "ok"
    factories.UserFactory(username="cityadmin", email="cityadmin@demo.invalid")
    # The answer is kept per process for a while (the lookup scans the users): still ok ...
    assert client.get("/healthz").json()["status"] == "ok"
    # ... until it is asked again once the memo has expired.
    monkeypatch.setattr(services, "_demo_check", (services._demo_check[0] - services._DEMO_CHECK_SECONDS - 1, False))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["reasons"] == ["demo data: demo accounts (one published password) exist"]


def test_a_database_down_is_503_whatever_else_is_degraded(client, production, monkeypatch):
    from portal import services

    production.SMS_BACKEND = "none"

    class DeadConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(services, "connection", DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "error: OperationalError"
    assert "SMS disabled: SMS_BACKEND=none" in body["reasons"]


def test_jobs_waiting_in_the_outbox_for_minutes_are_degraded(client):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import OutboxJob

    job = OutboxJob.objects.create(task_name="hukou_card.tasks.issue_cards_for_application", args=[1])
    assert client.get("/healthz").json()["reasons"] == []  # just written: the relay has a minute
    OutboxJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=12))
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["reasons"] == ["outbox: 1 jobs waiting for the broker, the oldest for 12 min"]
    OutboxJob.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    assert client.get("/healthz").json()["status"] == "ok"
