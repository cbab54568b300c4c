"""Card tasks: fetch ids, call a service; idempotent; acks_late so a killed worker's card is redone.

With acks_late (and CELERY_TASK_REJECT_ON_WORKER_LOST) the broker hands a task back when its
worker dies mid-card; the service then finds the rows it created and renders what is missing.
"""

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from hukou_card import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    # An application that is not published, or gone, will not get better by waiting.
    dont_autoretry_for=(services.CardIssueRefused, ObjectDoesNotExist),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def issue_cards_for_application(self, application_id: int) -> list[str]:
    """Dispatched on commit by review.services.application_publish."""
    cards = services.cards_issue_for_application(application_id=application_id)
    return [card.number for card in cards]


@shared_task(acks_late=True)
def issue_missing_cards() -> list[int]:
    """Hourly (CELERY_BEAT_SCHEDULE): the sweep. A card task that exhausted its retries, or a
    publication whose job never reached a worker, still ends with the applicant's cards."""
    return services.cards_issue_missing()


@shared_task(acks_late=True)
def expire_unused_cards() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): cards unused after their deadline expire, places are forfeited."""
    return services.cards_expire_overdue(today=timezone.localdate())


@shared_task(acks_late=True)
def remind_expiring_cards() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): holders of cards whose deadline is near are told, once."""
    return services.cards_remind_expiring(today=timezone.localdate())
