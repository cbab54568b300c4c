"""Redis (the cache) down: every page a person uses still answers, and when Redis is back the cache is
used again with nothing restarted.

Each test starts its own redis-server on a free port, points the cache (and cached_db sessions) at
it, kills it with SIGKILL or freezes it with SIGSTOP, and requests the pages through Django. The
breaker's clock is injected (core.redis_cache._clock), so nothing waits on the wall clock.
"""

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from core import redis_cache
from tests import factories
from tests.conftest import STRICT

pytestmark = pytest.mark.django_db

PAGES_DOWN = (
    "/accounts/login/",
    "/",
    "/notice/",
    "/cards/verify/",
    "/healthz",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server: start, kill -9, start again on the same port, freeze and thaw."""

    def __init__(self, binary: str):
        self.binary, self.port = binary, _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="portal-redis-outage-"))
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=2)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert self.process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not start within 20 s"
                time.sleep(0.05)  # polling for the server's start, not waiting for an outcome

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.thaw()
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "needs redis-server (apt-get install redis-server)"
        if STRICT:
            pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.close()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(redis_cache, "_clock", fake)
    return fake


@pytest.fixture
def redis_cache_settings(redis_server, settings, clock):
    """The cache and cached_db sessions on the private Redis, as production runs them (REDIS_URL)."""
    settings.CACHES = {
        **settings.CACHES,  # the per-process fragments (core.fragments) stay in memory, as in production
        "default": {
            "BACKEND": "core.redis_cache.PortalRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
            "KEY_PREFIX": "portal",
        },
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHE_BREAKER_SECONDS = 5
    cache.set("probe", "up")
    assert cache.get("probe") == "up"
    return redis_server


def _login(client, user) -> None:
    response = client.post(
        "/accounts/login/",
        {
            "user_type": "personal",
            "username": user.username,
            "password": factories.PASSWORD,
            "captcha_0": "anykey",
            "captcha_1": "PASSED",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == "/"


def _declaration_step(application) -> str:
    from django.urls import reverse

    return reverse("applications:step", kwargs={"public_id": application.public_id, "step": "declaration"})


def _pages_answer_without_redis(client, applicant, *, degraded: bool = True) -> dict[str, float]:
    """Every page a person uses, with Redis gone; the time each took."""
    from applications.models import Application

    timings = {}
    application = factories.ApplicationFactory(
        applicant=applicant, completed_steps=["commitment"], conditions_confirmed=False
    )

    def timed(name, call):
        started = time.perf_counter()
        response = call()
        timings[name] = time.perf_counter() - started
        assert response.status_code < 500, f"{name}: {response.status_code}"
        return response

    login = timed("GET /accounts/login/", lambda: Client().get("/accounts/login/"))
    assert "验证码" in login.content.decode() and "/captcha/image/" in login.content.decode()
    fresh = Client()
    timed("POST /accounts/login/", lambda: _login(fresh, applicant) or fresh.get("/"))
    home = timed("GET / (logged in)", lambda: client.get("/"))
    assert home.status_code == 200 and "我的应用" in home.content.decode()
    step = _declaration_step(application)
    assert timed("GET wizard step", lambda: client.get(step)).status_code == 200
    posted = timed(
        "POST wizard step",
        lambda: client.post(step, {"declaration_type": "talent_hukou", "conditions_confirmed": "on"}),
    )
    assert posted.status_code == 302 and posted.url.endswith("/category/")
    application = Application.objects.get(pk=application.pk)
    assert application.conditions_confirmed and "declaration" in application.completed_steps
    notice = timed("GET /notice/", lambda: Client().get("/notice/"))
    assert notice.status_code == 200
    from hukou_card.numbers import new_card_number

    card_number = new_card_number(district_code="440106", year=2026)
    verify = timed("GET /cards/verify/", lambda: Client().get("/cards/verify/"))
    assert verify.status_code == 200
    checked = timed(
        "POST /cards/verify/",
        lambda: Client().post(
            "/cards/verify/",
            {"number": card_number, "code": "ABCDEF", "captcha_0": "k", "captcha_1": "PASSED"},
        ),
    )
    assert (
        checked.status_code == 200
        and "未找到与该卡号和卡面验证码相符的入户信息卡" in checked.content.decode()
    )
    health = timed("GET /healthz", lambda: Client().get("/healthz"))
    assert health.status_code == 200
    if degraded:
        assert health.json()["status"] == "degraded" and health.json()["reasons"] == ["cache unavailable"]
    else:
        assert health.json()["status"] == "ok"
    return timings


def test_pages_answer_with_redis_killed_and_the_cache_is_used_again_when_it_returns(
    redis_cache_settings, clock, applicant, caplog
):
    server = redis_cache_settings
    client = Client()
    _login(client, applicant)  # a session made while Redis was up: cached there and in the database
    assert client.get("/").status_code == 200

    server.kill()
    with caplog.at_level(logging.WARNING, logger="core.redis_cache"):
        timings = _pages_answer_without_redis(client, applicant)
        for _ in range(5):
            clock.advance(6)  # past the breaker: each page tries Redis again, and fails again
            assert client.get("/").status_code == 200
    outage_lines = [r for r in caplog.records if r.getMessage().startswith("cache unavailable")]
    assert len(outage_lines) == 1, "the outage is logged once per minute, not once per call"
    assert "ConnectionError" in outage_lines[0].getMessage()
    print("\nRedis killed (connection refused), breaker on:")
    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds * 1000:7.1f} ms")

    # Redis returns on the same port, empty. Nothing is restarted or reset: the breaker closes by
    # itself at its next try and the cache is written and read again.
    server.start()
    clock.advance(6)
    cache.set("after", "back")
    assert cache.get("after") == "back"
    assert server_has_key(server, "portal:1:after")
    assert client.get("/").status_code == 200
    assert Client().get("/healthz").json()["status"] == "ok"
    assert any(r.getMessage().startswith("cache available again") for r in caplog.records)


def server_has_key(server, key: str) -> bool:
    import redis

    return bool(redis.Redis.from_url(server.url, socket_timeout=2).exists(key))


def test_a_logout_during_the_outage_is_not_undone_by_the_session_redis_still_holds(
    redis_cache_settings, clock, applicant
):
    """Redis frozen (SIGSTOP: its data kept) while the user logs out; thawed, the old session cookie
    must not log anyone in from the cached copy."""
    server = redis_cache_settings
    client = Client()
    _login(client, applicant)
    cookie = client.cookies["sessionid"].value
    server.freeze()
    try:
        assert client.post("/accounts/logout/").status_code == 302
    finally:
        server.thaw()
    clock.advance(6)
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    response = stolen.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not server_has_key(server, f"portal:1:django.contrib.sessions.cached_db{cookie}")


def test_a_version_bumped_during_the_outage_is_not_read_stale_afterwards(redis_cache_settings, clock):
    from core.cache import bump, version

    server = redis_cache_settings
    before = version("things")
    server.freeze()
    try:
        bump("things")  # a write during the outage: its bump cannot reach Redis
    finally:
        server.thaw()
    clock.advance(6)
    assert version("things") != before, "the version from before the outage came back: pages would be stale"


def test_the_breaker_skips_a_frozen_redis_and_closes_by_itself(redis_cache_settings, clock, settings):
    """A frozen Redis (SIGSTOP) costs the 2 s socket timeout per call; the breaker pays it once per
    CACHE_BREAKER_SECONDS, and tries again by itself afterwards."""
    server = redis_cache_settings
    cache.set("kept", "value")
    health = cache._cache.health
    server.freeze()
    try:
        started = time.perf_counter()
        assert cache.get("kept") is None  # pays the timeout, opens the breaker
        first = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(50):
            assert cache.get("kept") is None  # answered without Redis
        skipped = time.perf_counter() - started
        assert health.is_open()
        clock.advance(settings.CACHE_BREAKER_SECONDS + 0.1)
        assert not health.is_open(), "the breaker must close by itself"
    finally:
        server.thaw()
    assert cache.get("kept") == "value"  # the next call went to Redis again
    assert health.available() and not health.is_open()
    print(
        f"\nRedis frozen: first call {first * 1000:.0f} ms (socket timeout), next 50 calls {skipped * 1000:.1f} ms"
    )
    assert skipped < first


def test_throttles_fail_open_while_redis_is_down(redis_cache_settings):
    from core.throttle import throttle_hit
    from hukou_card import throttle

    redis_cache_settings.kill()
    assert throttle_hit(scope="test", who="1.2.3.4", limit=1, window=60) is None
    assert throttle_hit(scope="test", who="1.2.3.4", limit=1, window=60) is None
    throttle.record_failure("1.2.3.4")
    assert throttle.is_blocked("1.2.3.4") is False


def test_memoized_reference_data_still_loads_while_redis_is_down(redis_cache_settings):
    from core.cache import memoized_by_version

    redis_cache_settings.kill()
    assert memoized_by_version("test-reference", lambda: {"440106": "天河区"}) == {"440106": "天河区"}
    assert memoized_by_version("test-reference", lambda: {"440106": "天河区"}) == {"440106": "天河区"}


@pytest.mark.parametrize(
    "fault, breaker_seconds",
    [
        ("none", 5),  # the baseline: Redis up
        ("killed", 5),
        ("killed", 0),
        ("frozen", 5),
        pytest.param(
            "frozen",
            0,
            marks=pytest.mark.skipif(
                os.environ.get("PORTAL_MEASURE_OUTAGE") != "1",
                reason="a measurement (every cache call waits out the 2 s timeout): PORTAL_MEASURE_OUTAGE=1",
            ),
        ),
    ],
)
def test_page_times_with_redis_down(redis_cache_settings, settings, applicant, fault, breaker_seconds):
    """The figures for docs/operations.md: a killed Redis refuses at once; a frozen one (SIGSTOP, or a
    host gone silent) costs the socket timeout per call unless the breaker holds the calls back."""
    server = redis_cache_settings
    settings.CACHE_BREAKER_SECONDS = breaker_seconds
    client = Client()
    _login(client, applicant)
    if fault == "killed":
        server.kill()
    elif fault == "frozen":
        server.freeze()
    try:
        timings = _pages_answer_without_redis(client, applicant, degraded=fault != "none")
    finally:
        if fault == "frozen":
            server.thaw()
    breaker = f"{breaker_seconds} s" if breaker_seconds else "off"
    print(f"\nRedis {'up' if fault == 'none' else fault}, breaker {breaker}:")
    for name, seconds in timings.items():
        print(f"  {name:<24} {seconds * 1000:8.1f} ms")
    print(f"  {'all pages':<24} {sum(timings.values()) * 1000:8.1f} ms")
    if fault == "frozen" and breaker_seconds:
        # One call paid the timeout; the breaker (its clock stopped here) answered every other call of
        # every page without Redis.
        assert cache._cache.health.errors == 1
