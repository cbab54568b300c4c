"""Each bench page's CPU per request, split between this Python process and its PostgreSQL backend.

Requests go through Django's test client in this process (no gunicorn, no wrk), on the million
rows of `portal_bench` (made by `bench/run.py pages` first). Python's share is this process's CPU
time; PostgreSQL's is what the kernel counts for the backend serving this process's one connection
(/proc/PID/stat, so PostgreSQL on this machine only). Best of 3 rounds of N requests, after 20
warm-up requests that also let psycopg prepare each statement. Figures only; nothing is asserted.

    .venv/bin/python bench/page_cpu.py                 # every logged-in page
    .venv/bin/python bench/page_cpu.py detail status   # pages whose label contains a word

To compare two trees, run a copy of this file in each checkout, alternating (docs/performance.md,
"Prepared statements").
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUNDS = 3
REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "150"))
TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(pid: int) -> float:
    # Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the command's parentheses.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def main(words: list[str]) -> None:
    from bench import http_pages

    os.environ.setdefault("BENCH_REDIS_CACHE", "redis://127.0.0.1:6379/8")
    http_pages.django_setup(f"{http_pages.PG_BASE}/{http_pages.BENCH_DB}")
    from django.db import connection
    from django.test import Client

    from bench import scenarios

    pages, users = scenarios.pages_and_users()
    print(f"{'page':<40}{'Python ms':>11}{'PostgreSQL ms':>15}   ({REQUESTS} requests, best of {ROUNDS})")
    for label, role, path, *body in pages:
        if role is None or (words and not any(word in label for word in words)):
            continue
        client = Client()
        client.force_login(users[role], backend="django.contrib.auth.backends.ModelBackend")

        def request(path=path, body=body[0] if body else None, client=client):
            return client.get(path) if body is None else client.post(path, body)

        for _ in range(20):
            request()
        pid = connection.connection.info.backend_pid
        best = None
        for _ in range(ROUNDS):
            python, postgres = time.process_time(), backend_cpu_seconds(pid)
            for _ in range(REQUESTS):
                request()
            python = (time.process_time() - python) / REQUESTS * 1000
            postgres = (backend_cpu_seconds(pid) - postgres) / REQUESTS * 1000
            if best is None or python + postgres < sum(best):
                best = (python, postgres)
        print(
            f"{label}{' ' * (40 - http_pages.display_width(label))}{best[0]:>11.2f}{best[1]:>15.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
