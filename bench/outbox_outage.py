"""Benchmark: a one-minute broker outage under decision traffic, and how fast the outbox drains.

Not a test: it prints numbers for a person to read (docs/operations.md, "The outbox and the card
sweep"). It starts its own redis-server on a free port as the broker, runs `--rate` decisions per
second (each a transaction that dispatches a card job and a notification through
core.outbox.outbox_dispatch, as a publication does), kills Redis for `--outage` seconds while the
traffic goes on, brings it back and times `outbox_relay()` (what beat runs every minute) until no
row is pending. Needs PostgreSQL (the outbox's SKIP LOCKED):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/outbox_outage.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Redis:
    def __init__(self, port: int):
        self.port, self.folder, self.process = port, tempfile.mkdtemp(prefix="outbox-bench-"), None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                self.folder,
            ],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()

    def llen(self, queue: str) -> int:
        out = subprocess.run(
            ["redis-cli", "-p", str(self.port), "llen", queue], capture_output=True, text=True, check=True
        )
        return int(out.stdout.strip())


def _decision(task, notify, n: int) -> float:
    from django.db import transaction

    from core.outbox import outbox_dispatch

    started = time.perf_counter()
    with transaction.atomic():
        outbox_dispatch(task, 10_000_000 + n)
        outbox_dispatch(notify, 10_000_000 + n, "申报已公布，核发入户信息卡", "您的人才引进申报已公布。")
    return (time.perf_counter() - started) * 1000


def _traffic(seconds: float, rate: float, task, notify, start_n: int) -> list[float]:
    latencies = []
    interval = 1 / rate
    deadline = time.monotonic() + seconds
    next_at = time.monotonic()
    n = start_n
    while time.monotonic() < deadline:
        latencies.append(_decision(task, notify, n))
        n += 1
        next_at += interval
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    return latencies


def _summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{len(latencies)} decisions, commit median {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms"


def run(rate: float = 10.0, outage: float = 60.0) -> None:
    if shutil.which("redis-server") is None:
        sys.exit("needs redis-server")
    redis = _Redis(_free_port())
    redis.start()
    queue = "outbox-bench"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis.port}/0",
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="ERROR",
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("core.outbox").setLevel(logging.ERROR)  # one warning per failed publish
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    call_command("migrate", verbosity=0)
    from config.celery import app
    from core.models import OutboxJob
    from core.notifications import send_notification
    from core.outbox import outbox_backlog, outbox_relay
    from hukou_card.tasks import issue_cards_for_application

    app.conf.task_default_queue = queue
    OutboxJob.objects.all().delete()
    try:
        print(
            f"broker up, {rate:g} decisions/s for 10 s: {_summary(_traffic(10, rate, issue_cards_for_application, send_notification, 0))}"
        )
        print(f"  pending rows: {outbox_backlog()[0]}, messages in the queue: {redis.llen(queue)}")
        redis.stop()
        down = _traffic(outage, rate, issue_cards_for_application, send_notification, 100_000)
        count, oldest = outbox_backlog()
        print(f"broker down {outage:g} s: {_summary(down)}")
        print(f"  pending rows left by the outage: {count}, oldest {oldest:.0f} s")
        redis.start()
        started = time.perf_counter()
        result = outbox_relay()
        took = time.perf_counter() - started
        print(
            f"broker back: one relay run sent {result.sent} rows in {took:.2f} s "
            f"({result.sent / took:.0f} rows/s); pending now {outbox_backlog()[0]}, queue {redis.llen(queue)}"
        )
    finally:
        OutboxJob.objects.all().delete()
        redis.stop()
        shutil.rmtree(redis.folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0, help="decisions per second")
    parser.add_argument("--outage", type=float, default=60.0, help="seconds the broker is down")
    args = parser.parse_args()
    run(rate=args.rate, outage=args.outage)


if __name__ == "__main__":
    main()
