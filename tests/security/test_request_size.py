"""A request body over the limit (2 MB: one attachment is at most 500 KB) is refused with 413 and a
Chinese page before Django reads or parses it, with Content-Length or without (chunked).

Probed with raw sockets the way an attacker sends it: the body is declared (or streamed) and only
partly sent, so a server that waited for all of it would never answer.
"""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from applications.models import Attachment, LibraryDocument
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
BOUNDARY = "----portal-probe-7d1f"


def multipart(fields: dict[str, str], *, file_name: str, content: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def request_head(method: str, path: str, host: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], str]:
    response = http.client.HTTPResponse(sock)
    response.begin()  # raises socket.timeout if nothing comes back
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body.decode()


def logged_in(user) -> tuple[str, str]:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    csrf_secret = secrets.token_hex(16)  # 32 characters, what Django keeps in the cookie
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf_secret}", csrf_secret


def upload(live_server, application, *, content: bytes, send: int | None = None):
    """POST one attachment as a browser would; send only the first `send` bytes of the body."""
    cookies, csrf = logged_in(application.applicant)
    host = live_server.url.removeprefix("http://")
    path = reverse("applications:attachment_upload", args=[application.public_id])
    back = live_server.url + reverse("applications:step", args=[application.public_id, "attachments"])
    body = multipart({"kind": "id_card"}, file_name="scan.jpg", content=content)
    head = request_head(
        "POST",
        path,
        host,
        {
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(len(body)),
            "Cookie": cookies,
            "X-CSRFToken": csrf,
            "Referer": back,
        },
    )
    with socket.create_connection(("127.0.0.1", live_server.thread.port), timeout=30) as sock:
        sock.sendall(head + body[: len(body) if send is None else send])
        return (*read_response(sock), back)


def test_an_attachment_of_ordinary_size_goes_through_the_same_way(live_server):
    application = factories.ApplicationFactory()
    status, headers, _page, _back = upload(live_server, application, content=factories.jpeg_bytes(400, 300))
    assert status == 302, headers
    assert Attachment.objects.filter(application=application).count() == 1


def test_a_ten_megabyte_upload_is_refused_before_django_reads_it(live_server):
    application = factories.ApplicationFactory()
    content = factories.jpeg_bytes(400, 300) + b"\0" * (10 * MB)
    # 64 KB of the 10 MB sent: an answer can only come if nobody waits for the rest.
    status, headers, page, back = upload(live_server, application, content=content, send=64 * 1024)
    assert status == 413
    assert headers["content-type"].startswith("text/html")
    assert "提交的内容过大" in page
    assert "单个附件不超过500KB" in page and "2MB" in page
    assert f'href="{back}"' in page and "返回上一页" in page
    # The view never ran: nothing stored, in the application or the 证件库.
    assert Attachment.objects.filter(application=application).count() == 0
    assert LibraryDocument.objects.filter(owner=application.applicant).count() == 0


def test_the_refusal_offers_the_home_page_when_the_referer_is_another_site(live_server):
    host = live_server.url.removeprefix("http://")
    head = request_head(
        "POST",
        "/accounts/login/",
        host,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(5 * MB),
            "Referer": "https://evil.example/phish",
        },
    )
    with socket.create_connection(("127.0.0.1", live_server.thread.port), timeout=30) as sock:
        sock.sendall(head + b"username=a&password=" + b"x" * 1000)
        status, _headers, page = read_response(sock)
    assert status == 413
    assert "evil.example" not in page and "返回上一页" not in page
    assert 'href="/">返回首页' in page


# --- Without Content-Length: a chunked body, through gunicorn (which decodes chunked bodies) ------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_port():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    log = tempfile.NamedTemporaryFile(prefix="portal-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn did not start: {Path(log.name).read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not listen within 60 s: {Path(log.name).read_text()}")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        os.unlink(log.name)


def chunked(data: bytes, size: int = 64 * 1024):
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def test_a_chunked_body_over_the_limit_is_refused_without_waiting_for_its_end(gunicorn_port):
    head = request_head(
        "POST",
        "/accounts/login/",
        f"127.0.0.1:{gunicorn_port}",
        {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"},
    )
    body = b"username=a&password=" + b"x" * (10 * MB)
    with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=30) as sock:
        sock.sendall(head)

        def send():  # never the terminating chunk: the answer must come while the body still flows
            try:
                for piece in chunked(body):
                    sock.sendall(piece)
            except OSError:
                pass  # the server answered and closed; what is left is never read

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        status, _headers, page = read_response(sock)
        with contextlib.suppress(OSError):  # gunicorn may have closed its side already
            sock.shutdown(socket.SHUT_RDWR)  # ends the sender
        sender.join(timeout=30)
    assert status == 413
    assert "提交的内容过大" in page and "单个附件不超过500KB" in page


def test_a_chunked_body_within_the_limit_reaches_django(gunicorn_port):
    """A small chunked POST is read like any other: its CSRF token counts (it was parsed)."""
    secret = secrets.token_hex(16)
    body = f"csrfmiddlewaretoken={secret}".encode()
    head = request_head(
        "POST",
        reverse("portal:keepalive"),
        f"127.0.0.1:{gunicorn_port}",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Transfer-Encoding": "chunked",
            "Cookie": f"csrftoken={secret}",
        },
    )
    with socket.create_connection(("127.0.0.1", gunicorn_port), timeout=30) as sock:
        sock.sendall(head + b"".join(chunked(body)) + b"0\r\n\r\n")
        status, headers, _page = read_response(sock)
    # Past the CSRF check (the token came from the body) to the login the keepalive asks for.
    assert status == 302 and "/accounts/login/" in headers["location"], (status, headers)
