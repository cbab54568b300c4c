"""The Celery application. Tasks live in each app's tasks.py and are dispatched on commit."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_prerun

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
