"""Attempts counted in the cache over a window, for the anonymous pages that must not be hammered.

Each (scope, who) pair has its own window, started by its first attempt: the start is stored, so
the page can say how long to wait. A cache outage lets the attempt through (and is logged): these
counters slow an attacker down, they are not what keeps an account safe (the captcha and the
lockout are), and a dead Redis must not close registration for everyone.
"""

import hashlib
import logging
import math
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(scope: str, who: str) -> str:
    # Session keys and addresses are hashed: a cache key need not hold either in clear.
    return f"throttle:{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"


def throttle_hit(*, scope: str, who: str, limit: int, window: int) -> int | None:
    """Count one attempt; the seconds to wait when it is over the limit, else None."""
    key, now = _key(scope, who), time.time()
    try:
        cache.add(f"{key}:start", now, window)  # the first attempt of a window starts it
        start = cache.get(f"{key}:start", now)
        count_key = f"{key}:{int(start)}"
        count = 1 if cache.add(count_key, 1, window) else cache.incr(count_key)
    except ValueError:  # the count expired between add() and incr(): a new window
        return None
    except Exception:  # noqa: BLE001 - any cache error: let the attempt through, say so in the log
        logger.warning("throttle %s: cache unavailable, attempt not counted", scope, exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil(start + window - now))


def wait_minutes(seconds: int) -> int:
    """What the page says: whole minutes, rounded up, never 0."""
    return max(1, math.ceil(seconds / 60))
