"""The one place where an employer administrator's right (EmployerAdmin.status) changes.

A request is pending until a city administrator approves or refuses it; the holder withdraws a
pending request or gives up an approved right, and a city administrator may end either.
accounts.services locks the row and calls `transition()`, which refuses a move not in TRANSITIONS.
"""

from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import EmployerAdmin
from audit.actions import Actor
from core.workflow import Rule, TransitionNotAllowed, TransitionTable, rule


class Move(models.TextChoices):
    APPROVE = "approve", "批准"
    REFUSE = "refuse", "不予批准"
    CANCEL = "cancel", "取消"


E = EmployerAdmin.Status
TRANSITIONS: dict[str, Rule] = {
    Move.APPROVE: rule({E.PENDING}, E.APPROVED, Actor.CITY_ADMIN),
    Move.REFUSE: rule({E.PENDING}, E.REFUSED, Actor.CITY_ADMIN),
    Move.CANCEL: rule({E.PENDING, E.APPROVED}, E.CANCELLED, Actor.APPLICANT, Actor.CITY_ADMIN),
}

TABLE = TransitionTable(
    subject="该申请",
    rules=TRANSITIONS,
    status_label=lambda status: E(status).label,
    action_label=lambda move: Move(move).label,
    # No audit row: the right records its own decision (decided_by/at, cancelled_by/at and the note),
    # and the audit trail is the application's.
    audit=None,
)

# What the holder or the administrator reads when the right has already moved on.
_ALREADY_MOVED = {
    Move.APPROVE: "只能审核待审核的申请。",
    Move.REFUSE: "只能审核待审核的申请。",
    Move.CANCEL: "无需取消。",
}


def transition(right: EmployerAdmin, *, move: str, actor: str, extra_fields: tuple[str, ...] = ()) -> None:
    """Move `right` (locked by the caller); `extra_fields` names the other fields the caller set."""
    try:
        TABLE.transition([right], action=move, actor=actor, extra_fields=extra_fields)
    except TransitionNotAllowed as exc:
        if right.status not in TRANSITIONS[move].sources:
            raise ValidationError(
                f"该申请当前状态为“{right.get_status_display()}”，{_ALREADY_MOVED[move]}", code="state"
            ) from exc
        raise
