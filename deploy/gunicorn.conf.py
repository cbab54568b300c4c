"""gunicorn settings for the web container (and the benchmark, which serves the same way)."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from core.gunicorn_worker import BufferingThreadWorker
from core.logging import RedactSecretsFilter

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))


# Threads that only ever get a request that has fully arrived: the event loop reads heads and bodies,
# so slow clients cost a socket, not a worker (a sync worker is held by one client sending half a
# header; stock gthread by `threads` of them). See core/gunicorn_worker.py.
class PortalWorker(BufferingThreadWorker):
    header_timeout = float(os.environ.get("GUNICORN_HEADER_TIMEOUT", "10"))  # the whole head, not per read
    body_timeout = float(os.environ.get("GUNICORN_BODY_TIMEOUT", "30"))
    max_body = 2 * 1024 * 1024  # as nginx's client_max_body_size and DATA_UPLOAD_MAX_MEMORY_SIZE


worker_class = PortalWorker
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # also: a thread's socket gives up after this silence
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log (benchmarks)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'


# The request line of a click on an e-mailed password-reset link holds the token: neither the access
# log nor the error log prints it (the same filter as Django's log handler).
class PortalLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactSecretsFilter) for f in log.filters):
                log.addFilter(RedactSecretsFilter())


logger_class = PortalLogger
# X-Forwarded-Proto and friends only from the proxies Django trusts with X-Forwarded-For
# (TRUSTED_PROXIES, core.client_ip); "*" would let anyone reaching this port directly claim them.
forwarded_allow_ips = ",".join(
    part.strip() for part in os.environ.get("TRUSTED_PROXIES", "").split(",") if part.strip()
)


def on_starting(server):
    """gunicorn runs no Django system checks of its own: run them in the master, once, before any
    worker forks, so production on a development stand-in stops here with the check's message
    (core/checks.py) instead of serving."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from core.checks import refuse_to_start_on_errors

    refuse_to_start_on_errors("gunicorn")
