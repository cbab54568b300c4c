"""Production never runs on a development stand-in without saying so (DESIGN.md §7).

With DJANGO_DEBUG=0 (settings.PRODUCTION) each check below is a system check ERROR, so
`manage.py check`, `migrate`, `runserver`, gunicorn (deploy/gunicorn.conf.py, on_starting) and the
Celery worker and beat (config/celery.py) all stop with the same message before they serve anything.
An explicit choice in the environment is the way out, never a default: `SMS_BACKEND=none` runs
without SMS, `EMAIL_BACKEND=…console…` prints mail on purpose. The card-signing key has its own
check next to the signer (hukou_card/checks.py).

`refuse_to_start_on_errors()` is how a process that Django does not start itself runs them.
"""

from __future__ import annotations

import io
import sys

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

# The literal that turns SMS off in production (core.notifications reads the same setting).
SMS_DISABLED = "none"
# SMS backends that only print or collect messages: fine on a laptop, a silent loss in production.
DEVELOPMENT_SMS_BACKENDS = frozenset(
    {
        "core.sms.ConsoleSmsBackend",
        "core.sms.LocmemSmsBackend",
        "core.notifications.ConsoleSmsBackend",
        "core.notifications.LocmemSmsBackend",
    }
)
CONSOLE_EMAIL_BACKENDS = frozenset(
    {"core.notifications.ConsoleEmailBackend", "django.core.mail.backends.console.EmailBackend"}
)


def sms_disabled() -> bool:
    # settings.py maps the literal to core.sms.NoSmsBackend; either spelling means "no SMS".
    return settings.SMS_BACKEND.strip().lower() in (SMS_DISABLED, "core.sms.nosmsbackend")


@register()
def check_production_settings(app_configs=None, **kwargs) -> list[Error]:
    if not settings.PRODUCTION:
        return []
    return [*_broker(), *_email(), *_sms(), *_site_url()]


def _broker() -> list[Error]:
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    if not settings.CELERY_BROKER_URL:
        problem = (
            "CELERY_BROKER_URL is not set: Celery tasks (card signing, notifications) would run in-process."
        )
    else:
        problem = (
            "CELERY_TASK_ALWAYS_EAGER is on: Celery tasks (card signing, notifications) would run in-process."
        )
    return [
        Error(
            f"{problem} Production refuses in-process tasks.",
            hint="Set CELERY_BROKER_URL to the task-queue Redis (compose: redis://redis-broker:6379/0) "
            "and leave CELERY_TASK_ALWAYS_EAGER unset; run the worker and beat.",
            id="core.E001",
        )
    ]


def _email() -> list[Error]:
    if settings.EMAIL_BACKEND:
        return []  # named in the environment, the console included: a choice, not a default
    return [
        Error(
            "EMAIL_BACKEND is not set: production would print e-mail (password resets, decisions) to the console.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST and friends, "
            "or name the console backend explicitly if no mail is to leave this host.",
            id="core.E002",
        )
    ]


def _sms() -> list[Error]:
    backend = settings.SMS_BACKEND.strip()
    hint = (
        "Set SMS_BACKEND to the SMS gateway's backend (docs/operations.md), or to `none` to run without SMS "
        "(then no screen promises 短信通知)."
    )
    if not backend:
        return [
            Error(
                "SMS_BACKEND is not set: production would send applicants' SMS to the console.",
                hint=hint,
                id="core.E003",
            )
        ]
    if sms_disabled():
        return []
    if backend in DEVELOPMENT_SMS_BACKENDS:
        return [
            Error(
                f"SMS_BACKEND={backend} is a development backend: no SMS would reach an applicant.",
                hint=hint,
                id="core.E004",
            )
        ]
    try:
        import_string(backend)
    except ImportError as exc:
        return [Error(f"SMS_BACKEND={backend} cannot be imported: {exc}.", hint=hint, id="core.E005")]
    return []


def _site_url() -> list[Error]:
    url = settings.SITE_URL
    if url and url != settings.SITE_URL_DEVELOPMENT_DEFAULT and url.startswith(("https://", "http://")):
        return []
    shown = url or "(empty)"
    return [
        Error(
            f"SITE_URL is {shown}: every card's QR code and every e-mail would point at it, "
            "not at the portal's public address.",
            hint="Set SITE_URL to the public address, e.g. https://rc.example.gov.cn.",
            id="core.E006",
        )
    ]


def refuse_to_start_on_errors(process: str) -> None:
    """Run the system checks as `manage.py check` does; on any error print them and exit.

    For the processes Django does not start itself (gunicorn's master, the Celery worker and beat).
    A check may read the database (applications.checks): the connection is closed afterwards, as
    these processes fork their workers next and a child must never share its parent's socket.
    """
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connections

    try:
        call_command("check", stdout=io.StringIO())
    except SystemCheckError as exc:
        sys.stderr.write(f"{process} refuses to start.\n{exc}\n")
        sys.stderr.flush()
        raise SystemExit(1) from None
    finally:
        connections.close_all()
