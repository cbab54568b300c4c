from celery import shared_task
from django.contrib.auth import get_user_model

from portal.notifications import notify_user


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(user_id: int, subject: str, body: str) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        notify_user(user=user, subject=subject, body=body)
