"""The status page's timeline names other apps' decisions by their own labels and hides staff notes."""

import pytest

from applications.choices import Status
from applications.selectors import timeline_for
from applications.workflow import audit
from audit.actions import AuditAction
from tests.factories import ApplicationFactory, HukouCardFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def titles(application):
    return [item.title for item in timeline_for(application)]


def test_review_and_card_decisions_show_under_their_own_names():
    application = ApplicationFactory(submitted=True, status=Status.IN_NOTICE)
    reviewer = ReviewerFactory()
    audit(action=AuditAction.OBJECTION_RAISED, application=application, reason="异议编号AB12CD34，处理期限2026年12月31日。")
    audit(action=AuditAction.OBJECTION_DISMISSED, by=reviewer, application=application, reason="经核查在职属实")
    audit(action=AuditAction.CARD_CANCEL, by=application.applicant, application=application)

    shown = titles(application)
    assert "公示期间收到异议" in shown
    assert "公示异议经核查不成立" in shown
    assert AuditAction.CARD_CANCEL.label in shown
    assert "办理记录" not in shown
    cancel = next(item for item in timeline_for(application) if item.title == AuditAction.CARD_CANCEL.label)
    assert cancel.is_problem


def test_staff_notes_and_duplicated_card_entries_are_hidden():
    card = HukouCardFactory()
    application = card.application
    reviewer = ReviewerFactory()
    audit(action=AuditAction.EMPLOYER_DISPUTED, by=reviewer, application=application, reason="单位称已离职")
    audit(action=AuditAction.NOTICE_CLOSED, by=reviewer, application=application)
    audit(action=AuditAction.CARD_ISSUE, application=application)

    shown = titles(application)
    assert AuditAction.EMPLOYER_DISPUTED.label not in shown
    assert AuditAction.NOTICE_CLOSED.label not in shown
    assert shown.count("入户信息卡已签发") == 1
    assert AuditAction.CARD_ISSUE.label not in shown
    assert all("单位称已离职" not in item.detail for item in timeline_for(application))


def test_correction_items_are_listed_without_the_audit_rows_own_numbers():
    from tests.builders import build_application

    items = ["身份证附件不清晰，请重新上传。", "1. 学位证书缺少第二页。"]
    application = build_application(Status.RETURNED, return_items=items)
    returned = next(item for item in timeline_for(application) if item.items)
    # The audit row reads "1. …；2. 1. …": only the numbers it added are dropped.
    assert returned.items == items
