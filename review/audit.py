"""Names of the audit rows the review console writes besides the status transitions.

applications.workflow.Action names the transitions; these are the decisions that leave the status
as it is (an extension, a grant, a bar, an objection) but must still be on the record.
"""

from django.db import models

from applications.workflow import Action


class ReviewAction(models.TextChoices):
    EXTEND_DECISION = "extend_decision", "延长审核期限"
    REAPPLICATION_GRANT = "reapplication_grant", "开通再次申报权限"
    APPLICANT_BAR = "applicant_bar", "提供虚假材料，取消申请资格5年"
    OBJECTION_RAISED = "objection_raised", "公示期间收到异议"
    OBJECTION_DISMISSED = "objection_dismissed", "异议不成立"
    # Staff-only: the applicant's status page hides these two (applications.selectors).
    EMPLOYER_CONFIRMED = "employer_confirm", "用人单位确认在职"
    EMPLOYER_DISPUTED = "employer_dispute", "用人单位对在职情况提出异议"
    NOTICE_CLOSED = "notice_closed", "公示结束"


# The actor role written on rows raised by an anonymous member of the public (objections).
PUBLIC_ACTOR_ROLE = "public"

_LABELS = {**dict(Action.choices), **dict(ReviewAction.choices)}

ROLE_LABELS = {
    "applicant": "申请人",
    "reviewer": "区人社局审核员",
    "city_admin": "市人社局管理员",
    "police": "公安窗口",
    "system": "系统",
    PUBLIC_ACTOR_ROLE: "公众",
}


def action_label(action: str) -> str:
    return _LABELS.get(action, action)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role or "系统")
