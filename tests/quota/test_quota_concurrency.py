"""On PostgreSQL, 100 concurrent approvals against a quota of 10: exactly 10 in the notice.

Each approval runs in its own thread with its own database connection, all released at once by a
barrier; at most 20 hold a connection at a time so the shared server's connection limit (other test
runs use it too) is never reached. The row locks (application, then quota, then district) do the rest.
"""

import threading

import pytest
from django.db import connection

from applications.choices import Status
from applications.models import Application
from audit.models import AuditEntry
from quota.models import Quota, QuotaReservation
from quota.services import QuotaUnavailable
from review import services
from review.models import NoticeEntry, PublicNotice
from tests import factories

APPLICATIONS = 100
PLACES = 10
MAX_CONNECTIONS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hundred_concurrent_approvals_never_oversell_a_quota_of_ten(district):
    quota = factories.QuotaFactory(district=district, total_places=PLACES)
    reviewer = factories.ReviewerFactory(district=district)
    apps = [
        factories.ApplicationFactory(
            submitted=True, status=Status.UNDER_REVIEW, subcategory=factories.subcategory("5.1")
        )
        for _ in range(APPLICATIONS)
    ]
    barrier = threading.Barrier(APPLICATIONS)
    gate = threading.BoundedSemaphore(MAX_CONNECTIONS)
    approved, refused, errors = [], [], []
    lock = threading.Lock()

    def approve(app_id: int) -> None:
        barrier.wait()
        with gate:
            try:
                services.application_approve(application_id=app_id, by=reviewer)
                outcome = approved
            except QuotaUnavailable as exc:
                assert "已用完" in str(exc)
                outcome = refused
            except Exception as exc:  # noqa: BLE001 - reported below
                outcome = errors
                app_id = (app_id, repr(exc))
            finally:
                connection.close()
            with lock:
                outcome.append(app_id)

    threads = [threading.Thread(target=approve, args=(app.pk,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert errors == []
    assert (len(approved), len(refused)) == (PLACES, APPLICATIONS - PLACES)
    assert Application.objects.filter(status=Status.IN_NOTICE).count() == PLACES
    assert Application.objects.filter(status=Status.UNDER_REVIEW).count() == APPLICATIONS - PLACES
    assert set(Application.objects.filter(status=Status.IN_NOTICE).values_list("pk", flat=True)) == set(approved)
    quota.refresh_from_db()
    assert (quota.reserved, quota.used, quota.remaining) == (PLACES, 0, 0)
    assert QuotaReservation.objects.filter(status=QuotaReservation.Status.RESERVED).count() == PLACES
    # One batch for the district and day, holding exactly the approved ten; refusals left no trace.
    assert PublicNotice.objects.count() == 1
    assert NoticeEntry.objects.count() == PLACES
    assert AuditEntry.objects.filter(action="approve").count() == PLACES
    assert Quota.objects.count() == 1
