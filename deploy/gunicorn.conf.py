"""gunicorn settings for the web container (and the benchmark, which serves the same way)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "sync" if threads == 1 else "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None  # empty: no access log (benchmarks)
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'
# X-Forwarded-Proto and friends only from the proxies Django trusts with X-Forwarded-For
# (TRUSTED_PROXIES, portal.client_ip); "*" would let anyone reaching this port directly claim them.
forwarded_allow_ips = ",".join(
    part.strip() for part in os.environ.get("TRUSTED_PROXIES", "").split(",") if part.strip()
)
