"""Shared fixtures. Factories are in tests/factories.py; applications in a given state, made through
the real services with their history, come from tests/builders.py (build_application).

Tests that need a service this machine may lack carry a marker: `postgres` (DATABASE_URL on
PostgreSQL), `worker` (Redis for a real Celery worker), `e2e` (Chromium). Locally they skip with
the reason; with PORTAL_STRICT_SERVICES=1 (.ci/run sets it) a missing service fails the test,
so CI never skips what it can run.
"""

import os
import shutil
import socket

import pytest
from django.conf import settings

from tests import factories

STRICT = os.environ.get("PORTAL_STRICT_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL") or ""


def _redis_reachable(url: str) -> bool:
    if not url.startswith("redis://"):
        return False
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_service(item) -> str | None:
    if (
        item.get_closest_marker("postgres")
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test"
    if item.get_closest_marker("worker") and not _redis_reachable(_redis_url()):
        return "needs Redis for a real Celery worker: set REDIS_URL=redis://127.0.0.1:6379/0"
    if item.get_closest_marker("e2e") and not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return "needs Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason is None:
        return
    if STRICT:
        pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _uses_db(request) -> str | None:
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if "live_server" in names or "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        return "transactional_db"
    if "db" in names or marker:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Districts, categories and the catalogue come from a data migration; a transactional test
    flushes them, so put them back (idempotent, a few queries) for whichever test runs next."""
    kind = _uses_db(request)
    if kind is None:
        return
    request.getfixturevalue(kind)
    from reference.data import load_reference_data, reference_data_present

    if not reference_data_present():
        load_reference_data()


@pytest.fixture(autouse=True)
def _clear_caches():
    from django.core.cache import cache

    from core.notifications import LocmemSmsBackend

    cache.clear()
    LocmemSmsBackend.outbox.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_join_guard():
    """Leave Celery's "inside a task" flag as the test found it.

    An eager task runs inside celery.result.denied_join_result(), which saves, sets and restores
    one process-wide flag, not a per-thread one. When threads run eager tasks at once (the quota
    and submit concurrency tests), one thread can restore the value another has just set, and the
    flag stays True after every task has ended: from then on each `.get()` on an eager result
    raises "Never call result.get() within a task!" in whatever test runs next."""
    from celery import _state

    before = _state.task_join_will_block()
    yield
    _state._set_task_join_will_block(before)


@pytest.fixture
def district(db):
    from reference.models import District

    return District.objects.get(code="440106")  # 天河区


@pytest.fixture
def other_district(db):
    from reference.models import District

    return District.objects.get(code="440111")  # 白云区


@pytest.fixture
def applicant(db):
    return factories.UserFactory()


@pytest.fixture
def other_applicant(db):
    return factories.UserFactory()


@pytest.fixture
def reviewer(db, district):
    return factories.ReviewerFactory(district=district)


@pytest.fixture
def other_reviewer(db, other_district):
    return factories.ReviewerFactory(district=other_district)


@pytest.fixture
def city_admin(db):
    return factories.CityAdminFactory()


@pytest.fixture
def police_officer(db):
    return factories.PoliceFactory()


def _logged_in_client(client, user):
    # django-axes' backend needs a request, so client.login() cannot be used (PITFALLS.md).
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def applicant_client(client, applicant):
    return _logged_in_client(client, applicant)


@pytest.fixture
def reviewer_client(client, reviewer):
    return _logged_in_client(client, reviewer)


@pytest.fixture
def login_client():
    """Returns a function: login_client(user) -> a fresh logged-in Django test client."""
    from django.test import Client

    def make(user):
        return _logged_in_client(Client(), user)

    return make


# --- `--reverse`: the suite once more, back to front (make test runs it) ------------------------------


def pytest_addoption(parser):
    parser.addoption(
        "--reverse",
        action="store_true",
        default=False,
        help="run the collected tests in reverse order, after pytest-django's own ordering, to find "
        "tests that depend on what an earlier test left behind",
    )


class _ReverseOrder:
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        items.reverse()


def pytest_configure(config):
    if config.getoption("--reverse"):
        config.pluginmanager.register(_ReverseOrder(), "portal-reverse-order")
