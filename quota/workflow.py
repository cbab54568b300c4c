"""The one place where a quota reservation's status changes (the 总量控制 ledger, DESIGN.md §4).

A reservation is made on approval (quota.services.quota_reserve creates it reserved) and then moves
once: released on rejection, consumed on publication, and a consumed one forfeited when the card
expires unused. The places counted on the Quota row move with it, in quota.services.
"""

from django.db import models

from core.workflow import Rule, TransitionTable, rule
from quota.models import QuotaReservation


class LedgerAction(models.TextChoices):
    RELEASE = "quota_release", "释放指标"
    CONSUME = "quota_consume", "使用指标"
    FORFEIT = "quota_forfeit", "逾期未入户，视同放弃指标"


R = QuotaReservation.Status
# No actors: the ledger moves only inside a move of the application or of its cards, which is
# gated by who acts there.
TRANSITIONS: dict[str, Rule] = {
    LedgerAction.RELEASE: rule({R.RESERVED}, R.RELEASED),
    LedgerAction.CONSUME: rule({R.RESERVED}, R.CONSUMED),
    # The place stays used: a card unused by its deadline does not give it back.
    LedgerAction.FORFEIT: rule({R.CONSUMED}, R.FORFEITED),
}

TABLE = TransitionTable(
    subject="指标占用记录",
    rules=TRANSITIONS,
    status_label=lambda status: R(status).label,
    action_label=lambda action: LedgerAction(action).label,
    # No row of its own: the application's approve/reject/publish row and the card's expiry row
    # record the decision that moved the ledger.
    audit=None,
)


def transition(reservation: QuotaReservation, *, action: str) -> None:
    """Move `reservation` (locked by the caller); TransitionNotAllowed if the table does not allow it."""
    TABLE.transition([reservation], action=action)
