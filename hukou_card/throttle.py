"""Failed public verifications per client address, counted in the cache: with the captcha this
keeps anyone from walking card numbers and codes (the codes alone have 31^6 ≈ 8.9×10^8 values).

A cache outage fails open, as core.throttle does: the verification page keeps answering and the
failures of those minutes are not counted (logged). The captcha still stands in front of every
form check, and a short outage gives a card walker a few minutes, not the 8.9×10^8 codes.
core.redis_cache already answers a dead Redis as misses; the guard here covers any other backend.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

FAILURE_LIMIT = 10
WINDOW_SECONDS = 15 * 60
BLOCKED_MESSAGE = "核验失败次数过多，请15分钟后再试。"


def _key(ip: str | None) -> str:
    return f"hukou_card:verify-failures:{ip or 'unknown'}"


def is_blocked(ip: str | None) -> bool:
    try:
        return (cache.get(_key(ip), 0) or 0) >= FAILURE_LIMIT
    except Exception:  # noqa: BLE001 - any cache error: fail open, say so in the log
        logger.warning("card verification throttle: cache unavailable, not checked", exc_info=True)
        return False


def record_failure(ip: str | None) -> None:
    key = _key(ip)
    try:
        # add() starts the window only once; incr() keeps its expiry.
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, WINDOW_SECONDS)
    except Exception:  # noqa: BLE001 - any cache error: fail open, say so in the log
        logger.warning("card verification throttle: cache unavailable, failure not counted", exc_info=True)
