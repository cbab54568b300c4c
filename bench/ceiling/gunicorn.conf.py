"""gunicorn for the ceiling: the portal's worker class and counts (deploy/gunicorn.conf.py), nothing else."""

import os

from core.gunicorn_worker import BufferingThreadWorker

bind = os.environ["GUNICORN_BIND"]
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))


class CeilingWorker(BufferingThreadWorker):
    header_timeout = 10.0
    body_timeout = 30.0
    max_body = 2 * 1024 * 1024


worker_class = CeilingWorker
timeout = 30
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = 2000
max_requests_jitter = 200
accesslog = None
