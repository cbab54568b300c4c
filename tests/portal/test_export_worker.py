"""A real Celery worker builds the 下载我的个人信息 ZIP: the task is dispatched on commit, crosses a
broker as JSON and runs in the worker's thread with its own database connection (eager mode, the
test settings, hides serialization and transaction bugs: PITFALLS.md).

The broker is a redis-server of this test's own on a free port, so no shared Redis is touched.
"""

import io
import threading
import time
import zipfile

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from applications.choices import Status
from portal.models import PersonalDataExport
from tests.builders import build_application
from tests.outbox_support import RedisServer, celery_app_on

# PostgreSQL: the worker thread must see the same database (SQLite here is in-memory).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RUNS: list[int] = []


def _after_task(**_kwargs):
    RUNS.append(threading.get_ident())
    connections.close_all()  # the worker thread's own connection, so the test database can be dropped


@pytest.fixture
def own_redis():
    """A redis-server of this test's own (tests/outbox_support.RedisServer)."""
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture
def worker_app(own_redis):
    broker = own_redis
    # A queue of its own (no other worker takes these tasks), set as this thread's current app: the
    # shared_task proxies the services dispatch follow it.
    with celery_app_on(broker, result_backend=broker, worker=True, packages=("portal",)) as app:
        RUNS.clear()
        task_postrun.connect(_after_task)
        try:
            yield app
        finally:
            task_postrun.disconnect(_after_task)


def test_a_real_worker_builds_the_zip_after_the_request_commits(worker_app):
    from portal.exports import export_request

    app = build_application(Status.PUBLISHED)
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        export = export_request(user=app.applicant)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.status == PersonalDataExport.Status.READY:
                break
            time.sleep(0.25)
        else:
            pytest.fail("the worker did not build the ZIP within 60 s")
    assert RUNS and threading.get_ident() not in RUNS
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert f"申报/{app.number}/申报信息.json" in archive.namelist()
