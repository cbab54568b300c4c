from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import UserSubsystem
from reference.models import Subsystem


@transaction.atomic
def subsystem_add(*, user, subsystem: Subsystem) -> UserSubsystem:
    """添加应用: link a subsystem to the user's 门户. Only what this installation provides can be added."""
    if not subsystem.is_provided:
        raise ValidationError(f"“{subsystem.name}”本安装未提供，无法添加。", code="not_provided")
    link, _created = UserSubsystem.objects.get_or_create(user=user, subsystem=subsystem)
    return link


def broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from celery import current_app as app  # the project's app (config.celery), without importing config

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
