"""Failed public verifications per client address, counted in the cache: with the captcha this
keeps anyone from walking card numbers and codes (the codes alone have 31^6 ≈ 8.9×10^8 values)."""

from django.core.cache import cache

FAILURE_LIMIT = 10
WINDOW_SECONDS = 15 * 60
BLOCKED_MESSAGE = "核验失败次数过多，请15分钟后再试。"


def _key(ip: str | None) -> str:
    return f"hukou_card:verify-failures:{ip or 'unknown'}"


def is_blocked(ip: str | None) -> bool:
    return cache.get(_key(ip), 0) >= FAILURE_LIMIT


def record_failure(ip: str | None) -> None:
    key = _key(ip)
    # add() starts the window only once; incr() keeps its expiry.
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, WINDOW_SECONDS)
