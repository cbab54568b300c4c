"""Service tests of the reviewer's decisions: what each writes, who is told, who may take it."""

import datetime

import pytest
from django.core import mail

from applications import services as application_services
from applications.choices import EmployerConfirmation, Status
from applications.models import ApplicantBar, ReapplicationGrant
from applications.services import EmploymentConfirmationRefused
from applications.workflow import TransitionNotAllowed
from audit.actions import AuditAction
from audit.models import AuditEntry
from core.notifications import LocmemSmsBackend
from review import services
from review.models import NoticeEntry, PublicNotice
from review.services import DecisionRefused
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db


def last_audit(app) -> AuditEntry:
    return AuditEntry.objects.filter(application=app).order_by("-id").first()


def test_accept_moves_to_review_sets_the_decision_deadline_and_tells_the_applicant(
    submitted_app, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    freeze_today(datetime.date(2025, 9, 26))  # Friday before National Day
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application_id=submitted_app.pk, by=reviewer, ip_address="10.1.2.3")
    submitted_app.refresh_from_db()
    assert submitted_app.status == Status.UNDER_REVIEW
    assert submitted_app.accepted_at is not None
    # 15 working days: 28 Sep (make-up Sunday), 29, 30 Sep, 9–11 Oct (11th a make-up Saturday), … 23 Oct.
    assert submitted_app.decision_due_on == datetime.date(2025, 10, 23)
    row = last_audit(submitted_app)
    assert (row.action, row.from_status, row.to_status) == (AuditAction.ACCEPT, Status.SUBMITTED, Status.UNDER_REVIEW)
    assert row.actor == reviewer and row.actor_role == "reviewer" and row.ip_address == "10.1.2.3"
    assert len(mail.outbox) == 1
    assert "已受理" in mail.outbox[0].subject
    assert "2025年10月23日" in mail.outbox[0].body
    # The SMS beside the e-mail: the 受理 template and its parameters (core.sms), not free text.
    assert LocmemSmsBackend.outbox == [
        {"mobile": submitted_app.contact_mobile, "kind": "accepted", "params": [submitted_app.number, "2025-10-23"]}
    ]


def test_nothing_is_sent_when_the_decision_rolls_back(submitted_app, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DecisionRefused):
        services.application_return_for_correction(application_id=submitted_app.pk, by=reviewer, items=[])
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []


def test_return_for_correction_keeps_one_complete_list(under_review_app, reviewer, django_capture_on_commit_callbacks):
    items = ["身份证附件不清晰，请重新上传", "  ", "请补充硕士学位证书", "请补充硕士学位证书"]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return_for_correction(application_id=under_review_app.pk, by=reviewer, items=items)
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.RETURNED
    assert under_review_app.correction_items == ["身份证附件不清晰，请重新上传", "请补充硕士学位证书"]
    row = last_audit(under_review_app)
    assert row.action == AuditAction.RETURN
    assert row.reason == "1. 身份证附件不清晰，请重新上传；2. 请补充硕士学位证书"
    body = mail.outbox[0].body
    assert "1. 身份证附件不清晰，请重新上传" in body and "2. 请补充硕士学位证书" in body


def test_return_without_any_item_is_refused_and_changes_nothing(submitted_app, reviewer):
    history = list(AuditEntry.objects.filter(application=submitted_app).values_list("pk", flat=True))
    with pytest.raises(DecisionRefused, match="至少一项"):
        services.application_return_for_correction(application_id=submitted_app.pk, by=reviewer, items=["", " "])
    submitted_app.refresh_from_db()
    assert submitted_app.status == Status.SUBMITTED
    assert list(AuditEntry.objects.filter(application=submitted_app).values_list("pk", flat=True)) == history


def test_reject_needs_a_reason_and_records_it(under_review_app, reviewer, django_capture_on_commit_callbacks):
    with pytest.raises(DecisionRefused, match="理由"):
        services.application_reject(application_id=under_review_app.pk, by=reviewer, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application_id=under_review_app.pk, by=reviewer, reason="社保缴费不满6个月")
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.REJECTED
    assert under_review_app.decision_reason == "社保缴费不满6个月"
    assert last_audit(under_review_app).reason == "社保缴费不满6个月"
    assert "社保缴费不满6个月" in mail.outbox[0].body


def test_approve_opens_the_districts_notice_batch_of_five_working_days(
    under_review_app, reviewer, freeze_today
):
    freeze_today(datetime.date(2025, 9, 26))
    services.application_approve(application_id=under_review_app.pk, by=reviewer)
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.IN_NOTICE
    notice = under_review_app.notice_entry.notice
    assert notice.district_id == under_review_app.district_id
    # Counted from the working day after the approval (review.deadlines.notice_period): Sunday 28 Sep
    # is a make-up working day, then 29, 30 Sep, 9, 10 Oct.
    assert notice.start_date == datetime.date(2025, 9, 28)
    assert notice.end_date == datetime.date(2025, 10, 10)
    assert notice.title == "广州市天河区2025年第1批引进人才入户公示"
    assert "公示期2025年09月28日至2025年10月10日" in last_audit(under_review_app).reason


def test_approvals_of_one_day_share_a_batch_and_a_later_day_opens_the_next(reviewer, freeze_today):
    first, second, later = (build_application(Status.UNDER_REVIEW) for _ in range(3))
    other = build_application(Status.UNDER_REVIEW, district=factories.district("440111"))
    freeze_today(datetime.date(2025, 6, 9))
    services.application_approve(application_id=first.pk, by=reviewer)
    services.application_approve(application_id=second.pk, by=reviewer)
    services.application_approve(application_id=other.pk, by=factories.CityAdminFactory())
    freeze_today(datetime.date(2025, 6, 10))
    services.application_approve(application_id=later.pk, by=reviewer)
    batches = {e.application_id: e.notice for e in NoticeEntry.objects.select_related("notice")}
    assert batches[first.pk] == batches[second.pk]
    assert batches[later.pk] != batches[first.pk]
    assert batches[later.pk].title == "广州市天河区2025年第2批引进人才入户公示"
    assert batches[other.pk].district.name == "白云区"
    assert PublicNotice.objects.count() == 3


def test_extension_adds_ten_working_days_once_with_a_reason(under_review_app, reviewer):
    under_review_app.decision_due_on = datetime.date(2025, 10, 23)
    under_review_app.save()
    with pytest.raises(DecisionRefused, match="理由"):
        services.application_extend_decision(application_id=under_review_app.pk, by=reviewer, reason="")
    services.application_extend_decision(application_id=under_review_app.pk, by=reviewer, reason="需函询发证机关")
    under_review_app.refresh_from_db()
    assert under_review_app.decision_due_on == datetime.date(2025, 11, 6)
    assert under_review_app.status == Status.UNDER_REVIEW
    row = last_audit(under_review_app)
    assert row.action == AuditAction.EXTEND_DECISION and "需函询发证机关" in row.reason
    with pytest.raises(DecisionRefused, match="延长过一次"):
        services.application_extend_decision(application_id=under_review_app.pk, by=reviewer, reason="再延")
    under_review_app.refresh_from_db()
    assert under_review_app.decision_due_on == datetime.date(2025, 11, 6)


def test_a_reviewer_cannot_decide_for_another_district(submitted_app, other_reviewer):
    with pytest.raises(DecisionRefused, match="不属于您所在的区"):
        services.application_accept(application_id=submitted_app.pk, by=other_reviewer)
    submitted_app.refresh_from_db()
    assert submitted_app.status == Status.SUBMITTED


def test_a_city_administrator_decides_for_every_district(city_admin):
    app = build_application(Status.SUBMITTED, district=factories.district("440111"))
    services.application_accept(application_id=app.pk, by=city_admin)
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    assert last_audit(app).actor_role == "city_admin"


@pytest.mark.parametrize("role_factory", [factories.UserFactory, factories.PoliceFactory])
def test_applicants_and_police_cannot_decide(submitted_app, role_factory):
    with pytest.raises(DecisionRefused, match="只有区人社局审核员"):
        services.application_accept(application_id=submitted_app.pk, by=role_factory())


# --- 再次申报权限 and the five-year bar ---------------------------------------------------------


def test_reapplication_grant_for_a_rejected_applicant(reviewer, django_capture_on_commit_callbacks):
    app = build_application(Status.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        grant = services.reapplication_grant(applicant=app.applicant, year=app.year, by=reviewer, reason="补充材料后符合条件")
    assert grant.used_by is None and grant.granted_by == reviewer
    row = last_audit(app)
    assert row.action == AuditAction.REAPPLICATION_GRANT and row.subject_user == app.applicant
    assert "再次申报权限已开通" in mail.outbox[0].body
    with pytest.raises(DecisionRefused, match="已开通，尚未使用"):
        services.reapplication_grant(applicant=app.applicant, year=app.year, by=reviewer, reason="再次")
    assert ReapplicationGrant.objects.count() == 1


def test_reapplication_grant_needs_a_rejection_that_year(reviewer, under_review_app):
    with pytest.raises(DecisionRefused, match="没有审核不通过的申报"):
        services.reapplication_grant(
            applicant=under_review_app.applicant, year=under_review_app.year, by=reviewer, reason="x"
        )


def test_reapplication_grant_is_refused_to_a_barred_applicant(reviewer):
    app = build_application(Status.REJECTED)
    services.applicant_bar(applicant=app.applicant, by=reviewer, reason="学历证书系伪造", application=app)
    with pytest.raises(DecisionRefused, match="取消申请资格至"):
        services.reapplication_grant(applicant=app.applicant, year=app.year, by=reviewer, reason="x")


def test_bar_lasts_five_years_and_refuses_the_application_under_review(
    under_review_app, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    freeze_today(datetime.date(2024, 2, 29))
    with django_capture_on_commit_callbacks(execute=True):
        bar = services.applicant_bar(
            applicant=under_review_app.applicant, by=reviewer, reason="学位证书系伪造", application=under_review_app,
            ip_address="10.0.0.8",
        )  # fmt: skip
    assert (bar.barred_from, bar.barred_until) == (datetime.date(2024, 2, 29), datetime.date(2029, 2, 28))
    assert bar.reason == "学位证书系伪造" and bar.created_by == reviewer
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.REJECTED
    assert "第十一条" in under_review_app.decision_reason
    actions = list(
        AuditEntry.objects.filter(application=under_review_app)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.SUBMIT, AuditAction.ACCEPT, AuditAction.APPLICANT_BAR, AuditAction.REJECT]
    assert "2029年02月28日" in mail.outbox[0].body
    # One e-mail (the bar's) and one SMS (审核不通过 of the application it refused).
    assert len(mail.outbox) == 1
    assert LocmemSmsBackend.outbox == [
        {"mobile": under_review_app.contact_mobile, "kind": "rejected", "params": [under_review_app.number]}
    ]


def test_each_decision_sends_its_sms_kind_with_its_parameters(reviewer, django_capture_on_commit_callbacks):
    returned = build_application(Status.UNDER_REVIEW, reviewer=reviewer, contact_mobile="13911112222")
    rejected = build_application(Status.UNDER_REVIEW, reviewer=reviewer)
    approved = build_application(Status.UNDER_REVIEW, reviewer=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return_for_correction(application_id=returned.pk, by=reviewer, items=["补充学位证书"])
        services.application_reject(application_id=rejected.pk, by=reviewer, reason="不符合申报条件")
        services.application_approve(application_id=approved.pk, by=reviewer)
    notice = approved.notice_entry.notice
    assert LocmemSmsBackend.outbox == [
        {"mobile": "13911112222", "kind": "correction", "params": [returned.number]},
        {"mobile": rejected.contact_mobile, "kind": "rejected", "params": [rejected.number]},
        {
            "mobile": approved.contact_mobile,
            "kind": "notice",
            "params": [approved.number, notice.start_date.isoformat(), notice.end_date.isoformat()],
        },
    ]
    assert len(mail.outbox) == 3


def test_an_extension_is_told_by_email_only(under_review_app, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_extend_decision(application_id=under_review_app.pk, by=reviewer, reason="需核实学历")
    assert len(mail.outbox) == 1 and LocmemSmsBackend.outbox == []


def test_bar_without_an_application_is_for_the_city_administrator_only(reviewer, city_admin, applicant):
    with pytest.raises(DecisionRefused, match="只有市人社局管理员"):
        services.applicant_bar(applicant=applicant, by=reviewer, reason="虚假材料")
    bar = services.applicant_bar(applicant=applicant, by=city_admin, reason="公安机关通报虚假材料")
    assert ApplicantBar.objects.get() == bar


def test_bar_needs_a_reason(applicant, city_admin):
    with pytest.raises(DecisionRefused, match="事实和理由"):
        services.applicant_bar(applicant=applicant, by=city_admin, reason="")
    assert not ApplicantBar.objects.exists()


# --- employer administrator ------------------------------------------------------------------------


def test_employer_administrator_confirms_and_the_status_is_untouched(submitted_app):
    right = factories.EmployerAdminFactory(employer=submitted_app.employer)
    application_services.employer_confirmation_record(
        application_id=submitted_app.pk, by=right.user, confirmed=True, note="2023年入职，劳动合同有效"
    )
    submitted_app.refresh_from_db()
    assert submitted_app.employer_confirmation == EmployerConfirmation.CONFIRMED
    assert submitted_app.employer_confirmed_by == right.user
    assert submitted_app.status == Status.SUBMITTED
    assert last_audit(submitted_app).action == AuditAction.EMPLOYER_CONFIRMED


def test_employer_dispute_needs_a_note_and_blocks_nothing(under_review_app, reviewer):
    right = factories.EmployerAdminFactory(employer=under_review_app.employer)
    with pytest.raises(EmploymentConfirmationRefused, match="请说明"):
        application_services.employer_confirmation_record(application_id=under_review_app.pk, by=right.user, confirmed=False, note="")
    application_services.employer_confirmation_record(
        application_id=under_review_app.pk, by=right.user, confirmed=False, note="查无此人"
    )
    under_review_app.refresh_from_db()
    assert under_review_app.employer_confirmation == EmployerConfirmation.DISPUTED
    services.application_approve(application_id=under_review_app.pk, by=reviewer)  # still possible
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.IN_NOTICE


@pytest.mark.parametrize("right_status", ["pending", "refused", "cancelled"])
def test_only_an_approved_right_for_that_employer_may_confirm(submitted_app, right_status):
    right = factories.EmployerAdminFactory(employer=submitted_app.employer, status=right_status)
    other_right = factories.EmployerAdminFactory()
    for user in (right.user, other_right.user):
        with pytest.raises(EmploymentConfirmationRefused, match="不是该申报所填迁入单位"):
            application_services.employer_confirmation_record(application_id=submitted_app.pk, by=user, confirmed=True, note="")
    submitted_app.refresh_from_db()
    assert submitted_app.employer_confirmation == EmployerConfirmation.PENDING


def test_employer_cannot_answer_after_the_application_is_finished():
    app = build_application(Status.PUBLISHED)
    right = factories.EmployerAdminFactory(employer=app.employer)
    with pytest.raises(EmploymentConfirmationRefused, match="已不需要单位确认"):
        application_services.employer_confirmation_record(application_id=app.pk, by=right.user, confirmed=True, note="")


def test_transition_refusal_names_the_state(under_review_app, reviewer):
    with pytest.raises(TransitionNotAllowed, match="区人社局审核中.*不能执行“受理”"):
        services.application_accept(application_id=under_review_app.pk, by=reviewer)
