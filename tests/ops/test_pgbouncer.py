"""Through a real PgBouncer in transaction mode (Debian's pgbouncer, in front of a private cluster).

In transaction mode each transaction may run on another server connection. QuerySet.iterator()
reads through a server-side cursor (DECLARE … WITH HOLD outside a transaction), which lives on the
server connection that declared it: the next FETCH, handed to another, finds no cursor. With
DATABASE_POOLER=pgbouncer the settings disable server-side cursors (test_read_replica.py checks
the setting); here the failure it prevents, and that iterating works with it.
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connections

from tests.conftest import STRICT
from tests.ops import pg_clusters

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def _missing(reason: str):
    if STRICT:
        pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bouncer():
    if not os.path.exists(PGBOUNCER):
        _missing("needs PgBouncer (apt-get install pgbouncer)")
    if pg_clusters.pg_bin() is None:
        _missing("needs PostgreSQL's initdb (apt-get install postgresql)")
    cluster = pg_clusters.start(replica=False)
    port = _free_port()
    ini = Path(cluster.root) / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={cluster.primary_port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {cluster.root}/userlist.txt\n"
        "pool_mode = transaction\n"
        "default_pool_size = 4\n"
        # The most recently used server first (the default): which server a transaction gets is
        # then known, and the test can take the declaring one away on purpose.
        "server_round_robin = 0\n"
        f"logfile = {cluster.root}/pgbouncer.log\n",
        encoding="utf-8",
    )
    (Path(cluster.root) / "userlist.txt").write_text('"postgres" ""\n', encoding="utf-8")
    if cluster.user:
        for path in (ini, Path(cluster.root) / "userlist.txt"):
            shutil.chown(path, user=cluster.user)
    process = subprocess.Popen([PGBOUNCER, "-q", str(ini)], user=cluster.user)  # noqa: S603
    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres").close()
            break
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                cluster.stop()
                raise
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)
    cluster.stop()


def _alias(port: int, *, disable_server_side_cursors: bool, options: dict | None = None) -> str:
    name = f"bouncer_{int(disable_server_side_cursors)}_{len(options or {})}"
    settings = {
        "OPTIONS": options or {},
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DISABLE_SERVER_SIDE_CURSORS": disable_server_side_cursors,
    }
    connections.settings[name] = connections.configure_settings({"default": {}, name: settings})[name]
    return name


def _iterate_while_another_client_takes_the_server(alias: str, port: int) -> list[str]:
    """QuerySet.iterator() reads its first row; another client then opens a transaction, which
    PgBouncer gives the server connection just freed; the iterator reads on."""
    from django.contrib.contenttypes.models import ContentType

    connection = connections[alias]
    try:
        with connection.schema_editor() as editor:
            editor.execute("DROP TABLE IF EXISTS django_content_type")
            editor.create_model(ContentType)
        ContentType.objects.using(alias).bulk_create(
            ContentType(app_label="t", model=f"m{n}") for n in range(5)
        )
        rows = (
            ContentType.objects.using(alias)
            .order_by("pk")
            .values_list("model", flat=True)
            .iterator(chunk_size=1)
        )
        seen = [next(rows)]
        other = psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        try:
            with other.cursor() as busy:
                busy.execute("SELECT 1")  # inside the transaction psycopg opened: holds its server
            seen += list(rows)
        finally:
            other.close()
        return seen
    finally:
        connection.close()
        del connections[alias]


def test_server_side_cursors_break_in_transaction_mode(bouncer, django_db_blocker):
    with django_db_blocker.unblock():
        alias = _alias(bouncer, disable_server_side_cursors=False)
        # Django's error, or psycopg's own from closing the lost cursor while that one propagates.
        with pytest.raises((OperationalError, psycopg.Error), match=r"cursor \"_django_curs_\w+\" does not exist"):
            _iterate_while_another_client_takes_the_server(alias, bouncer)


def test_with_the_pooler_setting_iterating_works_through_pgbouncer(bouncer, django_db_blocker):
    with django_db_blocker.unblock():
        alias = _alias(bouncer, disable_server_side_cursors=True)
        assert _iterate_while_another_client_takes_the_server(alias, bouncer) == [f"m{n}" for n in range(5)]


def _query_while_another_client_takes_the_server(alias: str, port: int) -> list[int]:
    """The same statement twice from one Django connection, each in its own transaction, while
    another client holds the server connection the first one ran on."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relkind = %s", ["r"])
            first = cursor.fetchone()[0]
        other = psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        try:
            with other.cursor() as busy:
                busy.execute("SELECT 1")  # holds the server the statement was prepared on
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_class WHERE relkind = %s", ["r"])
                second = cursor.fetchone()[0]
        finally:
            other.close()
        return [first, second]
    finally:
        connection.close()
        del connections[alias]


def test_prepared_statements_break_in_transaction_mode(bouncer, django_db_blocker):
    """Why config/settings.py prepares nothing through the pooler: a statement prepared in one
    transaction is on that server connection only, and the next transaction may get another."""
    with django_db_blocker.unblock():
        alias = _alias(
            bouncer, disable_server_side_cursors=True,
            options={"server_side_binding": True, "prepare_threshold": 0},  # prepared on first use
        )  # fmt: skip
        with pytest.raises(Exception, match=r"prepared statement \"_pg3_\d+\" does not exist"):
            _query_while_another_client_takes_the_server(alias, bouncer)


def test_with_the_pooler_settings_statements_run_on_any_server_connection(bouncer, django_db_blocker):
    with django_db_blocker.unblock():
        alias = _alias(bouncer, disable_server_side_cursors=True)  # the pooler's: no OPTIONS
        first, second = _query_while_another_client_takes_the_server(alias, bouncer)
        assert first == second > 0
