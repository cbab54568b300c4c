"""Celery's autodiscovery looks for `<app>.tasks`; core's one task lives beside what it sends."""

from core.notifications import send_notification

__all__ = ["send_notification"]
