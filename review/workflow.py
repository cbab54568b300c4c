"""The one place where an objection's or a notice batch's status changes.

An objection (异议) is raised open and settled once: upheld (the application is rejected, and
every objection still open on it is settled with it) or dismissed. A notice batch (公示) is open
for its 5 working days and closed once, by the nightly run or by a city administrator.
review.services locks the rows and calls these functions; a move not in the tables cannot happen.
"""


from applications.models import Application
from applications.workflow import audit_on_application
from audit.actions import Actor, AuditAction
from audit.models import AuditEntry
from core.workflow import Rule, TransitionTable, rule
from review.models import Objection, PublicNotice

OS = Objection.Status
OBJECTION_TRANSITIONS: dict[str, Rule] = {
    AuditAction.UPHOLD_OBJECTION: rule({OS.OPEN}, OS.UPHELD, Actor.REVIEWER),
    AuditAction.OBJECTION_DISMISSED: rule({OS.OPEN}, OS.DISMISSED, Actor.REVIEWER),
}
OBJECTIONS = TransitionTable(
    subject="异议",
    rules=OBJECTION_TRANSITIONS,
    status_label=lambda status: OS(status).label,
    action_label=lambda action: AuditAction(action).label,
    # Upholding settles the objections in bulk (bulk_transition, no row): the application's
    # uphold_objection move is the record. Dismissing writes its own row on the application.
    audit=audit_on_application,
)

N = PublicNotice.Status
NOTICE_TRANSITIONS: dict[str, Rule] = {
    AuditAction.NOTICE_CLOSED: rule({N.OPEN}, N.CLOSED, Actor.CITY_ADMIN, Actor.SYSTEM),
}
NOTICES = TransitionTable(
    subject="公示",
    rules=NOTICE_TRANSITIONS,
    status_label=lambda status: N(status).label,
    action_label=lambda action: AuditAction(action).label,
    audit=audit_on_application,  # a batch is no one application's: the row has none
)


def objection_transition(
    objection: Objection,
    *,
    action: str,
    actor: str,
    application: Application,
    by=None,
    reason: str = "",
    ip_address: str | None = None,
    extra_fields: tuple[str, ...] = (),
) -> AuditEntry:
    """Move `objection` (locked by the caller, after its application) and write the audit row."""
    return OBJECTIONS.transition(
        [objection], action=action, actor=actor, extra_fields=extra_fields,
        application=application, by=by, reason=reason, ip_address=ip_address,
    )  # fmt: skip


def notice_transition(
    notice: PublicNotice,
    *,
    action: str,
    actor: str,
    by=None,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
) -> AuditEntry:
    """Move `notice` (locked by the caller) and write the audit row."""
    return NOTICES.transition([notice], action=action, actor=actor, extra_fields=extra_fields, by=by, reason=reason)
