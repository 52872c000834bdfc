"""Long coverage-guided fuzzing: every target in tests/fuzz/targets.py for --runs executions each
(default 1,000,000) under atheris, with libFuzzer's hang (-timeout) and memory (-rss_limit_mb) guards.

    .venv/bin/python bench/fuzz_run.py --runs 1000000
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz import targets
from tests.fuzz.test_fuzz_short import run_atheris


def main() -> int:
    ap = argparse.ArgumentParser(description="long atheris runs")
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--only", nargs="*", default=sorted(targets.TARGETS))
    a = ap.parse_args()
    failed = 0
    for name in a.only:
        t0 = time.time()
        try:
            out = run_atheris(name, a.runs, Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-")), timeout_s=3600)
            cov = re.findall(r"cov: (\d+)", out)
            print(f"{name}: {a.runs} runs OK in {time.time() - t0:.0f} s, coverage {cov[-1] if cov else '?'}")
        except AssertionError as exc:
            failed += 1
            print(f"{name}: FINDING after {time.time() - t0:.0f} s\n{str(exc)[-1500:]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
