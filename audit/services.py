"""The one writer of the audit trail: every package records its decisions through `audit_record`."""

from audit.models import AuditEntry

SYSTEM_ACTOR_ROLE = "system"


def audit_record(
    *,
    action: str,
    application=None,
    subject_user=None,
    from_status: str | None = None,
    to_status: str | None = None,
    by=None,
    actor_role: str | None = None,
    reason: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Write one row: who (`by`, or the system), in which role, did what to which application or
    person, from which status to which, why, and from which address.

    The statuses default to the application's present one (a decision that does not move it); the
    person concerned defaults to the application's applicant; the role to the actor's own. Called
    inside the caller's transaction, so the row exists exactly when the decision does.
    """
    status = getattr(application, "status", "") if application is not None else ""
    # By id: the applicant row need not be loaded (list pages and tasks count their queries).
    subject_user_id = subject_user.pk if subject_user is not None else getattr(application, "applicant_id", None)
    return AuditEntry.objects.create(
        application=application,
        subject_user_id=subject_user_id,
        action=action,
        from_status=status if from_status is None else from_status,
        to_status=status if to_status is None else to_status,
        actor=by,
        actor_role=actor_role if actor_role is not None else (getattr(by, "role", "") if by else SYSTEM_ACTOR_ROLE),
        reason=reason,
        ip_address=ip_address,
    )
