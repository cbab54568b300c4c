"""Structured logs carry one request id through web and worker."""

import json
import logging

import pytest

from config.celery import _carry_request_id, _restore_request_id
from core.logging import JsonFormatter, RequestIdFilter, get_request_id, set_request_id


@pytest.mark.django_db
def test_response_echoes_a_safe_incoming_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123def456")
    assert response["X-Request-ID"] == "abc123def456"


@pytest.mark.django_db
def test_unsafe_request_id_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_json_formatter_writes_the_request_id():
    set_request_id("req-12345678")
    try:
        record = logging.LogRecord("portal", logging.INFO, __file__, 1, "申报 %s 已提交", ("GZRC1",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        set_request_id("-")
    assert line["request_id"] == "req-12345678"
    assert line["message"] == "申报 GZRC1 已提交"
    assert line["level"] == "INFO"


def test_task_headers_carry_the_request_id_into_the_worker():
    set_request_id("req-abcdefgh")
    headers: dict = {}
    _carry_request_id(headers=headers)
    set_request_id("-")
    assert headers["request_id"] == "req-abcdefgh"

    class FakeTask:  # the shape Celery hands to task_prerun
        class request:
            request_id = "req-abcdefgh"

    _restore_request_id(task=FakeTask)
    assert get_request_id() == "req-abcdefgh"
    set_request_id("-")


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager", "cache": "ok", "reasons": []}


@pytest.mark.django_db
def test_mail_to_an_invalid_domain_is_not_sent(mailoutbox):
    from core.notifications import notify_user
    from tests.factories import UserFactory

    notify_user(user=UserFactory(email="zhangsan@demo.invalid", mobile=""), subject="测试", body="正文")
    notify_user(user=UserFactory(email="real@example.com", mobile=""), subject="测试", body="正文")
    assert [m.to for m in mailoutbox] == [["real@example.com"]]
