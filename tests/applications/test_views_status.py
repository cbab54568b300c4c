"""人才引进入户手续办理情况: number, state in words, the dated timeline, the process line, the actions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from audit.models import AuditEntry
from tests.factories import (
    ApplicationFactory,
    AuditEntryFactory,
    HukouCardFactory,
    NoticeEntryFactory,
    PublicNoticeFactory,
    ReviewerFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def entry(application, action, from_status, to_status, reason=""):
    # Audit rows are append-only (a trigger on PostgreSQL): create them in the order they happen.
    return AuditEntryFactory(
        application=application, action=action, from_status=from_status, to_status=to_status, reason=reason
    )


def test_no_application_yet(applicant_client):
    page = text(applicant_client.get(reverse("applications:status")))
    assert "您还没有人才引进入户申报" in page
    assert reverse("applications:start") in page


def test_draft_offers_continue_and_withdraw(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    page = text(applicant_client.get(reverse("applications:status")))
    assert "申报草稿（尚未提交）" in page and "草稿（未提交）" in page
    assert reverse("applications:resume", kwargs={"public_id": application.public_id}) in page
    assert reverse("applications:withdraw", kwargs={"public_id": application.public_id}) in page


def test_returned_application_shows_what_to_fix_and_the_correct_action(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant,
        submitted=True,
        status=Status.RETURNED,
        correction_items=["户口簿首页不清晰", "请补充学位鉴定报告"],
    )
    entry(application, "submit", "draft", "submitted")
    entry(
        application,
        "return_for_correction",
        "submitted",
        "returned",
        "户口簿首页不清晰；请补充学位鉴定报告",
    )
    page = text(applicant_client.get(reverse("applications:status")))
    assert "退回补正" in page
    assert "户口簿首页不清晰" in page and "请补充学位鉴定报告" in page
    assert "修改并重新提交" in page
    assert (
        reverse("applications:step", kwargs={"public_id": application.public_id, "step": "confirm"}) in page
    )


def test_full_history_is_dated_in_order_with_notice_dates_and_card(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.PUBLISHED)
    notice = PublicNoticeFactory(start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 6))
    NoticeEntryFactory(notice=notice, application=application)
    entry(application, "submit", "draft", "submitted")
    entry(application, "return_for_correction", "submitted", "returned", "请补充户口簿")
    entry(application, "submit", "returned", "submitted", "补正后重新提交")
    entry(application, "accept", "submitted", "under_review")
    entry(application, "approve", "under_review", "in_notice")
    entry(application, "publish", "in_notice", "published")
    HukouCardFactory(application=application)
    application.hukou_completed_at = timezone.now()
    application.save(update_fields=["hukou_completed_at"])

    page = text(applicant_client.get(reverse("applications:status")))
    timeline = page.split('id="timeline-title"')[1].split("</section>")[0]
    order = [
        "提交申报",
        "退回补正",
        "补正后重新提交申报",
        "区人社局受理",
        "审核通过，进入网上公示",
        "公示期：2026年03月02日 至 2026年03月06日",
        "公示期满，公布并核发电子入户信息卡",
        "入户信息卡已签发",
        "公安部门办理入户手续完成",
    ]
    positions = [timeline.index(label) for label in order]
    assert positions == sorted(positions)
    assert timezone.localdate().strftime("%Y年%m月%d日") in timeline
    # The seed's process line, every stage done.
    for stage in (
        "个人网上申报",
        "区人力资源社会保障局审核",
        "网上公示",
        "公布、核发电子入户信息卡",
        "个人到公安部门办理入户手续",
    ):
        assert stage in page
    assert page.count('<li class="is-done"') == 6
    assert "撤回申报" not in page


def test_in_notice_shows_the_notice_period(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.IN_NOTICE)
    NoticeEntryFactory(
        application=application,
        notice=PublicNoticeFactory(start_date=datetime.date(2026, 5, 6), end_date=datetime.date(2026, 5, 12)),
    )
    page = text(applicant_client.get(reverse("applications:status")))
    assert "网上公示中" in page and "2026年05月06日" in page and "2026年05月12日" in page
    assert 'aria-current="step">网上公示' in page


def test_submitted_application_shows_the_acceptance_deadline(applicant_client, applicant):
    ApplicationFactory(applicant=applicant, submitted=True, accept_due_on=datetime.date(2026, 10, 10))
    page = text(applicant_client.get(reverse("applications:status")))
    assert "已提交，待区人社局受理" in page and "2026年10月10日" in page
    assert "撤回申报" in page


def test_rejected_shows_the_reason_and_no_actions(applicant_client, applicant):
    ApplicationFactory(
        applicant=applicant, submitted=True, status=Status.REJECTED, decision_reason="学位不符合条件"
    )
    page = text(applicant_client.get(reverse("applications:status")))
    assert "审核不通过：学位不符合条件" in page
    assert "撤回申报" not in page and "继续填写" not in page


def test_the_open_application_is_shown_first_and_earlier_ones_are_listed(applicant_client, applicant):
    old = ApplicationFactory(applicant=applicant, submitted=True, status=Status.WITHDRAWN)
    current = ApplicationFactory(applicant=applicant, submitted=True, status=Status.UNDER_REVIEW)
    page = text(applicant_client.get(reverse("applications:status")))
    assert f'data-testid="application-number">{current.number}' in page
    assert reverse("applications:status_detail", kwargs={"public_id": old.public_id}) in page
    detail = text(
        applicant_client.get(reverse("applications:status_detail", kwargs={"public_id": old.public_id}))
    )
    assert f'data-testid="application-number">{old.number}' in detail


def test_withdraw_asks_for_confirmation_then_withdraws(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True)
    url = reverse("applications:withdraw", kwargs={"public_id": application.public_id})
    assert "确认撤回" in text(applicant_client.get(url))
    response = applicant_client.post(url, {"reason": "工作变动"})
    assert "请勾选确认后再撤回。" in text(response)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    response = applicant_client.post(url, {"reason": "工作变动", "confirm": "on"}, follow=True)
    assert "申报已撤回。" in text(response)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert AuditEntry.objects.get(application=application, action="withdraw").reason == "工作变动"


def test_withdraw_is_not_offered_once_review_has_begun(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.UNDER_REVIEW)
    url = reverse("applications:withdraw", kwargs={"public_id": application.public_id})
    response = applicant_client.post(url, {"confirm": "on"}, follow=True)
    assert "不能撤回" in text(response)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_staff_decisions_not_meant_for_the_applicant_stay_hidden(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.UNDER_REVIEW)
    AuditEntryFactory(
        application=application, action="employer_confirmation", reason="单位确认在职：内部备注"
    )
    assert "内部备注" not in text(applicant_client.get(reverse("applications:status")))


def test_reviewer_cannot_open_the_applicant_status_page(client):
    client.force_login(ReviewerFactory(), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("applications:status")).status_code == 403


def test_system_home_links_the_wizard_the_status_page_and_the_library(applicant_client):
    page = text(applicant_client.get(reverse("applications:home")))
    for name in ("applications:start", "applications:status", "applications:library"):
        assert f'href="{reverse(name)}"' in page
    assert "人才引进申办个人登记" in page and "人才引进入户手续办理情况" in page
    assert "个人网上申报" in page and "个人到公安部门办理入户手续" in page


# The record and the history are kept by a digest of what the page read (core.fragments): each of
# these reads the page once to keep it, then changes what it shows in a way no writer announces.


def test_a_card_running_out_shows_as_expired_on_the_next_day_of_a_page_already_kept(
    applicant_client, applicant, monkeypatch
):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.PUBLISHED)
    today = timezone.localdate()
    HukouCardFactory(application=application, issued_on=today, valid_until=today + datetime.timedelta(days=1))
    page = text(applicant_client.get(reverse("applications:status")))
    assert "还有 1 天" in page and "入户信息卡已超过有效期" not in page

    real_localdate = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: (
            today + datetime.timedelta(days=2) if value is None else real_localdate(value, timezone)
        ),
    )
    page = text(applicant_client.get(reverse("applications:status")))
    assert "入户信息卡已超过有效期" in page and "还有 1 天" not in page


def test_a_change_written_without_any_signal_shows_on_the_next_get(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.UNDER_REVIEW)
    entry(application, "submit", "draft", "submitted")
    assert "正在审核" in text(applicant_client.get(reverse("applications:status")))

    type(application).objects.filter(pk=application.pk).update(
        status=Status.REJECTED, decision_reason="学历证书与学信网记录不符"
    )
    page = text(applicant_client.get(reverse("applications:status")))
    assert "审核不通过：学历证书与学信网记录不符" in page and "正在审核" not in page


def test_each_page_carries_its_own_csrf_token_in_the_rating_form(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True, status=Status.REJECTED)
    entry(application, "submit", "draft", "submitted")
    tokens = []
    for _ in range(2):
        page = text(applicant_client.get(reverse("applications:status")))
        rating = page.split('id="service-rating"')[1].split("</section>")[0]
        tokens.append(rating.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0])
        # Between the record and the history, as before the page was kept in parts.
        assert page.index('data-testid="current-application"') < page.index('id="service-rating"')
        assert page.index('id="service-rating"') < page.index('id="timeline-title"')
    assert tokens[0] != tokens[1]  # masked afresh on each request: drawn live, not kept
