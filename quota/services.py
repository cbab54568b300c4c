"""The annual 总量控制 quota (DESIGN.md §4): reserve on approval, release on rejection, consume on
publication, forfeit when a card expires unused. Never oversold, even under concurrent approvals.

Every function runs inside the caller's transaction with the application already locked; the
quota row is locked here (select_for_update), and the check constraint `quota_never_oversold`
backs the arithmetic at the database level.
"""

from django.db import transaction
from django.db.models import F

from applications.eligibility import rule_for
from applications.models import Application
from core.errors import Refused
from quota import workflow
from quota.models import Quota, QuotaReservation
from quota.workflow import LedgerAction


class QuotaUnavailable(Refused):
    """No place can be reserved; the message is shown to the reviewer as it is."""


def needs_quota(application: Application) -> bool:
    return application.is_quota_controlled


def _locked_quota(*, application: Application, year: int) -> Quota:
    # Lock only the quota row: PostgreSQL refuses FOR UPDATE on the nullable side of the employer join.
    base = Quota.objects.select_for_update(of=("self",)).select_related("district", "employer")
    employer = application.employer
    sub_rule = rule_for(application.subcategory)
    # 五(四): a key employer (重点扶持) may have a share of its own.
    if (
        sub_rule is not None
        and sub_rule.key_employer_quota
        and employer is not None
        and employer.is_key_employer
    ):
        quota = base.filter(year=year, employer=employer).first()
        if quota is not None:
            return quota
    quota = base.filter(year=year, district_id=application.district_id, employer__isnull=True).first()
    if quota is None:
        raise QuotaUnavailable(
            f"{application.district.name}{year}年度总量控制指标尚未下达，暂不能审核通过；申报保留在审核队列中。"
        )
    return quota


def quota_reserve(*, application: Application, year: int) -> QuotaReservation:
    assert transaction.get_connection().in_atomic_block, "quota_reserve must run inside a transaction"
    quota = _locked_quota(application=application, year=year)
    if quota.remaining <= 0:
        owner = quota.employer.name if quota.employer_id else quota.district.name
        raise QuotaUnavailable(
            f"{owner}{year}年度总量控制指标已用完（共{quota.total_places}个），暂不能审核通过；申报保留在审核队列中。"
        )
    Quota.objects.filter(pk=quota.pk).update(reserved=F("reserved") + 1)
    return QuotaReservation.objects.create(quota=quota, application=application)


def _move(application_id: int, *, action: str, **counts) -> QuotaReservation | None:
    """Move the application's reservation by `action` and the quota's counters with it (`counts`:
    F() expressions for the Quota row). A reservation the table does not let `action` move (none,
    or moved already) is left as it is: every caller runs again on retries and second decisions."""
    reservation = QuotaReservation.objects.select_for_update().filter(application_id=application_id).first()
    if reservation is None or not workflow.TABLE.allows(reservation.status, action=action):
        return reservation
    if counts:
        Quota.objects.select_for_update().filter(pk=reservation.quota_id).update(**counts)
    workflow.transition(reservation, action=action)
    return reservation


def quota_release(*, application: Application) -> QuotaReservation | None:
    """Rejection after approval (objection upheld) gives the place back."""
    return _move(application.pk, action=LedgerAction.RELEASE, reserved=F("reserved") - 1)


def quota_consume(*, application: Application) -> QuotaReservation | None:
    """Publication turns the reservation into a used place."""
    return _move(application.pk, action=LedgerAction.CONSUME, reserved=F("reserved") - 1, used=F("used") + 1)


@transaction.atomic
def quota_forfeit(*, application_id: int) -> QuotaReservation | None:
    """A card unused by its deadline: the place stays used and is not given back (DESIGN.md §4)."""
    return _move(application_id, action=LedgerAction.FORFEIT)
