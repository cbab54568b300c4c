"""Slow clients against gunicorn reached directly, as deploy/gunicorn.conf.py serves the web
container: a handful of connections that send nothing, or half a request, or trickle their headers
byte by byte, must not keep /healthz from answering, and the server must drop them on its own.

nginx shields the compose stack, but the web container is reachable on its own port (a scaled
deployment, a misrouted load balancer), so it must not be stallable by itself. The server is the
real gunicorn with the real config, one worker process (the harshest case), on a free loopback port.
"""

import http.client
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENTS = 12
HEADER_TIMEOUT = 2  # seconds, set through GUNICORN_HEADER_TIMEOUT so the test is quick
KEEPALIVE = 2  # GUNICORN_KEEPALIVE, likewise
PROMPT = 2.0  # /healthz answers within this while the slow clients hold their connections


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthz(port: int, *, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


@pytest.fixture(scope="module")
def gunicorn():
    """gunicorn with deploy/gunicorn.conf.py and a minimal environment (a throwaway SQLite file for
    the health check's SELECT 1, tasks in-process)."""
    binary = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    assert binary, "gunicorn is a runtime dependency (pyproject.toml)"
    workdir = Path(tempfile.mkdtemp(prefix="portal-gunicorn-"))
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_", "REDIS_", "CELERY_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
            "GUNICORN_KEEPALIVE": str(KEEPALIVE),
            "GUNICORN_ACCESSLOG": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    log = (workdir / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [binary, "config.wsgi:application", "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (workdir / "gunicorn.log").read_text(errors="replace")
            try:
                if _healthz(port, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 30 s"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _closed_by_server(sock: socket.socket, *, within: float, trickle: bytes = b"") -> bool:
    """Wait until the server closes `sock` (EOF or reset), sending one byte of `trickle` whenever the
    socket has been quiet for 0.3 s, the way a slowloris keeps a header alive. False at the deadline."""
    deadline = time.monotonic() + within
    pending = iter(trickle)
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], min(0.3, max(deadline - time.monotonic(), 0)))
        try:
            if readable:
                if sock.recv(4096) == b"":
                    return True
                continue
            byte = next(pending, None)
            if byte is not None:
                sock.send(bytes([byte]))
        except (ConnectionResetError, BrokenPipeError):
            return True
    return False


def _slow_clients(port: int) -> list[socket.socket]:
    """Connections that send nothing, half a request line, or all but the end of the headers, and one
    that finished a request on a kept-alive connection and sends half of the next."""
    partial = [
        b"",
        b"GET /healthz HT",
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\nX-Slow: aaaa",
    ]
    sockets = []
    for n in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if partial[n % len(partial)]:
            sock.sendall(partial[n % len(partial)])
        sockets.append(sock)
    return sockets


def test_slow_clients_do_not_stall_the_health_check(gunicorn):
    idle_status, idle_time = _healthz(gunicorn, timeout=PROMPT)
    assert idle_status == 200
    sockets = _slow_clients(gunicorn)
    try:
        try:
            status, elapsed = _healthz(gunicorn, timeout=PROMPT)
        except TimeoutError:
            pytest.fail(
                f"/healthz did not answer within {PROMPT} s while {SLOW_CLIENTS} slow clients held connections"
            )
        assert status == 200
        print(
            f"/healthz: {idle_time * 1000:.0f} ms idle, {elapsed * 1000:.0f} ms beside {SLOW_CLIENTS} slow clients"
        )
    finally:
        for sock in sockets:
            sock.close()


def test_a_header_trickled_byte_by_byte_is_cut_off_at_the_header_deadline(gunicorn):
    """A per-read timeout would never fire on a byte every 0.3 s; the deadline is for the whole header."""
    sock = socket.create_connection(("127.0.0.1", gunicorn), timeout=5)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        started = time.monotonic()
        closed = _closed_by_server(sock, within=HEADER_TIMEOUT + 3, trickle=b"X-Slow: " + b"a" * 200)
        assert closed, f"a trickled header kept its connection past {HEADER_TIMEOUT + 3} s"
        assert time.monotonic() - started >= HEADER_TIMEOUT - 1.1  # not cut off before its time
    finally:
        sock.close()


def _one_request(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection before answering"
        answer += chunk
    return answer


def test_a_kept_alive_connection_is_closed_when_idle_or_half_sent(gunicorn):
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as idle:
        assert _one_request(idle).startswith(b"HTTP/1.1 200")
        assert _closed_by_server(idle, within=KEEPALIVE + 3), "an idle kept-alive connection stayed open"
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as half:
        assert _one_request(half).startswith(b"HTTP/1.1 200")
        # Half of a second request, then silence: the header deadline applies here too.
        half.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        assert _closed_by_server(half, within=HEADER_TIMEOUT + 3), "a half-sent second request held on"


def _responses(sock: socket.socket, count: int, *, within: float = 5) -> list[bytes]:
    """Read until `count` status lines (1xx included) have arrived or the server closes."""
    data = b""
    deadline = time.monotonic() + within
    while data.count(b"HTTP/1.1 ") < count and time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], max(deadline - time.monotonic(), 0))
        if readable:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return [b"HTTP/1.1 " + part.split(b"\r\n", 1)[0] for part in data.split(b"HTTP/1.1 ")[1:]]


def test_bodies_sent_in_pieces_and_pipelined_requests_are_served_in_order(gunicorn):
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as sock:
        sock.sendall(b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 11\r\n\r\nhello")
        sock.sendall(b" world" + b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        # The POST reaches Django whole (its answer is the CSRF refusal), the GET right after it.
        assert _responses(sock, 2) == [b"HTTP/1.1 403 Forbidden", b"HTTP/1.1 200 OK"]


def test_a_client_expecting_100_continue_is_told_to_send_its_body(gunicorn):
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as sock:
        sock.sendall(
            b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        assert _responses(sock, 1) == [b"HTTP/1.1 100 Continue"]
        sock.sendall(b"body")
        assert _responses(sock, 1) == [b"HTTP/1.1 403 Forbidden"]  # Django's answer; no second 100


def test_a_body_over_the_2_mb_limit_is_refused_before_it_is_read(gunicorn):
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as sock:
        sock.sendall(b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2097153\r\n\r\n")
        assert _responses(sock, 1) == [b"HTTP/1.1 413 Content Too Large"]


def test_the_refusal_of_a_large_body_explains_itself_in_chinese(gunicorn):
    with socket.create_connection(("127.0.0.1", gunicorn), timeout=5) as sock:
        sock.sendall(b"POST /talent/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3000000\r\n\r\n")
        data = b""
        sock.settimeout(5)
        while chunk := sock.recv(65536):  # the worker closes the connection after its answer
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"Content-Type: text/html; charset=utf-8" in head
    assert f"Content-Length: {len(body)}".encode() in head
    assert "单个附件不超过500KB" in body.decode()
