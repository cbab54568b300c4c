"""The one place where an application's status changes (DESIGN.md §3).

Services lock the row (select_for_update inside transaction.atomic) and call `transition()`;
a move that is not in TRANSITIONS cannot happen, and every move writes an AuditEntry. The table
machinery is core.workflow's, shared with the card, objection, notice and quota tables.
"""

from applications.choices import Status
from applications.models import Application
from audit.actions import Actor, AuditAction
from audit.models import AuditEntry
from audit.services import audit_record
from core.workflow import Rule, TransitionNotAllowed, TransitionTable, rule

# TransitionNotAllowed is the refusal of every table; callers of this module name it from here too.
__all__ = [
    "TRANSITIONS",
    "Actor",
    "Rule",
    "TransitionNotAllowed",
    "allowed_actions",
    "audit",
    "audit_on_application",
    "check_transition",
    "transition",
]


S = Status
TRANSITIONS: dict[str, Rule] = {
    AuditAction.SUBMIT: rule({S.DRAFT, S.RETURNED}, S.SUBMITTED, Actor.APPLICANT),
    AuditAction.WITHDRAW: rule({S.DRAFT, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, Actor.APPLICANT),
    AuditAction.ACCEPT: rule({S.SUBMITTED}, S.UNDER_REVIEW, Actor.REVIEWER),
    # 5 working days without an answer count as accepted (beat task, DESIGN.md §3).
    AuditAction.AUTO_ACCEPT: rule({S.SUBMITTED}, S.UNDER_REVIEW, Actor.SYSTEM),
    AuditAction.RETURN: rule({S.SUBMITTED, S.UNDER_REVIEW}, S.RETURNED, Actor.REVIEWER),
    AuditAction.REJECT: rule({S.UNDER_REVIEW}, S.REJECTED, Actor.REVIEWER),
    AuditAction.APPROVE: rule({S.UNDER_REVIEW}, S.IN_NOTICE, Actor.REVIEWER),
    AuditAction.PUBLISH: rule({S.IN_NOTICE}, S.PUBLISHED, Actor.REVIEWER, Actor.SYSTEM),
    AuditAction.UPHOLD_OBJECTION: rule({S.IN_NOTICE}, S.REJECTED, Actor.REVIEWER),
}


def _write_audit(applications, *, action, actor, from_status, to_status, **context) -> AuditEntry:
    (application,) = applications
    return audit_record(
        application=application, action=action, from_status=from_status, to_status=to_status, **context
    )


TABLE = TransitionTable(
    subject="申报",
    rules=TRANSITIONS,
    status_label=lambda status: Status(status).label,
    action_label=lambda action: AuditAction(action).label,
    audit=_write_audit,
)


def allowed_actions(status: str, actor: str) -> list[str]:
    return TABLE.allowed_actions(status, actor)


def check_transition(application: Application, *, action: str, actor: str) -> Rule:
    return TABLE.check(application.status, action=action, actor=actor)


def transition(
    application: Application,
    *,
    action: str,
    actor: str,
    by=None,
    reason: str = "",
    ip_address: str | None = None,
    extra_fields: tuple[str, ...] = (),
) -> AuditEntry:
    """Move `application` (already locked by the caller) and write the audit row.

    `extra_fields` names other fields the caller changed on the instance, saved in the same UPDATE.
    """
    return TABLE.transition(
        [application], action=action, actor=actor, extra_fields=extra_fields,
        by=by, reason=reason, ip_address=ip_address,
    )  # fmt: skip


def audit(*, action: str, application: Application | None = None, **context) -> AuditEntry:
    """Record a decision that does not move the status (grant, bar, objection dismissed, extension)."""
    return audit_record(action=action, application=application, **context)


def audit_on_application(rows, *, action, actor, from_status, to_status, application=None, **context):
    """The audit writer of the tables whose trail is the application's (cards, objections, notice
    batches): one row per decision, at the application's status, whatever rows the decision moved."""
    return audit(action=action, application=application, **context)
