"""gunicorn's threaded worker, except that a thread only ever gets a request that has fully arrived.

Stock gthread hands each connection to a thread, which then blocks reading the request line,
headers and body for as long as the client takes: a few clients sending half a header hold every
thread and /healthz waits behind them (the sync worker is worse: one such client holds a whole
process). Here the worker's event loop, which already watches kept-alive connections, also reads
each request's head and (Content-Length) body without blocking, the way nginx buffers requests, and
submits the connection to a thread only when the request is complete. A slow client then costs a
socket and its bytes, never a thread, and these bound it:

- the head (request line and headers) must arrive within `header_timeout` seconds, counted for the
  whole head, so trickling a byte at a time does not extend it;
- the body within `body_timeout` seconds after the head, and no larger than `max_body` bytes
  (413 above it, as nginx's client_max_body_size answers);
- requests being read hold at most `max_buffered` bytes per process (declared bodies count in
  full); past that a new request is refused with 503 instead of memory running out;
- a thread's writes (and any read the buffering could not foresee) give up after gunicorn's
  `timeout` seconds of silence, so a client that stops reading its response cannot pin a thread.

Idle kept-alive connections are closed after gunicorn's `keepalive` seconds, as in gthread.
Chunked bodies are handed over after the head: Django reads no body without Content-Length, and
gunicorn drains an unread body for at most 5 s. Plain HTTP only (TLS ends in front, in nginx or the
load balancer). deploy/gunicorn.conf.py sets the numbers.
"""

import errno
import selectors
import time
from functools import partial
from pathlib import Path

from gunicorn.workers.gthread import TConn, ThreadWorker

END_OF_HEAD = b"\r\n\r\n"
# The page nginx shows for the same refusal (deploy/nginx/portal.conf's error_page 413), so a user
# who reaches gunicorn directly reads why in Chinese too.
TOO_LARGE_PAGE = (
    Path(__file__).resolve().parent.parent / "static" / "portal" / "errors" / "request-too-large.html"
).read_bytes()
DEFAULT_MAX_REQUEST_LINE = 8190  # gunicorn's ceiling when limit_request_line is 0


class _Arriving:
    """What the event loop has read so far of the next request on a connection."""

    __slots__ = ("data", "head_end", "body_length", "deadline", "reserved")

    def __init__(self, data: bytes, deadline: float):
        self.data = bytearray(data)
        self.head_end = -1  # index just past END_OF_HEAD once the head is in
        self.body_length = 0
        self.deadline = deadline
        self.reserved = 0  # bytes counted against the worker's max_buffered


class BufferedConn(TConn):
    """A connection whose next request may already sit in memory, read by the event loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arriving: _Arriving | None = None
        self.buffered = b""

    def init(self):
        super().init()
        # In the thread, on a blocking socket: bound every further read and write by silence.
        self.sock.settimeout(self.cfg.timeout or None)
        if self.buffered:
            self.parser.unreader.unread(self.buffered)
            self.buffered = b""


class BufferingThreadWorker(ThreadWorker):
    header_timeout = 10.0
    body_timeout = 30.0
    max_body = 2 * 1024 * 1024
    max_buffered = 64 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arriving: set[BufferedConn] = set()
        self.reserved = 0
        line = self.cfg.limit_request_line if self.cfg.limit_request_line > 0 else DEFAULT_MAX_REQUEST_LINE
        self.max_head = line + self.cfg.limit_request_fields * (self.cfg.limit_request_field_size + 2) + 4

    @classmethod
    def check_config(cls, cfg, log):
        super().check_config(cfg, log)
        if cfg.is_ssl or "h2" in cfg.http_protocols:
            # The event loop reads raw bytes: TLS records or an HTTP/2 preface are not HTTP/1 heads.
            raise RuntimeError("BufferingThreadWorker serves plain HTTP/1.1 only; end TLS in front of it.")

    # --- every way in: a new connection, a kept-alive one turning readable, a pipelined request ----

    def accept(self, listener):
        try:
            sock, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self.enqueue_req(BufferedConn(self.cfg, sock, address, listener.getsockname()))

    def enqueue_req(self, conn: BufferedConn) -> None:
        """gthread calls this on the event loop whenever a connection may carry a request; the
        request is read here, and goes to a thread (ThreadWorker.enqueue_req) once complete."""
        # Bytes the parser read ahead after the last response (a pipelined request) count as read.
        ahead = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        conn.arriving = _Arriving(ahead, time.monotonic() + self.header_timeout)
        conn.sock.setblocking(False)
        self.arriving.add(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))
        if ahead:
            self._advance(conn)
        else:
            # A kept-alive connection comes here because it turned readable: read now rather than
            # after another round of the poller.
            self._on_readable(conn, conn.sock)

    # --- reading on the event loop ----------------------------------------------------------------

    def _on_readable(self, conn: BufferedConn, _sock) -> None:
        if conn not in self.arriving:  # dropped earlier in the same round of events
            return
        try:
            chunk = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(conn)
            return
        conn.arriving.data += chunk
        self._advance(conn)

    def _advance(self, conn: BufferedConn) -> None:
        arriving = conn.arriving
        if arriving.head_end < 0:
            end = arriving.data.find(END_OF_HEAD)
            if end < 0:
                if len(arriving.data) > self.max_head:
                    self._refuse(conn, b"431 Request Header Fields Too Large")
                else:
                    self._reserve(conn, len(arriving.data))  # refuses the request past max_buffered
                return
            arriving.head_end = end + len(END_OF_HEAD)
            head = bytes(arriving.data[: arriving.head_end])
            body_length = self._body_length(head)
            if body_length is None:  # chunked or malformed: gunicorn's own parser decides, unbuffered
                self._hand_over(conn)
                return
            if body_length > self.max_body:
                self._refuse(conn, b"413 Content Too Large", body=TOO_LARGE_PAGE)
                return
            if not self._reserve(conn, arriving.head_end + body_length):
                return
            arriving.body_length = body_length
            arriving.deadline = time.monotonic() + self.body_timeout
            if body_length and len(arriving.data) == arriving.head_end and self._expects_continue(head):
                self._send_quietly(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
                # Answered here, so the thread's parser must not send a second 100 Continue.
                head = self._without_expect(head)
                arriving.data = bytearray(head)
                arriving.head_end = len(head)
        if len(arriving.data) >= arriving.head_end + arriving.body_length:
            self._hand_over(conn)

    def _reserve(self, conn: BufferedConn, size: int) -> bool:
        """Count `size` bytes for this request against max_buffered; refuse it (503) past that."""
        arriving = conn.arriving
        grow = max(size - arriving.reserved, 0)
        if self.reserved + grow > self.max_buffered:
            self._refuse(conn, b"503 Service Unavailable", b"Retry-After: 5\r\n")
            return False
        arriving.reserved += grow
        self.reserved += grow
        return True

    @staticmethod
    def _header_values(head: bytes, name: bytes) -> list[bytes]:
        values = []
        for line in head.split(b"\r\n")[1:]:
            field, colon, value = line.partition(b":")
            if colon and field.strip().lower() == name:
                values.append(value.strip())
        return values

    def _body_length(self, head: bytes) -> int | None:
        if self._header_values(head, b"transfer-encoding"):
            return None
        lengths = self._header_values(head, b"content-length")
        if not lengths:
            return 0
        if len(lengths) > 1 or not lengths[0].isdigit():
            return None
        return int(lengths[0])

    def _expects_continue(self, head: bytes) -> bool:
        return any(value.lower() == b"100-continue" for value in self._header_values(head, b"expect"))

    @staticmethod
    def _without_expect(head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        kept = [lines[0]] + [
            line for line in lines[1:] if line.partition(b":")[0].strip().lower() != b"expect"
        ]
        return b"\r\n".join(kept)

    # --- leaving the event loop -------------------------------------------------------------------

    def _stop_reading(self, conn: BufferedConn) -> None:
        self.arriving.discard(conn)
        self.reserved -= conn.arriving.reserved
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass  # already gone from the poller

    def _hand_over(self, conn: BufferedConn) -> None:
        self._stop_reading(conn)
        conn.buffered = bytes(conn.arriving.data)
        conn.arriving = None
        conn.data_ready = True  # gthread's own wait for a first byte is not needed
        super().enqueue_req(conn)

    def _drop(self, conn: BufferedConn) -> None:
        self._stop_reading(conn)
        conn.arriving = None
        self.nr_conns -= 1
        conn.close()

    def _send_quietly(self, conn: BufferedConn, data: bytes) -> None:
        try:
            conn.sock.send(data)
        except OSError:
            pass  # the client is gone or not reading; it is dropped either way

    def _refuse(self, conn: BufferedConn, status: bytes, extra: bytes = b"", *, body: bytes = b"") -> None:
        if body:
            extra += b"Content-Type: text/html; charset=utf-8\r\n"
        head = b"HTTP/1.1 " + status + b"\r\nConnection: close\r\nContent-Length: " + str(len(body)).encode()
        self._send_quietly(conn, head + b"\r\n" + extra + b"\r\n" + body)
        self._drop(conn)

    def murder_pending(self):
        """gthread's loop calls this about once a second, and while stopping: drop every
        connection whose request did not arrive in time."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [conn for conn in self.arriving if conn.arriving.deadline <= now]:
            self._drop(conn)
