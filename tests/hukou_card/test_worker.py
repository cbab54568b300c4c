"""A real Celery worker on Redis issues the cards of a published application, exactly once.

Eager mode (the test settings) hides serialization and transaction bugs (PITFALLS.md), so this
test runs its own Celery app against Redis with a worker thread, on a transactional database: the
worker's own connection sees only committed rows, just as in production.
"""

import datetime
import os
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections, transaction
from django.utils import timezone

from applications.choices import Relation, Status
from hukou_card.models import HukouCard
from hukou_card.signing import check_card_signature
from tests import factories
from tests.builders import PUBLISHED_HISTORY_DAYS, build_application
from tests.outbox_support import celery_app_on

# PostgreSQL too: the worker thread needs to see the same database (SQLite here is in-memory).
pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS: list[tuple[str, int]] = []


def _close_worker_connections(task=None, **_kwargs):
    RUNS.append((task.name if task else "", threading.get_ident()))
    # The worker thread opens its own database connection; close it so the test database can be
    # flushed and dropped afterwards.
    connections.close_all()


@pytest.fixture
def redis_celery_app():
    broker = os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL")
    # A queue of its own (no other worker takes these tasks), set as this thread's current app: the
    # shared_task proxies the services dispatch follow it.
    with celery_app_on(broker, result_backend=broker, worker=True, packages=("hukou_card",)) as app:
        RUNS.clear()
        task_postrun.connect(_close_worker_connections)
        try:
            yield app
        finally:
            task_postrun.disconnect(_close_worker_connections)


def _in_a_notice_that_has_ended():
    """An application with a spouse, approved through the services weeks ago: its notice has ended.
    Built before the worker starts, so the builder's clock never moves under the worker's thread."""
    spouse = factories.make_resident_id(factories.years_ago(29), male=False)
    return build_application(
        Status.IN_NOTICE,
        family=[("王丽", spouse, Relation.SPOUSE)],
        on=timezone.localdate() - datetime.timedelta(days=PUBLISHED_HISTORY_DAYS),
    )


def _published_by_the_review_service(application):
    from review.services import application_publish

    with transaction.atomic():
        application_publish(application_id=application.pk)
    return application


def test_real_worker_issues_the_cards_once(redis_celery_app):
    task = redis_celery_app.tasks["hukou_card.tasks.issue_cards_for_application"]
    assert not redis_celery_app.conf.task_always_eager
    in_notice = _in_a_notice_that_has_ended()
    with start_worker(redis_celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        application = _published_by_the_review_service(in_notice)
        application.refresh_from_db()
        assert application.status == Status.PUBLISHED
        # The dispatch on commit reached the worker through Redis: wait for its cards.
        deadline = timezone.now() + datetime.timedelta(seconds=60)
        while timezone.now() < deadline:
            cards = list(HukouCard.objects.filter(application=application))
            if len(cards) == 2 and all(c.pdf for c in cards):
                break
            time.sleep(0.25)
        else:
            pytest.fail("the worker did not issue the cards within 60 s")
        first = {c.pk: (c.number, c.pdf_sha256) for c in cards}

        # A second run (a redelivered message) creates and renders nothing new.
        numbers = task.delay(application.pk).get(timeout=60)
        assert sorted(numbers) == sorted(number for number, _sha in first.values())

    # Both runs happened in the worker's thread, not eagerly in this one.
    runs = [ident for name, ident in RUNS if name == task.name]
    assert len(runs) == 2 and threading.get_ident() not in runs
    cards = list(HukouCard.objects.filter(application=application))
    assert {c.pk: (c.number, c.pdf_sha256) for c in cards} == first
    assert [c.move_type for c in sorted(cards, key=lambda c: c.move_type)] == ["主迁", "随迁"]
    with cards[0].pdf.open("rb") as handle:
        assert check_card_signature(handle.read()).ok


def test_worker_reports_an_unpublished_application_without_retrying(redis_celery_app):
    task = redis_celery_app.tasks["hukou_card.tasks.issue_cards_for_application"]
    application = build_application(Status.IN_NOTICE)
    with start_worker(redis_celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = task.delay(application.pk)
        with pytest.raises(Exception, match="公布后才能核发入户信息卡"):
            result.get(timeout=60)
        assert result.state == "FAILURE"
    assert not HukouCard.objects.exists()
