"""Django's {# … #} is a one-line comment: spread over lines it is printed on the page as text
(issue 12: the review queue showed its filter bar's comment). Longer notes use {% comment %}."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def template_files():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        yield from (path for path in folder.rglob("*") if path.suffix in (".html", ".txt"))


def test_no_single_line_template_comment_runs_onto_a_second_line():
    offenders = []
    for path in template_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            start = line.rfind("{#")
            if start != -1 and "#}" not in line[start:]:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, f"use {{% comment %}} for comments over several lines: {offenders}"
