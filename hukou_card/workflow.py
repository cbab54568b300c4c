"""The one place where an 入户信息卡's status changes.

A card is issued valid and leaves that state once: cancelled when the main applicant gives up
(放弃入户, the accompanying cards with it), used when the police desk records the move, expired
when the nightly task finds it past its deadline. hukou_card.services locks the cards and calls
`transition()`, which refuses a move not in TRANSITIONS and writes one audit row on the
application for all the cards one decision moves.
"""

from collections.abc import Sequence

from applications import workflow as application_workflow
from applications.models import Application
from audit.actions import Actor, AuditAction
from audit.models import AuditEntry
from core.workflow import Rule, TransitionTable, rule
from hukou_card.models import HukouCard

C = HukouCard.Status
TRANSITIONS: dict[str, Rule] = {
    # 备注④: only the main applicant gives up, for the whole family.
    AuditAction.CARD_CANCEL: rule({C.VALID}, C.CANCELLED, Actor.APPLICANT),
    AuditAction.CARD_USED: rule({C.VALID}, C.USED, Actor.POLICE),
    AuditAction.CARD_EXPIRE: rule({C.VALID}, C.EXPIRED, Actor.SYSTEM),
}


TABLE = TransitionTable(
    subject="入户卡",
    rules=TRANSITIONS,
    status_label=lambda status: C(status).label,
    action_label=lambda action: AuditAction(action).label,
    # The trail is the application's: one row per decision, naming its cards in `reason`.
    audit=application_workflow.audit_on_application,
)


def transition(
    cards: Sequence[HukouCard],
    *,
    action: str,
    actor: str,
    application: Application,
    by=None,
    reason: str = "",
    ip_address: str | None = None,
    extra_fields: tuple[str, ...] = (),
) -> AuditEntry:
    """Move `cards` (locked by the caller, all of `application`) and write the audit row.

    `extra_fields` names other fields the caller set on the cards (status_reason, cancelled_at,
    used_at ...), saved in the same UPDATE.
    """
    return TABLE.transition(
        cards, action=action, actor=actor, extra_fields=extra_fields,
        application=application, by=by, reason=reason, ip_address=ip_address,
    )  # fmt: skip
