"""Benchmarks leave nothing in the temp directory: after a run, an error, or SIGTERM.

Each case runs in a child process with ``TMPDIR`` pointed at an empty directory of its own and
checks that directory is empty afterwards. No timing is asserted (speed lives in bench/).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HOLD = """
import sys, time
from bench.scratch import Scratch
with Scratch("bench-test-") as tmp:
    (tmp.path / "data").mkdir()
    (tmp.path / "data" / "points").write_bytes(b"x" * 100_000)
    print("ready", flush=True)
    if sys.argv[1] == "raise":
        raise RuntimeError("a benchmark failed half-way")
    time.sleep(60)
"""


def run(args: list[str], tmpdir: Path, **kw: object) -> subprocess.Popen[str]:
    env = os.environ | {"TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, **kw)  # type: ignore[call-overload]


@pytest.mark.parametrize("how", ["raise", "sigterm", "interrupt"])
def test_scratch_removes_its_data_however_the_run_ends(tmp_path: Path, how: str) -> None:
    proc = run([sys.executable, "-c", HOLD, how], tmp_path)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    assert any(tmp_path.iterdir())  # the data is there while the run lasts
    if how == "sigterm":
        proc.send_signal(signal.SIGTERM)
    elif how == "interrupt":
        proc.send_signal(signal.SIGINT)  # Ctrl-C
    assert proc.wait(30) != 0
    assert list(tmp_path.iterdir()) == []


def test_gateway_benchmark_leaves_nothing(tmp_path: Path) -> None:
    proc = run(
        [sys.executable, "bench/gateway_throughput.py", "--per-node", "5", "--repeats", "1", "--no-replay"],
        tmp_path,
    )
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert "per CPU-second" in out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.services
def test_ingest_benchmark_leaves_nothing(tmp_path: Path) -> None:
    """InfluxDB shards, the registry and gunicorn's data: the smallest run, SQLite registry."""
    args = ["--registry", "sqlite", "--frames", "2000", "--nodes", "50", "--rounds", "1", "--workers", "1"]
    proc = run([sys.executable, "-m", "bench.server_ingest", *args, "--batch", "500"], tmp_path)
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, out
    assert "per CPU-second" in out
    assert list(tmp_path.iterdir()) == []
