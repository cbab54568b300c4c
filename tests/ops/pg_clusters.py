"""A private PostgreSQL primary and its streaming replica, made for one test session.

initdb a primary on a free loopback port (wal_level=replica, replication trusted from 127.0.0.1),
pg_basebackup -R its data into a second directory, start that as a hot standby on another port.
PostgreSQL refuses to run as root; as root (CI) the clusters run as `nobody`. The shared server on
5432 is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin() -> Path | None:
    for directory in BIN_DIRS:
        if (directory / "initdb").exists() and (directory / "pg_basebackup").exists():
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Clusters:
    root: Path
    bin: Path
    primary_port: int
    replica_port: int
    user: str | None

    def url(self, port: int, name: str = "portal") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("check", True)
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("timeout", 120)
        return subprocess.run([str(a) for a in args], user=self.user, **kwargs)

    def pg_ctl(self, data: str, *args: str) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.root / data, "-l", self.root / f"{data}.log", *args)

    def stop(self) -> None:
        for data in ("replica", "primary"):
            if (self.root / data / "postmaster.pid").exists():
                self._run(self.bin / "pg_ctl", "-D", self.root / data, "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def start(*, replica: bool = True) -> Clusters:
    binaries = pg_bin()
    if binaries is None:
        raise FileNotFoundError("initdb / pg_basebackup not found under /usr/lib/postgresql/*/bin")
    root = Path(tempfile.mkdtemp(prefix="portal-replica-"))
    user = "nobody" if os.geteuid() == 0 else None
    if user:
        shutil.chown(root, user=user)
    clusters = Clusters(root, binaries, _free_port(), _free_port(), user)
    try:
        clusters._run(
            binaries / "initdb", "-D", root / "primary", "-U", "postgres", "-A", "trust", "--no-sync"
        )
        with open(root / "primary" / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {clusters.primary_port}\n"
                f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
                "fsync = off\nsynchronous_commit = on\nhot_standby = on\n"
                # A paused standby must not cancel the tests' own reads as conflicting with replay.
                "max_standby_streaming_delay = -1\n"
            )
        with open(root / "primary" / "pg_hba.conf", "a", encoding="utf-8") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        clusters.pg_ctl("primary", "-w", "start")
        if not replica:
            return clusters
        clusters._run(
            binaries / "pg_basebackup", "-h", "127.0.0.1", "-p", clusters.primary_port, "-U", "postgres",
            "-D", root / "replica", "-R", "-X", "stream",
        )  # fmt: skip
        with open(root / "replica" / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"port = {clusters.replica_port}\n")
        clusters.pg_ctl("replica", "-w", "start")
    except BaseException:
        clusters.stop()
        raise
    return clusters


def connect(port: int, dbname: str = "postgres"):
    connection = psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname)
    connection.autocommit = True
    return connection


def wait_for(condition, *, what: str, timeout: float = 30.0, interval: float = 0.05) -> None:
    """Poll a condition (never a fixed wait); fail after `timeout` seconds with `what`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)
