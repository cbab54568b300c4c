"""The read replica against a real streaming replica, and the PgBouncer setting.

The replica scenarios (tests/ops/replica_scenarios.py) need DATABASE_URL to be the primary of a
replica, which the rest of the suite's database is not; they run in a pytest of their own, pointed
at a private primary and hot standby made here (tests/ops/pg_clusters.py).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import STRICT
from tests.ops import pg_clusters

ROOT = Path(__file__).resolve().parents[2]


def _missing(reason: str):
    if STRICT:
        pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def clusters():
    if pg_clusters.pg_bin() is None:
        _missing("needs PostgreSQL's initdb and pg_basebackup (apt-get install postgresql)")
    made = pg_clusters.start()
    yield made
    made.stop()


def test_public_pages_read_the_streaming_replica_and_everything_else_the_primary(clusters):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "DATABASE_REPLICA_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    env.update(
        DATABASE_URL=clusters.primary_url,
        DATABASE_REPLICA_URL=clusters.replica_url,
        REPLICA_ADMIN_PORT=str(clusters.replica_port),
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/ops/replica_scenarios.py", "-q", "--tb=short", "-p", "no:cacheprovider",
         "-o", "addopts=-ra --strict-markers"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=540,
    )  # fmt: skip
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    scenarios = (ROOT / "tests" / "ops" / "replica_scenarios.py").read_text(encoding="utf-8").count("\ndef test_")
    assert summary.startswith(f"{scenarios} passed") and "skipped" not in summary, summary


# --- Settings: the pooler and the replica alias, read from the environment --------------------------


def _settings(**env) -> str:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "DJANGO_"))}
    clean.update(env)
    code = (
        "import json; from config import settings as s;"
        "print(json.dumps({alias: {k: db.get(k) for k in ('DISABLE_SERVER_SIDE_CURSORS', 'CONN_MAX_AGE', 'TEST', 'HOST', 'PORT', 'OPTIONS')}"
        " for alias, db in s.DATABASES.items()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    return result


def test_pgbouncer_in_transaction_mode_disables_server_side_cursors_on_every_alias():
    import json

    result = _settings(
        DATABASE_URL="postgres://portal@pgbouncer:6432/portal",
        DATABASE_REPLICA_URL="postgres://portal@pgbouncer-replica:6432/portal",
        DATABASE_POOLER="pgbouncer",
    )
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)
    assert databases["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert databases["replica"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert databases["default"]["CONN_MAX_AGE"] == 60  # persistent connections to the pooler stay
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert databases["replica"]["HOST"] == "pgbouncer-replica"
    # PgBouncer 1.18 in transaction mode keeps no session's prepared statements: client-side
    # binding and none prepared, as Django's default (test_pgbouncer.py shows the failure).
    for alias in ("default", "replica"):
        options = databases[alias]["OPTIONS"] or {}
        assert "server_side_binding" not in options and "prepare_threshold" not in options


def test_without_a_pooler_server_side_cursors_stay_and_there_is_no_replica():
    import json

    result = _settings(DATABASE_URL="postgres://portal@db:5432/portal")
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)
    assert set(databases) == {"default"}
    assert not databases["default"]["DISABLE_SERVER_SIDE_CURSORS"]
    # Straight to PostgreSQL: values bound on the server and statements prepared after five runs.
    assert databases["default"]["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_a_replica_reached_directly_prepares_its_statements_too():
    import json

    result = _settings(
        DATABASE_URL="postgres://portal@db:5432/portal", DATABASE_REPLICA_URL="postgres://portal@replica:5432/portal"
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout)["replica"]["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5
    assert options["connect_timeout"] == 2


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DATABASE_POOLER": "pgpool"}, "DATABASE_POOLER"),
        ({"DATABASE_REPLICA_URL": "sqlite:////tmp/replica.sqlite3"}, "DATABASE_REPLICA_URL"),
    ],
)
def test_a_mistyped_pooler_or_a_replica_that_is_no_postgres_stops_start_up(env, message):
    result = _settings(DATABASE_URL="postgres://portal@db:5432/portal", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_without_a_replica_reads_from_replica_changes_nothing(db):
    from applications.models import Application
    from core import replica

    with replica.reads_from_replica():
        assert not replica.active()
        assert Application.objects.all().db == "default"
