"""A real Celery worker on Redis sends the e-mail once and retries the SMS alone after a gateway fault.

Eager mode hides serialization and transaction bugs (PITFALLS.md): here the decision commits, the
two tasks travel through Redis as JSON, and the SMS task's retry is a new message with its own
countdown (backoff with jitter: under a second for the first retry).
"""

import datetime
import os
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from applications.choices import Status
from review import services as review_services
from tests import factories
from tests.builders import build_application
from tests.outbox_support import celery_app_on

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS: list[tuple[str, int]] = []


def _record_and_close(task=None, **_kwargs):
    RUNS.append((task.name if task else "", threading.get_ident()))
    connections.close_all()  # the worker thread's own connection, so the test database can be dropped


@pytest.fixture
def redis_celery_app():
    broker = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")
    # A queue of its own (no other worker takes these tasks), set as this thread's current app: the
    # shared_task proxies the services dispatch follow it.
    with celery_app_on(broker, result_backend=broker, worker=True, packages=("core",)) as app:
        RUNS.clear()
        task_postrun.connect(_record_and_close)
        try:
            yield app
        finally:
            task_postrun.disconnect(_record_and_close)


def _wait_for(condition, what: str, seconds: int = 60) -> None:
    deadline = timezone.now() + datetime.timedelta(seconds=seconds)
    while timezone.now() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds} s")


@pytest.fixture
def submitted(transactional_db):
    """Built before the Redis app becomes current (the test names it first): the submission's own
    e-mail runs eagerly and is taken out of the outbox, instead of waiting in Redis for the worker."""
    return build_application(Status.SUBMITTED, contact_mobile="13912345678")


def test_real_worker_retries_the_sms_alone_and_sends_the_email_once(submitted, redis_celery_app, gateway):
    assert not redis_celery_app.conf.task_always_eager
    assert mail.outbox == []
    reviewer = factories.ReviewerFactory(district=submitted.district)
    gateway.answers = [(500, None)]
    with start_worker(redis_celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            review_services.application_accept(application_id=submitted.pk, by=reviewer)
        _wait_for(lambda: len(gateway.requests) == 2, "the SMS was not retried")
        _wait_for(lambda: len(mail.outbox) == 1, "the e-mail was not sent")
        # Let anything else queued run out: the worker is solo, the sends were the last tasks.
        _wait_for(
            lambda: len([n for n, _ in RUNS if n == "core.notifications.send_sms"]) == 2, "no second run"
        )

    first, second = (request["body"] for request in gateway.requests)
    assert first == second
    assert first["PhoneNumberSet"] == ["+8613912345678"] and first["TemplateId"] == "1000001"
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.endswith("申报已受理")
    runs = [(name, ident) for name, ident in RUNS if name.startswith("core.notifications.")]
    assert sorted(name for name, _ in runs) == [
        "core.notifications.send_email",
        "core.notifications.send_sms",
        "core.notifications.send_sms",
    ]
    assert threading.get_ident() not in {ident for _, ident in runs}
