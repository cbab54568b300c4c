"""Telling applicants what happened: e-mail (Django's backend) and SMS (a small pluggable interface).

Services call `notify_user_on_commit(...)`; the message leaves only if the decision is committed.
"""

import copy
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.mail.backends import console
from django.core.mail.message import EmailAlternative
from django.db import transaction
from django.utils.module_loading import import_string

from core.logging import redact_secrets

logger = logging.getLogger(__name__)


class ConsoleEmailBackend(console.EmailBackend):
    """Development: e-mail printed to stdout (that is, the log), without password-reset links.

    A reset link in a log lets anyone who reads the log set that user's password, so the link is
    replaced by a notice; the message itself is redacted before it is encoded, which no line
    wrapping or transfer encoding can hide from the match. Settings map Django's own console
    backend to this one.
    """

    def write_message(self, message):
        clean = copy.copy(message)
        clean.body = redact_secrets(message.body)
        if getattr(message, "alternatives", None):
            clean.alternatives = [
                EmailAlternative(redact_secrets(content) if isinstance(content, str) else content, mimetype)
                for content, mimetype in message.alternatives
            ]
        super().write_message(clean)


class BaseSmsBackend:
    def send(self, *, mobile: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: the SMS is written to the log instead of a gateway."""

    def send(self, *, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %s", mobile, text)


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: messages collect in `outbox`, like django.core.mail.outbox."""

    outbox: list[dict] = []

    def send(self, *, mobile: str, text: str) -> None:
        LocmemSmsBackend.outbox.append({"mobile": mobile, "text": text})


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def _deliverable(email: str) -> bool:
    # RFC 6761: .invalid never resolves. The demo accounts use it, so a demo loaded next to a real
    # SMTP server (docker compose) queues no mail that can only bounce.
    domain = email.rpartition("@")[2].lower()
    return bool(domain) and domain != "invalid" and not domain.endswith(".invalid")


def notify_user(*, user, subject: str, body: str) -> None:
    if user.email and _deliverable(user.email):
        send_mail(f"【广州市人事电子政务系统】{subject}", body, None, [user.email], fail_silently=False)
    if user.mobile:
        sms_backend().send(mobile=user.mobile, text=f"【广州人社】{subject}。{body[:60]}")


# The name it was queued under before the move to core/: messages already in the broker still run.
@shared_task(name="portal.tasks.send_notification", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(user_id: int, subject: str, body: str) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        notify_user(user=user, subject=subject, body=body)


def notify_user_on_commit(*, user_id: int, subject: str, body: str) -> None:
    transaction.on_commit(lambda: send_notification.delay(user_id, subject, body))
