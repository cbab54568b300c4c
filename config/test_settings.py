"""Settings for the test suite: the environment's settings plus test-only switches.

CAPTCHA_TEST_MODE lives here and only here: simple-captcha reads it once at import, so it cannot
be toggled per test, and it must never be reachable from production settings (PITFALLS.md).
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASES, STORAGES  # noqa: E402

CAPTCHA_TEST_MODE = True  # the answer "PASSED" is accepted
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "core.sms.LocmemSmsBackend"

# Each run writes private files to its own folder so parallel runs never share state.
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-private-"))
# A bucket named in the environment (PRIVATE_STORAGE_BUCKET) is kept as it is; tests that need one
# of their own use the `bucket` fixture (tests/conftest.py), on the moto server the session starts.
_local = {
    "BACKEND": "core.storage.PrivateFileStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
_private = _local if STORAGES["private"]["BACKEND"] == _local["BACKEND"] else STORAGES["private"]
STORAGES = {
    **STORAGES,
    "default": _private,
    "private": _private,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CARD_SIGNING_DEV_DIR = Path(os.environ.get("TEST_SIGNING_DIR", tempfile.gettempdir())) / "portal-test-signing"

# Tests dispatch tasks in-process unless a test starts a real worker (tests/hukou_card).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "memory://")

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

AXES_FAILURE_LIMIT = 5
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# A fragment that queries while rendering (core.fragments) fails the test instead of being logged:
# what it fetched would be missing from its key.
FRAGMENT_STRICT = True
# core.prepared: each prepared read is also compiled the ordinary way and the two compared.
PREPARED_STRICT = True
