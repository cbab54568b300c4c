"""Races the row lock must win: a double-clicked 提交 and two tabs pressing 开始登记 at once."""

import threading

import pytest
from django.db import connection

from applications import services
from applications.choices import Status
from applications.models import Application
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEntry
from tests.factories import UserFactory, ready_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_double_submit_submits_once():
    application = ready_application()

    outcomes = run_together(
        4, lambda: services.application_submit(application_id=application.pk, by=application.applicant)
    )
    submitted = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if isinstance(o, TransitionNotAllowed)]
    assert len(submitted) == 1 and len(refused) == 3, outcomes
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert AuditEntry.objects.filter(application=application, action="submit").count() == 1


def test_concurrent_starts_give_one_draft():
    user = UserFactory()
    outcomes = run_together(4, lambda: services.application_start(applicant=user).pk)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert len(set(outcomes)) == 1
    assert Application.objects.filter(applicant=user).count() == 1
