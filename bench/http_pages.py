"""Page benchmarks: gunicorn as docker-compose runs it, wrk on loopback, 1M applications in PostgreSQL.

Prints, for each page, requests per second, p50 and p99 at 16 concurrent connections, the ratios to
the bare page (the same base layout, no database) and to the logged-in ceiling (a plain Django
project, bench/ceiling/, served the same way in the same run), and the SQL queries the page runs.
Then times the 申报 submit step over real drafts. Figures only; nothing here asserts a time.

    make bench                       # everything (creates/reuses the `portal_bench` database)
    .venv/bin/python bench/http_pages.py --applications 100000   # a smaller city
"""

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DB_NAME", "portal_bench")
PG_BASE = os.environ.get("BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BENCH_BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/9")
CEILING_DB = os.environ.get("BENCH_CEILING_DB", "portal_bench_ceiling")
CEILING_PORT = int(os.environ.get("BENCH_CEILING_PORT", str(PORT + 1)))
CEILING_ROOT = ROOT / "bench" / "ceiling"
CONNECTIONS = 16
DURATION = os.environ.get("BENCH_DURATION", "10s")


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",  # testserver: the in-process query count
            "DATABASE_URL": database_url,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "BENCH_CEILING": "1",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESSLOG": "",
            # As in production: Redis for the cache and the broker. No worker runs, so a submit's
            # notification is queued and left there (the queue is flushed afterwards).
            "REDIS_URL": os.environ.get("BENCH_REDIS_CACHE", "redis://127.0.0.1:6379/8"),
            "CELERY_BROKER_URL": BENCH_BROKER,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            # The choices production must make (core/checks.py), made for a benchmark: its own key
            # (not the development CA), no SMS, mail to the console, and the demo accounts allowed.
            "SITE_URL": f"http://127.0.0.1:{PORT}",
            "SMS_BACKEND": "none",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "PORTAL_DEMO": "1",
            **bench_signing_env(),
        }
    )
    return env


def bench_signing_env() -> dict[str, str]:
    from hukou_card.signing import ensure_development_credentials

    keys = ensure_development_credentials(ROOT / "var" / "bench-signing")
    return {
        "CARD_SIGNING_KEY": str(keys.key_path),
        "CARD_SIGNING_CERT": str(keys.cert_path),
        "CARD_SIGNING_CA_CERT": str(keys.ca_paths[0]),
    }


def django_setup(database_url: str) -> None:
    os.environ.update(server_env(database_url))
    import django

    django.setup()


def ensure_database(applications: int) -> str:
    """Create and fill the benchmark database once; later runs reuse it."""
    import psycopg

    url = f"{PG_BASE}/{BENCH_DB}"
    admin = psycopg.connect(f"{PG_BASE}/postgres", autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        exists = cursor.fetchone() is not None
    populated = False
    if exists:
        conn = psycopg.connect(url)
        with conn.cursor() as cursor:
            try:
                cursor.execute("SELECT count(*) FROM applications_application")
                populated = cursor.fetchone()[0] >= applications
            except psycopg.Error:
                populated = False
        conn.close()
    if not populated:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
        env = server_env(url)
        manage = [sys.executable, str(ROOT / "manage.py")]
        print(
            f"Creating {BENCH_DB} with {applications:,} applications (once; later runs reuse it)…", flush=True
        )
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "load_demo", "--skip-applications"],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [*manage, "generate_bulk_data", f"--applications={applications}", f"--employers={max(100, applications // 50)}"],
            env=env, check=True, cwd=ROOT,
        )  # fmt: skip
    admin.close()
    return url


# Serve another checkout (e.g. a `git worktree` of an older commit) to measure "before" figures.
SERVER_ROOT = Path(os.environ.get("BENCH_SERVER_ROOT", ROOT))


def start_gunicorn(database_url: str, *extra_args: str) -> subprocess.Popen:
    env = server_env(database_url)
    env.update(
        {"GUNICORN_BIND": f"127.0.0.1:{PORT}", "GUNICORN_WORKERS": os.environ.get("BENCH_WORKERS", "4")}
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=SERVER_ROOT,
        check=True,
    )
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [gunicorn, "config.wsgi:application", "--config", "deploy/gunicorn.conf.py", *extra_args],
        env=env, cwd=SERVER_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    wait_for_port(proc, PORT)
    return proc


def ceiling_env() -> dict[str, str]:
    """The logged-in ceiling's environment: its own database, the portal's Redis, no portal settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ceiling.settings",
            "DJANGO_SECRET_KEY": "bench-ceiling-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DATABASE_URL": f"{PG_BASE}/{CEILING_DB}",
            "REDIS_URL": os.environ.get("BENCH_REDIS_CACHE", "redis://127.0.0.1:6379/8"),
            "PYTHONPATH": os.pathsep.join([str(CEILING_ROOT), str(ROOT)]),
        }
    )
    return env


def prepare_ceiling() -> dict:
    """Create the ceiling's database if needed, migrate and fill it; its cookie, path and query count."""
    import json

    import psycopg

    admin = psycopg.connect(f"{PG_BASE}/postgres", autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [CEILING_DB])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{CEILING_DB}"')
    admin.close()
    out = subprocess.run(
        [sys.executable, str(CEILING_ROOT / "prepare.py")], env=ceiling_env(), cwd=CEILING_ROOT,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def start_ceiling() -> subprocess.Popen:
    env = ceiling_env()
    env.update(
        {
            "GUNICORN_BIND": f"127.0.0.1:{CEILING_PORT}",
            "GUNICORN_WORKERS": os.environ.get("BENCH_WORKERS", "4"),
        }
    )
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    proc = subprocess.Popen(
        [gunicorn, "ceiling.wsgi:application", "--config", str(CEILING_ROOT / "gunicorn.conf.py")],
        env=env, cwd=CEILING_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    wait_for_port(proc, CEILING_PORT)
    return proc


def wait_for_port(proc: subprocess.Popen, port: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start: " + proc.stderr.read().decode(errors="replace"))


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def session_cookie(user) -> str:
    """A logged-in session for `user`, made the way django.contrib.auth.login makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


_WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_WRK_PCT = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def wrk(
    path: str,
    cookie: str | None,
    port: int = PORT,
    *,
    body: dict | None = None,
    duration: str | None = None,
    script: str | None = None,
) -> dict:
    """wrk's figures for one page; with `body`, a form POST carrying a CSRF cookie and token."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration or DURATION}", "--latency", "--timeout", "5s"]
    if body is not None:
        token, cookie = csrf_pair(cookie)
        script = post_script({**body, "csrfmiddlewaretoken": token})
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    pct = {int(p): float(v) * scale[u] for p, v, u in _WRK_PCT.findall(out)}
    non2xx = _WRK_NON2XX.search(out)
    socket_errors = _WRK_SOCKET.search(out)
    return {
        "rps": float(_WRK_RPS.search(out).group(1)),
        "p50": pct.get(50, float("nan")),
        "p99": pct.get(99, float("nan")),
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
        "requests": int(_WRK_TOTAL.search(out).group(1)),
        "output": out,
    }


_WRK_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_WRK_TOTAL = re.compile(r"(\d+) requests in")


def csrf_pair(cookie: str | None) -> tuple[str, str]:
    """An unmasked 32-character CSRF secret and the cookie header carrying it, as a browser sends."""
    import secrets

    token = secrets.token_hex(16)
    return token, "; ".join(part for part in (cookie, f"csrftoken={token}") if part)


def post_script(body: dict) -> str:
    """A wrk Lua script that POSTs `body`, url-encoded, on every request."""
    import json
    import tempfile
    from urllib.parse import urlencode

    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, prefix="bench-post-")
    handle.write(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(urlencode(body))}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )
    handle.close()
    return handle.name


def check_status(path: str, cookie: str | None, port: int = PORT, *, body: dict | None = None) -> int:
    from urllib.parse import urlencode

    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    if body is None:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    else:
        token, cookie = csrf_pair(cookie)
        conn.request(
            "POST", path, body=urlencode({**body, "csrfmiddlewaretoken": token}),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def count_queries(path: str, user, body: dict | None = None) -> tuple[int, float]:
    """The page's SQL statements and its CPU milliseconds per request in this process.

    The CPU figure is the best of 5 rounds of 20 requests through Django's test client (no
    network, no gunicorn, no template instrumentation), the same way bench/ceiling/prepare.py
    measures the ceiling: unlike requests per second under wrk, it hardly moves when other
    processes share the cores, so it compares pages across runs and machines."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def request():
        return client.get(path) if body is None else client.post(path, body)

    request()  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        response = request()
    assert response.status_code == (200 if body is None else 302), (path, response.status_code)
    # Session and auth lookups are part of every logged-in page; count every statement but the
    # transaction control around a write (BEGIN, COMMIT, savepoints), which the tests, run inside
    # a transaction, cannot see either.
    control = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")
    queries = sum(1 for q in ctx.captured_queries if not q["sql"].startswith(control))
    for _ in range(20):  # warm-up
        request()
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(20):
            request()
        rounds.append((time.process_time() - started) / 20 * 1000)
    return queries, min(rounds)


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--applications", type=int, default=int(os.environ.get("BENCH_APPLICATIONS", "1000000"))
    )
    parser.add_argument("--submits", type=int, default=200)
    args = parser.parse_args()
    run(applications=args.applications, submits=args.submits)


def run(*, applications: int | None = None, submits: int = 200) -> None:
    applications = applications or int(os.environ.get("BENCH_APPLICATIONS", "1000000"))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    url = ensure_database(applications)
    django_setup(url)
    from bench import scenarios

    refresh_seconds = scenarios.refresh_statistics()
    pages, users = scenarios.pages_and_users()
    cookies = {role: session_cookie(user) if user else None for role, user in users.items()}
    ceiling = prepare_ceiling()
    ceiling_proc = start_ceiling()
    proc = None
    try:
        # The yardstick, measured first; the portal's gunicorn is not started yet, so neither
        # server's idle workers sit on the cores while the other is measured.
        if check_status(ceiling["path"], ceiling["cookie"], CEILING_PORT) != 200:
            raise SystemExit("the logged-in ceiling did not answer 200 (is the session cookie valid?)")
        wrk(ceiling["path"], ceiling["cookie"], CEILING_PORT)  # warm-up
        logged_in = wrk(ceiling["path"], ceiling["cookie"], CEILING_PORT)
        logged_in["queries"], logged_in["cpu_ms"] = ceiling["queries"], ceiling["cpu_ms"]
    finally:
        stop(ceiling_proc)
    try:
        proc = start_gunicorn(url)
        rows = []
        for label, role, path, *body in pages:
            body = body[0] if body else None
            status = check_status(path, cookies[role], body=body)
            if status != (200 if body is None else 302):
                raise SystemExit(f"{label}: {path} answered {status}")
            wrk(path, cookies[role], body=body)  # warm-up
            figures = wrk(path, cookies[role], body=body)
            figures["queries"], figures["cpu_ms"] = count_queries(path, users[role], body)
            rows.append((label, role, figures))
            if len(rows) == 1:  # right after the bare page, as the table has it
                rows.append(("logged-in ceiling (bench/ceiling)", "ceiling", logged_in))
        submit = scenarios.time_submits(port=PORT, cookie_for=session_cookie, count=submits)
    finally:
        if proc is not None:
            stop(proc)
        import redis

        redis.Redis.from_url(BENCH_BROKER, socket_timeout=5).flushdb()

    bare = rows[0][2]["rps"]
    ceiling_rps = logged_in["rps"]
    print()
    print(f"Pages at {CONNECTIONS} connections, {DURATION} each, {applications:,} applications, "
          f"{os.cpu_count()} cores (gunicorn {os.environ.get('BENCH_WORKERS', '4')} workers × {os.environ.get('GUNICORN_THREADS', '4')} threads):")  # fmt: skip
    print(f"{'page':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'× bare page':>13}{'× logged-in ceiling':>21}"
          f"{'queries':>9}{'non-2xx':>9}{'p99÷p50':>9}{'CPU ms':>8}{'× ceiling CPU':>15}   target")  # fmt: skip
    for label, role, f in rows:
        print(f"{label}{' ' * (36 - display_width(label))}{f['rps']:>9.0f}{f['p50']:>9.1f}{f['p99']:>9.1f}{f['rps'] / bare:>13.2f}"
              f"{f['rps'] / ceiling_rps:>21.2f}{f['queries']:>9}{f['errors']:>9}{f['p99'] / f['p50']:>9.1f}"
              f"{f['cpu_ms']:>8.1f}{f['cpu_ms'] / logged_in['cpu_ms']:>15.1f}   "
              f"{page_verdict(f, ceiling_rps) if role not in (None, 'ceiling') else ''}")  # fmt: skip
    print(f"CPU ms: one request's CPU in one process through Django's test client (best of 5 × 20, no network,"
          f" no gunicorn); the logged-in ceiling's is {logged_in['cpu_ms']:.1f} ms.")  # fmt: skip
    print()
    print(
        f"Statistics view recount (REFRESH MATERIALIZED VIEW CONCURRENTLY, beat every 10 min): {refresh_seconds:.1f} s"
    )
    print(f"Submit step (POST, sequential, {submit['count']} drafts): "
          f"p50 {submit['p50']:.1f} ms, p99 {submit['p99']:.1f} ms, mean {statistics.mean(submit['times']):.1f} ms; "
          f"target p50 ≤ 30 ms and p99 ≤ 100 ms: {'met' if submit['p50'] <= 30 and submit['p99'] <= 100 else 'missed'}")  # fmt: skip


def page_verdict(figures: dict, ceiling_rps: float) -> str:
    """Issue 15's target for a logged-in page: ≥ 0.5 × the logged-in ceiling's requests per second,
    p99 ≤ 3 × its own p50, ≤ 8 queries and no errors; printed, never asserted."""
    misses = []
    if figures["rps"] < 0.5 * ceiling_rps:
        misses.append("< 0.5×")
    if figures["p99"] > 3 * figures["p50"]:
        misses.append("p99 > 3×p50")
    if figures["queries"] > 8:
        misses.append("> 8 queries")
    if figures["errors"]:
        misses.append("errors")
    return "met" if not misses else "missed (" + ", ".join(misses) + ")"


if __name__ == "__main__":
    main()
