"""The static analysis `make lint` runs cannot be weakened quietly: ruff keeps its security (S)
rules with only two global exceptions, bandit scans every app of the project and finds nothing
above low, and no in-line suppression is a blanket one. (`check --deploy`: tests/ops/test_deploy_check.py.)"""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Exempt from S rules as a whole: tests and the benchmark harness (they run subprocesses, use
# assert and fixed passwords by design); nothing that runs in the portal itself.
S_EXEMPT_PATHS = ("tests/**", "bench/**", "demo/management/commands/generate_bulk_data.py")


def project_apps() -> list[str]:
    return sorted(
        config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == ROOT
    )


def app_sources():
    for app in project_apps():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_ruff_keeps_the_security_rules():
    lint = PYPROJECT["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    # assert (S101) is ruff's, and S311 (random) is safe because the app code never imports random.
    assert {code for code in lint["ignore"] if code.startswith("S")} <= {"S101", "S311"}
    for path, codes in lint.get("per-file-ignores", {}).items():
        if any(code.startswith("S") for code in codes):
            assert path in S_EXEMPT_PATHS, f"S rules switched off for {path}"


def test_app_code_draws_secrets_from_secrets_not_random():
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_sources()
        if re.search(r"^\s*(import random|from random import)", path.read_text(encoding="utf-8"), re.M)
        and "management" not in path.parts
    ]
    assert not offenders, f"use the secrets module for anything a user must not guess: {offenders}"


def test_inline_suppressions_name_the_rule_they_silence():
    """A bare `# nosec` or `# noqa` silences every check on the line, including future ones."""
    blanket = []
    for path in app_sources():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"#\s*nosec(?!\s*B\d)", line) or re.search(r"#\s*noqa(?!:\s*[A-Z]+\d)", line):
                blanket.append(f"{path.relative_to(ROOT)}:{number}")
    assert not blanket, f"name the rule: {blanket}"


def test_make_lint_runs_bandit_over_every_app_at_medium_severity():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    command = next(line for line in makefile.splitlines() if "bandit" in line and "-r" in line)
    scanned = set(command.split("-r", 1)[1].split("--", 1)[0].split())
    assert set(project_apps()) <= scanned, f"bandit does not scan {set(project_apps()) - scanned}"
    assert "--severity-level medium" in command  # fails on anything above low
    assert "lint" in re.search(r"^test:(.*)$", makefile, re.M).group(1)


def test_bandit_finds_nothing_above_low():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "bandit"),
            "-q",
            "-c",
            "pyproject.toml",
            "-r",
            *project_apps(),
            "-f",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    serious = [
        f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}"
        for issue in report["results"]
        if issue["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert not serious, serious
    assert report["metrics"]["_totals"]["loc"] > 5000  # it really read the code
