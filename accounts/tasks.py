"""Beat tasks of the accounts app (settings.CELERY_BEAT_SCHEDULE): call a service, idempotent."""

from celery import shared_task
from django.utils import timezone

from accounts import services


@shared_task(acks_late=True)
def purge_expired_captchas() -> int:
    """Every ten minutes: expired captcha challenges go (each page view and 点击获取 stores one)."""
    return services.captcha_purge_expired(now=timezone.now())
