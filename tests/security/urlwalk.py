"""Every URL pattern the project serves, read from the URLconf itself (not from a list someone keeps).

A pattern added later shows up here by itself, so the security tests that use this walk fail
until the new URL is classified.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str  # the full route as written, e.g. "talent/apply/<uuid:public_id>/"
    params: dict[str, str]  # parameter -> kind: "uuid", "int", "slug", "str", "path", "regex"
    callback: object

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def key(self) -> str:
        """What the tables are keyed by: the name, plus the parameters when a name has several routes."""
        return self.name if not self.params else f"{self.name}[{','.join(sorted(self.params))}]"


_CONVERTER_KINDS = {
    UUIDConverter: "uuid",
    IntConverter: "int",
    SlugConverter: "slug",
    PathConverter: "path",
    StringConverter: "str",
}


def _params(pattern) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        return {
            name: next((k for cls, k in _CONVERTER_KINDS.items() if isinstance(conv, cls)), "custom")
            for name, conv in pattern.converters.items()
        }
    if isinstance(pattern, RegexPattern):
        return dict.fromkeys(pattern.regex.groupindex, "regex")
    return {}


def walk(resolver=None, prefix: str = "", namespace: str | None = None, inherited=None):
    resolver = resolver or get_resolver()
    inherited = dict(inherited or {})
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, prefix + str(entry.pattern), ns, {**inherited, **_params(entry.pattern)})
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = route
            yield Route(name, route, {**inherited, **_params(entry.pattern)}, entry.callback)


def routes() -> list[Route]:
    return list(walk())
