"""Telling people what happened: an e-mail (Django's backend) and, for the kinds in core.sms, an SMS.

Services call `notify_on_commit(...)`; the messages leave only if the decision is committed. The
e-mail and the SMS are two tasks: each retries on its own, so a gateway fault never sends the
e-mail twice and a mail-server fault never sends the SMS twice.
"""

import copy
import logging
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.mail.backends import console
from django.core.mail.message import EmailAlternative
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from core.logging import redact_secrets
from core.outbox import outbox_dispatch
from core.sms import KINDS as SMS_KINDS
from core.sms import (  # noqa: F401 - the SMS backends' old home, named by SMS_BACKEND values
    ConsoleSmsBackend,
    LocmemSmsBackend,
    NoSmsBackend,
    Sms,
    SmsRejected,
    SmsTemporaryError,
    sms_backend,
    sms_enabled,
)
from core.text import cn_date, en_date

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


def _deliverable(email: str) -> bool:
    # RFC 6761: .invalid never resolves. The demo accounts use it, so a demo loaded next to a real
    # SMTP server (docker compose) queues no mail that can only bounce.
    domain = email.rpartition("@")[2].lower()
    return bool(domain) and domain != "invalid" and not domain.endswith(".invalid")


@contextmanager
def in_language_of(user):
    """Word a message in the recipient's language (User.language), not the request's.

    The reviewer who decides works in Chinese; the applicant it concerns may read English. Build
    the subject and body of a notify_on_commit inside this block, with gettext.
    """
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        yield


def mail_date(value) -> str:
    """2026年12月02日, or 2 December 2026 in an English message (as the pages' cn_date filter)."""
    return en_date(value) if translation.get_language() == "en" else cn_date(value)


def bureau_name(district) -> str:
    """广州市天河区人力资源和社会保障局 in the active language (District.bureau_name is Chinese only)."""
    return gettext("广州市%(district)s人力资源和社会保障局") % {"district": gettext(district.name)}


def notify_user(*, user, subject: str, body: str) -> None:
    """The e-mail, if the user has a deliverable address; the subject's system prefix in the user's
    language (the subject and body were worded in it by the caller, see in_language_of)."""
    if user.email and _deliverable(user.email):
        with in_language_of(user):
            prefix = gettext("【广州市人事电子政务系统】")
        send_mail(f"{prefix}{subject}", body, None, [user.email], fail_silently=False)


@shared_task(name="core.notifications.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(user_id: int, subject: str, body: str) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        notify_user(user=user, subject=subject, body=body)


# The name notifications were queued under before e-mail and SMS were split (and before the move to
# core/): a message already in a broker still runs. It carried free text, which no SMS gateway
# sends (templates only), so it now sends the e-mail alone.
@shared_task(name="portal.tasks.send_notification", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification(user_id: int, subject: str, body: str) -> None:
    send_email(user_id, subject, body)


@shared_task(
    name="core.notifications.send_sms",
    autoretry_for=(SmsTemporaryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def send_sms(mobile: str, kind: str, params: list[str]) -> None:
    """One SMS. A gateway or network fault retries (backoff doubling from 1 s, at most 10 min apart,
    10 tries, with jitter); a refusal (template, sign or number wrong) is logged as an error for
    the operator, not retried."""
    try:
        sms_backend().send(mobile=mobile, kind=SMS_KINDS[kind], params=list(params))
    except SmsRejected as refusal:
        logger.error("SMS %s to %s refused by the gateway, not retried: %s", kind, _masked(mobile), refusal)


def _masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "****"


def notify_on_commit(*, user_id: int, subject: str, body: str, sms: Sms | None = None, mobile: str = "") -> None:
    """The one dispatch of a notification: the e-mail to the user and, when `sms` is given and SMS is
    enabled, the SMS to `mobile` (the caller's choice: an application's 联系手机, else the account's).

    Each is its own job in the outbox (core.outbox), written with the caller's decision and sent to
    the broker once it commits, or later by the relay if the broker is down: a committed decision's
    message is never lost, and a failed SMS retries alone. A caller outside a transaction gets one of
    its own (savepoint=False: inside the caller's, no savepoint is paid for).
    """
    with transaction.atomic(savepoint=False):
        outbox_dispatch(send_email, user_id, subject, body)
        if sms is not None and mobile and sms_enabled():
            outbox_dispatch(send_sms, mobile, sms.kind.code, list(sms.params))
