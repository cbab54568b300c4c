"""Settings for the 广州市人事电子政务系统 portal, read from the environment (12-factor).

With nothing set the portal runs on a local SQLite file, executes Celery tasks in-process,
prints e-mail to the console and serves with DEBUG on, so `make run` works on a bare machine.
Production sets DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL (and REDIS_URL
for the cache, another Redis) and ALLOWED_HOSTS; see README.md and docs/operations.md.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
# What the environment asked for: production unless DJANGO_DEBUG is on. The test runner switches
# DEBUG off while tests run, so the start-up checks (core/checks.py, hukou_card/checks.py), /healthz
# and load_demo, which must tell production from development, read this instead of DEBUG.
PRODUCTION = not DEBUG
# A demonstration stack (docker compose --profile demo) may load the demo accounts with DEBUG off;
# /healthz then says "degraded" for as long as they exist.
PORTAL_DEMO = env_bool("PORTAL_DEMO", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-4f1c9a7e2b"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# bench/http_pages.py serves a bare page on the base layout as the throughput ceiling; off otherwise.
BENCH_CEILING = env_bool("BENCH_CEILING", False)
# The address printed into cards' QR codes and e-mails (the public verification page lives there).
# Production must name it: left at the development default, start-up stops (core.checks).
SITE_URL_DEVELOPMENT_DEFAULT = "http://127.0.0.1:8000"
SITE_URL = os.environ.get("SITE_URL", SITE_URL_DEVELOPMENT_DEFAULT).strip().rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "captcha",
    "axes",
    "core",
    "audit",
    "reference",
    "portal",
    "accounts",
    "applications",
    "quota",
    "review",
    "hukou_card",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Outside the session, CSRF and messages middleware: it must see the cookies they set.
    "core.cache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.security.ContentSecurityPolicyMiddleware",
    # A database outage, wherever raised (a view, the session, the user), answers 503 系统繁忙 with
    # the POSTed fields kept; outside the session, CSRF and authentication middleware for that.
    "core.middleware.DatabaseUnavailableMiddleware",
    # Before anything reads the body (CSRF, forms): an oversized one is refused unread.
    "core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.ChineseOnlyPagesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.security.PrivatePagesNotStoredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's refusal that no view showed beside a field: one 409 page (core.errors).
    "core.middleware.RefusedMiddleware",
    # Inside RefusedMiddleware: a refused view (409) has shown nothing and writes no access row.
    "audit.access_log.PersonalDataAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes must come last (PITFALLS.md).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]
# Django's form renderer, with the plain <input> widgets printed in Python (core/forms_renderer.py).
FORM_RENDERER = "core.forms_renderer.FormRenderer"

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Several threads (runserver, in-process tasks) write; wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# An optional streaming replica, read only by the anonymous public pages (网上公示, card
# verification) that ask for it with core.replica.reads_from_replica; all else reads the primary.
# In tests it mirrors the primary's test database (same name, on the replica's server).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    if not DATABASES["replica"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a PostgreSQL streaming replica of DATABASE_URL.")
    # A replica that is down must not hold a public page for long: it falls back to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# PgBouncer (or another pooler) in transaction mode in front of PostgreSQL: consecutive
# transactions of one Django connection may run on different server connections, so a cursor
# declared in one (QuerySet.iterator()'s server-side cursor) is gone in the next. Django's
# persistent connections then go to the pooler, which is cheap; keep DB_CONN_MAX_AGE as it is.
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in {"", "none", "pgbouncer"}:
    raise ImproperlyConfigured(f"DATABASE_POOLER: {DATABASE_POOLER!r} is not one of none, pgbouncer.")
if DATABASE_POOLER == "pgbouncer":
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
# psycopg 3 binding the values on the server: a statement's text is then the same whatever its
# values, and psycopg prepares it on its connection after five runs, so PostgreSQL plans it once
# rather than on every request. The console's application read cost 2-5 ms of planning for 0.2 ms
# of execution on the million rows (docs/performance.md). PgBouncer in transaction mode (1.18 here)
# cannot keep one session's prepared statements across transactions: neither is used through it.
# An operator who meets a generic plan worse than the per-value one sets PostgreSQL's
# plan_cache_mode = force_custom_plan for the role; the planning saved is then lost, nothing else.
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("postgresql") and DATABASE_POOLER != "pgbouncer":
        _database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.CertificateBackend",  # CA登录: after axes, so the lockout applies to it too
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.PortalPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: lock the username (from any address) and the address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True  # the account that logged in only (accounts.lockout.AccountResetHandler)
AXES_HANDLER = "accounts.lockout.AccountResetHandler"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# The Django admin's URL prefix, so production can move it off the /admin/ every scanner tries.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip().strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("DJANGO_ADMIN_URL must not be empty: the portal's own pages live at /.")
# Networks of the proxies in front of gunicorn (nginx, a TLS terminator), as CIDRs. X-Forwarded-For
# is believed only from a peer inside them (core.client_ip); empty: the peer is the client.
# deploy/gunicorn.conf.py reads the same variable for forwarded_allow_ips.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _cidr in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr)  # strict, as gunicorn checks it: 172.18.0.0/16, not 172.18.0.5/16
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_cidr!r} is not a network ({_error}).") from None
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# CA登录: the address of nginx's certificate-login server (deploy/nginx/portal.conf, docs/operations.md
# "CA登录"), e.g. https://rsj.example.gov.cn:8443. Empty: no CA is connected, and the login page says
# so. nginx verifies the certificate and passes its verdict in headers that are believed only from
# TRUSTED_PROXIES (core.client_certificate), so without trusted proxies no certificate could ever count.
CA_LOGIN_URL = os.environ.get("CA_LOGIN_URL", "").strip().rstrip("/")
if CA_LOGIN_URL:
    _ca_origin = urlsplit(CA_LOGIN_URL)
    if _ca_origin.scheme != "https" or not _ca_origin.netloc or _ca_origin.path:
        raise ImproperlyConfigured(
            f"CA_LOGIN_URL: {CA_LOGIN_URL!r} must be the https:// address (scheme, host, port) of nginx's "
            "certificate-login server, with no path: the certificate is asked for in the TLS handshake."
        )
    if not TRUSTED_PROXIES:
        raise ImproperlyConfigured(
            "CA_LOGIN_URL is set but TRUSTED_PROXIES is empty: the certificate headers are believed only "
            "from the proxy that verified the certificate, so list nginx's network in TRUSTED_PROXIES."
        )
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_VERBOSE = False

# Sessions: a quiet half hour logs the user out; activity renews it. Pages warn two minutes before
# (static/portal/portal.js), and wizard drafts are saved per step. Renewal is a write, so
# core.middleware.SessionRefreshMiddleware does it at most once per SESSION_REFRESH_INTERVAL
# instead of on every request (SESSION_SAVE_EVERY_REQUEST would write the row on each page).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = int(os.environ.get("SESSION_REFRESH_INTERVAL", "60"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# English for foreign talent (外国人永久居留身份证 holders, 港澳台 applicants): every applicant-facing
# and public page, message and e-mail. The console and the police desk stay Chinese
# (core.middleware.ChineseOnlyPagesMiddleware); the card and the 申报表 are official documents in
# Chinese whatever the language. Source strings are the Chinese text; locale/en holds the English.
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The 中文 / English switch (portal.views.switch_language) remembers the choice for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
CHINESE_ONLY_PATH_PREFIXES = ("/console/", "/cards/police/", "/" + ADMIN_URL)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static, media and private files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Reference data (districts, talent categories, the subsystem catalogue, content pages): loaded by
# the data migrations through reference.fixtures; `manage.py loaddata districts` finds them here too.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# Private files (attachments, card PDFs, business licences) have no public URL at all; only
# authorising views hand them out (core.private_files).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
# Behind nginx, views answer with X-Accel-Redirect to this internal location instead of
# streaming the file through Python.
PRIVATE_MEDIA_X_ACCEL_PREFIX = os.environ.get("PRIVATE_MEDIA_X_ACCEL_PREFIX", "")
# With PRIVATE_STORAGE_BUCKET set, every private file lives in that S3-compatible bucket
# (django-storages), so any number of web and worker hosts share them and none keeps one on its
# disk; unset, the local folder above (the embedded default). Keys may be left out where the host
# has a role of its own (an instance profile, a Kubernetes service account): boto3 then finds them.
PRIVATE_STORAGE_BUCKET = os.environ.get("PRIVATE_STORAGE_BUCKET", "").strip()
if PRIVATE_STORAGE_BUCKET:
    _endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None
    _private_storage = {
        "BACKEND": "core.storage_bucket.PrivateBucketStorage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_BUCKET,
            "endpoint_url": _endpoint,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # MinIO and other self-hosted servers answer on one host name, not one per bucket.
            "addressing_style": "path" if _endpoint else None,
        },
    }
else:
    _private_storage = {
        "BACKEND": "core.storage.PrivateFileStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _private_storage,
    "private": _private_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
# Attachments are ≤500 KB (seed); leave room for the multipart envelope, refuse bigger bodies early.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The whole body, files included (DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out): above it the
# request is answered 413 unread (core.middleware.RequestBodyLimitMiddleware).
REQUEST_BODY_MAX_SIZE = 2 * 1024 * 1024  # nginx: client_max_body_size 2m
# Every body the portal reads is at most REQUEST_BODY_MAX_SIZE, so an uploaded file never needs a
# temporary file on disk: it stays in memory until its checks pass and it is stored.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_SIZE
if PRIVATE_STORAGE_BUCKET:
    # Bucket mode promises no private byte on a host's disk: without the temporary-file handler
    # there is no path by which an upload could reach one.
    FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
# Owner writes, the shared group reads (nginx's workers: PRIVATE_MEDIA_GROUP), nobody else.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# The group that the web and worker users and nginx's workers share (docker-compose: portal-files);
# private files and their directories are given it (core.storage). Empty: the writer's own group.
PRIVATE_MEDIA_GROUP = os.environ.get("PRIVATE_MEDIA_GROUP", "").strip()
if PRIVATE_MEDIA_GROUP:
    import grp

    try:
        _gid = (
            int(PRIVATE_MEDIA_GROUP)
            if PRIVATE_MEDIA_GROUP.isdigit()
            else grp.getgrnam(PRIVATE_MEDIA_GROUP).gr_gid
        )
    except KeyError:
        raise ImproperlyConfigured(
            f"PRIVATE_MEDIA_GROUP: there is no group {PRIVATE_MEDIA_GROUP!r}."
        ) from None
    if os.geteuid() != 0 and _gid not in (os.getegid(), *os.getgroups()):
        raise ImproperlyConfigured(
            f"PRIVATE_MEDIA_GROUP: this user is not a member of {PRIVATE_MEDIA_GROUP!r}, so it cannot give "
            "private files to that group and nginx would answer 403."
        )

# --- Cache --------------------------------------------------------------------------------
# REDIS_URL is the cache only: a Redis allowed to forget (docker-compose's redis-cache: maxmemory,
# allkeys-lru), since every unique URL of a cached anonymous page adds an entry. Nothing in it is
# the only copy. The task queue is CELERY_BROKER_URL, a Redis that never evicts.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.redis_cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            # redis-py 8 defaults to 5 s socket timeouts; a cache must fail fast, not hang a request.
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered personal fragments (core.fragments), keyed by a digest of what they show: per process
# whatever REDIS_URL says, so a personal record never enters the shared cache and a release's new
# processes never serve an older template. At most ~300 × 30 KB per process, least recently used out.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 300, "CULL_FREQUENCY": 4},
}
# A dead Redis answers as misses (core.redis_cache): after a failed call the cache is left alone for
# CACHE_BREAKER_SECONDS, so pages do not pay the connect timeout on every call, then tried again;
# the outage is logged once per CACHE_ERROR_LOG_SECONDS.
CACHE_BREAKER_SECONDS = float(os.environ.get("CACHE_BREAKER_SECONDS", "5"))
CACHE_ERROR_LOG_SECONDS = float(os.environ.get("CACHE_ERROR_LOG_SECONDS", "60"))
# With a shared cache, sessions are read from Redis and written through to the database. A
# per-process memory cache must not hold sessions: another worker's logout would not reach it.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)

# --- Celery -------------------------------------------------------------------------------
# A development machine may queue in its one Redis; production names the broker, so queued tasks
# never sit in a cache that evicts.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL if DEBUG else "")
if REDIS_URL and not CELERY_BROKER_URL and not DEBUG:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL must be set: REDIS_URL is the cache, which may evict, and must not hold the task queue."
    )
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
# No broker configured: run tasks in-process so the portal works on a bare machine. Production
# refuses that outright (core.checks): a card rendered inside a web request is a stand-in.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A card is re-rendered if its worker dies; the broker must give it back after this many seconds.
# socket_connect_timeout: a broker host that does not answer (not merely refusing) fails a publish
# in seconds, so the outbox keeps the job and the request goes on (core/outbox.py).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 3}
CELERY_BEAT_SCHEDULE = {
    "auto-accept-overdue-applications": {
        "task": "review.tasks.auto_accept_overdue",
        "schedule": crontab(minute=10, hour="*/1"),
    },
    "close-ended-notices": {
        "task": "review.tasks.close_ended_notices",
        "schedule": crontab(minute=5, hour=0),
    },
    "expire-unused-cards": {
        "task": "hukou_card.tasks.expire_unused_cards",
        "schedule": crontab(minute=15, hour=0),
    },
    # The 统计分析 page reads counts at most this old (review.statistics_sql).
    "refresh-statistics": {
        "task": "review.tasks.refresh_statistics",
        "schedule": crontab(minute="*/10"),
    },
    "remind-expiring-cards": {
        "task": "hukou_card.tasks.remind_expiring_cards",
        "schedule": crontab(minute=0, hour=9),  # in the morning: an SMS at night helps nobody
    },
    # Retention (applications.retention): scans of closed applications, abandoned drafts, old ZIPs.
    "enforce-retention": {
        "task": "portal.tasks.enforce_retention",
        "schedule": crontab(minute=40, hour=2),
    },
    "purge-expired-captchas": {
        "task": "accounts.tasks.purge_expired_captchas",
        "schedule": crontab(minute="*/10"),
    },
    # Jobs the broker did not take when their decision committed (core/outbox.py).
    "relay-outbox": {
        "task": "core.tasks.relay_outbox",
        "schedule": crontab(minute="*"),
    },
    # Published applications whose cards are missing (a card task that exhausted its retries).
    "issue-missing-cards": {
        "task": "hukou_card.tasks.issue_missing_cards",
        "schedule": crontab(minute=20, hour="*/1"),
    },
}
# Sent outbox rows are kept this many days (when did the card job leave?), then deleted by the relay.
OUTBOX_KEEP_SENT_DAYS = int(os.environ.get("OUTBOX_KEEP_SENT_DAYS", "7"))

# --- E-mail and SMS -----------------------------------------------------------------------
# Production names its e-mail backend (an SMTP relay, or the console on purpose): with none given,
# EMAIL_BACKEND stays empty and start-up stops (core.checks) rather than print mail to a log.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "core.notifications.ConsoleEmailBackend" if DEBUG else "")
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # Django's prints password-reset links into the log; ours is the same without them.
    EMAIL_BACKEND = "core.notifications.ConsoleEmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "广州市人事电子政务系统 <noreply@hrssgz.example>")
# SMS (docs/operations.md "SMS (Tencent Cloud)"): production names core.sms.TencentCloudSmsBackend,
# or the literal `none` for no SMS at all (then no screen promises one); unset, start-up stops
# (core.checks). The console backend (the log) is for development only.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "core.sms.ConsoleSmsBackend" if DEBUG else "").strip()
if SMS_BACKEND.lower() == "none":
    SMS_BACKEND = "core.sms.NoSmsBackend"
TENCENTCLOUD_SECRET_ID = os.environ.get("TENCENTCLOUD_SECRET_ID", "")
TENCENTCLOUD_SECRET_KEY = os.environ.get("TENCENTCLOUD_SECRET_KEY", "")
SMS_SDK_APP_ID = os.environ.get("SMS_SDK_APP_ID", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
SMS_REGION = os.environ.get("SMS_REGION", "ap-guangzhou")
SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "")  # empty: the SDK's sms.tencentcloudapi.com
# One gateway template ID per message kind (core.sms.KINDS).
SMS_TEMPLATE_ACCEPTED = os.environ.get("SMS_TEMPLATE_ACCEPTED", "")
SMS_TEMPLATE_CORRECTION = os.environ.get("SMS_TEMPLATE_CORRECTION", "")
SMS_TEMPLATE_REJECTED = os.environ.get("SMS_TEMPLATE_REJECTED", "")
SMS_TEMPLATE_NOTICE = os.environ.get("SMS_TEMPLATE_NOTICE", "")
SMS_TEMPLATE_CARD_ISSUED = os.environ.get("SMS_TEMPLATE_CARD_ISSUED", "")
SMS_TEMPLATE_CARD_EXPIRING = os.environ.get("SMS_TEMPLATE_CARD_EXPIRING", "")

# --- Forms and captcha --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
CAPTCHA_LENGTH = 4
CAPTCHA_IMAGE_SIZE = (100, 38)
CAPTCHA_FONT_SIZE = 26
CAPTCHA_TIMEOUT = 5  # minutes
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
# CAPTCHA_TEST_MODE is set only in config/test_settings.py; never here.
# Registration step 2 and 检测登录帐号 say whether an account or ID number is taken: attempts are
# counted per session and per address over a window (core.throttle); an office behind one address
# has room for several people.
REGISTRATION_THROTTLE_WINDOW = int(os.environ.get("REGISTRATION_THROTTLE_WINDOW", str(15 * 60)))  # seconds
REGISTRATION_THROTTLE_PER_SESSION = int(os.environ.get("REGISTRATION_THROTTLE_PER_SESSION", "20"))
REGISTRATION_THROTTLE_PER_ADDRESS = int(os.environ.get("REGISTRATION_THROTTLE_PER_ADDRESS", "60"))
# /captcha/refresh/ (点击获取) is anonymous and stores a row per call: at most this many per address
# per window; expired rows are purged by the beat task purge-expired-captchas.
CAPTCHA_REFRESH_LIMIT = int(os.environ.get("CAPTCHA_REFRESH_LIMIT", "20"))
CAPTCHA_REFRESH_WINDOW = int(os.environ.get("CAPTCHA_REFRESH_WINDOW", "60"))  # seconds
# 申报进度查询 (/services/progress/) answers anyone who knows four facts: every attempt, right or
# wrong, counts against the address over the window (core.throttle), with the captcha besides.
PROGRESS_QUERY_THROTTLE_PER_ADDRESS = int(os.environ.get("PROGRESS_QUERY_THROTTLE_PER_ADDRESS", "30"))
PROGRESS_QUERY_THROTTLE_WINDOW = int(os.environ.get("PROGRESS_QUERY_THROTTLE_WINDOW", str(15 * 60)))  # seconds

# --- Card signing (pyHanko) ---------------------------------------------------------------
# The bureau's signing key and certificate chain. Left empty, a development CA and key are
# created on first use under var/signing/ (hukou_card.signing), and every card it signs says
# 测试卡，无法律效力; production refuses to start without them (hukou_card.checks).
CARD_SIGNING_KEY = os.environ.get("CARD_SIGNING_KEY", "")
CARD_SIGNING_CERT = os.environ.get("CARD_SIGNING_CERT", "")
CARD_SIGNING_CA_CERT = os.environ.get("CARD_SIGNING_CA_CERT", "")
CARD_SIGNING_KEY_PASSPHRASE = os.environ.get("CARD_SIGNING_KEY_PASSPHRASE", "")
CARD_SIGNING_DEV_DIR = Path(os.environ.get("CARD_SIGNING_DEV_DIR", BASE_DIR / "var" / "signing"))
CARD_FONT_PATH = os.environ.get("CARD_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
CARD_VALIDITY_DAYS = 90

# --- Card signing with the key in an HSM (PKCS#11, hukou_card.signing_pkcs11) -----------------
# Set the module to sign through a token instead of a key file (the key file stays the
# small-installation option; setting both is refused). The PIN is read from a file, never from the
# environment; the trust anchor is still CARD_SIGNING_CA_CERT, so checking a card needs no token.
CARD_SIGNING_PKCS11_MODULE = os.environ.get("CARD_SIGNING_PKCS11_MODULE", "")
CARD_SIGNING_PKCS11_TOKEN_LABEL = os.environ.get("CARD_SIGNING_PKCS11_TOKEN_LABEL", "")
CARD_SIGNING_PKCS11_KEY_LABEL = os.environ.get("CARD_SIGNING_PKCS11_KEY_LABEL", "")
CARD_SIGNING_PKCS11_CERT_LABEL = os.environ.get("CARD_SIGNING_PKCS11_CERT_LABEL", "")  # default: the key's
CARD_SIGNING_PKCS11_PIN_FILE = os.environ.get("CARD_SIGNING_PKCS11_PIN_FILE", "")

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Same-site resources only and no inline script (core.security); data: for Bootstrap's CSS icons.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # TLS ends at nginx, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging: one JSON line per record, with the request id through web and worker -------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "redact_secrets": {"()": "core.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_secrets"],  # no password-reset link ever reaches the log
            "formatter": os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Personal information: who looked, how long it is kept, the applicant's copy ---------------
# The applicant's 个人信息查阅记录 names the viewer's bureau and role; with this set, their name too.
PRIVACY_SHOW_STAFF_NAMES = env_bool("PRIVACY_SHOW_STAFF_NAMES", False)
# Retention periods, per kind of stored object (applications.retention; docs/operations.md).
# Scans (证件库 images) used only by rejected or withdrawn applications: days after the decision.
RETENTION_CLOSED_SCANS_DAYS = int(os.environ.get("RETENTION_CLOSED_SCANS_DAYS", str(3 * 365)))
# Drafts nobody touched for this many days are deleted with their attachments' links.
RETENTION_ABANDONED_DRAFT_DAYS = int(os.environ.get("RETENTION_ABANDONED_DRAFT_DAYS", "365"))
# 下载我的个人信息: how long the ZIP is offered before the beat task deletes it.
PERSONAL_DATA_EXPORT_HOURS = int(os.environ.get("PERSONAL_DATA_EXPORT_HOURS", "24"))
