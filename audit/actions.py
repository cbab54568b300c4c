"""The one vocabulary of the audit trail: every action any package records, with its label, and the
labels of the roles that act. A name written to AuditEntry.action comes from here and nowhere else."""

from django.db import models


class AuditAction(models.TextChoices):
    # The application's transitions (the table in applications.workflow).
    SUBMIT = "submit", "提交申报"
    WITHDRAW = "withdraw", "撤回申报"
    ACCEPT = "accept", "受理"
    AUTO_ACCEPT = "auto_accept", "逾期自动受理"
    RETURN = "return_for_correction", "退回补正"
    REJECT = "reject", "审核不通过"
    APPROVE = "approve", "审核通过，进入公示"
    PUBLISH = "publish", "公示期满，公布"
    UPHOLD_OBJECTION = "uphold_objection", "异议成立，不予通过"
    # Decisions that leave the application's status as it is, but must be on the record (review).
    EXTEND_DECISION = "extend_decision", "延长审核期限"
    REAPPLICATION_GRANT = "reapplication_grant", "开通再次申报权限"
    APPLICANT_BAR = "applicant_bar", "提供虚假材料，取消申请资格5年"
    OBJECTION_RAISED = "objection_raised", "公示期间收到异议"
    OBJECTION_DISMISSED = "objection_dismissed", "异议不成立"
    # The applicant's 好差评 of the handling, after the decision (review.services).
    SERVICE_RATING = "service_rating", "申请人评价办理服务（好差评）"
    # Staff-only: the applicant's status page hides these (applications.selectors).
    EMPLOYER_CONFIRMED = "employer_confirm", "用人单位确认在职"
    EMPLOYER_DISPUTED = "employer_dispute", "用人单位对在职情况提出异议"
    NOTICE_CLOSED = "notice_closed", "公示结束"
    # The 入户信息卡's life (hukou_card.services).
    CARD_ISSUE = "card_issue", "核发入户信息卡"
    CARD_CANCEL = "card_cancel", "放弃入户，注销入户信息卡"
    CARD_EXPIRE = "card_expire", "入户信息卡逾期未使用，已注销"
    CARD_USED = "card_used", "公安部门办结入户手续"
    # The account's CA certificate (accounts.services): who may log in by CA登录 from now on.
    CERTIFICATE_BIND = "certificate_bind", "绑定CA证书"
    CERTIFICATE_UNBIND = "certificate_unbind", "解除CA证书绑定"
    # The applicant's own personal data (portal.exports, portal.services).
    DATA_EXPORT_REQUEST = "data_export_request", "申请下载个人信息"
    DATA_EXPORT_DOWNLOAD = "data_export_download", "下载个人信息副本"
    ACCOUNT_CLOSE = "account_close", "注销帐号"


class Actor(models.TextChoices):
    """Who may make a move in a transition table; the values are the users' roles (accounts.Role),
    and the system for the beat tasks, so an audit row's actor_role names the same thing."""

    APPLICANT = "applicant", "申请人"
    REVIEWER = "reviewer", "区人社局审核员"
    CITY_ADMIN = "city_admin", "市人社局管理员"
    POLICE = "police", "公安窗口"
    SYSTEM = "system", "系统"


# The actor role written on rows raised by an anonymous member of the public (objections).
PUBLIC_ACTOR_ROLE = "public"

ROLE_LABELS = {**dict(Actor.choices), PUBLIC_ACTOR_ROLE: "公众"}


def action_label(action: str) -> str:
    try:
        return AuditAction(action).label
    except ValueError:  # a row written under a name since retired keeps its name
        return action


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role or "系统")
