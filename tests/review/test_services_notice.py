"""Publication, notice closing and objections: what they write, release, consume and dispatch."""

import datetime

import pytest
from django.core import mail

from applications.choices import Status
from audit.actions import PUBLIC_ACTOR_ROLE, AuditAction
from audit.models import AuditEntry
from quota.models import Quota, QuotaReservation
from review import services
from review.models import NoticeEntry, Objection, PublicNotice
from review.services import DecisionRefused
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2025, 6, 9)


def approve(app, reviewer, freeze_today, day=MONDAY):
    freeze_today(day)
    services.application_approve(application_id=app.pk, by=reviewer)
    app.refresh_from_db()
    return app.notice_entry


def raise_objection(entry, **fields):
    data = {
        "entry_id": entry.pk,
        "contact_name": "王五",
        "contact_phone": "13900139000",
        "description": "申请人并未在该单位实际工作，社保由他人代缴。",
        "ip_address": "203.0.113.9",
    }
    data.update(fields)
    return services.objection_raise(**data)


def test_quota_place_is_reserved_on_approval_and_consumed_on_publication(
    quota_app, reviewer, tianhe_quota, freeze_today, django_capture_on_commit_callbacks, monkeypatch
):
    entry = approve(quota_app, reviewer, freeze_today)
    tianhe_quota.refresh_from_db()
    assert (tianhe_quota.reserved, tianhe_quota.used) == (1, 0)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.notice_close(notice_id=entry.notice_id)
    assert result.published == [quota_app.pk]
    tianhe_quota.refresh_from_db()
    assert (tianhe_quota.reserved, tianhe_quota.used) == (0, 1)
    assert QuotaReservation.objects.get(application=quota_app).status == QuotaReservation.Status.CONSUMED
    quota_app.refresh_from_db()
    assert quota_app.status == Status.PUBLISHED and quota_app.published_at is not None
    # Card issuance waits for the commit (hukou_card.tasks.issue_cards_for_application), with the id.
    sent = []
    monkeypatch.setattr(
        "review.services.issue_cards_for_application.apply_async", lambda args, **options: sent.append(*args)
    )
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [quota_app.pk]


def test_card_issuance_is_dispatched_with_the_application_id(
    under_review_app, reviewer, freeze_today, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "review.services.issue_cards_for_application.apply_async", lambda args, **options: sent.append(*args)
    )
    entry = approve(under_review_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_close(notice_id=entry.notice_id)
    assert sent == [under_review_app.pk]
    assert any("已公布" in m.subject for m in mail.outbox)


def test_category_two_needs_no_quota(under_review_app, reviewer, freeze_today):
    approve(under_review_app, reviewer, freeze_today)
    assert not QuotaReservation.objects.exists()


def test_no_place_left_refuses_approval_with_a_message_and_keeps_it_in_the_queue(
    reviewer, tianhe_quota, freeze_today
):
    apps = [build_application(Status.UNDER_REVIEW, subcategory="5.2") for _ in range(3)]
    history = list(AuditEntry.objects.filter(application=apps[2]).values_list("pk", flat=True))
    for app in apps[:2]:
        approve(app, reviewer, freeze_today)
    with pytest.raises(services.quota.QuotaUnavailable, match=f"天河区{apps[2].year}年度总量控制指标已用完（共2个）"):
        services.application_approve(application_id=apps[2].pk, by=reviewer)
    apps[2].refresh_from_db()
    assert apps[2].status == Status.UNDER_REVIEW
    assert not NoticeEntry.objects.filter(application=apps[2]).exists()
    assert list(AuditEntry.objects.filter(application=apps[2]).values_list("pk", flat=True)) == history
    tianhe_quota.refresh_from_db()
    assert tianhe_quota.reserved == 2


def test_no_quota_allocated_yet_refuses_approval(quota_app, reviewer, freeze_today):
    freeze_today(MONDAY)
    with pytest.raises(services.quota.QuotaUnavailable, match="尚未下达"):
        services.application_approve(application_id=quota_app.pk, by=reviewer)
    quota_app.refresh_from_db()
    assert quota_app.status == Status.UNDER_REVIEW
    assert not PublicNotice.objects.exists()


def test_key_employer_has_its_own_share_for_category_five_four(reviewer, district, freeze_today):
    key_employer = factories.EmployerFactory(is_key_employer=True)
    own = factories.QuotaFactory(district=district, employer=key_employer, total_places=1)
    district_quota = factories.QuotaFactory(district=district, total_places=5)
    app = build_application(Status.UNDER_REVIEW, subcategory="5.4", employer=key_employer)
    approve(app, reviewer, freeze_today, day=MONDAY)
    own.refresh_from_db()
    district_quota.refresh_from_db()
    assert (own.reserved, district_quota.reserved) == (1, 0)


def test_publication_waits_for_the_end_of_the_notice(under_review_app, reviewer, freeze_today):
    entry = approve(under_review_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date)  # the last day still belongs to the notice
    with pytest.raises(DecisionRefused, match="期满后才能"):
        services.application_publish(application_id=under_review_app.pk)
    with pytest.raises(DecisionRefused, match="期满后才能结束公示"):
        services.notice_close(notice_id=entry.notice_id)
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.IN_NOTICE


def test_notice_close_is_idempotent_and_audited(under_review_app, reviewer, city_admin, freeze_today):
    entry = approve(under_review_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=3))
    first = services.notice_close(notice_id=entry.notice_id, by=city_admin)
    second = services.notice_close(notice_id=entry.notice_id, by=city_admin)
    assert first.published == [under_review_app.pk] and second.published == []
    notice = PublicNotice.objects.get()
    assert notice.status == PublicNotice.Status.CLOSED and notice.closed_at is not None
    closing = AuditEntry.objects.get(action=AuditAction.NOTICE_CLOSED)
    assert closing.actor == city_admin and "公布1人" in closing.reason
    published = AuditEntry.objects.get(application=under_review_app, action=AuditAction.PUBLISH)
    assert published.actor == city_admin


def test_only_the_city_administrator_closes_a_notice_by_hand(under_review_app, reviewer, freeze_today):
    entry = approve(under_review_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    with pytest.raises(DecisionRefused, match="只有市人社局管理员"):
        services.notice_close(notice_id=entry.notice_id, by=reviewer)


# --- objections ----------------------------------------------------------------------------------


def test_objection_during_the_notice_is_recorded_with_a_due_date_and_the_reviewers_are_told(
    under_review_app, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    entry = approve(under_review_app, reviewer, freeze_today, day=datetime.date(2025, 9, 26))
    freeze_today(datetime.date(2025, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        objection = raise_objection(entry)
    assert objection.status == Objection.Status.OPEN
    assert objection.due_on == datetime.date(2025, 11, 4)  # 20 working days across National Day
    assert objection.ip_address == "203.0.113.9"
    row = AuditEntry.objects.get(action=AuditAction.OBJECTION_RAISED)
    assert row.actor is None and row.actor_role == PUBLIC_ACTOR_ROLE and row.application == under_review_app
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert "公示异议待处理" in mail.outbox[0].subject


def test_objection_after_the_notice_is_refused(under_review_app, reviewer, freeze_today):
    entry = approve(under_review_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    with pytest.raises(DecisionRefused, match="公示已结束"):
        raise_objection(entry)
    assert not Objection.objects.exists()


def test_upheld_objection_rejects_and_releases_the_place(
    quota_app, reviewer, tianhe_quota, freeze_today, django_capture_on_commit_callbacks
):
    entry = approve(quota_app, reviewer, freeze_today)
    objection = raise_objection(entry)
    second = raise_objection(entry, contact_name="赵六")
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_uphold(objection_id=objection.pk, by=reviewer, resolution="经核实，社保系他人代缴", ip_address="10.0.0.2")
    quota_app.refresh_from_db()
    assert quota_app.status == Status.REJECTED
    assert "经核实，社保系他人代缴" in quota_app.decision_reason
    tianhe_quota.refresh_from_db()
    assert (tianhe_quota.reserved, tianhe_quota.used) == (0, 0)
    assert QuotaReservation.objects.get().status == QuotaReservation.Status.RELEASED
    assert set(Objection.objects.values_list("status", flat=True)) == {Objection.Status.UPHELD}
    second.refresh_from_db()
    assert second.decided_by == reviewer
    row = AuditEntry.objects.get(application=quota_app, action=AuditAction.UPHOLD_OBJECTION)
    assert (row.from_status, row.to_status, row.ip_address) == (Status.IN_NOTICE, Status.REJECTED, "10.0.0.2")
    assert any("异议成立" in m.subject for m in mail.outbox)


def test_dismissed_objection_keeps_the_application_in_notice(under_review_app, reviewer, freeze_today):
    entry = approve(under_review_app, reviewer, freeze_today)
    objection = raise_objection(entry)
    services.objection_dismiss(objection_id=objection.pk, by=reviewer, resolution="经核实，申请人在职")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED and objection.decided_by == reviewer
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.IN_NOTICE
    row = AuditEntry.objects.get(action=AuditAction.OBJECTION_DISMISSED)
    assert "经核实，申请人在职" in row.reason
    with pytest.raises(DecisionRefused, match="已处理"):
        services.objection_uphold(objection_id=objection.pk, by=reviewer, resolution="改判")


def test_an_open_objection_holds_publication_until_dismissed(
    under_review_app, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    entry = approve(under_review_app, reviewer, freeze_today)
    objection = raise_objection(entry)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    result = services.notice_close(notice_id=entry.notice_id)
    assert result.held == [under_review_app.pk] and result.published == []
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.IN_NOTICE
    with pytest.raises(DecisionRefused, match="尚未处理的公示异议"):
        services.application_publish(application_id=under_review_app.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.objection_dismiss(objection_id=objection.pk, by=reviewer, resolution="不成立")
    under_review_app.refresh_from_db()
    assert under_review_app.status == Status.PUBLISHED
    assert len(callbacks) >= 1


def test_objection_decisions_are_scoped_and_need_a_resolution(under_review_app, reviewer, other_reviewer, freeze_today):
    entry = approve(under_review_app, reviewer, freeze_today)
    objection = raise_objection(entry)
    with pytest.raises(DecisionRefused, match="不属于您所在的区"):
        services.objection_dismiss(objection_id=objection.pk, by=other_reviewer, resolution="不成立")
    with pytest.raises(DecisionRefused, match="处理意见"):
        services.objection_dismiss(objection_id=objection.pk, by=reviewer, resolution=" ")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN


def test_forfeit_keeps_the_place_used(quota_app, reviewer, tianhe_quota, freeze_today):
    entry = approve(quota_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    services.application_publish(application_id=quota_app.pk)
    services.quota.quota_forfeit(application_id=quota_app.pk)
    reservation = QuotaReservation.objects.get()
    assert reservation.status == QuotaReservation.Status.FORFEITED
    tianhe_quota.refresh_from_db()
    assert (tianhe_quota.reserved, tianhe_quota.used, tianhe_quota.remaining) == (0, 1, 1)
    assert Quota.objects.count() == 1


def test_publication_issues_the_card_once_committed(under_review_app, reviewer, freeze_today, django_capture_on_commit_callbacks):
    """With the card service in place (hukou_card), the on-commit dispatch really issues the main card."""
    entry = approve(under_review_app, reviewer, freeze_today)
    freeze_today(entry.notice.end_date + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_publish(application_id=under_review_app.pk)
    assert not under_review_app.hukou_cards.exists()  # nothing happens before the commit
    for callback in callbacks:
        callback()
    card = under_review_app.hukou_cards.get(move_type="主迁")
    assert card.holder_name == under_review_app.full_name
    assert card.issuing_bureau == "广州市天河区人力资源和社会保障局"
