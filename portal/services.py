from django.conf import settings
from django.db import transaction

from portal.models import Subsystem, UserSubsystem


@transaction.atomic
def subsystem_add(*, user, subsystem: Subsystem) -> UserSubsystem:
    link, _created = UserSubsystem.objects.get_or_create(user=user, subsystem=subsystem)
    return link


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
