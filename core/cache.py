"""Versioned caching: cached reads are keyed by a version that writers bump when the data changes.

A page or figure is cached under `<name>:<version>:...`; the services that change what it shows
call `bump_on_commit(name)`, so the next request after the commit misses and recomputes. Nothing
is ever served stale by design; the timeouts only bound memory. With the per-process memory cache
(no REDIS_URL) each process keeps its own versions, which is still correct within that process and
is why production runs with Redis.
"""

import contextvars
import functools
import hashlib

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.utils import timezone, translation

from core import replica

VERSION_TIMEOUT = 7 * 24 * 3600


# Versions read during one request (or task): a page asks for the same version several times.
_request_versions: contextvars.ContextVar[dict | None] = contextvars.ContextVar("versions", default=None)


def start_request_memo() -> contextvars.Token:
    return _request_versions.set({})


def end_request_memo(token: contextvars.Token) -> None:
    _request_versions.reset(token)


# The version names this process has read lately (insertion-ordered, bounded): the first version()
# of a request reads all of them in one round trip (get_many) instead of one GET per name; a page
# of the review console reads four (profile in docs/performance.md). The request memo already
# holds each version for the rest of the request, so reading them together changes nothing a
# reader sees except when.
_KNOWN_LIMIT = 32
_known_names: dict[str, None] = {}


def version(name: str) -> int:
    memo = _request_versions.get()
    if memo is not None and name in memo:
        return memo[name]
    if memo is not None and not memo and _known_names:
        names = [name, *(known for known in _known_names if known != name)]
        found = cache.get_many([f"v:{known}" for known in names])
        memo.update({known: found[f"v:{known}"] for known in names if f"v:{known}" in found})
        if name in memo:
            return memo[name]
    value = _read_version(name)
    if memo is not None:
        memo[name] = value
        _known_names.pop(name, None)
        _known_names[name] = None
        while len(_known_names) > _KNOWN_LIMIT:
            del _known_names[next(iter(_known_names))]
    return value


def _read_version(name: str) -> int:
    key = f"v:{name}"
    value = cache.get(key)
    if value is None:
        # A missing version (evicted, cold cache) starts over from a fresh random-ish point, so it
        # can never coincide with a value cached under an older incarnation of the same number.
        value = int(timezone.now().timestamp() * 1000)
        cache.add(key, value, VERSION_TIMEOUT)
        value = cache.get(key, value)
    return value


def bump(name: str) -> None:
    key = f"v:{name}"
    try:
        value = cache.incr(key)
    except ValueError:  # not there yet: any fresh value differs from what readers used
        _read_version(name)
        try:
            value = cache.incr(key)
        except ValueError:
            # The cache is unavailable (core.redis_cache): nothing is cached meanwhile, and the key is
            # deleted once Redis answers again, so readers then start from a fresh version.
            value = int(timezone.now().timestamp() * 1000)
    memo = _request_versions.get()
    if memo is not None:
        memo[name] = value


def cache_status() -> str:
    """ "ok", or "unavailable" when the shared cache (Redis) does not answer: /healthz is then degraded.

    The per-process memory cache (no REDIS_URL) is always there.
    """
    status = getattr(cache, "status", None)
    return status() if callable(status) else "ok"


def bump_on_commit(*names: str) -> None:
    """Bump now and again after the commit.

    The first bump makes the writer's own transaction (and a test, which never commits) read fresh;
    the second throws away anything another request cached between the two from the data as it was
    before the commit.
    """

    def _bump():
        for name in names:
            bump(name)

    _bump()
    transaction.on_commit(_bump)


# Where cached_anonymous_page leaves the key for AnonymousPageCacheMiddleware to store under.
_PENDING = "_anonymous_page_cache"


def _personal(request) -> bool:
    """The visitor carries something of their own a page may show: a session or a flash message.

    Such a request is neither served from nor stored in the shared cache: the logout message
    ("您已安全退出系统") or a registration draft must never reach the next visitor.
    """
    session = getattr(request, "session", None)
    if session is not None and not session.is_empty():
        return True
    return len(get_messages(request)) > 0


def cached_anonymous_page(*, version_name: str, timeout: int = 600):
    """Cache a GET page for anonymous visitors (the same HTML for all of them).

    A logged-in visitor's page carries their name in the header, so it is never cached. The key
    holds the full path (with the query) and today's date (the header shows it). The page is
    stored by AnonymousPageCacheMiddleware, which sees the response as it leaves: only there are
    the cookies the session, CSRF and messages middleware set known.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET" or request.user.is_authenticated or _personal(request):
                return view(request, *args, **kwargs)
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
            current = version(version_name)
            # The language (the visitor's cookie or Accept-Language) chooses the page's wording.
            language = translation.get_language()
            key = f"page:{version_name}:{current}:{language}:{timezone.localdate():%Y%m%d}:{path}"
            cached = cache.get(key)
            if cached is not None:
                status, content_type, content = cached
                return HttpResponse(content, status=status, content_type=content_type)
            if not getattr(view, "reads_from_replica", False) or _replica_fresh(version_name, current):
                setattr(request, _PENDING, (key, timeout))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _replica_fresh(version_name: str, current: int) -> bool:
    """Has the read replica replayed every write made before this version was bumped?

    A page rendered from a replica that lags is still served (it is the public page, a moment
    late), but not stored: stored under the new version it would outlive the lag until the next
    bump. The primary's position is asked once per version; any moment after the bump will do, as
    the position only grows. Checked before the page is rendered, as replay only moves forward.
    """
    if not replica.reachable():
        return True  # the view reads the primary
    position_key = f"replica-position:{version_name}:{current}"
    try:
        position = cache.get(position_key)
        if position is None:
            position = replica.primary_position()
            cache.add(position_key, position, VERSION_TIMEOUT)
        return replica.replica_has_replayed(position)
    except DatabaseError:
        return False  # the view falls back to the primary or fails on its own; keep nothing


class AnonymousPageCacheMiddleware:
    """Stores a page cached_anonymous_page rendered, once the response is final.

    Listed outside the session, CSRF and messages middleware. A response that sets any cookie, or a
    request that ended up with a session or a message, is not stored: it belongs to one visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        pending = getattr(request, _PENDING, None)
        if (
            pending is not None
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not _personal(request)
        ):
            key, timeout = pending
            cache.set(key, (response.status_code, response["Content-Type"], response.content), timeout)
        return response


# Per process, per version: reference rows are tiny and read on every console page; keeping them
# in memory spares a cache round trip and an unpickle each time. The version (one shared cache
# read per request) says when an administrator changed them.
_memo: dict[str, tuple[int, object]] = {}


def memoized_by_version(name: str, build):
    """`build()`'s value, kept in this process until the versioned cache `name` is bumped."""
    current = version(name)
    held = _memo.get(name)
    if held is not None and held[0] == current:
        return held[1]
    value = build()
    _memo[name] = (current, value)
    return value
