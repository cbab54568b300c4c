"""Celery's autodiscovery looks for `<app>.tasks`; core's tasks live beside what they serve."""

from core.notifications import send_email, send_notification, send_sms
from core.outbox import relay_outbox

__all__ = ["relay_outbox", "send_email", "send_notification", "send_sms"]
