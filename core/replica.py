"""An optional read replica (DATABASE_REPLICA_URL) for the anonymous public pages, and nothing else.

Reads go to the primary (`default`) unless a view or a block asks for the replica explicitly with
`reads_from_replica`: the public notice list and the public card verification, whose visitors may
see a change a moment late without harm. Everything that writes, or reads what it has just
written (a session, a captcha, an applicant's own page after a submit), stays on the primary: a
streaming replica lags behind by whatever its replay has not yet reached.

A global "every read goes to the replica" router would send a just-logged-in user's session, the
captcha answered a second ago and the row a service is about to lock to a copy that may not have
them yet; the opt-in keeps the set of replica reads small enough to reason about.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"

# Rows read right after the same visitor wrote them: never the replica. A user read from a copy
# that lags behind a password change would fail the session's hash check and be logged out.
_PRIMARY_ONLY_APPS = frozenset({"sessions", "captcha", "axes", "auth"})


def _primary_only(model) -> bool:
    return model._meta.app_label in _PRIMARY_ONLY_APPS or model._meta.label == settings.AUTH_USER_MODEL

_reading_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("replica", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def active() -> bool:
    """Reads inside the current block go to the replica."""
    return _reading_from_replica.get()


@contextlib.contextmanager
def _replica_block():
    token = _reading_from_replica.set(reachable())
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reachable() -> bool:
    if not configured():
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        # A replica that is down costs the public pages nothing but speed: they read the primary.
        logger.warning("read replica unreachable; the public pages read the primary", exc_info=True)
        return False
    return True


def reads_from_replica(view=None):
    """`@reads_from_replica` on a view, or `with reads_from_replica():` around a read.

    Without a replica configured (or with it unreachable) it changes nothing.
    """
    if view is None:
        return _replica_block()

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - the session and its user load now, from the primary
        with _replica_block():
            return view(request, *args, **kwargs)

    wrapper.reads_from_replica = True  # core.cache.cached_anonymous_page checks the replica's replay
    return wrapper


class ReplicaRouter:
    """Sends a read to the replica only inside `reads_from_replica`, and never inside a transaction
    on the primary (a read there follows, or precedes, a write of the same request)."""

    def db_for_read(self, model, **hints):
        if (
            active()
            and not _primary_only(model)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica replays the primary's migrations


# --- Is the replica past a point the primary has reached? ----------------------------------------


def primary_position() -> str:
    """The primary's WAL write position now: every transaction committed so far lies before it."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_has_replayed(position: str) -> bool:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", [position])
        return bool(cursor.fetchone()[0])
