"""Card tasks: fetch ids, call a service; idempotent; acks_late so a killed worker's card is redone."""

from celery import shared_task

from hukou_card import services


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def issue_cards_for_application(self, application_id: int) -> list[str]:
    """Dispatched on commit by review.services.application_publish."""
    cards = services.cards_issue_for_application(application_id=application_id)
    return [card.number for card in cards]
