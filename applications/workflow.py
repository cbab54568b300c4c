"""The one place where an application's status changes (DESIGN.md §3).

Services lock the row (select_for_update inside transaction.atomic) and call `transition()`;
a move that is not in TRANSITIONS cannot happen, and every move writes an AuditEntry.
"""

from dataclasses import dataclass

from django.db import models

from applications.choices import Status
from applications.models import Application
from audit.actions import AuditAction
from audit.models import AuditEntry
from core.errors import Refused


class Actor(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    REVIEWER = "reviewer", "审核员"
    SYSTEM = "system", "系统"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str
    actors: frozenset[str]


def _rule(sources, target, *actors) -> Rule:
    return Rule(frozenset(sources), target, frozenset(actors))


S = Status
TRANSITIONS: dict[str, Rule] = {
    AuditAction.SUBMIT: _rule({S.DRAFT, S.RETURNED}, S.SUBMITTED, Actor.APPLICANT),
    AuditAction.WITHDRAW: _rule({S.DRAFT, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, Actor.APPLICANT),
    AuditAction.ACCEPT: _rule({S.SUBMITTED}, S.UNDER_REVIEW, Actor.REVIEWER),
    # 5 working days without an answer count as accepted (beat task, DESIGN.md §3).
    AuditAction.AUTO_ACCEPT: _rule({S.SUBMITTED}, S.UNDER_REVIEW, Actor.SYSTEM),
    AuditAction.RETURN: _rule({S.SUBMITTED, S.UNDER_REVIEW}, S.RETURNED, Actor.REVIEWER),
    AuditAction.REJECT: _rule({S.UNDER_REVIEW}, S.REJECTED, Actor.REVIEWER),
    AuditAction.APPROVE: _rule({S.UNDER_REVIEW}, S.IN_NOTICE, Actor.REVIEWER),
    AuditAction.PUBLISH: _rule({S.IN_NOTICE}, S.PUBLISHED, Actor.REVIEWER, Actor.SYSTEM),
    AuditAction.UPHOLD_OBJECTION: _rule({S.IN_NOTICE}, S.REJECTED, Actor.REVIEWER),
}


class TransitionNotAllowed(Refused):
    """Raised (with a message fit for the user) when a move is not in the table."""


def allowed_actions(status: str, actor: str) -> list[str]:
    return [action for action, rule in TRANSITIONS.items() if status in rule.sources and actor in rule.actors]


def check_transition(application: Application, *, action: str, actor: str) -> Rule:
    try:
        rule = TRANSITIONS[action]
    except KeyError as exc:
        raise TransitionNotAllowed(f"未知操作：{action}") from exc
    if actor not in rule.actors:
        raise TransitionNotAllowed(f"您无权执行“{AuditAction(action).label}”操作。")
    if application.status not in rule.sources:
        raise TransitionNotAllowed(
            f"申报当前状态为“{Status(application.status).label}”，不能执行“{AuditAction(action).label}”操作。"
        )
    return rule


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
    rule = check_transition(application, action=action, actor=actor)
    from_status = application.status
    application.status = rule.target
    application.save(update_fields=["status", "updated_at", *extra_fields])
    return AuditEntry.objects.create(
        application=application,
        subject_user_id=application.applicant_id,
        action=action,
        from_status=from_status,
        to_status=rule.target,
        actor=by,
        actor_role=getattr(by, "role", "") if by is not None else Actor.SYSTEM,
        reason=reason,
        ip_address=ip_address,
    )


def audit(
    *,
    action: str,
    by=None,
    application: Application | None = None,
    subject_user=None,
    reason: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Record a decision that does not move the status (grant, bar, objection dismissed, extension)."""
    status = application.status if application is not None else ""
    return AuditEntry.objects.create(
        application=application,
        subject_user=subject_user if subject_user is not None else getattr(application, "applicant", None),
        action=action,
        from_status=status,
        to_status=status,
        actor=by,
        actor_role=getattr(by, "role", "") if by is not None else Actor.SYSTEM,
        reason=reason,
        ip_address=ip_address,
    )
