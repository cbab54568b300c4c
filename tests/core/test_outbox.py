"""The outbox (core/outbox.py): the job is written with the decision, published on commit or kept
pending through a broker outage, relayed oldest first, never twice by two relays."""

import datetime
import logging
import threading

import pytest
from celery.signals import before_task_publish
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from applications.choices import Status
from core.models import OutboxJob
from core.outbox import outbox_backlog, outbox_dispatch, outbox_relay
from hukou_card.models import HukouCard
from hukou_card.tasks import issue_cards_for_application
from tests.builders import PUBLISHED_HISTORY_DAYS, build_application
from tests.outbox_support import celery_app_on, free_port, published_messages

CARD_TASK = "hukou_card.tasks.issue_cards_for_application"


def _in_a_notice_that_has_ended():
    return build_application(
        Status.IN_NOTICE, on=timezone.localdate() - datetime.timedelta(days=PUBLISHED_HISTORY_DAYS)
    )


def _publish(application):
    from review.services import application_publish

    return application_publish(application_id=application.pk)


def _jobs(**filters):
    return list(OutboxJob.objects.filter(task_name=CARD_TASK, **filters))


# --- (1) the row belongs to the decision's transaction --------------------------------------------


@pytest.mark.django_db
def test_publication_writes_its_card_job_in_the_same_transaction(django_capture_on_commit_callbacks):
    application = _in_a_notice_that_has_ended()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _publish(application)
        # Before the commit: the job is a row beside the publication, not yet handed to anyone.
        [job] = _jobs()
        assert (job.args, job.kwargs, job.sent_at, job.attempts) == ([application.pk], {}, None, 0)
    assert not HukouCard.objects.filter(application=application).exists()
    # On commit (eager in tests, as in development) the card task runs and the row is marked sent.
    for callback in callbacks:
        callback()
    [job] = _jobs()
    assert job.sent_at is not None
    assert HukouCard.objects.filter(application=application).count() == 1
    # What is still pending are the messages the card task itself queued (入户卡已签发): its
    # transaction sits inside the test's, which never commits.
    assert set(OutboxJob.objects.filter(sent_at=None).values_list("task_name", flat=True)) <= {
        "core.notifications.send_email",
        "core.notifications.send_sms",
    }


@pytest.mark.django_db
def test_a_rolled_back_publication_leaves_no_job():
    application = _in_a_notice_that_has_ended()
    with pytest.raises(RuntimeError, match="reviewer's page crashed"):
        with transaction.atomic():
            _publish(application)
            assert len(_jobs()) == 1
            raise RuntimeError("the reviewer's page crashed after the publication")
    application.refresh_from_db()
    assert application.status == Status.IN_NOTICE
    assert _jobs() == []


@pytest.mark.django_db(transaction=True)
def test_dispatch_outside_a_transaction_is_refused():
    # In autocommit the row would be committed before (or without) the decision it belongs to.
    with pytest.raises(RuntimeError, match=r"inside the writer's transaction\.atomic\(\) block"):
        outbox_dispatch(issue_cards_for_application, 1)
    assert not OutboxJob.objects.exists()


# --- broker down at the commit ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_the_commit_keeps_the_job_pending_without_an_error(caplog):
    # A real Redis client on a port where nothing listens: the publish is refused, as in an outage.
    with celery_app_on(f"redis://127.0.0.1:{free_port()}/0"), caplog.at_level(logging.WARNING, "core.outbox"):
        with transaction.atomic():
            outbox_dispatch(issue_cards_for_application, 4242)
        # The commit returned normally: nothing reached the caller.
    [job] = _jobs()
    assert job.sent_at is None and job.attempts == 1 and job.last_attempt_at is not None
    assert job.last_error.startswith("OperationalError") and "Connection refused" in job.last_error
    assert "kept in the outbox" in caplog.text
    count, oldest = outbox_backlog()
    assert count == 1 and oldest >= 0

    # The relay, broker still down: the row stays, its failure counted; the command says so.
    with celery_app_on(f"redis://127.0.0.1:{free_port()}/0"):
        result = outbox_relay()
        assert (result.sent, result.failed) == (0, 1)
        with pytest.raises(SystemExit):
            call_command("relay_outbox")
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 3


# --- published on commit ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_job_is_published_on_commit_and_marked_sent_in_one_statement():
    from django.test.utils import CaptureQueriesContext

    with celery_app_on("memory://"), published_messages() as seen:
        with CaptureQueriesContext(connections["default"]) as queries:
            with transaction.atomic():
                job = outbox_dispatch(issue_cards_for_application, 4343)
                written = len(queries.captured_queries)
    assert seen == [(CARD_TASK, [4343])]
    job.refresh_from_db()
    assert job.sent_at is not None and job.attempts == 0
    # After the decision's commit: one UPDATE claims the row (unless a relay holds or sent it) and
    # marks it sent, committed once the broker took the message.
    after_commit = [
        q["sql"] for q in queries.captured_queries[written:] if q["sql"] not in ("BEGIN", "COMMIT")
    ]
    assert len(after_commit) == 1 and after_commit[0].startswith('UPDATE "core_outboxjob"'), after_commit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_the_relay_holds_is_left_to_the_relay():
    from core.outbox import _publish_committed

    with transaction.atomic():
        job = OutboxJob.objects.create(task_name=CARD_TASK, args=[4444])
    relay_has_it, done = threading.Event(), threading.Event()

    def relay():
        # Another process's relay, between its SELECT … FOR UPDATE and its publish.
        try:
            with transaction.atomic():
                list(OutboxJob.objects.select_for_update().filter(pk=job.pk))
                relay_has_it.set()
                done.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=relay)
    thread.start()
    try:
        assert relay_has_it.wait(timeout=30)
        with celery_app_on("memory://"), published_messages() as seen:
            _publish_committed(job)  # what on_commit would call: it does not wait for the relay
        assert seen == []
    finally:
        done.set()
        thread.join(timeout=30)
    job.refresh_from_db()
    assert job.sent_at is None and job.attempts == 0


# --- the relay ----------------------------------------------------------------------------------


def _pending_rows(count: int, *, start: datetime.datetime) -> list[OutboxJob]:
    # Created out of order on purpose: the relay must go by created_at, not by id.
    rows = [
        OutboxJob(task_name=CARD_TASK, args=[n], created_at=start + datetime.timedelta(seconds=n))
        for n in reversed(range(count))
    ]
    return OutboxJob.objects.bulk_create(rows)


@pytest.mark.django_db
def test_relay_publishes_pending_rows_oldest_first_and_marks_them_sent():
    start = timezone.now() - datetime.timedelta(minutes=10)
    _pending_rows(7, start=start)
    count, oldest = outbox_backlog()
    assert count == 7 and oldest >= 600
    with celery_app_on("memory://"), published_messages() as seen:
        result = outbox_relay(batch_size=3)
    assert (result.sent, result.failed) == (7, 0)
    assert seen == [(CARD_TASK, [n]) for n in range(7)]
    assert not OutboxJob.objects.filter(sent_at=None).exists()
    assert outbox_backlog() == (0, 0.0)
    # Nothing left: a second relay publishes nothing.
    with celery_app_on("memory://"), published_messages() as seen:
        assert outbox_relay().sent == 0
    assert seen == []


@pytest.mark.django_db
def test_relay_keeps_sent_rows_for_the_configured_days(settings):
    settings.OUTBOX_KEEP_SENT_DAYS = 7
    now = timezone.now()
    old, recent = OutboxJob.objects.bulk_create(
        [
            OutboxJob(task_name=CARD_TASK, args=[1], sent_at=now - datetime.timedelta(days=8)),
            OutboxJob(task_name=CARD_TASK, args=[2], sent_at=now - datetime.timedelta(days=6)),
        ]
    )
    with celery_app_on("memory://"):
        assert outbox_relay().purged == 1
    assert list(OutboxJob.objects.values_list("pk", flat=True)) == [recent.pk]


# --- (4) two relays at once never publish a row twice ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_relays_never_publish_a_row_twice(request):
    rows = _pending_rows(60, start=timezone.now() - datetime.timedelta(minutes=5))
    # Each relay's first publish waits until the other relay is publishing too: both hold row
    # locks at the same moment, so the second cannot simply run after the first has finished.
    both_publishing = threading.Barrier(2, timeout=30)
    first_publish = threading.local()
    results, errors = {}, []

    def meet(**_kwargs):
        if not getattr(first_publish, "done", False):
            first_publish.done = True
            both_publishing.wait()

    def relay(name):
        try:
            with celery_app_on("memory://"):
                results[name] = outbox_relay(batch_size=5)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    before_task_publish.connect(meet, weak=False)
    request.addfinalizer(lambda: before_task_publish.disconnect(meet))
    with published_messages() as seen:
        threads = [threading.Thread(target=relay, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    published = sorted(args[0] for _name, args in seen)
    assert published == sorted(row.args[0] for row in rows)  # every row once, none twice
    assert results["a"].sent > 0 and results["b"].sent > 0
    assert results["a"].sent + results["b"].sent == 60
    assert not OutboxJob.objects.filter(sent_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_a_relayed_job_carries_its_request_id_and_names_its_row():
    from core.logging import reset_request_id, set_request_id

    token = set_request_id("req-7f3a")
    try:
        with celery_app_on(f"redis://127.0.0.1:{free_port()}/0"):
            with transaction.atomic():
                job = outbox_dispatch(issue_cards_for_application, 7)
    finally:
        reset_request_id(token)
    job.refresh_from_db()
    assert job.request_id == "req-7f3a" and job.sent_at is None
    seen = []

    def record(headers=None, **_kwargs):
        seen.append(dict(headers or {}))

    before_task_publish.connect(record, weak=False)
    try:
        with celery_app_on("memory://"):
            assert outbox_relay().sent == 1
    finally:
        before_task_publish.disconnect(record)
    # The worker's log lines of this job carry the request's id (config/celery.py), and its task id
    # leads back to the row.
    assert seen[0]["request_id"] == "req-7f3a" and seen[0]["id"] == f"outbox-{job.pk}"
