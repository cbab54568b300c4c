"""Migrate and fill the ceiling's database, then print a logged-in session cookie and the page's query count (bench/http_pages.py).

DATABASE_URL=… REDIS_URL=… DJANGO_SECRET_KEY=… python bench/ceiling/prepare.py
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceiling.settings")


def main() -> None:
    import django

    django.setup()
    from ceiling.models import Category, Item
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    if not Item.objects.exists():
        categories = Category.objects.bulk_create(Category(name=f"类别{i}") for i in range(10))
        now = timezone.now()
        Item.objects.bulk_create(
            Item(category=categories[i % 10], title=f"条目{i}", number=f"GZ{i:010d}", created=now - timedelta(minutes=i))
            for i in range(1000)
        )  # fmt: skip
    user, _ = get_user_model().objects.get_or_create(username="ceiling")
    user.set_password("ceiling-only-password")
    user.save()
    # A session made the way django.contrib.auth.login makes one.
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    queries, cpu_ms = count_queries(user)
    print(json.dumps({"cookie": cookie, "path": "/rows/", "queries": queries, "cpu_ms": cpu_ms}))


def count_queries(user) -> tuple[int, float]:
    """The page's SQL queries and CPU milliseconds per request, measured in-process as
    bench/http_pages.py measures the portal's pages (same client, same rounds)."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get("/rows/")  # warm the session cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/rows/")
    assert response.status_code == 200, response.status_code
    queries = len(ctx.captured_queries)  # now: the next request resets the connection's query log
    rounds = []
    for _ in range(20):  # warm-up
        client.get("/rows/")
    for _ in range(5):
        started = time.process_time()
        for _ in range(20):
            client.get("/rows/")
        rounds.append((time.process_time() - started) / 20 * 1000)
    return queries, min(rounds)


if __name__ == "__main__":
    main()
