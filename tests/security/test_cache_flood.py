"""An anonymous visitor flooding the page cache with unique URLs, against Redis as docker-compose
runs it: each unique URL of a cached anonymous page stores one more entry (~4 KiB), so the cache
must be bounded and evict, and the task queue must live in another Redis that evicts nothing.

The Redis servers are real, started with the arguments of the compose services that REDIS_URL and
CELERY_BROKER_URL name; only the cache's maxmemory is scaled down (compose's would take a million
requests to fill)."""

import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.test import Client

from tests.conftest import STRICT

ROOT = Path(__file__).resolve().parents[2]
TEST_MAXMEMORY = 2 * 1024 * 1024  # the cache's limit for this test: reached after a few hundred pages
FLOOD_LIMIT = 1500  # unique URLs at most; the flood stops once the cache has evicted


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _service_arguments(compose: dict, service: str) -> list[str]:
    command = compose["services"][service]["command"]
    command = " ".join(command) if isinstance(command, list) else command
    command = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", command)  # compose's defaults
    arguments = shlex.split(command)
    assert arguments[0] == "redis-server", f"{service}: {command}"
    return arguments[1:]


def _with_test_memory(arguments: list[str]) -> list[str]:
    if "--maxmemory" not in arguments:
        return arguments
    arguments = list(arguments)
    arguments[arguments.index("--maxmemory") + 1] = str(TEST_MAXMEMORY)
    return arguments


@pytest.fixture
def compose_redis():
    """{'cache': (url, client), 'broker': (url, client)} with one redis-server per compose service."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        reason = "needs redis-server (apt-get install redis-server)"
        if STRICT:
            pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    env = compose["x-app"]["environment"]
    urls = {"cache": urlparse(env["REDIS_URL"]), "broker": urlparse(env["CELERY_BROKER_URL"])}
    workdir = Path(tempfile.mkdtemp(prefix="portal-redis-"))
    servers, processes, started = {}, [], {}
    try:
        for role, url in urls.items():
            if url.hostname not in servers:
                port = _free_port()
                directory = workdir / url.hostname
                directory.mkdir()
                arguments = _with_test_memory(_service_arguments(compose, url.hostname))
                processes.append(
                    subprocess.Popen(
                        [
                            binary,
                            *arguments,
                            "--bind",
                            "127.0.0.1",
                            "--port",
                            str(port),
                            "--dir",
                            str(directory),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
                servers[url.hostname] = port
            database = int(url.path.strip("/") or 0)
            local = f"redis://127.0.0.1:{servers[url.hostname]}/{database}"
            started[role] = (local, redis.Redis.from_url(local, socket_timeout=5))
        deadline = time.monotonic() + 10
        for _, client in started.values():
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not start"
                    time.sleep(0.05)
        started["same_server"] = len(servers) == 1
        yield started
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.django_db
def test_unique_anonymous_urls_cannot_grow_the_cache_or_push_out_queued_tasks(compose_redis, settings):
    from celery import Celery

    cache_url, cache_redis = compose_redis["cache"]
    broker_url, broker_redis = compose_redis["broker"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "core.redis_cache.PortalRedisCache",
            "LOCATION": cache_url,
        },
    }
    # A card waiting for the worker when the flood starts.
    queue = Celery(broker=broker_url, set_as_current=False)  # not the app the portal's tasks use
    queue.send_task("hukou_card.tasks.issue_cards_for_application", args=[1])
    queue.close()
    assert broker_redis.llen("celery") == 1

    client = Client()
    statuses = set()
    for n in range(FLOOD_LIMIT):
        statuses.add(client.get(f"/notice/?utm_source={n}").status_code)
        if n % 50 == 0 and int(cache_redis.info("stats")["evicted_keys"]) > 0:
            break
    memory = cache_redis.info("memory")
    print(
        f"{n + 1} unique URLs: cache {int(memory['used_memory']) // 1024} KiB of {int(memory['maxmemory']) // 1024} KiB"
    )
    assert statuses == {200}, statuses
    assert int(memory["maxmemory"]) > 0, (
        f"the cache has no memory limit: {n + 1} unique URLs grew it to {int(memory['used_memory']) // 1024} KiB"
    )
    assert int(cache_redis.info("stats")["evicted_keys"]) > 0
    assert int(memory["used_memory"]) <= int(memory["maxmemory"]) + 64 * 1024
    assert cache_redis.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"

    assert not compose_redis["same_server"], "the task queue shares the cache's Redis, and its eviction"
    assert broker_redis.llen("celery") == 1, "the flood pushed a queued task out of the broker"
    assert broker_redis.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"


def test_production_refuses_to_queue_tasks_in_the_cache():
    from tests.ops.test_deploy_check import run_manage

    result = run_manage(
        "check", env_overrides={"REDIS_URL": "redis://127.0.0.1:6379/0", "CELERY_BROKER_URL": ""}
    )
    assert result.returncode != 0
    assert "CELERY_BROKER_URL must be set" in result.stderr
