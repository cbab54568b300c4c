"""What the outbox tests share: a Celery app of their own on a given broker (not eager), and a
redis-server of their own on a free port that a test can stop and start again."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
from celery import Celery
from celery.signals import before_task_publish

STRICT = os.environ.get("PORTAL_STRICT_SERVICES") == "1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def celery_app_on(
    broker_url: str, *, result_backend: str = "", worker: bool = False, packages=("hukou_card", "core")
):
    """A Celery app with the portal's settings on `broker_url`, tasks not eager, a queue of its
    own, set as the current app (the shared_task proxies and core.outbox follow it). `worker`:
    with Celery's Django fix-ups, for a worker thread (they reconfigure logging, which drops
    pytest's log capture). `packages`: whose tasks.py the app registers."""
    from config.celery import app as portal_app

    app = Celery(f"outbox-test-{uuid.uuid4().hex[:8]}", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker_url,
        result_backend=result_backend or None,
        task_always_eager=False,
        task_default_queue=f"outbox-test-{uuid.uuid4().hex}",
        worker_hijack_root_logger=False,
    )
    if worker:
        app.loader.import_default_modules()
    app.autodiscover_tasks(list(packages), force=True)
    app.finalize()
    app.set_current()
    try:
        yield app
    finally:
        # Celery's Django fix-up (worker=True) made this app the process-wide default too, which every
        # thread started later falls back to (the browser tests' live server): give both back.
        portal_app.set_current()
        portal_app.set_default()
        app.close()


@contextlib.contextmanager
def published_messages():
    """The (task name, args) of every message handed to a broker while the block runs."""
    seen: list[tuple[str, list]] = []

    def record(sender=None, body=None, **_kwargs):
        seen.append((sender, list(body[0]) if body else []))

    before_task_publish.connect(record, weak=False)
    try:
        yield seen
    finally:
        before_task_publish.disconnect(record)


class RedisServer:
    """A redis-server of the test's own, on a free port, in a temporary folder; stop() kills it
    as an outage would, start() brings it back on the same port."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            reason = "needs redis-server (apt-get install redis-server)"
            if STRICT:
                pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
            pytest.skip(reason)
        self.binary = binary
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="outbox-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 20 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def reachable(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
