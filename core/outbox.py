"""The transactional outbox: work dispatched by a decision is never lost to a broker outage.

`transaction.on_commit(task.delay)` loses the job when the broker is unreachable at that moment
(the decision is committed, the publish raises after it, and nothing remembers). Instead a service
calls, inside its atomic block,

    outbox_dispatch(issue_cards_for_application, application.pk)

which writes an OutboxJob row in the same transaction (a rolled-back decision takes its job with it)
and, once committed, tries to publish it right away. Broker up: the row is marked sent. Broker down:
the row stays pending, a warning is logged, and the user sees nothing of it. The relay (beat, every
minute: `relay_outbox`, or `manage.py relay_outbox`) publishes pending rows oldest first, each row
under SELECT … FOR UPDATE SKIP LOCKED, so two relays, or a relay and the on-commit publish, never
send one row twice. A process that dies between the publish and marking the row sends it again on
the next run: every task dispatched this way must be idempotent (the card task and the notification
are; see docs/operations.md).

With tasks eager (no broker: development) the job runs in-process on commit, as `.delay` did.

Written here rather than taken from a library: django-celery-outbox, the one Celery outbox kept up
on PyPI, swaps the Celery app class so every publish (beat's too) goes through its table, needs its
own relay daemon as another long-running process, publishes nothing until that relay polls, and
brings sentry-sdk, datadog and structlog as hard dependencies; django-outbox-pattern is for STOMP
brokers, not Celery. What the portal needs is a table, one function and a beat task.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from dataclasses import dataclass

from celery import current_app, shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Min
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from core.logging import get_request_id
from core.models import OutboxJob

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 100


def outbox_dispatch(task, *args, **kwargs) -> OutboxJob:
    """Queue `task(*args, **kwargs)` with the current transaction. Call it inside the writer's
    atomic block; args and kwargs must be JSON (ids, short strings), as the broker's are."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the row would commit on its own, before the decision it belongs to.
        raise RuntimeError("outbox_dispatch() must be called inside the writer's transaction.atomic() block.")
    request_id = get_request_id()
    job = OutboxJob.objects.create(
        task_name=task.name,
        args=list(args),
        kwargs=kwargs,
        request_id="" if request_id == "-" else request_id,
    )
    transaction.on_commit(lambda: _publish_committed(job))
    return job


def _task_for(name: str):
    return current_app.tasks.get(name)


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


@contextlib.contextmanager
def _broker():
    """A producer on a pooled broker connection, or the broker's error at once. kombu would retry
    the connection for broker_connection_timeout (4 s) and Celery's publish for more: a request
    must not wait on a broker that is down, and the relay tries again within the minute."""
    with current_app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=0)
        yield producer


def _send(job: OutboxJob, producer=None) -> None:
    """Hand one job to the broker (or, eager, run it); raises whatever the broker raised."""
    # The task id names the row: a worker's log line leads to its job, and a task that must not
    # run twice (a republished row) can tell a repeat by its id.
    options = {"task_id": f"outbox-{job.pk}"}
    if job.request_id:
        options["headers"] = {"request_id": job.request_id}
    if producer is not None:
        options.update(producer=producer, retry=False)
    task = _task_for(job.task_name)
    if task is None:
        current_app.send_task(job.task_name, args=job.args, kwargs=job.kwargs, **options)
    else:
        task.apply_async(args=job.args, kwargs=job.kwargs, **options)


def _record_failure(job: OutboxJob, error: Exception) -> None:
    job.attempts += 1
    job.last_attempt_at = timezone.now()
    job.last_error = f"{type(error).__name__}: {error}"[:2000]
    job.sent_at = None
    job.save(update_fields=["attempts", "last_attempt_at", "last_error", "sent_at"])


def _publish_committed(job: OutboxJob) -> None:
    """on_commit: publish the job now, unless a relay already holds or sent it. Never raises for
    a broker or database fault: the decision is committed, and the row is the promise.

    `job` is the row outbox_dispatch wrote a moment ago (its task and arguments are known), so the
    row is claimed and marked sent in one statement, before the publish, and the mark commits only
    if the publish went through: a failed publish puts the row back to pending, and a process that
    dies before the commit leaves it pending too. A relay holding the row (SKIP LOCKED) or having
    sent it already leaves nothing to claim.
    """
    if _eager():
        _run_eagerly(job.pk)
        return
    try:
        with transaction.atomic():
            claimable = OutboxJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk, sent_at=None)
            sent_at = timezone.now()
            if not OutboxJob.objects.filter(pk__in=claimable.values("pk")).update(sent_at=sent_at):
                return
            job.sent_at = sent_at
            try:
                with _broker() as producer:
                    _send(job, producer)
            except Exception as error:  # noqa: BLE001 - any publish failure leaves the row pending
                # Not the args: a notification's carry the message text.
                logger.warning(
                    "broker unreachable, %s kept in the outbox (row %s): %s", job.task_name, job.pk, error
                )
                _record_failure(job, error)
                return
    except DatabaseError:
        # The database went away just after the commit; the row is pending and the relay sends it.
        logger.warning("could not publish outbox row %s on commit; the relay will", job.pk, exc_info=True)


def _run_eagerly(job_id: int) -> None:
    # No broker (development, the test suite): run the task in-process after the commit, as
    # `transaction.on_commit(task.delay)` did; its errors propagate as they did
    # (CELERY_TASK_EAGER_PROPAGATES). Marked sent first, in its own transaction, so the task's
    # own transactions are its own.
    with transaction.atomic():
        job = OutboxJob.objects.select_for_update(skip_locked=True).filter(pk=job_id, sent_at=None).first()
        if job is None:
            return
        job.sent_at = timezone.now()
        job.save(update_fields=["sent_at"])
    try:
        _send(job)
    except Retry as retry:
        # Eager execution that propagates errors raises a task's self.retry() out of apply_async();
        # with a broker the retry is the worker's business. The decision is committed, so its page
        # must not fail for a message that could not go now.
        logger.warning("%s not retried (tasks run in-process): %s", job.task_name, retry)


@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0
    purged: int = 0


def outbox_relay(*, batch_size: int = RELAY_BATCH_SIZE, limit: int | None = None) -> RelayResult:
    """Publish pending jobs, oldest first, until none is left (or `limit` were sent). Stops at the
    first broker failure: the broker is down, the next run tries again. Rows another relay holds
    are skipped, never waited for. Sent rows older than OUTBOX_KEEP_SENT_DAYS are deleted."""
    result = RelayResult()
    eager = _eager()
    while limit is None or result.sent < limit:
        size = batch_size if limit is None else min(batch_size, limit - result.sent)
        with transaction.atomic():
            jobs = list(
                OutboxJob.objects.select_for_update(skip_locked=True)
                .filter(sent_at=None)
                .order_by("created_at", "id")[:size]
            )
            if not jobs:
                break
            sent_ids = []
            broken = False
            with contextlib.ExitStack() as stack:
                try:
                    producer = None if eager else stack.enter_context(_broker())
                except (BrokerUnreachable, OSError) as error:
                    logger.warning("relay: broker unreachable, %d jobs or more pending: %s", len(jobs), error)
                    _record_failure(jobs[0], error)
                    result.failed += 1
                    break
                for job in jobs:
                    try:
                        _send(job, producer)
                    except (BrokerUnreachable, OSError) as error:
                        # The broker is down: the rows after this one would fail the same way.
                        logger.warning(
                            "relay: broker unreachable at %s (row %s): %s", job.task_name, job.pk, error
                        )
                        _record_failure(job, error)
                        result.failed += 1
                        broken = True
                        break
                    except Exception as error:  # noqa: BLE001 - this row only; recorded, retried next run
                        logger.error("relay: could not publish %s (row %s): %s", job.task_name, job.pk, error)
                        _record_failure(job, error)
                        result.failed += 1
                        continue
                    sent_ids.append(job.pk)
            if sent_ids:
                OutboxJob.objects.filter(pk__in=sent_ids).update(sent_at=timezone.now())
                result.sent += len(sent_ids)
        if broken or len(jobs) < size:
            break
    keep = datetime.timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    result.purged, _ = OutboxJob.objects.filter(sent_at__lt=timezone.now() - keep).delete()
    if result.sent or result.failed:
        logger.info(
            "outbox relay: %d sent, %d failed, %d old rows purged", result.sent, result.failed, result.purged
        )
    return result


def outbox_backlog() -> tuple[int, float]:
    """(pending rows, age in seconds of the oldest): for /healthz and monitoring. A backlog that
    only grows, or an oldest row older than a few minutes, means the broker or the relay is down."""
    pending = OutboxJob.objects.filter(sent_at=None).aggregate(count=Count("id"), oldest=Min("created_at"))
    if not pending["count"]:
        return 0, 0.0
    return pending["count"], max(0.0, (timezone.now() - pending["oldest"]).total_seconds())


@shared_task(name="core.tasks.relay_outbox", acks_late=True, ignore_result=True)
def relay_outbox() -> dict[str, int]:
    """Every minute (CELERY_BEAT_SCHEDULE): jobs the broker did not take on commit."""
    result = outbox_relay()
    return {"sent": result.sent, "failed": result.failed, "purged": result.purged}
