"""`make bench`: run every benchmark in turn and print its numbers (benchmarks are not tests)."""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import access_log  # noqa: E402
import cards  # noqa: E402
import http_pages  # noqa: E402
import soak  # noqa: E402
import uploads  # noqa: E402

# name → callable; add new benchmarks here. `make bench` runs them all in this order; the page
# benchmark builds its 1M-application database once (several minutes) and reuses it afterwards.
BENCHMARKS = {
    "cards": cards.run,
    "uploads": uploads.run,
    "access_log": access_log.run,
    "pages": http_pages.run,
}
# Run only when named (`bench/run.py soak`, `make bench BENCH=soak`): ten minutes and more.
ON_REQUEST = {"soak": soak.run}


def main() -> None:
    selected = sys.argv[1:] or list(BENCHMARKS)
    if len(selected) > 1:
        # Each benchmark in its own process: each one sets Django up for its own database (the
        # card and access-log ones on SQLite, the pages on portal_bench), and Django is set up
        # once per process; in one process the pages ran against the first one's database.
        for name in selected:
            subprocess.run([sys.executable, __file__, name], check=True)
        return
    for name in selected:
        benchmark = BENCHMARKS.get(name) or ON_REQUEST.get(name)
        if benchmark is None:
            raise SystemExit(
                f"unknown benchmark {name!r}; choose from {', '.join([*BENCHMARKS, *ON_REQUEST])}"
            )
        print(f"== {name} ==")
        benchmark()
        print()


if __name__ == "__main__":
    main()
