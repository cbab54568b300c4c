"""Django's Redis cache, made to fail soft, with one client object per connection pool.

Redis is a cache here, never the only copy of anything (DESIGN.md §7), so an outage must cost
speed, not pages. Django's RedisCache raises on a dead Redis, and with cached_db sessions every
logged-in page then answers 500 (PITFALLS.md). This backend answers instead:

- a read is a miss (get → default, get_many → {}, has_key → False), a write is dropped (set,
  add → True as if stored and evicted at once, delete, touch), incr raises ValueError, the cache's
  own "no such key", which its callers already handle;
- a failed connection opens a short breaker (CACHE_BREAKER_SECONDS, 5 s): meanwhile nothing is
  sent to Redis, so a request does not pay the 2 s connect timeout on every cache call. It closes
  by itself: the first call after the pause tries Redis again, and a success closes it for good;
- the keys a dropped write would have changed are remembered (in this process) and deleted as the
  first thing once Redis answers again, so a session logged out, or a version bumped, during the
  outage is never served from what Redis still held from before it;
- errors are logged as one warning per CACHE_ERROR_LOG_SECONDS (60 s) with the number of calls
  answered as misses, not one per call, and once more when the cache is back.

State is per process and per LOCATION (shared by the threads of a worker: Django builds a cache
object per thread). Only connection trouble (redis ConnectionError, TimeoutError, a refused
command) is absorbed; a bug such as an unpicklable value still raises.

django.core.cache.backends.redis also builds a new redis.Redis for every operation; with
redis-py 8 that copies ~1,500 response callbacks each time, a noticeable share of a page that
reads a few cache keys. A redis.Redis client is thread-safe and holds no per-call state, so keep it.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# At most this many keys are remembered for deletion after an outage; beyond it the rest are
# counted and logged (an error: entries Redis kept from before the outage may be read stale).
LOST_KEYS_LIMIT = 100_000


def _clock() -> float:
    # The breaker's and the log limiter's clock; tests replace it instead of waiting.
    return time.monotonic()


class CacheHealth:
    """Breaker, error log limiter and lost writes of one Redis cache location, in this process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_until = 0.0  # _clock() before which Redis is not called
        self.down_since: float | None = None
        self.last_error = ""
        self.misses = 0  # calls answered without Redis since the last log line
        self.errors = 0  # calls that went to Redis and failed, since the process started
        self.logged_at: float | None = None
        self.lost_keys: set[str] = set()
        self.lost_overflow = 0

    @property
    def breaker_seconds(self) -> float:
        return float(getattr(settings, "CACHE_BREAKER_SECONDS", 5))

    @property
    def log_seconds(self) -> float:
        return float(getattr(settings, "CACHE_ERROR_LOG_SECONDS", 60))

    def is_open(self) -> bool:
        return _clock() < self.open_until

    def available(self) -> bool:
        return self.down_since is None

    def failed(self, error: Exception | None, keys) -> None:
        """One call answered without Redis: `error` raised by it, or None when the breaker held it."""
        now = _clock()
        with self.lock:
            if error is not None:
                self.errors += 1
                self.last_error = f"{type(error).__name__}: {error}"
                self.open_until = now + self.breaker_seconds
            if self.down_since is None:
                self.down_since = now
            self.misses += 1
            for key in keys:
                if len(self.lost_keys) < LOST_KEYS_LIMIT:
                    self.lost_keys.add(key)
                else:
                    self.lost_overflow += 1
            due = self.logged_at is None or now - self.logged_at >= self.log_seconds
            if due:
                self.logged_at, misses = now, self.misses
                self.misses = 0
        if due:
            logger.warning(
                "cache unavailable (%s): %d cache calls answered as misses or dropped; retrying Redis every %.0f s",
                self.last_error,
                misses,
                self.breaker_seconds,
            )

    def recovered(self) -> None:
        with self.lock:
            if self.down_since is None:
                return
            seconds, self.down_since = _clock() - self.down_since, None
            self.open_until, self.misses, self.logged_at = 0.0, 0, None
        logger.warning("cache available again after %.1f s", seconds)

    def take_lost_keys(self) -> tuple[list[str], int]:
        with self.lock:
            keys, overflow = list(self.lost_keys), self.lost_overflow
            self.lost_keys, self.lost_overflow = set(), 0
        return keys, overflow

    def give_back(self, keys: list[str], overflow: int) -> None:
        with self.lock:
            self.lost_keys.update(keys)
            self.lost_overflow += overflow


_health: dict[tuple, CacheHealth] = {}
_health_lock = threading.Lock()


def health_for(servers) -> CacheHealth:
    key = tuple(servers)
    with _health_lock:
        return _health.setdefault(key, CacheHealth())


# What each operation answers when Redis cannot: a miss for reads, a dropped write for writes.
_READS = {"get": lambda a: a[1], "get_many": lambda a: {}, "has_key": lambda a: False}
_WRITES = {
    "add": lambda a: True,
    "set": lambda a: None,
    "touch": lambda a: False,
    "delete": lambda a: False,
    "set_many": lambda a: None,
    "delete_many": lambda a: None,
    "clear": lambda a: False,
}


def _written_keys(name: str, args: tuple) -> list[str]:
    if name in ("set_many", "delete_many"):
        return list(args[0])
    if name == "clear":
        return []
    return [args[0]]


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}
        self.health = health_for(servers)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _replay_lost_writes(self) -> None:
        """Delete what a dropped write would have changed: Redis may still hold the value from before."""
        keys, overflow = self.health.take_lost_keys()
        if not keys and not overflow:
            return
        try:
            for start in range(0, len(keys), 1000):
                RedisCacheClient.delete_many(self, keys[start : start + 1000])
        except RedisError:
            self.health.give_back(keys, overflow)
            raise
        if overflow:
            logger.error(
                "cache back: %d dropped writes were not remembered (over %d keys); entries from before the "
                "outage may be read until they expire",
                overflow,
                LOST_KEYS_LIMIT,
            )
        logger.warning("cache back: deleted %d keys whose writes were dropped during the outage", len(keys))

    def _call(self, name: str, args: tuple):
        health = self.health
        written = name in _WRITES or name == "incr"
        if health.is_open():
            health.failed(None, _written_keys(name, args) if written else ())
            return self._fallback(name, args)
        try:
            if health.lost_keys or health.lost_overflow:
                self._replay_lost_writes()
            result = getattr(RedisCacheClient, name)(self, *args)
        except RedisError as error:
            health.failed(error, _written_keys(name, args) if written else ())
            return self._fallback(name, args)
        if not health.available():
            health.recovered()
        return result

    @staticmethod
    def _fallback(name: str, args: tuple):
        if name == "incr":
            raise ValueError(f"Key '{args[0]}' not found (cache unavailable).")
        answer = _READS.get(name) or _WRITES[name]
        return answer(args)

    def add(self, key, value, timeout):
        return self._call("add", (key, value, timeout))

    def get(self, key, default):
        return self._call("get", (key, default))

    def set(self, key, value, timeout):
        return self._call("set", (key, value, timeout))

    def touch(self, key, timeout):
        return self._call("touch", (key, timeout))

    def delete(self, key):
        return self._call("delete", (key,))

    def get_many(self, keys):
        return self._call("get_many", (list(keys),))

    def has_key(self, key):
        return self._call("has_key", (key,))

    def incr(self, key, delta):
        return self._call("incr", (key, delta))

    def set_many(self, data, timeout):
        return self._call("set_many", (data, timeout))

    def delete_many(self, keys):
        return self._call("delete_many", (list(keys),))

    def clear(self):
        return self._call("clear", ())

    def ping(self) -> bool:
        """True when Redis answers now. While the breaker is open the answer is no at once: a health
        probe every few seconds must not hold a worker thread for the timeout each time."""
        if self.health.is_open():
            return False
        try:
            self.get_client(write=True).ping()
        except RedisError as error:
            self.health.failed(error, ())
            return False
        if not self.health.available():
            try:
                self._replay_lost_writes()
            except RedisError as error:
                self.health.failed(error, ())
                return False
            self.health.recovered()
        return True


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def status(self) -> str:
        """ "ok", or "unavailable" when Redis does not answer (core.cache.cache_status)."""
        return "ok" if self._cache.ping() else "unavailable"
