"""Soak: a mixed load of applicants, reviewers and anonymous visitors for ten minutes (issue 15).

Serves the portal as http_pages.py does (gunicorn, 4 workers, the 1M-application database), logs in
at least 500 distinct sessions, and lets wrk (16 connections) pick, for every request, one line of a
weighted table of (session, page): applicants on their status page, their application and the
portal's home, applicants with a draft on 个人信息, reviewers on the queue (filtered, searched by an
ID number), an application's detail and the statistics, anonymous visitors on the public notice
list, the home page and the policy pages. It counts every non-2xx/3xx answer and socket error, and
samples each gunicorn worker's resident memory (VmRSS in /proc) after the warm-up, every minute,
and at the end.

gunicorn runs with `--max-requests 0` here: the production setting recycles a worker after about
2,000 requests (deploy/gunicorn.conf.py), which would hide a leak instead of showing it.

    .venv/bin/python bench/run.py soak                    # warm-up rounds of 60 s until memory levels, then 10 minutes
    BENCH_SOAK_SECONDS=120 .venv/bin/python bench/soak.py  # a shorter one
"""

import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_pages  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "600"))
WARMUP_SECONDS = int(os.environ.get("BENCH_SOAK_WARMUP", "60"))  # one warm-up round
WARMUP_ROUNDS_MAX = 6
WARMUP_LEVEL_PERCENT = 2.0
APPLICANT_SESSIONS = 450
DRAFTER_SESSIONS = 30
REVIEWER_SESSIONS_PER_DISTRICT = 6  # several open consoles per district's reviewer account
# Share of requests per kind of visitor (a portal's day: most traffic is applicants checking their
# status and anonymous readers of the notices; reviewers are few but heavy).
SHARES = {"applicant": 0.50, "drafter": 0.08, "reviewer": 0.17, "anonymous": 0.25}
LINES = 20_000

LUA = r"""
local lines = {}
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
init = function(args)
  for line in io.lines(args[1]) do
    local path, cookie = line:match("^([^\t]*)\t(.*)$")
    lines[#lines + 1] = {path, cookie}
  end
  math.randomseed(os.time() * 100 + (tid or 0))
end
request = function()
  local pick = lines[math.random(#lines)]
  local headers = {}
  if pick[2] ~= "" then headers["Cookie"] = pick[2] end
  return wrk.format("GET", pick[1], headers)
end
"""


def visitors() -> tuple[dict[str, list[tuple[str, str]]], int]:
    """(path, cookie) choices per kind of visitor, and the number of distinct sessions made."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from accounts.models import User
    from applications.choices import Status
    from applications.models import Application, TalentSubcategory

    sessions = 0
    choices: dict[str, list[tuple[str, str]]] = {kind: [] for kind in SHARES}
    rng = random.Random(15)

    # Applicants spread over the districts and states, as the bulk data has them.
    applications = list(
        Application.objects.filter(applicant__username__startswith="bulk_")
        .exclude(status=Status.DRAFT)
        .order_by("?")
        .values_list("applicant_id", "public_id")[:APPLICANT_SESSIONS]
    )
    users = User.objects.in_bulk([applicant for applicant, _ in applications])
    for applicant, public_id in applications:
        cookie = http_pages.session_cookie(users[applicant])
        sessions += 1
        choices["applicant"] += [
            (reverse("applications:status"), cookie),
            (reverse("applications:status"), cookie),
            (reverse("applications:status_detail", args=[public_id]), cookie),
            (reverse("portal:home"), cookie),
        ]

    drafts = list(
        Application.objects.filter(status=Status.DRAFT, applicant__username__startswith="bulk_")
        .order_by("?")
        .values_list("applicant_id", "public_id")[:DRAFTER_SESSIONS]
    )
    users = User.objects.in_bulk([applicant for applicant, _ in drafts])
    for applicant, public_id in drafts:
        cookie = http_pages.session_cookie(users[applicant])
        sessions += 1
        step = reverse("applications:step", kwargs={"public_id": public_id, "step": "personal"})
        choices["drafter"] += [(step, cookie), (reverse("applications:status"), cookie)]

    queue = reverse("review:queue")
    category = TalentSubcategory.objects.get(code="2.2").category_id
    for reviewer in User.objects.filter(username__regex=r"^reviewer\d\d$").select_related("district"):
        if reviewer.district_id is None:
            continue
        under_review = list(
            Application.objects.filter(district_id=reviewer.district_id, status=Status.UNDER_REVIEW)
            .order_by("-pk")
            .values_list("id_number", "public_id")[:40]
        )
        if not under_review:
            continue
        for _ in range(REVIEWER_SESSIONS_PER_DISTRICT):
            cookie = http_pages.session_cookie(reviewer)
            sessions += 1
            id_number, public_id = rng.choice(under_review)
            choices["reviewer"] += [
                (f"{queue}?{urlencode({'status': 'under_review', 'category': category})}", cookie),
                (f"{queue}?{urlencode({'status': 'all', 'q': id_number})}", cookie),
                (reverse("review:detail", args=[public_id]), cookie),
                (reverse("review:detail", args=[rng.choice(under_review)[1]]), cookie),
                (reverse("review:statistics"), cookie),
            ]

    choices["anonymous"] = [
        (reverse("notices:list"), ""),
        (reverse("notices:list") + "?page=2", ""),
        (reverse("portal:home"), ""),
        (reverse("portal:help"), ""),
    ]
    return choices, sessions


def write_table(choices: dict[str, list[tuple[str, str]]]) -> str:
    rng = random.Random(15)
    kinds = list(SHARES)
    handle = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, prefix="bench-soak-")
    for kind in rng.choices(kinds, weights=[SHARES[k] for k in kinds], k=LINES):
        path, cookie = rng.choice(choices[kind])
        handle.write(f"{path}\t{cookie}\n")
    handle.close()
    return handle.name


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def run() -> None:
    applications = int(os.environ.get("BENCH_APPLICATIONS", "1000000"))
    url = http_pages.ensure_database(applications)
    http_pages.django_setup(url)
    choices, sessions = visitors()
    table = write_table(choices)
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, prefix="bench-soak-")
    lua.write(LUA)
    lua.close()
    print(f"{sessions} distinct sessions; request shares {SHARES}", flush=True)
    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[:3]}", flush=True)

    def load(seconds: int) -> subprocess.Popen:
        return subprocess.Popen(
            ["wrk", "-t2", f"-c{http_pages.CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "5s",
             "-s", lua.name, f"http://127.0.0.1:{http_pages.PORT}/", "--", table],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip

    proc = http_pages.start_gunicorn(url, "--max-requests", "0")
    samples: list[tuple[float, dict[int, int | None]]] = []
    try:
        warm_out, warm_trail = warm_up(proc.pid, load)
        workers = worker_pids(proc.pid)
        started = time.time()
        samples.append((0.0, {pid: rss_kib(pid) for pid in workers}))
        soak = load(SECONDS)
        stop = threading.Event()

        def sample():
            while not stop.wait(60):
                samples.append((time.time() - started, {pid: rss_kib(pid) for pid in workers}))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out = soak.communicate()[0]
        stop.set()
        samples.append((time.time() - started, {pid: rss_kib(pid) for pid in workers}))
        still = worker_pids(proc.pid)
    finally:
        http_pages.stop(proc)
        import redis

        redis.Redis.from_url(http_pages.BENCH_BROKER, socket_timeout=5).flushdb()

    with open("/proc/loadavg") as f:
        print(f"load average after: {f.read().split()[:3]}")
    print(f"warm-up ({len(warm_trail) - 1} rounds): " + _summary(warm_out))
    print("worker RSS (MiB) at the end of each warm-up round:")
    for pid in workers:
        print(f"  {pid}: " + " ".join(f"{r[pid] / 1024:.0f}" if r.get(pid) else "-" for r in warm_trail))
    print(f"soak ({SECONDS} s, {http_pages.CONNECTIONS} connections): " + _summary(out))
    if still != workers:
        print(f"workers changed during the soak: {workers} → {still} (a restart: memory not comparable)")
    print("worker RSS (MiB) after warm-up, each minute, at the end; growth after warm-up:")
    growths = []
    for pid in workers:
        series = [s[1].get(pid) for s in samples]
        first, last = series[0], series[-1]
        growth = (last - first) / first * 100 if first and last else float("nan")
        growths.append(growth)
        print(
            f"  {pid}: " + " ".join(f"{v / 1024:.0f}" if v else "-" for v in series) + f"  ({growth:+.1f} %)"
        )
    print(f"largest growth: {max(growths):+.1f} % (target ≤ 10 %)")


def warm_up(master: int, load) -> tuple[str, list[dict[int, int | None]]]:
    """Load the server until every worker's memory has levelled off; return the last round's wrk output
    and each round's RSS per worker.

    A fixed warm-up is not enough: wrk keeps its 16 connections open for a whole run, so a worker
    that accepted few of them serves little of the mix and is still loading code and caches when
    the soak starts (the first 1M soak: two workers at 90 MiB against 117 after 60 s, then 118).
    Each round is a new wrk run with new connections, so they are dealt again; the soak starts once
    a round grew no worker by more than WARMUP_LEVEL_PERCENT, after at most WARMUP_ROUNDS_MAX."""
    trail = [{pid: rss_kib(pid) for pid in worker_pids(master)}]
    out = ""
    for _ in range(WARMUP_ROUNDS_MAX):
        out = load(WARMUP_SECONDS).communicate()[0]
        trail.append({pid: rss_kib(pid) for pid in worker_pids(master)})
        before, after = trail[-2], trail[-1]
        levelled = all(
            before.get(pid) and now and (now - before[pid]) / before[pid] * 100 <= WARMUP_LEVEL_PERCENT
            for pid, now in after.items()
        )
        if levelled:
            break
    return out, trail


def _summary(out: str) -> str:
    import re

    total = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)", out)
    return (
        f"{total.group(1) if total else '?'} requests, {rps.group(1) if rps else '?'} req/s, "
        f"p50 {p50.group(1) if p50 else '?'}, p99 {p99.group(1) if p99 else '?'}, "
        f"errors: {non2xx.group(1) if non2xx else 0} non-2xx/3xx"
        + (f", socket errors {sockets.group(1)}" if sockets else ", 0 socket errors")
    )


if __name__ == "__main__":
    run()
