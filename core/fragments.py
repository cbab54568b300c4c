"""Rendered fragments kept in this process, keyed by everything they are drawn from.

A page's costly part (the status page's record, the reviewer's record of an application) is its
own template, rendered alone from a context the view reads first: no request, no context
processors, no CSRF token. The fragment is then a function of that context, the language and the
template; `render_fragment` keys it by a digest of exactly those and keeps the HTML in this
process's memory for a while. There is nothing to invalidate: a change to any row the view read
is a different digest, so a reader never sees a fragment drawn from data other than what the view
just read. What is saved is the template's work, not the queries.

Two rules keep that true, and both are enforced here rather than trusted:
- every value of the context must be of a kind the digest knows (model rows with what was read
  with them, plain values, lists, dicts, dataclasses); anything else raises TypeError, so a new
  context value cannot silently stay out of the key;
- rendering must not query: a related row the view did not read would be fetched at render time
  and be missing from the key. A fragment that queries while rendering is not kept (and raises
  under FRAGMENT_STRICT, which the test settings set).

The memory is per process (Django's LocMemCache under the `fragments` alias, bounded, least
recently used first out): a personal record never goes to the shared cache, and a new release
starts with new processes, so a changed template is never served from an older one's memory.
"""

import contextlib
import dataclasses
import datetime
import decimal
import enum
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

FRAGMENT_CACHE = "fragments"

_PLAIN = (
    str, int, float, bool, type(None), decimal.Decimal, datetime.date, datetime.time, datetime.timedelta,
    uuid.UUID, bytes,
)  # fmt: skip


class FragmentQueried(RuntimeError):
    """A fragment's template ran a query: something it shows was not read by the view."""


def _feed(value, out: list, seen: dict) -> None:
    """Append a deterministic text of `value` (and of everything reachable from it) to `out`.

    `seen` numbers the rows already written: a row reached again (a card's application, which the
    prefetch sets back on each card) is written as its number, so cycles end.
    """
    # Enums before plain values: a TextChoices member is a str and must read as its value.
    if isinstance(value, enum.Enum):
        out.append(f"e{type(value).__name__}:{value.value!r}")
    elif isinstance(value, _PLAIN):  # datetime is a date
        out.append(repr(value))
    elif isinstance(value, Promise):  # a lazy translation: its text in the current language
        out.append(repr(str(value)))
    elif isinstance(value, Model):
        if id(value) in seen:
            out.append(f"^{seen[id(value)]}")
        else:
            seen[id(value)] = len(seen)
            _feed_row(value, out, seen)
    elif isinstance(value, FieldFile):
        out.append(f"f{value.name!r}")
    elif isinstance(value, dict):
        out.append("{")
        for key in sorted(value, key=repr):
            out.append(repr(key))
            _feed(value[key], out, seen)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for item in value:
            _feed(item, out, seen)
        out.append("]")
    elif isinstance(value, set | frozenset):
        out.append("<")
        for item in sorted(value, key=repr):
            _feed(item, out, seen)
        out.append(">")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(type(value).__qualname__)
        _feed(vars(value), out, seen)
    else:
        raise TypeError(f"render_fragment cannot key a {type(value).__qualname__}: pass plain values or rows")


def _feed_row(row: Model, out: list, seen: dict) -> None:
    # Every attribute the row holds: its columns, what a view set on it (labels), the related rows
    # read with it (select_related) and its prefetched lists. Nothing else can reach the template
    # without a query, which render_fragment refuses.
    out.append(f"r{row._meta.label}(")
    for name, value in sorted(vars(row).items()):
        if name == "_state":
            continue
        if name == "_prefetched_objects_cache":
            for relation, rows in sorted(value.items()):
                out.append(f"p{relation}")
                _feed(list(rows), out, seen)
            continue
        out.append(name)
        _feed(value, out, seen)
    for relation, related in sorted(row._state.fields_cache.items()):
        out.append(f"j{relation}")
        _feed(related, out, seen)
    out.append(")")


def fragment_key(template_name: str, context: dict) -> str:
    # The language and the time zone the template's dates are shown in, besides the context.
    out = [template_name, get_language() or "", timezone.get_current_timezone_name()]
    # The context's values are kept alive by the caller while this runs, so id() stays unique.
    _feed(context, out, {})
    return hashlib.blake2b("\x1f".join(out).encode(), digest_size=20).hexdigest()


def render_fragment(template_name: str, context: dict) -> SafeString:
    """`template_name` rendered alone from `context`, kept in this process under its digest."""
    store = caches[FRAGMENT_CACHE]
    key = fragment_key(template_name, context)
    html = store.get(key)
    if html is not None:
        return html  # a SafeString: the template engine escaped it, and pickling keeps the type
    queries: list[str] = []

    def count(execute, sql, params, many, context_):
        queries.append(sql)
        return execute(sql, params, many, context_)

    with contextlib.ExitStack() as wrappers:
        for alias in connections:  # the replica's too
            wrappers.enter_context(connections[alias].execute_wrapper(count))
        html = render_to_string(template_name, context)
    if queries:
        message = f"{template_name} queried while rendering ({len(queries)}): " + " | ".join(
            q[:90] for q in queries
        )
        if getattr(settings, "FRAGMENT_STRICT", False):
            raise FragmentQueried(message)
        logger.error("fragment not kept: %s", message)
    else:
        store.set(key, html)
    return html
