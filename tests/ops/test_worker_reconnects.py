"""A Celery worker rides out a PostgreSQL restart or failover: Celery's Django fixup closes the
worker's connections before and after every task (CELERY_DB_REUSE_MAX unset), so each task opens a
fresh one and a cut between tasks costs nothing; a task that runs while the database refuses fails
with OperationalError and is retried (autoretry_for, backoff), and the retry reconnects.

The worker is a real `celery -A config worker` process on the portal's settings, with its own
redis-server as broker and result store, reading this test database."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from applications.choices import Status
from tests.builders import build_application
from tests.core.test_database_unavailable import _admin_connection, database_refusing
from tests.core.test_redis_outage import redis_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TASK = "hukou_card.tasks.issue_cards_for_application"


def _database_url() -> str:
    params = connection.settings_dict
    return (
        f"postgres://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        f"/{params['NAME']}"
    )


def _refusal(sender: Celery, queue: str, application_id: int) -> str:
    """Run the card task for an application still in its notice: it reads the application and refuses."""
    result = sender.send_task(TASK, args=[application_id], queue=queue)
    try:
        result.get(timeout=60)
    except Exception as error:  # noqa: BLE001 - the refusal is the answer we want
        return str(error)
    return "no refusal"


def test_a_worker_runs_its_next_task_after_its_database_connection_was_cut(redis_server):  # noqa: F811
    application = build_application(Status.IN_NOTICE)
    queue = f"reconnect-test-{uuid.uuid4().hex}"
    log = Path(tempfile.mkstemp(prefix="portal-worker-", suffix=".log")[1])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "600",  # the connection outlives the cut: only the health check notices it
        "CELERY_BROKER_URL": redis_server.url,
        "CELERY_RESULT_BACKEND": redis_server.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "REDIS_URL": "",
    }
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    sender = Celery(broker=redis_server.url, backend=redis_server.url, set_as_current=False)
    admin = _admin_connection()
    try:
        assert "公布后才能核发入户信息卡" in _refusal(sender, queue, application.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            mine = cursor.fetchone()[0]
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> %s AND backend_type = 'client backend'",
                [connection.settings_dict["NAME"], mine],
            )
        # Connections cut between tasks: the next task reads the database as before.
        assert "公布后才能核发入户信息卡" in _refusal(sender, queue, application.pk)
        assert "OperationalError" not in log.read_text(encoding="utf-8", errors="replace")

        # A task while the database refuses: it fails, is retried, and the retry after the database
        # is back gets through.
        with database_refusing():
            result = sender.send_task(TASK, args=[application.pk], queue=queue)
            deadline = time.monotonic() + 60
            while "Retry in" not in log.read_text(encoding="utf-8", errors="replace"):
                assert worker.poll() is None, log.read_text(encoding="utf-8", errors="replace")[-3000:]
                assert time.monotonic() < deadline, "the worker did not retry the task within 60 s"
                time.sleep(0.1)  # polling the worker's log for the retry, not waiting for an outcome
        connection.close()  # this thread's connection was cut with the others
        with pytest.raises(Exception, match="公布后才能核发入户信息卡"):
            result.get(timeout=60)
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "OperationalError" in text and "not currently accepting connections" in text
    finally:
        admin.close()
        sender.close()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.unlink(missing_ok=True)
