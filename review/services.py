"""Review decisions, the public notice, objections and the quota bookkeeping (DESIGN.md §3–4).

Every write is here, keyword-only and atomic. A decision locks the application row first
(select_for_update), then anything else it needs (quota row, district row for a notice batch),
always in that order, so concurrent decisions queue instead of deadlocking. Status changes go
through applications.workflow.transition(), which refuses moves outside its table and writes the
audit row; decisions that keep the status write one through workflow.audit(). The applicant is
told by e-mail and SMS once the decision is committed.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.access import is_console_user, may_act_in_district
from accounts.models import Role, User
from applications.choices import Status
from applications.models import ApplicantBar, Application, ReapplicationGrant
from applications.policy import (
    ACCEPT_WORKING_DAYS,
    BAR_YEARS,
    DECISION_EXTENSION_WORKING_DAYS,
    DECISION_WORKING_DAYS,
    OBJECTION_WORKING_DAYS,
    RATEABLE_STATUSES,
)
from applications.selectors import active_bar
from applications.workflow import Actor, audit, check_transition, transition
from audit.actions import PUBLIC_ACTOR_ROLE, AuditAction
from audit.services import audit_record
from core import sms
from core.cache import bump_on_commit
from core.errors import Refused
from core.notifications import bureau_name, in_language_of, mail_date, notify_on_commit
from core.outbox import outbox_dispatch
from core.text import cn_date
from hukou_card.tasks import issue_cards_for_application
from quota import services as quota
from reference.models import District
from reference.workdays import add_working_days, is_working_day
from review import workflow
from review.deadlines import notice_period
from review.models import NoticeEntry, Objection, PublicNotice, ServiceRating
from review.statistics_sql import VERSION as STATISTICS_VERSION
from review.statistics_sql import VIEW as STATISTICS_VIEW

logger = logging.getLogger(__name__)


class DecisionRefused(Refused):
    """A decision that cannot be taken; the message is shown to the user as it is."""


# --- helpers --------------------------------------------------------------------------------


def _locked_application(application_id: int) -> Application:
    return Application.objects.select_for_update().get(pk=application_id)


def _ensure_may_decide(by: User, *, district_id: int | None) -> None:
    """Reviewers act for their own district only; city administrators for every district."""
    if not is_console_user(by):
        raise DecisionRefused("只有区人社局审核员或市人社局管理员可以作出审核决定。")
    if not may_act_in_district(by, district_id=district_id):
        raise DecisionRefused("该申报不属于您所在的区，不能处理。")


def _locked_for_decision(application_id: int, *, by: User, action: str) -> Application:
    """Lock the application, check the reviewer's district, and that `action` is allowed now."""
    app = _locked_application(application_id)
    _ensure_may_decide(by, district_id=app.district_id)
    check_transition(app, action=action, actor=Actor.REVIEWER)
    return app


def _clean_text(value: str | None, *, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DecisionRefused(message)
    return value


def _number(app: Application) -> str:
    return app.number or "（未编号）"


def _mail_number(app: Application) -> str:
    """The number for an e-mail worded in the applicant's language (the SMS and audit keep _number)."""
    return app.number or gettext("（未编号）")


def _tell_applicant(app: Application, *, subject: str, body: str, text: sms.Sms | None = None) -> None:
    """The e-mail to the applicant and, for the decisions with an SMS kind, the SMS `text` (a
    gateway template with fixed parameters: no language). The caller words subject and body
    inside in_language_of(app.applicant)."""
    notify_on_commit(
        user_id=app.applicant_id, subject=subject, body=body, sms=text, mobile=app.notification_mobile
    )


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- acceptance -------------------------------------------------------------------------------


def _accept(app: Application, *, action: str, actor: str, by: User | None, reason: str, ip_address) -> None:
    check_transition(app, action=action, actor=actor)
    today = timezone.localdate()
    app.accepted_at = timezone.now()
    # 审核 within 15 working days of acceptance (DESIGN.md §4).
    app.decision_due_on = add_working_days(today, DECISION_WORKING_DAYS)
    app.decision_extension_reason = ""
    transition(
        app,
        action=action,
        actor=actor,
        by=by,
        reason=reason,
        ip_address=ip_address,
        extra_fields=("accepted_at", "decision_due_on", "decision_extension_reason"),
    )
    with in_language_of(app.applicant):
        _tell_applicant(
            app,
            subject=gettext("申报已受理"),
            body=gettext("您的人才引进申报（编号%(number)s）已由%(bureau)s受理，将于%(due)s前作出审核决定。")
            % {
                "number": _mail_number(app),
                "bureau": bureau_name(app.district),
                "due": mail_date(app.decision_due_on),
            },
            text=sms.Sms(sms.ACCEPTED, (_number(app), app.decision_due_on.isoformat())),
        )


@transaction.atomic
def application_accept(*, application_id: int, by: User, ip_address: str | None = None) -> Application:
    app = _locked_application(application_id)
    _ensure_may_decide(by, district_id=app.district_id)
    _accept(app, action=AuditAction.ACCEPT, actor=Actor.REVIEWER, by=by, reason="", ip_address=ip_address)
    return app


def accept_due_on(app: Application) -> datetime.date | None:
    """The last day to accept or return: 5 working days after the (re)submission."""
    if app.accept_due_on is not None:
        return app.accept_due_on
    submitted = app.last_submitted_at or app.submitted_at
    if submitted is None:
        return None
    return add_working_days(timezone.localdate(submitted), ACCEPT_WORKING_DAYS)


def application_auto_accept_overdue(*, today: datetime.date) -> list[int]:
    """Accept every application nobody accepted or returned in time, on the 6th working day.

    DESIGN.md §3: 5 working days without an answer count as accepted. Runs only on a working day
    (the 6th working day is one); each application in its own transaction, so one bad row does not
    hold back the rest. Returns the ids accepted.
    """
    if not is_working_day(today):
        return []
    candidates = Application.objects.filter(status=Status.SUBMITTED).only(
        "pk", "accept_due_on", "submitted_at", "last_submitted_at"
    )
    accepted = []
    for candidate in candidates:
        due = accept_due_on(candidate)
        if due is None or due >= today:
            continue
        with transaction.atomic():
            app = _locked_application(candidate.pk)
            if app.status != Status.SUBMITTED:
                continue  # a reviewer acted in the meantime
            _accept(
                app,
                action=AuditAction.AUTO_ACCEPT,
                actor=Actor.SYSTEM,
                by=None,
                reason=f"受理期限{cn_date(due)}已过，未受理也未退回，视为受理。",
                ip_address=None,
            )
        accepted.append(app.pk)
    return accepted


# --- decisions on an application under review --------------------------------------------------


@transaction.atomic
def application_return_for_correction(
    *, application_id: int, by: User, items: list[str], ip_address: str | None = None
) -> Application:
    """退回补正 with one complete list of what to fix; the applicant sees the list as it is."""
    app = _locked_for_decision(application_id, by=by, action=AuditAction.RETURN)
    cleaned: list[str] = []
    for item in items:
        item = (item or "").strip()
        if item and item not in cleaned:
            cleaned.append(item)
    if not cleaned:
        raise DecisionRefused("请列出需要申请人补正的全部事项（至少一项）。")
    app.correction_items = cleaned
    numbered = [f"{i}. {item}" for i, item in enumerate(cleaned, start=1)]
    transition(
        app,
        action=AuditAction.RETURN,
        actor=Actor.REVIEWER,
        by=by,
        reason="；".join(numbered),
        ip_address=ip_address,
        extra_fields=("correction_items",),
    )
    with in_language_of(app.applicant):
        # The items are the reviewer's own words, quoted as written.
        _tell_applicant(
            app,
            subject=gettext("申报被退回补正"),
            body=gettext("您的人才引进申报（编号%(number)s）需要补正以下事项，请登录系统修改后重新提交：")
            % {"number": _mail_number(app)}
            + "\n"
            + "\n".join(numbered),
            text=sms.Sms(sms.CORRECTION, (_number(app),)),
        )
    return app


@transaction.atomic
def application_reject(
    *, application_id: int, by: User, reason: str, ip_address: str | None = None
) -> Application:
    app = _locked_for_decision(application_id, by=by, action=AuditAction.REJECT)
    reason = _clean_text(reason, message="请填写审核不通过的理由。")
    with in_language_of(app.applicant):
        subject = gettext("申报审核不通过")
        body = gettext("您的人才引进申报（编号%(number)s）审核不通过。理由：%(reason)s") % {
            "number": _mail_number(app),
            "reason": reason,
        }
    _close_rejected(
        app, action=AuditAction.REJECT, by=by, reason=reason, decision_reason=reason, ip_address=ip_address,
        subject=subject, body=body,
    )  # fmt: skip
    return app


def _close_rejected(
    app: Application,
    *,
    action: str,
    by: User,
    reason: str,
    decision_reason: str,
    ip_address,
    subject: str | None,
    body: str,
) -> None:
    """Every way to 不予通过: record the decision, move the status, give back a reserved quota
    place (DESIGN.md §4: rejection after reservation releases it) and tell the applicant."""
    app.decision_reason = decision_reason
    app.decided_at = timezone.now()
    transition(
        app, action=action, actor=Actor.REVIEWER, by=by, reason=reason, ip_address=ip_address,
        extra_fields=("decision_reason", "decided_at"),
    )  # fmt: skip
    quota.quota_release(application=app)
    if subject is not None:
        _tell_applicant(app, subject=subject, body=body, text=sms.Sms(sms.REJECTED, (_number(app),)))


def _notice_batch_for(*, district_id: int, day: datetime.date) -> PublicNotice:
    """The district's batch for approvals made on `day`, or a new one (review.deadlines.notice_period:
    5 working days, counted from the working day after the approval).

    Only a batch with the same 公示期 is joined: joining an older batch would shorten this
    application's notice below 5 working days (approvals of a Friday and of the weekend after it
    share one). Locking the district row serialises the lookup, so concurrent approvals never open
    two batches for one district and period.
    """
    start, end = notice_period(day)
    district = District.objects.select_for_update().get(pk=district_id)
    notice = (
        PublicNotice.objects.filter(district=district, status=PublicNotice.Status.OPEN, start_date=start)
        .order_by("pk")
        .first()
    )
    if notice is not None:
        return notice
    sequence = PublicNotice.objects.filter(district=district, start_date__year=start.year).count() + 1
    return PublicNotice.objects.create(
        district=district,
        title=f"广州市{district.name}{start.year}年第{sequence}批引进人才入户公示",
        start_date=start,
        end_date=end,
    )


@transaction.atomic
def application_approve(*, application_id: int, by: User, ip_address: str | None = None) -> Application:
    """审核通过: a 五、其他 application takes a quota place; every one joins the district's notice.

    With no place left, quota.QuotaUnavailable is raised, the transaction rolls back and the
    application stays in the queue under review.
    """
    app = _locked_for_decision(application_id, by=by, action=AuditAction.APPROVE)
    if quota.needs_quota(app):
        quota.quota_reserve(application=app, year=app.year)
    notice = _notice_batch_for(district_id=app.district_id, day=timezone.localdate())
    NoticeEntry.objects.create(notice=notice, application=app)
    app.decided_at = timezone.now()
    app.decision_reason = ""
    period = f"{cn_date(notice.start_date)}至{cn_date(notice.end_date)}"  # the audit row's, in Chinese
    transition(
        app,
        action=AuditAction.APPROVE,
        actor=Actor.REVIEWER,
        by=by,
        reason=f"列入《{notice.title}》，公示期{period}。",
        ip_address=ip_address,
        extra_fields=("decided_at", "decision_reason"),
    )
    with in_language_of(app.applicant):
        _tell_applicant(
            app,
            subject=gettext("申报审核通过，进入网上公示"),
            body=gettext(
                "您的人才引进申报（编号%(number)s）已审核通过，进入网上公示，公示期%(start)s至%(end)s。"
            )
            % {
                "number": _mail_number(app),
                "start": mail_date(notice.start_date),
                "end": mail_date(notice.end_date),
            },
            text=sms.Sms(
                sms.NOTICE, (_number(app), notice.start_date.isoformat(), notice.end_date.isoformat())
            ),
        )
    return app


@transaction.atomic
def application_extend_decision(
    *, application_id: int, by: User, reason: str, ip_address: str | None = None
) -> Application:
    """The 15 working days of review may be extended once, by 10 working days, with a reason."""
    app = _locked_application(application_id)
    _ensure_may_decide(by, district_id=app.district_id)
    if app.status != Status.UNDER_REVIEW:
        raise DecisionRefused(f"申报当前状态为“{app.status_label}”，不能延长审核期限。")
    if app.decision_extension_reason:
        raise DecisionRefused("审核期限已延长过一次，不能再次延长。")
    reason = _clean_text(reason, message="请填写延长审核期限的理由。")
    base = app.decision_due_on or add_working_days(timezone.localdate(), DECISION_WORKING_DAYS)
    app.decision_due_on = add_working_days(base, DECISION_EXTENSION_WORKING_DAYS)
    app.decision_extension_reason = reason
    app.save(update_fields=["decision_due_on", "decision_extension_reason", "updated_at"])
    audit(
        action=AuditAction.EXTEND_DECISION,
        by=by,
        application=app,
        reason=f"审核期限延长至{cn_date(app.decision_due_on)}。理由：{reason}",
        ip_address=ip_address,
    )
    with in_language_of(app.applicant):
        _tell_applicant(
            app,
            subject=gettext("审核期限延长"),
            body=gettext("您的人才引进申报（编号%(number)s）审核期限延长至%(due)s。理由：%(reason)s")
            % {"number": _mail_number(app), "due": mail_date(app.decision_due_on), "reason": reason},
        )
    return app


# --- publication --------------------------------------------------------------------------------


def _open_objections(app: Application):
    return Objection.objects.filter(entry__application=app, status=Objection.Status.OPEN)


@transaction.atomic
def application_publish(*, application_id: int, by: User | None = None) -> Application:
    """公布: the notice has ended without an open objection. Consumes the quota place and
    queues the card issuance with the publication (core.outbox)."""
    app = _locked_application(application_id)
    actor = Actor.SYSTEM if by is None else Actor.REVIEWER
    if by is not None:
        _ensure_may_decide(by, district_id=app.district_id)
    check_transition(app, action=AuditAction.PUBLISH, actor=actor)
    entry = NoticeEntry.objects.select_related("notice").filter(application=app).first()
    if entry is None:
        raise DecisionRefused("该申报不在公示名单中，不能公布。")
    today = timezone.localdate()
    if entry.notice.end_date >= today:
        raise DecisionRefused(f"公示期至{cn_date(entry.notice.end_date)}结束，期满后才能公布。")
    if _open_objections(app).exists():
        raise DecisionRefused("该申报有尚未处理的公示异议，异议处理完毕后才能公布。")
    quota.quota_consume(application=app)
    app.published_at = timezone.now()
    transition(
        app,
        action=AuditAction.PUBLISH,
        actor=actor,
        by=by,
        reason=f"《{entry.notice.title}》公示期满，无异议。",
        extra_fields=("published_at",),
    )
    # In the outbox with the publication: a broker down at the commit delays the cards, never loses them.
    outbox_dispatch(issue_cards_for_application, app.pk)
    with in_language_of(app.applicant):
        _tell_applicant(
            app,
            subject=gettext("申报已公布，核发入户信息卡"),
            body=gettext(
                "您的人才引进申报（编号%(number)s）公示期满，已公布。"
                "电子入户信息卡生成后，请登录个人帐号下载，并在有效期内到公安部门办理入户手续。"
            )
            % {"number": _mail_number(app)},
        )
    return app


@dataclass
class NoticeCloseResult:
    notice: PublicNotice
    published: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # kept in notice: an objection is still open


@transaction.atomic
def notice_close(*, notice_id: int, by: User | None = None) -> NoticeCloseResult:
    """End a notice batch after its last day: publish every entry without an open objection.

    Entries with an open objection stay in notice; dismissing the objection publishes them.
    Idempotent: a closed batch is returned as it is.
    """
    notice = PublicNotice.objects.select_for_update().get(pk=notice_id)
    result = NoticeCloseResult(notice=notice)
    if notice.status == PublicNotice.Status.CLOSED:
        return result
    if by is not None and by.role != Role.CITY_ADMIN:
        raise DecisionRefused("只有市人社局管理员可以手动结束公示。")
    today = timezone.localdate()
    if notice.end_date >= today:
        raise DecisionRefused(f"公示期至{cn_date(notice.end_date)}结束，期满后才能结束公示。")
    entries = NoticeEntry.objects.filter(notice=notice).values_list("application_id", flat=True)
    for application_id in entries:
        app = _locked_application(application_id)
        if app.status != Status.IN_NOTICE:
            continue  # rejected after an upheld objection
        if _open_objections(app).exists():
            result.held.append(app.pk)
            continue
        application_publish(application_id=app.pk, by=by)
        result.published.append(app.pk)
    notice.closed_at = timezone.now()
    workflow.notice_transition(
        notice,
        action=AuditAction.NOTICE_CLOSED,
        actor=workflow.Actor.SYSTEM if by is None else workflow.Actor.CITY_ADMIN,
        by=by,
        extra_fields=("closed_at",),
        reason=(
            f"《{notice.title}》公示期满：公布{len(result.published)}人，"
            f"因异议未处理暂缓公布{len(result.held)}人。"
        ),
    )
    return result


def notices_ended(*, today: datetime.date) -> list[int]:
    return list(
        PublicNotice.objects.filter(status=PublicNotice.Status.OPEN, end_date__lt=today)
        .order_by("end_date", "pk")
        .values_list("pk", flat=True)
    )


# --- objections -----------------------------------------------------------------------------------


@transaction.atomic
def objection_raise(
    *,
    entry_id: int,
    contact_name: str,
    contact_phone: str,
    description: str,
    contact_email: str = "",
    ip_address: str | None = None,
) -> Objection:
    """Anyone may object during the notice; the district settles it within 20 working days."""
    entry = NoticeEntry.objects.select_related("notice").get(pk=entry_id)
    app = _locked_application(entry.application_id)  # serialises against publication
    today = timezone.localdate()
    notice = entry.notice
    if (
        app.status != Status.IN_NOTICE
        or notice.status != PublicNotice.Status.OPEN
        # On view from the approval on (review.deadlines.notice_period): objections are taken
        # from then until the 公示期's last day.
        or today > notice.end_date
    ):
        raise DecisionRefused(gettext("该公示已结束，不能再提出异议。"))
    objection = Objection.objects.create(
        entry=entry,
        contact_name=_clean_text(contact_name, message="请填写联系人姓名。"),
        contact_phone=_clean_text(contact_phone, message="请填写联系电话。"),
        contact_email=(contact_email or "").strip(),
        description=_clean_text(description, message="请填写异议内容。"),
        due_on=add_working_days(today, OBJECTION_WORKING_DAYS),
        ip_address=ip_address,
    )
    audit_record(
        application=app,
        action=AuditAction.OBJECTION_RAISED,
        actor_role=PUBLIC_ACTOR_ROLE,  # a member of the public, with no account
        reason=f"异议编号{objection.public_id.hex[:8].upper()}，处理期限{cn_date(objection.due_on)}。",
        ip_address=ip_address,
    )
    reviewers = User.objects.filter(role=Role.REVIEWER, district_id=app.district_id, is_active=True)
    for reviewer_id in reviewers.values_list("pk", flat=True):
        notify_on_commit(
            user_id=reviewer_id,
            subject="公示异议待处理",
            body=(
                f"《{notice.title}》中申报{_number(app)}收到异议，"
                f"请于{cn_date(objection.due_on)}前在审核工作台处理。"
            ),
        )
    return objection


def _locked_objection_with_application(objection_id: int) -> tuple[Objection, Application]:
    application_id = (
        Objection.objects.filter(pk=objection_id).values_list("entry__application_id", flat=True).get()
    )
    app = _locked_application(application_id)  # application first, like every other decision
    objection = Objection.objects.select_for_update().select_related("entry__notice").get(pk=objection_id)
    return objection, app


@transaction.atomic
def objection_uphold(
    *, objection_id: int, by: User, resolution: str, ip_address: str | None = None
) -> Objection:
    """异议成立: the application is rejected and its quota place released."""
    objection, app = _locked_objection_with_application(objection_id)
    _ensure_may_decide(by, district_id=app.district_id)
    if objection.status != Objection.Status.OPEN:
        raise DecisionRefused(f"该异议已处理（{objection.get_status_display()}），不能再次处理。")
    check_transition(app, action=AuditAction.UPHOLD_OBJECTION, actor=Actor.REVIEWER)
    resolution = _clean_text(resolution, message="请填写异议处理意见。")
    with in_language_of(app.applicant):
        subject = gettext("公示异议成立，申报不予通过")
        body = gettext(
            "您的人才引进申报（编号%(number)s）在公示期间收到的异议经核实成立，申报不予通过。意见：%(resolution)s"
        ) % {"number": _mail_number(app), "resolution": resolution}
    _close_rejected(
        app, action=AuditAction.UPHOLD_OBJECTION, by=by, reason=resolution,
        decision_reason=f"公示异议经核实成立：{resolution}", ip_address=ip_address,
        subject=subject, body=body,
    )  # fmt: skip
    # The application is rejected: every objection still open on it is settled by this decision.
    workflow.OBJECTIONS.bulk_transition(
        Objection.objects.filter(entry=objection.entry),
        action=AuditAction.UPHOLD_OBJECTION,
        actor=workflow.Actor.REVIEWER,
        resolution=resolution,
        decided_by=by,
        decided_at=app.decided_at,
    )
    objection.refresh_from_db()
    return objection


@transaction.atomic
def objection_dismiss(
    *, objection_id: int, by: User, resolution: str, ip_address: str | None = None
) -> Objection:
    """异议不成立: the application stays in notice, or is published if its notice has ended."""
    objection, app = _locked_objection_with_application(objection_id)
    _ensure_may_decide(by, district_id=app.district_id)
    if objection.status != Objection.Status.OPEN:
        raise DecisionRefused(f"该异议已处理（{objection.get_status_display()}），不能再次处理。")
    if app.status != Status.IN_NOTICE:
        raise DecisionRefused(f"申报当前状态为“{app.status_label}”，不在公示中，不能处理异议。")
    resolution = _clean_text(resolution, message="请填写异议处理意见。")
    objection.resolution = resolution
    objection.decided_by = by
    objection.decided_at = timezone.now()
    workflow.objection_transition(
        objection,
        action=AuditAction.OBJECTION_DISMISSED,
        actor=workflow.Actor.REVIEWER,
        application=app,
        by=by,
        reason=f"异议编号{objection.public_id.hex[:8].upper()}：{resolution}",
        ip_address=ip_address,
        extra_fields=("resolution", "decided_by", "decided_at"),
    )
    notice = objection.entry.notice
    if (
        app.status == Status.IN_NOTICE
        and notice.end_date < timezone.localdate()
        and not _open_objections(app).exists()
    ):
        # The notice ended while this objection was open: publish now that nothing stands against it.
        application_publish(application_id=app.pk, by=by)
    return objection


# --- applicant rights --------------------------------------------------------------------------


@transaction.atomic
def reapplication_grant(*, applicant: User, year: int, by: User, reason: str) -> ReapplicationGrant:
    """再次申报权限: a rejected applicant may submit one new application in the same year."""
    User.objects.select_for_update(of=("self",)).filter(pk=applicant.pk).get()  # one grant decision at a time
    rejected = (
        Application.objects.filter(applicant=applicant, year=year, status=Status.REJECTED)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if rejected is None:
        raise DecisionRefused(f"该申请人{year}年度没有审核不通过的申报，无需开通再次申报权限。")
    _ensure_may_decide(by, district_id=rejected.district_id)
    reason = _clean_text(reason, message="请填写开通再次申报权限的理由。")
    today = timezone.localdate()
    bar = active_bar(applicant_id=applicant.pk, on=today)
    if bar is not None:
        raise DecisionRefused(
            f"该申请人因提供虚假材料被取消申请资格至{cn_date(bar.barred_until)}，不能开通再次申报权限。"
        )
    if ReapplicationGrant.objects.filter(applicant=applicant, year=year, used_by__isnull=True).exists():
        raise DecisionRefused(f"该申请人{year}年度的再次申报权限已开通，尚未使用。")
    grant = ReapplicationGrant.objects.create(applicant=applicant, year=year, reason=reason, granted_by=by)
    audit(
        action=AuditAction.REAPPLICATION_GRANT,
        by=by,
        application=rejected,
        subject_user=applicant,
        reason=f"{year}年度：{reason}",
    )
    with in_language_of(applicant):
        notify_on_commit(
            user_id=applicant.pk,
            subject=gettext("已开通再次申报权限"),
            body=gettext("您%(year)s年度的再次申报权限已开通，可重新提交人才引进申报。") % {"year": year},
        )
    return grant


@transaction.atomic
def applicant_bar(
    *,
    applicant: User,
    by: User,
    reason: str,
    application: Application | None = None,
    ip_address: str | None = None,
) -> ApplicantBar:
    """办法 第十一条: false materials cancel the applicant's eligibility for 5 years.

    The bar is checked at submit (applications.services). When the application it concerns is
    under review it is refused in the same decision (其申请不予办理).
    """
    reason = _clean_text(reason, message="请填写认定提供虚假材料的事实和理由。")
    app = None
    if application is not None:
        app = _locked_application(application.pk)
        if app.applicant_id != applicant.pk:
            raise DecisionRefused("该申报不属于此申请人。")
        _ensure_may_decide(by, district_id=app.district_id)
    elif by is None or by.role != Role.CITY_ADMIN:
        raise DecisionRefused("未关联申报时，只有市人社局管理员可以取消申请资格。")
    today = timezone.localdate()
    bar = ApplicantBar.objects.create(
        applicant=applicant,
        application=app,
        reason=reason,
        barred_from=today,
        barred_until=_years_later(today, BAR_YEARS),
        created_by=by,
    )
    audit(
        action=AuditAction.APPLICANT_BAR,
        by=by,
        application=app,
        subject_user=applicant,
        reason=f"取消申请资格至{cn_date(bar.barred_until)}。理由：{reason}",
        ip_address=ip_address,
    )
    rejected = None
    if app is not None and app.status == Status.UNDER_REVIEW:
        decision = f"提供虚假材料（办法第十一条），不予办理：{reason}"
        # The bar's own notice below tells the applicant; no second message for the rejection.
        _close_rejected(
            app, action=AuditAction.REJECT, by=by, reason=decision, decision_reason=decision, ip_address=ip_address,
            subject=None, body="",
        )  # fmt: skip
        rejected = app
    with in_language_of(applicant):
        subject = gettext("申请资格被取消")
        body = gettext(
            "经查实您提供了虚假申请材料，根据《广州市引进人才入户管理办法》第十一条，"
            "取消您的引进人才入户申请资格至%(until)s。理由：%(reason)s"
        ) % {"until": mail_date(bar.barred_until), "reason": reason}
    notify_on_commit(
        user_id=applicant.pk,
        subject=subject,
        body=body,
        # The application it refused gets the 审核不通过 SMS; a bar alone has no SMS kind.
        sms=sms.Sms(sms.REJECTED, (_number(rejected),)) if rejected else None,
        mobile=rejected.notification_mobile if rejected else "",
    )
    return bar


# --- statistics ------------------------------------------------------------------------------------


def statistics_refresh() -> bool:
    """Recount the 统计分析 page's materialised view (PostgreSQL; beat runs it every 10 minutes).

    CONCURRENTLY: readers keep the previous counts while the new ones are made, never a lock.
    SQLite counts live on every read (review.statistics_sql): nothing to refresh, False.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {STATISTICS_VIEW}")
    bump_on_commit(STATISTICS_VERSION)  # the years the page keeps per process (review.statistics)
    return True
# --- 政务服务好差评 ------------------------------------------------------------------------------------


class RatingRefused(Refused):
    """A rating that cannot be given (not the applicant's, no decision yet, given already)."""


@transaction.atomic
def service_rating_submit(
    *, application_id: int, by: User, score: int, comment: str = "", ip_address: str | None = None
) -> ServiceRating:
    """The applicant rates how the district handled the application: once, after the decision."""
    app = _locked_application(application_id)  # two tabs submitting at once queue here
    if app.applicant_id != by.pk:
        raise RatingRefused(gettext("只有申请人本人可以评价本次办理。"))
    if app.status not in RATEABLE_STATUSES:
        raise RatingRefused(gettext("办理结果作出后（核发入户信息卡或审核不通过）才能评价。"))
    if ServiceRating.objects.filter(application_id=app.pk).exists():
        raise RatingRefused(gettext("您已评价过本次办理，每个申报只能评价一次。"), code="already_rated")
    if score not in ServiceRating.Score.values:
        raise RatingRefused(gettext("请选择评价等级。"), field="score")
    comment = (comment or "").strip()
    if len(comment) > ServiceRating.COMMENT_MAX:
        raise RatingRefused(
            gettext("评价内容不超过%(limit)s字。") % {"limit": ServiceRating.COMMENT_MAX}, field="comment"
        )
    if score <= ServiceRating.Score.DISSATISFIED and not comment:
        # 国办发〔2019〕51号: every 差评 is checked and answered, which needs to know what went wrong.
        raise RatingRefused(
            gettext("评价为“不满意”或“非常不满意”的，请填写原因，以便区人社局核实整改。"), field="comment"
        )
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                application=app,
                district_id=app.district_id,
                score=score,
                comment=comment,
                outcome=app.status,
                rated_by=by,
            )
    except IntegrityError as exc:  # the unique column: the last word on "once per application"
        raise RatingRefused(
            gettext("您已评价过本次办理，每个申报只能评价一次。"), code="already_rated"
        ) from exc
    with translation.override(settings.LANGUAGE_CODE):  # the audit trail is kept in Chinese
        label = str(ServiceRating.Score(score).label)
    audit(
        action=AuditAction.SERVICE_RATING,
        application=app,
        by=by,
        reason=f"{label}（{score}分）" + (f"：{comment}" if comment else ""),
        ip_address=ip_address,
    )
    return rating
