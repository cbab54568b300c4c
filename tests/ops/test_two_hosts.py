"""Two hosts, one portal: two gunicorn processes and a Celery worker, each with its own empty
private folder (and temporary directory), sharing PostgreSQL, Redis and the bucket (moto's S3
server). An applicant uploads on host A, the reviewer views that scan on host B, the card the worker
renders is downloaded from host A, the police desk verifies it on host B; at the end no process has
a private file on its disk.

The state around the files (a draft filled in, a published application) is made in the shared
database through the services (tests.builders); the file steps go over HTTP with real sessions and
CSRF tokens. Sessions are opened by the test (force_login): the captcha of the login page is the
login tests' concern, and the session lives in the shared database and Redis either way.
"""

import html
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from celery import Celery
from django.conf import settings
from django.test import Client
from django.urls import reverse

from applications import services as applicant_services
from applications.choices import AttachmentKind, Status
from hukou_card.models import HukouCard
from hukou_card.signing import card_signer, check_card_signature
from tests import factories
from tests.builders import build_application
from tests.conftest import _redis_url, free_port
from tests.factories import jpeg_bytes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 45

# PostgreSQL and Redis are shared by the processes; the test's own data must be committed for them.
pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    folder: Path  # its PRIVATE_MEDIA_ROOT
    tmp: Path  # its TMPDIR
    log: Path
    url: str = ""

    def log_tail(self) -> str:
        return f"--- {self.name} ---\n" + self.log.read_text(errors="replace")[-3000:]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment(bucket, folder: Path, tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"}
        and not k.startswith(("AWS_", "PRIVATE_"))
    }
    redis_url = _redis_url()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",  # the development CA and console e-mail; everything else as in production
        DATABASE_URL=_database_url(),  # the test database, migrated by the session
        DB_CONN_MAX_AGE="0",  # nothing held open when the test flushes the database
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        PRIVATE_MEDIA_ROOT=str(folder),
        TMPDIR=str(tmp),
        # The seal's key is not a private file (the HSM is its shared home); here every process
        # uses the test session's development CA, so a card signed by the worker verifies on B.
        CARD_SIGNING_DEV_DIR=str(settings.CARD_SIGNING_DEV_DIR),
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="2",
        GUNICORN_ACCESSLOG="",
        LOG_FORMAT="plain",
        **bucket.env,
    )
    return env


def _start(name: str, command: list[str], *, bucket, base: Path, extra: dict | None = None) -> Process:
    folder, tmp = base / f"{name}-private", base / f"{name}-tmp"
    folder.mkdir()
    tmp.mkdir()
    log = base / f"{name}.log"
    env = {**_environment(bucket, folder, tmp), **(extra or {})}
    with log.open("wb") as handle:
        popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    return Process(name=name, popen=popen, folder=folder, tmp=tmp, log=log)


def _start_host(name: str, *, bucket, base: Path) -> Process:
    port = free_port()
    host = _start(
        name,
        [str(BIN / "gunicorn"), "config.wsgi:application", "--config", "deploy/gunicorn.conf.py"],
        bucket=bucket,
        base=base,
        extra={"GUNICORN_BIND": f"127.0.0.1:{port}"},
    )
    host.url = f"http://127.0.0.1:{port}"
    return host


def _wait_until_serving(host: Process) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if host.popen.poll() is not None:
            pytest.fail(f"{host.name} exited at start-up\n{host.log_tail()}", pytrace=False)
        try:
            if requests.get(f"{host.url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still loading the application
            pass
        time.sleep(0.2)
    pytest.fail(
        f"{host.name} did not answer /healthz in {STARTUP_SECONDS} s\n{host.log_tail()}", pytrace=False
    )


@pytest.fixture
def portal(transactional_db, bucket, tmp_path):
    """Host A, host B and a worker, running; stopped (before the database is flushed) afterwards."""
    card_signer()  # the development CA exists before three processes look for it
    a = _start_host("host-a", bucket=bucket, base=tmp_path)
    b = _start_host("host-b", bucket=bucket, base=tmp_path)
    worker = _start(
        "worker",
        [
            str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--loglevel", "warning",
            "--without-mingle", "--without-gossip", "--hostname", f"two-hosts-{uuid.uuid4().hex[:8]}@%h",
        ],
        bucket=bucket,
        base=tmp_path,
    )  # fmt: skip
    processes = [a, b, worker]
    try:
        for host in (a, b):
            _wait_until_serving(host)
        yield a, b, worker
    finally:
        for process in processes:
            process.popen.terminate()
        for process in processes:
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()


def _browser(user) -> requests.Session:
    """A browser signed in as `user`: the session is in the shared database and Redis, so every host
    knows it."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return session


def _csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page has no form with a CSRF token"
    return html.unescape(match.group(1))


def _empty(path: Path) -> list[str]:
    return [str(p.relative_to(path)) for p in path.rglob("*")]


def _send_card_task(application_id: int) -> None:
    """What review.services.application_publish queues on commit, through the shared Redis."""
    app = Celery("two-hosts-test", broker=_redis_url(), set_as_current=False)
    try:
        app.send_task("hukou_card.tasks.issue_cards_for_application", args=[application_id])
    finally:
        app.close()


def _wait_for_card(application, worker: Process) -> HukouCard:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        card = HukouCard.objects.filter(application=application, main_card__isnull=True).first()
        if card is not None and card.pdf:
            return card
        if worker.popen.poll() is not None:
            pytest.fail(f"the worker exited\n{worker.log_tail()}", pytrace=False)
        time.sleep(0.25)
    pytest.fail(f"the worker rendered no card within 60 s\n{worker.log_tail()}", pytrace=False)


def test_files_cross_hosts_through_the_bucket_and_no_host_keeps_one(portal, bucket):
    a, b, worker = portal

    # 1. The applicant uploads a new 身份证 scan on host A.
    draft = build_application(Status.DRAFT, district="440106")
    applicant = _browser(draft.applicant)
    step = reverse("applications:step", kwargs={"public_id": draft.public_id, "step": "attachments"})
    page = applicant.get(a.url + step, timeout=30)
    assert page.status_code == 200, page.text[:500]
    scan = jpeg_bytes(820, 610, color=(200, 30, 30))
    response = applicant.post(
        a.url + reverse("applications:attachment_upload", kwargs={"public_id": draft.public_id}),
        data={"kind": AttachmentKind.ID_CARD, "csrfmiddlewaretoken": _csrf_token(page.text)},
        files={"file": ("身份证.jpg", scan, "image/jpeg")},
        timeout=30,
    )
    assert response.status_code == 200 and "“身份证”上传成功。" in response.text, response.text[:500]
    attachment = draft.attachments.get(kind=AttachmentKind.ID_CARD)
    stored = bucket.read(attachment.document.file.name)  # host A wrote it to the bucket
    applicant_services.application_submit(application_id=draft.pk, by=draft.applicant)

    # 2. The district's reviewer sees that scan on host B.
    reviewer = _browser(factories.ReviewerFactory(district=draft.district))
    view = reviewer.get(
        b.url + reverse("review:attachment", args=[draft.public_id, attachment.public_id]), timeout=30
    )
    assert view.status_code == 200 and view.content == stored
    assert view.headers["Content-Type"] == "image/jpeg"
    assert (
        "sandbox" in view.headers["Content-Security-Policy"] and "no-store" in view.headers["Cache-Control"]
    )
    # The same link copied to another district's reviewer, on either host: 404.
    other = _browser(factories.ReviewerFactory(district=factories.district("440111")))
    for host in (a, b):
        copied = other.get(host.url + view.request.path_url, timeout=30)
        assert copied.status_code == 404 and stored not in copied.content

    # 3. The worker renders and signs the card of a published application; its holder downloads it on A.
    published = build_application(Status.PUBLISHED, issue_cards=False)
    _send_card_task(published.pk)
    card = _wait_for_card(published, worker)
    holder = _browser(published.applicant)
    download = holder.get(a.url + reverse("hukou_card:download", args=[card.public_id]), timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/pdf"
    assert download.content == bucket.read(card.pdf.name)
    assert check_card_signature(download.content).ok

    # 4. The police desk verifies the card on host B (host B reads the worker's PDF from the bucket).
    police = _browser(factories.PoliceFactory())
    detail = police.get(b.url + reverse("hukou_card:police_detail", args=[card.public_id]), timeout=30)
    # Signed by the test session's development CA, so the desk also calls it a 测试卡; what matters
    # here is that host B read the worker's PDF, intact.
    assert detail.status_code == 200 and "文件签发后未被修改" in detail.text
    assert "文件内容与电子签章不符" not in detail.text and "入户卡PDF文件无法读取" not in detail.text

    # Nothing private on any disk: every private folder and temporary directory is still empty.
    for process in (a, b, worker):
        assert _empty(process.folder) == [], process.name
        assert _empty(process.tmp) == [], process.name
