"""Querysets compiled once per process: each call sends the same SQL with its own values.

Django turns a queryset into SQL on every evaluation. For the console's application read (75
columns, five joined rows, two subqueries) building and compiling take 1.8 ms of Python, more than
PostgreSQL needs to run the statement, on every page view (docs/performance.md). A `PreparedQuery`
builds its queryset once, with a `Param` wherever a call's value goes, compiles it once, and on
each call runs that SQL with the call's values bound in the placeholders' places. It is
SQLAlchemy's compiled-statement cache (its "baked queries") done for the few hot reads that need
it; with server-side binding (config/settings.py) the text is also the key of PostgreSQL's own
prepared statement.

What keeps it honest:
- A value that changes the statement's *shape* (a role that adds a filter, say) is not a `Param`
  but a shape value: it is part of the cache key and reaches the builder as itself.
- Under PREPARED_STRICT (the test settings) every call also builds and compiles the queryset the
  ordinary way, with the real values, and raises `PreparedQueryMismatch` unless the SQL and the
  values are the same: a builder that branches on a value it was given as a `Param` fails the
  suite instead of running another statement's SQL.
- Rows come from Django's own ModelIterable and prefetch, so joined rows, annotations and
  prefetch_related lists are filled as for any queryset.
- It reads from `using` (the primary unless told), not through core.replica's router: the reads it
  serves are of signed-in pages, which that router keeps on the primary anyway.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Expression, Field, Model, QuerySet
from django.db.transaction import TransactionManagementError


class PreparedQueryMismatch(AssertionError):
    """The compiled SQL of a PreparedQuery is not what its builder gives for these values."""


class _Slot:
    """Stands in the compiled parameters where a `Param`'s value is bound at each call."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<slot {self.name}>"


class Param(Expression):
    """A value given at each call of a PreparedQuery, by name; sent as its field sends it."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name)]


# Django puts an expression on a lookup's right in parentheses and a plain value not: the same
# statement either way.
_WRAPPED_PLACEHOLDER = re.compile(r"\(%s\)")


def same_statement(sql: str) -> str:
    return _WRAPPED_PLACEHOLDER.sub("%s", sql)


@dataclass(frozen=True)
class _Compiled:
    template: QuerySet
    compiler: Any
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position in params, Param's name)


class _CompiledQuery:
    """What Django's ModelIterable asks of a query (a compiler), answered with one already compiled;
    anything else is the template's query."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


class PreparedQuery:
    """`build(**values)` makes the queryset; `params` names the values bound per call and the
    field each is sent as. Any other keyword of `rows()` is a shape value (hashable)."""

    def __init__(self, build: Callable[..., QuerySet], **params: Field):
        self._build = build
        self._params = params
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = Lock()

    def rows(self, *, using: str = "default", **values: Any) -> list[Model]:
        shape = {name: value for name, value in values.items() if name not in self._params}
        compiled = self._compile(using, shape)
        connection = connections[using]
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = self._params[name].get_db_prep_value(values[name], connection, prepared=False)
        if getattr(settings, "PREPARED_STRICT", False):
            self._check(using, compiled.sql, params, values)
        if compiled.template.query.select_for_update and connection.get_autocommit():
            # Django's own check, made in the compile this call skips.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        compiler = copy.copy(compiled.compiler)
        # The compiler was made on the thread that compiled first; the statement runs on this one's.
        compiler.connection = connection
        sql, bound = compiled.sql, tuple(params)
        compiler.as_sql = lambda *args, **kwargs: (sql, bound)
        queryset = QuerySet(
            model=compiled.template.model,
            query=_CompiledQuery(compiled.template.query, compiler),
            using=using,
        )
        queryset._prefetch_related_lookups = compiled.template._prefetch_related_lookups
        return list(queryset)

    def one_or_none(self, **values: Any) -> Model | None:
        found = self.rows(**values)
        if len(found) > 1:
            raise found[0].MultipleObjectsReturned(f"{len(found)} rows where one was expected")
        return found[0] if found else None

    def statement(self, *, using: str = "default", **shape: Hashable) -> str:
        """The SQL it sends for this shape, as `same_statement` compares it (for tests that hold a
        prepared read to the ordinary selector it was written from)."""
        return same_statement(self._compile(using, shape).sql)

    def _compile(self, using: str, shape: dict[str, Hashable]) -> _Compiled:
        key = (using, tuple(sorted(shape.items())))
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        with self._lock:
            compiled = self._compiled.get(key)
            if compiled is None:
                placeholders = {name: Param(name, field) for name, field in self._params.items()}
                template = self._build(**shape, **placeholders).using(using)
                compiler = template.query.get_compiler(using=using)
                sql, params = compiler.as_sql()
                slots = tuple((i, p.name) for i, p in enumerate(params) if isinstance(p, _Slot))
                compiled = _Compiled(template, compiler, sql, tuple(params), slots)
                self._compiled[key] = compiled
        return compiled

    def _check(self, using: str, sql: str, params: list, values: dict[str, Any]) -> None:
        ordinary = self._build(**values).using(using)
        expected_sql, expected_params = ordinary.query.get_compiler(using=using).as_sql()
        if same_statement(sql) != same_statement(expected_sql) or list(expected_params) != params:
            raise PreparedQueryMismatch(
                f"prepared: {sql} {params!r}\nordinary: {expected_sql} {list(expected_params)!r}"
            )


def set_prefetched(parent: Model, relation: str, rows: list[Model]) -> list[Model]:
    """`rows` as `parent.<relation>.all()`, as prefetch_related("<relation>") leaves them.

    For a reverse foreign key read by a PreparedQuery: Django's prefetch builds and compiles a
    queryset of its own on every call. Each row's foreign key is set back to `parent`, as the
    prefetch sets it, so reading it is not a query per row.
    """
    manager = getattr(parent, relation)
    for row in rows:
        manager.field.set_cached_value(row, parent)
    cache_name = manager.field.remote_field.cache_name
    if not hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache = {}
    parent._prefetched_objects_cache.pop(cache_name, None)
    # What Django's prefetch_one_level stores: the relation's queryset, its result already these rows.
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    parent._prefetched_objects_cache[cache_name] = queryset
    return rows
