"""Every reservation status × every ledger move: the guarded function moves what the table allows
and refuses the rest with nothing changed; the services (release, consume, forfeit) move the
reservation and the quota's counters together, and leave a reservation the table will not move as
it is (they are run again on retries and second decisions)."""

import pytest
from django.db import transaction

from audit.models import AuditEntry
from core.errors import Refused
from quota import services, workflow
from quota.models import Quota, QuotaReservation
from quota.workflow import LedgerAction
from tests import factories

pytestmark = pytest.mark.django_db

R = QuotaReservation.Status
ALLOWED = {
    (R.RESERVED, LedgerAction.RELEASE): R.RELEASED,
    (R.RESERVED, LedgerAction.CONSUME): R.CONSUMED,
    (R.CONSUMED, LedgerAction.FORFEIT): R.FORFEITED,
}
# (reserved, used) on the quota row before and after each allowed move.
COUNTERS_AFTER = {
    LedgerAction.RELEASE: (0, 0),
    LedgerAction.CONSUME: (0, 1),
    LedgerAction.FORFEIT: (0, 1),  # the place stays used
}
CASES = [(status, action) for status in R.values for action in LedgerAction.values]


def _reservation(status: str) -> QuotaReservation:
    """A reservation in `status` with the quota counters a real ledger would show for it."""
    app = factories.ApplicationFactory(subcategory=factories.subcategory("5.1"))
    counted = {R.RESERVED: (1, 0), R.CONSUMED: (0, 1), R.FORFEITED: (0, 1), R.RELEASED: (0, 0)}[status]
    quota = factories.QuotaFactory(
        district=app.district, year=app.year, total_places=5, reserved=counted[0], used=counted[1]
    )
    return QuotaReservation.objects.create(quota=quota, application=app, status=status)


def _snapshot(reservation: QuotaReservation):
    return (
        QuotaReservation.objects.values_list("status", "updated_at").get(pk=reservation.pk),
        Quota.objects.values_list("reserved", "used").get(pk=reservation.quota_id),
        AuditEntry.objects.count(),
    )


def _run_service(action: str, reservation: QuotaReservation) -> None:
    with transaction.atomic():
        if action == LedgerAction.RELEASE:
            services.quota_release(application=reservation.application)
        elif action == LedgerAction.CONSUME:
            services.quota_consume(application=reservation.application)
        else:
            services.quota_forfeit(application_id=reservation.application_id)


@pytest.mark.parametrize(("status", "action"), CASES)
def test_guarded_function_moves_only_what_the_table_allows(status, action):
    reservation = _reservation(status)
    before = _snapshot(reservation)
    if (status, action) in ALLOWED:
        workflow.transition(reservation, action=action)
        moved, _, audit_rows = _snapshot(reservation)
        assert moved[0] == ALLOWED[(status, action)]
        assert moved[1] > before[0][1], "updated_at moves with the status"
        assert audit_rows == before[2], "the ledger writes no audit row of its own"
    else:
        with pytest.raises(Refused, match=f"指标占用记录当前状态为“{R(status).label}”"):
            workflow.transition(reservation, action=action)
        assert _snapshot(reservation) == before


@pytest.mark.parametrize(("status", "action"), CASES)
def test_ledger_services_move_reservation_and_counters_together(status, action):
    reservation = _reservation(status)
    before = _snapshot(reservation)
    _run_service(action, reservation)
    after = _snapshot(reservation)
    if (status, action) in ALLOWED:
        assert after[0][0] == ALLOWED[(status, action)]
        assert after[1] == COUNTERS_AFTER[action]
    else:
        assert after == before


@pytest.mark.parametrize("action", LedgerAction.values)
def test_ledger_services_without_a_reservation_do_nothing(action):
    app = factories.ApplicationFactory()
    with transaction.atomic():
        if action == LedgerAction.FORFEIT:
            assert services.quota_forfeit(application_id=app.pk) is None
        elif action == LedgerAction.RELEASE:
            assert services.quota_release(application=app) is None
        else:
            assert services.quota_consume(application=app) is None
