"""Benchmark: the access-log write of one request (audit.access_log.flush), one row (a detail page)
and fifty (a search page), on whatever database DATABASE_URL names (PostgreSQL for the figure).

Not a test: it prints milliseconds per request. Runs in a transaction rolled back at the end, so
it leaves no rows behind (the table is append-only; a rollback is not a delete).
"""

import os
import statistics
import time


def run() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from audit import access_log
    from audit.access_log import Purpose

    with transaction.atomic():
        viewer = User.objects.create(username="benchreviewer", role="city_admin", full_name="基准")
        subject = User.objects.create(username="benchsubject", full_name="基准申请人")
        for rows in (1, 50):
            times = []
            for _ in range(200):
                batch = [
                    access_log._row(viewer=viewer, subject_id=subject.pk, what="application",
                                    purpose=Purpose("审核"), ip_address="192.0.2.1")
                    for _ in range(rows)
                ]  # fmt: skip
                start = time.perf_counter()
                access_log.flush(batch)
                times.append((time.perf_counter() - start) * 1000)
            print(
                f"access log on {connection.vendor}, {rows} row(s) per request: "
                f"median {statistics.median(times):.2f} ms, p95 {sorted(times)[189]:.2f} ms"
            )
        transaction.set_rollback(True)
