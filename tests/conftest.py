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
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    from reference.fixtures import load_fixtures, reference_data_present

    if not reference_data_present():
        load_fixtures()


@pytest.fixture(autouse=True)
def _clear_caches():
    from django.core.cache import cache

    from core.notifications import LocmemSmsBackend

    cache.clear()
    LocmemSmsBackend.outbox.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: LocaleMiddleware leaves the language of
    the last request active in the thread, and an English request would word the next test's
    messages (built outside a request) in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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


@pytest.fixture(autouse=True)
def _portal_celery_app():
    """Every test starts on the portal's Celery app, as current app and as process-wide default.

    Tests that run a real worker make an app of their own current; Celery's Django fix-up also makes
    it the process-wide default, which every thread started later falls back to. A live server
    (the browser tests) would then hand the outbox's jobs to that test's stopped broker, and a
    published applicant would get no card."""
    from config.celery import app as portal_app

    portal_app.set_current()
    portal_app.set_default()
    yield
    portal_app.set_current()
    portal_app.set_default()


@pytest.fixture(autouse=True)
def _card_signer_as_found():
    """Give back the process's cached card signer as the test found it.

    Tests that sign with another key (a bureau key in a temporary folder, an HSM token) load a
    signer of their own; left cached, it outlives its files or its token session, and a later
    card (the browser journeys' live server) fails to sign, retries, and never appears."""
    from hukou_card import signing

    before = signing._card_signer
    yield
    if signing._card_signer is not before:
        signing._card_signer = before


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


# --- Private files in a bucket: a real S3-protocol server (moto) for the session -----------------

S3_KEYS = {"AWS_ACCESS_KEY_ID": "portal-test", "AWS_SECRET_ACCESS_KEY": "portal-test-secret"}
S3_REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_server():
    """moto's standalone server in a process of its own: boto3 and django-storages speak the real
    S3 HTTP protocol to it, as they would to MinIO or a cloud bucket. Yields its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto's S3 server did not start", pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Bucket:
    name: str
    endpoint: str
    storage: object  # core.storage_bucket.PrivateBucketStorage
    client: object  # boto3 S3 client

    @property
    def env(self) -> dict[str, str]:
        """The environment that puts another process (a gunicorn host, a worker) on this bucket."""
        return {
            "PRIVATE_STORAGE_BUCKET": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": S3_REGION,
            **S3_KEYS,
        }

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", ()))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def bucket_storage_config(*, name: str, endpoint: str) -> dict:
    return {
        "BACKEND": "core.storage_bucket.PrivateBucketStorage",
        "OPTIONS": {
            "bucket_name": name,
            "endpoint_url": endpoint,
            "access_key": S3_KEYS["AWS_ACCESS_KEY_ID"],
            "secret_key": S3_KEYS["AWS_SECRET_ACCESS_KEY"],
            "region_name": S3_REGION,
            "addressing_style": "path",
        },
    }


@pytest.fixture
def bucket(s3_server, settings):
    """Private files go to a fresh bucket on the moto server for this test, as with
    PRIVATE_STORAGE_BUCKET set. The model fields took their storage when the models were loaded,
    so they are pointed at the bucket too, and back afterwards."""
    import boto3
    from django.apps import apps
    from django.core.files.storage import storages
    from django.db.models import FileField

    from core.storage import private_storage

    name = f"portal-test-{uuid.uuid4().hex[:16]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)
    config = bucket_storage_config(name=name, endpoint=s3_server)
    settings.STORAGES = {**settings.STORAGES, "default": config, "private": config}
    storage = storages["private"]
    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField) and getattr(field, "_storage_callable", None) is private_storage
    ]
    before = [(field, field.storage) for field in fields]
    for field in fields:
        field.storage = storage
    try:
        yield Bucket(name=name, endpoint=s3_server, storage=storage, client=client)
    finally:
        for field, original in before:
            field.storage = original


def pytest_generate_tests(metafunc):
    """A module marked `both_storages` runs each of its tests twice: on the local folder and on
    the bucket (the moto server), so the same checks prove the same behaviour on both."""
    if (
        metafunc.definition.get_closest_marker("both_storages")
        and "private_storage_mode" in metafunc.fixturenames
    ):
        metafunc.parametrize("private_storage_mode", ["folder", "bucket"], indirect=True)


@pytest.fixture(autouse=True)
def private_storage_mode(request):
    """ "folder" (the local PrivateFileStorage of the test settings) or "bucket"."""
    mode = getattr(request, "param", "folder")
    if mode == "bucket":
        request.getfixturevalue("bucket")
    return mode


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
