"""The Celery application. Tasks live in each app's tasks.py and are dispatched on commit."""

import os

from celery import Celery
from celery.signals import beat_init, before_task_publish, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _carry_request_id(headers=None, **_kwargs):
    # The web request's id travels with the task so one id ties web and worker log lines together.
    from core.logging import get_request_id

    if headers is not None and "request_id" not in headers:
        headers["request_id"] = get_request_id()


@task_prerun.connect
def _restore_request_id(task=None, **_kwargs):
    from core.logging import set_request_id

    request_id = getattr(task.request, "request_id", None) if task else None
    set_request_id(request_id or "-")


@worker_init.connect
@beat_init.connect
def _refuse_to_start_on_check_errors(sender=None, **_kwargs):
    # The worker and beat run no Django system checks by themselves: production on a development
    # stand-in (no signing key, no SMS choice, ...) stops here, with the same message as
    # `manage.py check` (core/checks.py).
    from core.checks import refuse_to_start_on_errors

    refuse_to_start_on_errors("celery beat" if _kwargs.get("signal") is beat_init else "celery worker")
