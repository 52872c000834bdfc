"""Long fuzzing. Coverage-guided atheris runs of every target in tests/fuzz/targets.py for --runs
executions each (default 1,000,000), or until --max-seconds per target, with libFuzzer's hang
(-timeout) and memory (-rss_limit_mb) guards; prints executions, exec/s and the time 1 M would take.
With --api: schemathesis against the app's OpenAPI document as all 5 roles (the in-suite test signs
in as 3 of them with 3 examples per operation).

    .venv/bin/python bench/fuzz_run.py --runs 1000000
    .venv/bin/python bench/fuzz_run.py --runs 1000000 --max-seconds 120 --only batch preprocess
    .venv/bin/python bench/fuzz_run.py --api --examples 10
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import Scratch
from tests.fuzz import targets
from tests.fuzz.test_fuzz_short import run_atheris

if TYPE_CHECKING:
    from flask import Flask


def executed(out: str) -> int:
    m = re.findall(r"stat::number_of_executed_units: (\d+)", out)
    if m:
        return int(m[-1])
    done = re.findall(r"Done (\d+) (?:runs|in)", out)
    return int(done[-1]) if done else 0


def fuzz(names: list[str], runs: int, max_seconds: int) -> int:
    failed = 0
    for name in names:
        t0 = time.time()
        try:
            limit = max_seconds + 600 if max_seconds else 3600
            with Scratch(f"fuzz-{name}-") as work:  # the corpus: deleted unless there is a finding
                try:
                    out = run_atheris(name, runs, work.path, timeout_s=limit, max_seconds=max_seconds)
                except AssertionError:
                    work.keep = True  # the crash input, to reproduce the finding
                    print(f"{name}: crash input kept in {work.path}", flush=True)
                    raise
            took = time.time() - t0
            n = executed(out)
            cov = re.findall(r"cov: (\d+)", out)
            rate = n / took if took > 0 else 0.0
            one_m = f"{1_000_000 / rate / 60:.1f} min" if rate else "?"
            print(f"{name}: {n} runs OK in {took:.0f} s ({rate:.0f} exec/s; 1 M would take {one_m}), "
                  f"coverage {cov[-1] if cov else '?'}", flush=True)  # fmt: skip
        except AssertionError as exc:
            failed += 1
            print(f"{name}: FINDING after {time.time() - t0:.0f} s\n{str(exc)[-1500:]}", flush=True)
    return failed


def api(roles: list[str], examples: int) -> int:
    import logging

    from tests.mobile_api.seeding import seeded_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    with Scratch("fuzz-api-") as tmp:
        return api_checks(seeded_app(tmp.path, history_days=0.5), roles, examples)


def api_checks(app: Flask, roles: list[str], examples: int) -> int:
    from tests.security.test_schemathesis import run_schemathesis

    failed = 0
    try:
        for role in roles:
            t0 = time.time()
            problems = run_schemathesis(app, role, max_examples=examples)
            print(f"api {role}: {examples} examples per operation, {len(problems)} problems, "
                  f"{time.time() - t0:.0f} s", flush=True)  # fmt: skip
            for p in problems[:20]:
                print("   ", p)
            failed += bool(problems)
    finally:
        app.extensions["ruongso"].store.close()
    return failed


def main() -> int:
    from tests.security.test_schemathesis import ROLES

    ap = argparse.ArgumentParser(description="long atheris runs and API conformance")
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--max-seconds", type=int, default=0, help="per target; 0: no limit but --runs")
    ap.add_argument("--only", nargs="*", default=sorted(targets.TARGETS))
    ap.add_argument("--api", action="store_true", help="schemathesis as every role instead of atheris")
    ap.add_argument("--examples", type=int, default=10, help="--api: examples per operation")
    ap.add_argument("--roles", nargs="*", default=ROLES)
    a = ap.parse_args()
    failed = api(a.roles, a.examples) if a.api else fuzz(a.only, a.runs, a.max_seconds)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
