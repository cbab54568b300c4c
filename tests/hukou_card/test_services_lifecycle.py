"""After issue: 放弃入户 (cancel), the police desk's record, the nightly expiry."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import Relation, Status
from audit.actions import AuditAction
from audit.models import AuditEntry
from hukou_card import services
from hukou_card.models import HukouCard
from quota.models import QuotaReservation
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db
S = HukouCard.Status


def _statuses(application) -> list[str]:
    return list(
        HukouCard.objects.filter(application=application)
        .order_by("move_type", "id")
        .values_list("status", flat=True)
    )


# --- cancel -----------------------------------------------------------------------------------------


def test_cancelling_the_main_card_cancels_the_accompanying_cards(main_card, applicant, published_application):
    services.card_cancel(card_id=main_card.pk, by=applicant, reason="工作变动", ip_address="10.0.0.8")
    assert _statuses(published_application) == [S.CANCELLED] * 3
    main_card.refresh_from_db()
    assert main_card.cancelled_at is not None
    assert "工作变动" in main_card.status_reason
    companion = HukouCard.objects.filter(main_card=main_card).first()
    assert companion.status_reason == "主迁人入户卡注销，随迁人入户卡一并注销。"
    entry = AuditEntry.objects.get(action=AuditAction.CARD_CANCEL)
    assert entry.actor == applicant and entry.ip_address == "10.0.0.8"
    assert main_card.number in entry.reason


def test_used_accompanying_card_stays_used_when_the_main_is_cancelled(
    issued_cards, applicant, police_officer
):
    main, spouse, son = issued_cards
    services.card_record_used(card_id=spouse.pk, by=police_officer)
    services.card_cancel(card_id=main.pk, by=applicant)
    spouse.refresh_from_db()
    son.refresh_from_db()
    assert spouse.status == S.USED and son.status == S.CANCELLED


def test_only_the_main_applicant_cancels(main_card, other_applicant):
    with pytest.raises(services.CardActionRefused, match="主迁人本人"):
        services.card_cancel(card_id=main_card.pk, by=other_applicant)
    main_card.refresh_from_db()
    assert main_card.status == S.VALID


def test_an_accompanying_card_cannot_be_cancelled_alone(issued_cards, applicant):
    with pytest.raises(services.CardActionRefused, match="随迁人入户卡不能单独注销"):
        services.card_cancel(card_id=issued_cards[1].pk, by=applicant)


@pytest.mark.parametrize("status", [S.USED, S.EXPIRED, S.CANCELLED])
def test_a_card_that_is_not_valid_cannot_be_cancelled(main_card, applicant, status):
    HukouCard.objects.filter(pk=main_card.pk).update(status=status)
    with pytest.raises(services.CardActionRefused, match="不能注销"):
        services.card_cancel(card_id=main_card.pk, by=applicant)


def test_a_card_past_its_deadline_cannot_be_cancelled_even_before_the_nightly_run(main_card, applicant):
    HukouCard.objects.filter(pk=main_card.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(services.CardActionRefused, match="已过期"):
        services.card_cancel(card_id=main_card.pk, by=applicant)


# --- police desk ------------------------------------------------------------------------------------


def test_police_records_the_move_and_the_application_shows_it(
    main_card, police_officer, published_application
):
    services.card_record_used(card_id=main_card.pk, by=police_officer, ip_address="10.1.1.1")
    main_card.refresh_from_db()
    published_application.refresh_from_db()
    assert main_card.status == S.USED
    assert main_card.used_recorded_by == police_officer and main_card.used_at is not None
    assert published_application.hukou_completed_at == main_card.used_at
    entry = AuditEntry.objects.get(action=AuditAction.CARD_USED)
    assert entry.actor == police_officer and entry.actor_role == "police"
    assert entry.application == published_application
    assert main_card.number in entry.reason


def test_recording_an_accompanying_card_does_not_complete_the_application(issued_cards, police_officer):
    services.card_record_used(card_id=issued_cards[2].pk, by=police_officer)
    issued_cards[2].application.refresh_from_db()
    assert issued_cards[2].application.hukou_completed_at is None


def test_only_police_record_the_move(main_card, applicant, reviewer):
    for user in (applicant, reviewer):
        with pytest.raises(services.CardActionRefused, match="公安窗口"):
            services.card_record_used(card_id=main_card.pk, by=user)


def test_a_card_is_used_once(main_card, police_officer):
    services.card_record_used(card_id=main_card.pk, by=police_officer)
    with pytest.raises(services.CardActionRefused, match="已办理入户"):
        services.card_record_used(card_id=main_card.pk, by=police_officer)


def test_deadline_day_still_counts_the_day_after_does_not(main_card, police_officer):
    today = timezone.localdate()
    HukouCard.objects.filter(pk=main_card.pk).update(valid_until=today - datetime.timedelta(days=1))
    with pytest.raises(services.CardActionRefused, match="已过期"):
        services.card_record_used(card_id=main_card.pk, by=police_officer)
    HukouCard.objects.filter(pk=main_card.pk).update(valid_until=today)
    assert services.card_record_used(card_id=main_card.pk, by=police_officer).status == S.USED


def test_accompanying_person_cannot_move_after_the_main_card_was_cancelled(
    issued_cards, applicant, police_officer
):
    main, spouse, _son = issued_cards
    HukouCard.objects.filter(pk=main.pk).update(status=S.CANCELLED)
    with pytest.raises(services.CardActionRefused, match="主迁人入户卡已失效"):
        services.card_record_used(card_id=spouse.pk, by=police_officer)


# --- expiry -----------------------------------------------------------------------------------------


def _quota_application():
    """五(四), published with a spouse: its place reserved on approval, consumed on publication, and
    its two cards issued, all by the services."""
    spouse = factories.make_resident_id(factories.years_ago(29), male=False)
    application = build_application(
        Status.PUBLISHED, subcategory="5.4", family=[("李四", spouse, Relation.SPOUSE)]
    )
    reservation = QuotaReservation.objects.get(application=application)
    assert reservation.status == QuotaReservation.Status.CONSUMED
    return application, reservation


def test_nightly_expiry_expires_main_and_accompanying_and_forfeits_the_place():
    application, reservation = _quota_application()
    deadline = HukouCard.objects.get(application=application, move_type="主迁").valid_until
    assert services.cards_expire_overdue(today=deadline) == 0  # the deadline day still counts
    assert services.cards_expire_overdue(today=deadline + datetime.timedelta(days=1)) == 2
    assert _statuses(application) == [S.EXPIRED, S.EXPIRED]
    reservation.refresh_from_db()
    assert reservation.status == QuotaReservation.Status.FORFEITED
    entry = AuditEntry.objects.get(action=AuditAction.CARD_EXPIRE, application=application)
    assert "视同放弃本年度总量控制类入户指标" in entry.reason


def test_expiry_is_idempotent():
    application, _reservation = _quota_application()
    later = timezone.localdate() + datetime.timedelta(days=91)
    assert services.cards_expire_overdue(today=later) == 2
    assert services.cards_expire_overdue(today=later) == 0
    assert AuditEntry.objects.filter(action=AuditAction.CARD_EXPIRE).count() == 1


def test_used_main_card_keeps_its_place_and_only_the_unused_companion_expires(police_officer):
    application, reservation = _quota_application()
    main = HukouCard.objects.get(application=application, move_type="主迁")
    services.card_record_used(card_id=main.pk, by=police_officer)
    assert services.cards_expire_overdue(today=timezone.localdate() + datetime.timedelta(days=91)) == 1
    assert _statuses(application) == [S.USED, S.EXPIRED]
    reservation.refresh_from_db()
    assert reservation.status == QuotaReservation.Status.CONSUMED


def test_expiring_a_main_card_cascades_even_to_a_later_companion_deadline(
    issued_cards, published_application
):
    main, spouse, son = issued_cards
    HukouCard.objects.filter(pk=son.pk).update(valid_until=main.valid_until + datetime.timedelta(days=30))
    services.cards_expire_overdue(today=main.valid_until + datetime.timedelta(days=1))
    son.refresh_from_db()
    assert son.status == S.EXPIRED
    assert son.status_reason == "主迁人入户卡逾期注销，随迁人入户卡一并注销。"


def test_expiry_of_a_non_quota_application_writes_no_quota_note(issued_cards, published_application):
    services.cards_expire_overdue(today=issued_cards[0].valid_until + datetime.timedelta(days=1))
    entry = AuditEntry.objects.get(action=AuditAction.CARD_EXPIRE)
    assert "指标" not in entry.reason
    assert _statuses(published_application) == [S.EXPIRED] * 3


def test_one_failing_application_does_not_stop_the_others(monkeypatch):
    first, _ = _quota_application()
    second, _ = _quota_application()
    real = services._expire_for_application

    def failing(*, application_id, today):
        if application_id == first.pk:
            raise RuntimeError("boom")
        return real(application_id=application_id, today=today)

    monkeypatch.setattr(services, "_expire_for_application", failing)
    assert services.cards_expire_overdue(today=timezone.localdate() + datetime.timedelta(days=91)) == 2
    assert _statuses(second) == [S.EXPIRED, S.EXPIRED]
    assert _statuses(first) == [S.VALID, S.VALID]


def test_beat_task_runs_the_expiry(monkeypatch):
    from hukou_card.tasks import expire_unused_cards

    application, _ = _quota_application()
    HukouCard.objects.filter(application=application).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert expire_unused_cards.delay().get() == 2


def test_beat_schedule_names_the_expiry_task():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["expire-unused-cards"]
    assert entry["task"] in app.tasks
