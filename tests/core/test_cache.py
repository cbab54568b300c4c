"""Versioned caching: a bump after commit makes the next read miss; nothing cached is per-user."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from core.cache import AnonymousPageCacheMiddleware, bump, bump_on_commit, cached_anonymous_page, version

pytestmark = pytest.mark.django_db


def test_bump_changes_the_version():
    before = version("things")
    bump("things")
    assert version("things") == before + 1


def test_bump_on_commit_bumps_now_and_after_the_commit(django_capture_on_commit_callbacks):
    before = version("things")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bump_on_commit("things")
    assert version("things") == before + 1  # the writer's own transaction reads fresh
    for callback in callbacks:
        callback()
    assert version("things") == before + 2  # whatever was cached before the commit is dropped


def _counting_view():
    calls = []

    @cached_anonymous_page(version_name="things")
    def view(request):
        calls.append(request)
        return HttpResponse(f"render {len(calls)}")

    # The middleware stores what the decorator rendered, as in the project's MIDDLEWARE.
    return AnonymousPageCacheMiddleware(view), calls


def test_anonymous_page_is_served_from_cache_until_bumped():
    from django.contrib.auth.models import AnonymousUser

    view, calls = _counting_view()
    request = RequestFactory().get("/notice/?tab=past")
    request.user = AnonymousUser()
    assert view(request).content == b"render 1"
    assert view(request).content == b"render 1"
    bump("things")
    assert view(request).content == b"render 2"
    other = RequestFactory().get("/notice/?tab=current")
    other.user = AnonymousUser()
    assert view(other).content == b"render 3"


def test_logged_in_pages_are_never_cached(applicant):
    view, calls = _counting_view()
    request = RequestFactory().get("/notice/")
    request.user = applicant
    view(request)
    view(request)
    assert len(calls) == 2


def test_a_request_reads_the_versions_it_knows_in_one_round_trip(monkeypatch):
    from core import cache as versioned

    def request(*names):
        token = versioned.start_request_memo()
        try:
            return [version(name) for name in names]
        finally:
            versioned.end_request_memo(token)

    first = request("alpha", "beta", "gamma")  # this process now knows the three names
    calls = []
    backend = versioned.cache
    for method in ("get", "get_many", "add"):
        real = getattr(backend, method)
        monkeypatch.setattr(
            backend, method, lambda *a, _real=real, _m=method, **k: calls.append(_m) or _real(*a, **k)
        )
    bump("beta")  # another request's write: the next request must see it
    calls.clear()
    assert request("gamma", "alpha", "beta") == [first[2], first[0], first[1] + 1]
    assert calls[0] == "get_many" and "add" not in calls
    from django.core.cache import caches

    from core.redis_cache import PortalRedisCache

    if isinstance(caches["default"], PortalRedisCache):
        assert calls == ["get_many"]  # one round trip (locmem's get_many is a loop of its gets)
