"""Private files (attachments, 证件库 images, card PDFs, business licences): no public path reaches
them; only authorising views hand them out, and behind nginx they do so by X-Accel-Redirect to an
`internal` location with an empty body. The nginx test runs the real nginx with a config derived
from deploy/nginx/portal.conf in front of the live server."""

import contextlib
import http.client
import inspect
import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.views import static

from accounts.models import EmployerAdmin
from applications.choices import Status
from portal.models import PersonalDataExport
from tests import factories
from tests.builders import give_access_reason
from tests.conftest import STRICT
from tests.security.urlwalk import routes

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n% card\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _login_rightful(p, user) -> Client:
    """The rightful user's session, as the view expects it: the fixture's application is published,
    so the reviewer's console first asks the reason for opening it (the access log) and the
    session then remembers it."""
    client = _login(user)
    if user == p["reviewer"]:
        give_access_reason(client, p["app"])
    return client


@pytest.fixture
def private(db):
    """One of each private file, with its owner and the staff who may see it (天河区)."""
    owner = factories.UserFactory()
    app = factories.ApplicationFactory(
        applicant=owner, submitted=True, status=Status.PUBLISHED, published_at=timezone.now()
    )
    attachment = factories.AttachmentFactory(application=app)
    document = factories.LibraryDocumentFactory(owner=owner)
    card = factories.HukouCardFactory(
        application=app, pdf=ContentFile(PDF, name="card.pdf"), pdf_sha256="0" * 64
    )
    right = factories.EmployerAdminFactory(user=owner, status=EmployerAdmin.Status.PENDING)
    export = PersonalDataExport.objects.create(
        user=owner,
        status=PersonalDataExport.Status.READY,
        file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="export.zip"),
        ready_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    return {
        "owner": owner,
        "app": app,
        "attachment": attachment,
        "document": document,
        "card": card,
        "right": right,
        "export": export,
        "reviewer": factories.ReviewerFactory(district=factories.district("440106")),
        "police": factories.PoliceFactory(),
        "stranger": factories.UserFactory(),
    }


def stored_files(p) -> list:
    return [
        p["attachment"].document.file,
        p["document"].file,
        p["card"].pdf,
        p["right"].business_licence,
        p["export"].file,
    ]


# Each authorising view: how to reach it for the fixture's objects, and who is rightful.
def authorising_views(p) -> dict[str, tuple[str, object, str]]:
    app, attachment, card = p["app"], p["attachment"], p["card"]
    return {
        "applications.views.attachment_preview": (
            reverse("applications:attachment_preview", args=[attachment.public_id]),
            p["owner"],
            attachment.document.file.name,
        ),
        "applications.views.library_preview": (
            reverse("applications:library_preview", args=[p["document"].public_id]),
            p["owner"],
            p["document"].file.name,
        ),
        "review.views.attachment": (
            reverse("review:attachment", args=[app.public_id, attachment.public_id]),
            p["reviewer"],
            attachment.document.file.name,
        ),
        "hukou_card.views.download": (
            reverse("hukou_card:download", args=[card.public_id]),
            p["owner"],
            card.pdf.name,
        ),
        "hukou_card.views.police_pdf": (
            reverse("hukou_card:police_pdf", args=[card.public_id]),
            p["police"],
            card.pdf.name,
        ),
        "accounts.views.employer_admin_licence": (
            reverse("accounts:employer_admin_licence", args=[p["right"].public_id]),
            p["owner"],
            p["right"].business_licence.name,
        ),
        "portal.views.privacy_export_download": (
            reverse("portal:privacy_export_download", args=[p["export"].public_id]),
            p["owner"],
            p["export"].file.name,
        ),
    }


def _qualified(callback) -> str:
    func = inspect.unwrap(getattr(callback, "view_class", callback))
    return f"{func.__module__}.{func.__qualname__}"


def test_every_view_that_hands_out_a_private_file_is_checked_here(private):
    """A new view calling private_file_response fails this until it is added to authorising_views."""
    handing_out = set()
    for route in routes():
        func = inspect.unwrap(route.callback)
        try:
            source = inspect.getsource(func)
        except (OSError, TypeError):
            continue
        if "private_file_response(" in source:
            handing_out.add(_qualified(route.callback))
    assert handing_out == set(authorising_views(private)), handing_out


def test_no_url_serves_a_directory_and_private_storage_has_no_url(private):
    assert not [r.route for r in routes() if inspect.unwrap(r.callback) is static.serve]
    private_root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    public_roots = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    if settings.MEDIA_ROOT:
        public_roots.append(Path(settings.MEDIA_ROOT))
    for public in public_roots:
        public = public.resolve()
        assert not private_root.is_relative_to(public) and not public.is_relative_to(private_root), public


def test_production_keeps_private_files_outside_every_served_directory():
    """Checked on the production settings, with the directories they use by default."""
    from tests.ops.test_deploy_check import run_manage

    code = (
        "from pathlib import Path; from django.conf import settings as s; "
        "print(Path(s.PRIVATE_MEDIA_ROOT).resolve()); print(Path(s.STATIC_ROOT).resolve()); "
        "print(repr(s.MEDIA_ROOT)); "
        "print(s.STORAGES['private']['OPTIONS']['base_url'], s.STORAGES['default']['OPTIONS']['base_url'])"
    )
    result = run_manage("shell", "-c", code, env_overrides={"PRIVATE_MEDIA_X_ACCEL_PREFIX": "/_private"})
    assert result.returncode == 0, result.stderr
    private_root, static_root, media_root, base_urls = result.stdout.strip().splitlines()[-4:]
    assert not Path(private_root).is_relative_to(Path(static_root))
    assert not Path(static_root).is_relative_to(Path(private_root))
    assert media_root == "''"  # nothing is published under MEDIA_URL
    assert base_urls == "None None"


PUBLIC_GUESSES = [
    "/{name}",
    "/static/{name}",
    "/media/{name}",
    "/private/{name}",
    "/_private/{name}",
    "/var/private/{name}",
    "/static/../var/private/{name}",
    "/static/%2e%2e/%2e%2e/var/private/{name}",
    "/static/..%2f..%2fvar%2fprivate%2f{name}",
    "/cards/{name}",
    "/talent/{name}",
]


@pytest.mark.django_db
def test_no_private_file_can_be_fetched_by_a_public_path(private):
    for client in (Client(), _login(private["owner"])):
        for file in stored_files(private):
            content = file.open("rb").read()
            file.close()
            # Whatever a template would print for file.url must lead nowhere either.
            for url in [guess.format(name=file.name) for guess in PUBLIC_GUESSES] + [file.url]:
                response = client.get(url)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert response.status_code == 404, f"{url}: {response.status_code}"
                assert content not in body and "X-Accel-Redirect" not in response, url


@pytest.mark.django_db
def test_behind_nginx_the_views_answer_with_x_accel_redirect_and_no_body(private, settings):
    settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = "/_private"
    for view, (url, rightful, name) in authorising_views(private).items():
        response = _login_rightful(private, rightful).get(url)
        assert response.status_code == 200, view
        assert response["X-Accel-Redirect"] == f"/_private/{name}", view
        assert response.content == b"", view
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] in ("image/jpeg", "application/pdf", "application/zip"), view
        for intruder in (
            private["stranger"],
            factories.ReviewerFactory(district=factories.district("440111")),
        ):
            refused = _login(intruder).get(url)
            assert refused.status_code in (403, 404), f"{view} as {intruder}: {refused.status_code}"
            assert "X-Accel-Redirect" not in refused, view
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "X-Accel-Redirect" not in anonymous


@pytest.mark.django_db
def test_a_hostile_employer_name_cannot_inject_headers(private, settings):
    employer = private["right"].employer
    employer.name = '某"公司\r\nX-Evil: 1;\r\n\r\n<script>'
    employer.save()
    response = _login(private["owner"]).get(
        reverse("accounts:employer_admin_licence", args=[private["right"].public_id])
    )
    assert response.status_code == 200
    assert "X-Evil" not in response
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and '"' not in disposition.split("''", 1)[1]


# --- nginx in front of the live server -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _nginx_config(
    workdir: Path, *, port: int, upstream: str, private_root: Path, static_root: Path, user: str = "root"
) -> Path:
    """deploy/nginx/portal.conf with the addresses and directories of this machine; the workers run
    as `user` when the test runs as root."""
    server = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    replacements = {
        "server web:8000;": f"server {upstream};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "alias /app/var/private/;": f"alias {private_root}/;",
        "alias /app/var/staticfiles/;": f"alias {static_root}/;",
    }
    for old, new in replacements.items():
        assert old in server, f"deploy/nginx/portal.conf changed: {old!r} not found"
        server = server.replace(old, new)
    temp = workdir / "temp"
    temp.mkdir()
    config = workdir / "nginx.conf"
    config.write_text(
        (f"user {user};\n" if os.geteuid() == 0 else "")
        + f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\nworker_processes 1;\n"
        + "events { worker_connections 64; }\n"
        + "http {\n"
        + f"  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        + f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        + "  default_type application/octet-stream;\n"
        + server
        + "\n}\n",
        encoding="utf-8",
    )
    return config


@contextlib.contextmanager
def running_nginx(live_server, settings, *, user: str = "root"):
    """The real nginx with deploy/nginx/portal.conf in front of the live server; yields its port."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if binary is None:
        reason = "needs nginx (apt-get install nginx) to prove X-Accel-Redirect end to end"
        if STRICT:
            pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = "/_private"
    workdir = Path(tempfile.mkdtemp(prefix="portal-nginx-"))
    workdir.chmod(0o755)  # the workers (`user`) keep their temporary files below it
    port = _free_port()
    config = _nginx_config(
        workdir,
        port=port,
        upstream=live_server.url.removeprefix("http://"),
        private_root=Path(settings.PRIVATE_MEDIA_ROOT),
        static_root=Path(settings.STATIC_ROOT),
        user=user,
    )
    process = subprocess.Popen(
        [binary, "-p", str(workdir), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def nginx(live_server, settings):
    with running_nginx(live_server, settings) as port:
        yield port


def _get(port: int, path: str, *, session: str | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": "127.0.0.1"}
    if session:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.mark.django_db(transaction=True)
def test_nginx_serves_private_files_only_through_the_authorising_view(nginx, private):
    owner_session = _login(private["owner"]).cookies[settings.SESSION_COOKIE_NAME].value
    stranger_session = _login(private["stranger"]).cookies[settings.SESSION_COOKIE_NAME].value
    attachment = private["attachment"]
    content = attachment.document.file.open("rb").read()
    attachment.document.file.close()
    name = attachment.document.file.name

    # A direct request to the internal location: nginx itself says 404.
    status, _, body = _get(nginx, f"/_private/{name}")
    assert status == 404 and content not in body
    status, _, body = _get(nginx, f"/_private/{name}", session=owner_session)
    assert status == 404 and content not in body

    # The authorising view for the owner: nginx sends the file's bytes, with the view's headers.
    preview = reverse("applications:attachment_preview", args=[attachment.public_id])
    status, headers, body = _get(nginx, preview, session=owner_session)
    assert status == 200
    assert body == content
    assert headers["content-type"] == "image/jpeg"
    assert "x-accel-redirect" not in headers  # nginx consumed it
    assert "no-store" in headers["cache-control"]

    # Someone else: the view says 404 and nginx sends nothing of the file.
    status, headers, body = _get(nginx, preview, session=stranger_session)
    assert status == 404 and content not in body

    # The card PDF the same way.
    card = private["card"]
    status, headers, body = _get(
        nginx, reverse("hukou_card:download", args=[card.public_id]), session=owner_session
    )
    assert status == 200 and body == PDF and headers["content-type"] == "application/pdf"
    assert "attachment;" in headers["content-disposition"]


@pytest.mark.django_db(transaction=True)
def test_through_nginx_private_files_keep_the_views_sandbox_and_no_store(nginx, private, settings):
    """nginx answers an X-Accel-Redirect with its internal location's headers, not the view's: the
    location itself must send the sandboxing policy, nosniff and no-store, for every kind of file."""
    for view, (url, rightful, _name) in authorising_views(private).items():
        settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = ""
        direct = _login_rightful(private, rightful).get(url)  # the view streaming the file: the reference
        settings.PRIVATE_MEDIA_X_ACCEL_PREFIX = "/_private"
        session = _login_rightful(private, rightful).cookies[settings.SESSION_COOKIE_NAME].value
        status, headers, body = _get(nginx, url, session=session)
        assert status == 200 and body, view
        assert headers.get("content-security-policy") == direct["Content-Security-Policy"], view
        assert headers.get("x-content-type-options") == "nosniff", view
        assert "no-store" in headers.get("cache-control", ""), view
        assert headers.get("x-frame-options") == direct["X-Frame-Options"], view
        assert headers.get("referrer-policy") == direct["Referrer-Policy"], view
        assert headers["content-type"] == direct["Content-Type"], view
        assert headers["content-disposition"] == direct["Content-Disposition"], view
        if hasattr(direct, "file_to_stream"):
            direct.close()


@pytest.mark.django_db(transaction=True)
def test_through_nginx_a_body_over_the_limit_is_explained_in_chinese(live_server, settings, tmp_path):
    """nginx refuses a body over client_max_body_size itself; its error_page is the portal's static
    page, so the user reads the limit and what to do, as Django's own 413 page says."""
    page = ROOT / "static" / "portal" / "errors" / "request-too-large.html"
    static_root = tmp_path / "staticfiles"
    (static_root / "portal" / "errors").mkdir(parents=True)
    shutil.copy(page, static_root / "portal" / "errors" / page.name)
    settings.STATIC_ROOT = str(static_root)
    with running_nginx(live_server, settings) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("POST", "/talent/")  # http.client sends the Host header itself
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(3 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
    assert response.status == 413
    assert "提交的内容过大" in body and "单个附件不超过500KB" in body
