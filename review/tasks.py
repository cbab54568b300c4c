"""Beat tasks of the review (settings.CELERY_BEAT_SCHEDULE): fetch ids, call services, idempotent."""

import logging

from celery import shared_task
from django.utils import timezone

from review import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def auto_accept_overdue() -> list[int]:
    """Hourly: applications nobody accepted or returned within 5 working days are accepted (6th day)."""
    accepted = services.application_auto_accept_overdue(today=timezone.localdate())
    if accepted:
        logger.info("auto-accepted %d overdue applications", len(accepted))
    return accepted


@shared_task(acks_late=True)
def close_ended_notices() -> dict[str, list[int]]:
    """Nightly: every notice past its end date is closed and its applications without an open
    objection are published. One notice per transaction; a failure is logged and retried next night.
    Returns JSON-friendly ids: the notices closed and the applications published."""
    closed: list[int] = []
    published: list[int] = []
    for notice_id in services.notices_ended(today=timezone.localdate()):
        try:
            result = services.notice_close(notice_id=notice_id)
        except Exception:  # noqa: BLE001 - one bad batch must not hold back the others
            logger.exception("closing notice %s failed", notice_id)
            continue
        closed.append(notice_id)
        published.extend(result.published)
    return {"closed": closed, "published": published}


@shared_task(acks_late=True)
def refresh_statistics() -> bool:
    """Every 10 minutes: the 统计分析 page's counts (a materialised view on PostgreSQL) recounted."""
    return services.statistics_refresh()
