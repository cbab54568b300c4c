"""A broker outage around a publication, for real: the test's own redis-server is the broker, it
is killed, a notice is closed (the publication) through the console, the reviewer sees the
result and no error, the card job waits in the outbox; Redis comes back, the relay publishes the
job to a real worker, and the cards appear.

Eager mode hides what matters here (PITFALLS.md), so this runs its own Celery app and worker
thread on a transactional database: the worker's own connection sees only committed rows."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from applications.choices import Relation, Status
from core.models import OutboxJob
from core.outbox import outbox_backlog, outbox_relay
from hukou_card.models import HukouCard
from tests import factories
from tests.builders import PUBLISHED_HISTORY_DAYS, build_application
from tests.outbox_support import RedisServer, celery_app_on

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CARD_TASK = "hukou_card.tasks.issue_cards_for_application"


def _close_worker_connections(**_kwargs):
    # The worker thread's own database connection, closed so the test database can be flushed.
    connections.close_all()


@pytest.fixture
def broker():
    server = RedisServer()
    server.start()
    task_postrun.connect(_close_worker_connections)
    try:
        yield server
    finally:
        task_postrun.disconnect(_close_worker_connections)
        server.close()


@pytest.fixture
def notice_ended():
    """An application with a spouse, approved weeks ago: its notice has ended, nobody objected.
    Built before the test's Celery app is current, so its history runs eagerly as usual."""
    spouse = factories.make_resident_id(factories.years_ago(29), male=False)
    return build_application(
        Status.IN_NOTICE,
        family=[("王丽", spouse, Relation.SPOUSE)],
        on=timezone.localdate() - datetime.timedelta(days=PUBLISHED_HISTORY_DAYS),
    )


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds:.0f} s")


def _close_the_notice_during_the_outage(client, application, broker):
    broker.stop()
    assert not broker.reachable()
    notice = application.notice_entry.notice
    started = time.monotonic()
    response = client.post(
        reverse("review:notice_close", kwargs={"public_id": notice.public_id}), follow=True
    )
    took = time.monotonic() - started
    # The reviewer sees the publication, not the broker: no error page, no error message.
    assert response.status_code == 200
    page = response.content.decode()
    assert f"《{notice.title}》已结束：公布1人。" in page
    assert "错误" not in page and "alert-danger" not in page
    assert took < 10, f"closing the notice took {took:.1f} s with the broker down"
    application.refresh_from_db()
    assert application.status == Status.PUBLISHED
    return response


def _outage_round(client, application, broker, app, *, also=None):
    _close_the_notice_during_the_outage(client, application, broker)
    [job] = OutboxJob.objects.filter(task_name=CARD_TASK)
    assert job.args == [application.pk] and job.sent_at is None and job.attempts == 1
    assert "Connection refused" in job.last_error
    assert not HukouCard.objects.filter(application=application).exists()
    pending, _oldest = outbox_backlog()
    assert pending >= 1

    # Still down: the relay keeps every row.
    assert outbox_relay().sent == 0
    assert outbox_backlog()[0] == pending

    broker.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = outbox_relay()
        assert (result.sent, result.failed) == (pending, 0)

        def cards_issued():
            cards = list(HukouCard.objects.filter(application=application))
            return len(cards) == 2 and all(c.pdf for c in cards)

        _wait_for(cards_issued, seconds=90, what="the worker did not issue the cards")
        if also is not None:  # while the worker runs: its queue holds more than the card job
            _wait_for(also[0], seconds=60, what=also[1])
        return job


def test_cards_and_notifications_survive_a_broker_outage(broker, notice_ended, city_admin, login_client):
    """Cards and the applicant's message (core.notifications dispatches through the outbox)."""
    client = login_client(city_admin)
    mail.outbox.clear()
    with celery_app_on(broker.url, worker=True) as app:
        job = _outage_round(
            client,
            notice_ended,
            broker,
            app,
            also=(lambda: any("已公布" in m.subject for m in mail.outbox), "the applicant was not told"),
        )
    job.refresh_from_db()
    assert job.sent_at is not None
    assert outbox_backlog() == (0, 0.0)
    cards = HukouCard.objects.filter(application=notice_ended)
    assert sorted(c.move_type for c in cards) == ["主迁", "随迁"]
    assert [m.to for m in mail.outbox if "已公布" in m.subject] == [[notice_ended.applicant.email]]


def test_a_broker_outage_never_reaches_the_reviewer(broker, notice_ended, city_admin, login_client):
    client = login_client(city_admin)
    with celery_app_on(broker.url, worker=True) as app:
        _outage_round(client, notice_ended, broker, app)
    assert outbox_backlog() == (0, 0.0)
