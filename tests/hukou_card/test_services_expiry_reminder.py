"""即将过期: the holder of a card still unused is told, once, EXPIRY_REMINDER_DAYS before its deadline."""

import datetime

import pytest
from django.core import mail

from core.sms import LocmemSmsBackend
from core.text import cn_date
from hukou_card import services
from hukou_card.models import HukouCard

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def main_card(main_card):
    """The issued main card, with the issue's own e-mail and SMS taken out of the outboxes."""
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    return main_card


def _remind(today, capture):
    with capture(execute=True):
        return services.cards_remind_expiring(today=today)


def test_the_holder_is_told_once_by_email_and_sms_with_the_card_and_its_deadline(
    main_card, published_application, django_capture_on_commit_callbacks
):
    deadline = main_card.valid_until
    first_day = deadline - services.EXPIRY_REMINDER_DAYS * DAY
    assert _remind(first_day - DAY, django_capture_on_commit_callbacks) == 0  # not yet
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []

    assert _remind(first_day, django_capture_on_commit_callbacks) == 1  # one message for all three cards
    assert _remind(first_day + DAY, django_capture_on_commit_callbacks) == 0  # never twice
    assert LocmemSmsBackend.outbox == [
        {
            "mobile": published_application.notification_mobile,
            "kind": "card_expiring",
            "params": [main_card.number, deadline.isoformat()],
        }
    ]
    (message,) = mail.outbox
    assert message.subject.endswith("入户信息卡即将到期")
    assert main_card.number in message.body and cn_date(deadline) in message.body
    main_card.refresh_from_db()
    assert main_card.expiry_reminded_on == first_day


def test_a_missed_day_is_caught_up_and_the_deadline_day_still_counts(main_card, django_capture_on_commit_callbacks):
    assert _remind(main_card.valid_until, django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_cancelled_or_expired_card_is_not_reminded(main_card, applicant, django_capture_on_commit_callbacks):
    services.card_cancel(card_id=main_card.pk, by=applicant, reason="工作变动")
    assert _remind(main_card.valid_until - DAY, django_capture_on_commit_callbacks) == 0
    assert _remind(main_card.valid_until + DAY, django_capture_on_commit_callbacks) == 0
    assert HukouCard.objects.filter(expiry_reminded_on__isnull=False).count() == 0
    assert mail.outbox == []


def test_beat_schedule_names_the_reminder_task():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["remind-expiring-cards"]
    assert entry["task"] in app.tasks
