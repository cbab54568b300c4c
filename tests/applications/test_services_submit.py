"""application_submit and application_withdraw: every rule at submit, and every move the applicant
can make (and those they cannot)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from applications import services
from applications.choices import AttachmentKind, Relation, Status
from applications.models import ApplicantBar, Application, ReapplicationGrant
from applications.workflow import TransitionNotAllowed
from audit.models import AuditEntry
from reference.workdays import add_working_days
from tests.factories import (
    AccompanyingPersonFactory,
    ApplicationFactory,
    AttachmentFactory,
    ReviewerFactory,
    UserFactory,
    ready_application,
    subcategory,
    years_ago,
)

pytestmark = pytest.mark.django_db


def submit(application, **kwargs):
    return services.application_submit(application_id=application.pk, by=application.applicant, **kwargs)


def refused(application) -> list[str]:
    before = Application.objects.values().get(pk=application.pk)
    with pytest.raises(services.SubmissionRefused) as info:
        submit(application)
    # Nothing changes when a submission is refused.
    assert Application.objects.values().get(pk=application.pk) == before
    assert not AuditEntry.objects.filter(application=application).exists()
    return info.value.messages


# --- the happy path --------------------------------------------------------------------------


def test_submit_numbers_freezes_and_audits(django_capture_on_commit_callbacks):
    application = ready_application()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(application, ip_address="203.0.113.9")
    today = timezone.localdate()
    assert submitted.status == Status.SUBMITTED
    assert submitted.number == f"GZRC{today.year}{application.pk:08d}"
    assert submitted.submitted_at == submitted.last_submitted_at
    assert submitted.accept_due_on == add_working_days(today, 5)
    entry = AuditEntry.objects.get(application=application)
    assert (entry.action, entry.from_status, entry.to_status) == ("submit", "draft", "submitted")
    assert entry.actor == application.applicant and entry.ip_address == "203.0.113.9"
    assert entry.actor_role == "applicant"
    assert mail.outbox and submitted.number in mail.outbox[0].body
    assert "广州市天河区人力资源和社会保障局" in mail.outbox[0].body


def test_numbers_are_unique_per_application():
    first, second = ready_application(), ready_application()
    assert submit(first).number != submit(second).number


def test_a_draft_begun_last_year_is_declared_this_year():
    application = ready_application(year=timezone.localdate().year - 1)
    submitted = submit(application)
    assert submitted.year == timezone.localdate().year
    assert submitted.number.startswith(f"GZRC{timezone.localdate().year}")


def test_applicant_with_spouse_and_child_submits_with_their_documents():
    application = ApplicationFactory(subcategory=subcategory("5.4"))
    AccompanyingPersonFactory(application=application, relation=Relation.SPOUSE)
    AccompanyingPersonFactory(application=application, relation=Relation.DAUGHTER, birth_date=years_ago(7))
    for kind in (
        "unit_report",
        "id_card",
        "household_register",
        "spouse_id",
        "spouse_household",
        "child_household",
    ):
        AttachmentFactory(application=application, kind=kind)
    messages = refused(application)
    assert messages == ["未上传必传附件“子女出生医学证明”。"]
    AttachmentFactory(application=application, kind=AttachmentKind.CHILD_BIRTH_CERT)
    assert submit(application).status == Status.SUBMITTED


# --- refusals ---------------------------------------------------------------------------------


def test_all_missing_attachments_are_listed_at_once():
    application = ApplicationFactory()
    AttachmentFactory(application=application, kind=AttachmentKind.ID_CARD)
    assert refused(application) == [
        "未上传必传附件“户口簿”。",
        "未上传必传附件“本人学历证书”。",
        "未上传必传附件“本人学历鉴定”。",
        "未上传必传附件“本人学位证书”。",
        "未上传必传附件“本人学位鉴定”。",
    ]


def test_over_age_applicant_is_told_the_age_rule():
    application = ready_application(birth_date=years_ago(46))  # 2.2 硕士: 45周岁以下
    messages = refused(application)
    assert len(messages) == 1
    assert "已满46周岁" in messages[0] and "45周岁以下" in messages[0]


def test_unfinished_steps_and_ineligibility_are_listed_together():
    application = ready_application(completed_steps=["commitment", "declaration"], social_insurance_months=0)
    messages = refused(application)
    assert "“引进人才类别”一步尚未完成。" in messages
    assert "“个人信息”一步尚未完成。" in messages
    assert "“随迁人员”一步尚未完成。" in messages
    assert any("社会保险" in m for m in messages)


def test_commitment_withdrawn_blocks_submission():
    application = ready_application(commitment_accepted_at=None)
    assert "“个人承诺”一步尚未完成。" in refused(application)


def test_barred_applicant_is_told_until_when():
    application = ready_application()
    ApplicantBar.objects.create(
        applicant=application.applicant,
        reason="伪造学位证书",
        barred_from=timezone.localdate() - datetime.timedelta(days=30),
        barred_until=datetime.date(2030, 5, 31),
        created_by=ReviewerFactory(),
    )
    messages = refused(application)
    assert len(messages) == 1
    assert "2030年05月31日" in messages[0] and "伪造学位证书" in messages[0]


def test_an_expired_bar_no_longer_applies():
    application = ready_application()
    ApplicantBar.objects.create(
        applicant=application.applicant,
        reason="伪造学位证书",
        barred_from=datetime.date(2019, 1, 1),
        barred_until=timezone.localdate() - datetime.timedelta(days=1),
        created_by=ReviewerFactory(),
    )
    assert submit(application).status == Status.SUBMITTED


def test_rejected_applicant_needs_a_reapplication_grant_which_is_used_once():
    rejected = ApplicationFactory(submitted=True, status=Status.REJECTED)
    applicant = rejected.applicant
    second = ready_application(applicant=applicant)
    messages = refused(second)
    assert any("再次申报权限" in m for m in messages)

    grant = ReapplicationGrant.objects.create(
        applicant=applicant, year=rejected.year, reason="材料已补齐", granted_by=ReviewerFactory()
    )
    assert submit(second).status == Status.SUBMITTED
    grant.refresh_from_db()
    assert grant.used_by == second

    # Rejected again: the used grant does not open a third application.
    Application.objects.filter(pk=second.pk).update(status=Status.REJECTED)
    third = ready_application(applicant=applicant)
    assert any("再次申报权限" in m for m in refused(third))


def test_rejection_in_an_earlier_year_needs_no_grant():
    ApplicationFactory(submitted=True, status=Status.REJECTED, year=timezone.localdate().year - 1)
    application = ready_application(applicant=Application.objects.get().applicant)
    assert submit(application).status == Status.SUBMITTED


# --- resubmission after 退回补正 -------------------------------------------------------------------


def test_resubmission_clears_the_correction_list_and_restarts_the_acceptance_clock():
    application = ready_application(
        submitted=True,
        status=Status.RETURNED,
        correction_items=["学位鉴定报告不清晰", "请补充户口簿首页"],
        submitted_at=timezone.now() - datetime.timedelta(days=20),
        last_submitted_at=timezone.now() - datetime.timedelta(days=20),
        accept_due_on=timezone.localdate() - datetime.timedelta(days=13),
    )
    first_submitted, number = application.submitted_at, application.number
    again = submit(application)
    assert again.status == Status.SUBMITTED
    assert again.correction_items == []
    assert again.number == number and again.submitted_at == first_submitted
    assert again.last_submitted_at > first_submitted
    assert again.accept_due_on == add_working_days(timezone.localdate(), 5)
    entry = AuditEntry.objects.get(application=application)
    assert (entry.from_status, entry.reason) == ("returned", "补正后重新提交")


def test_resubmission_of_a_returned_application_needs_no_grant():
    ApplicationFactory(submitted=True, status=Status.REJECTED)
    applicant = Application.objects.get().applicant
    returned = ready_application(applicant=applicant, submitted=True, status=Status.RETURNED)
    # Its first submission was allowed (by a grant the test does not model); fixing it is not a new application.
    assert submit(returned).status == Status.SUBMITTED


# --- who may move what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.IN_NOTICE,
        Status.PUBLISHED,
        Status.REJECTED,
        Status.WITHDRAWN,
    ],
)
def test_submit_is_refused_in_every_other_state(status):
    application = ready_application(submitted=True, status=status)
    with pytest.raises(TransitionNotAllowed):
        submit(application)
    application.refresh_from_db()
    assert application.status == status


def test_nobody_else_can_submit_or_withdraw():
    application = ready_application()
    with pytest.raises(PermissionDenied):
        services.application_submit(application_id=application.pk, by=UserFactory())
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application_id=application.pk, by=ReviewerFactory())
    application.refresh_from_db()
    assert application.status == Status.DRAFT


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_withdraw_from_draft_submitted_or_returned(status):
    application = ApplicationFactory(submitted=status != Status.DRAFT, status=status)
    withdrawn = services.application_withdraw(
        application_id=application.pk, by=application.applicant, ip_address="198.51.100.7", reason="单位变动"
    )
    assert withdrawn.status == Status.WITHDRAWN
    entry = AuditEntry.objects.get(application=application, action="withdraw")
    assert (entry.from_status, entry.to_status, entry.reason) == (status, "withdrawn", "单位变动")
    # The slot is free again: a new draft can be started.
    assert services.application_start(applicant=application.applicant).pk != application.pk


@pytest.mark.parametrize(
    "status", [Status.UNDER_REVIEW, Status.IN_NOTICE, Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN]
)
def test_withdraw_is_refused_once_review_has_begun(status):
    application = ApplicationFactory(submitted=True, status=status)
    with pytest.raises(TransitionNotAllowed) as info:
        services.application_withdraw(application_id=application.pk, by=application.applicant)
    assert "不能执行“撤回申报”" in str(info.value)
    application.refresh_from_db()
    assert application.status == status
