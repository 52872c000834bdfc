"""Run the installed ``farm`` console script as a user does: a new process, its exit code and output.

In-process calls of ``cli.main.main`` skip what broke before (the console-script entry point, the
registration of every component, the exit status the shell sees), so these tests start the real
script from the virtual environment that runs the tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def farm_script() -> str:
    """The ``farm`` console script installed next to the interpreter running the tests."""
    bin_dir = Path(sys.executable).parent
    found = shutil.which("farm", path=str(bin_dir)) or shutil.which("farm")
    if found is None:
        pytest.fail(f"no 'farm' console script in {bin_dir}: run scripts/setup-env.sh (pip install -e .)")
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the project's settings, so a developer's shell cannot change a result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUONGSO_", "FARM_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def farm(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``farm ARGS`` in ``cwd`` (a temporary folder: relative default paths land there)."""
    return subprocess.run(
        [farm_script(), *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    """Assert success with nothing on stderr; return stdout."""
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


def ok_json(proc: subprocess.CompletedProcess[str]) -> Any:
    """Assert success and parse stdout as one JSON document."""
    return json.loads(ok(proc))


def one_line_error(
    proc: subprocess.CompletedProcess[str], *needles: str, code: int = 2, stdout: str = ""
) -> str:
    """Assert the clear-error contract: exit ``code``, no traceback, one ``farm ...: error:`` line
    on stderr that contains every needle, and stdout as given (nothing, by default). Returns the line."""
    assert proc.returncode == code, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{proc.stderr}"
    line = lines[0]
    assert line.startswith("farm") and ": error: " in line, line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    assert proc.stdout == stdout, proc.stdout
    return line
