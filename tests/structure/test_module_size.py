"""Small modules with one job: no runtime module of the project over 400 lines.

A module that grows past this usually holds two jobs (a domain rule and its HTTP handler, or two
screens' logic); split it where the jobs part rather than raising the limit. Tests, benchmarks and
migrations (frozen history) are not runtime code.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ("cli", "common", "demo", "firmware", "gateway", "mobile_api", "ruongso", "server", "vision")
SOURCE_SUFFIXES = {".py", ".js", ".mjs"}
MAX_LINES = 400


def runtime_modules() -> list[Path]:
    return sorted(
        p
        for top in RUNTIME
        for p in (ROOT / top).rglob("*")
        if p.suffix in SOURCE_SUFFIXES and p.is_file() and "node_modules" not in p.parts
    )


def test_the_tree_has_runtime_modules() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in runtime_modules()}
    assert "ruongso/app.py" in names and "gateway/intake.py" in names


def test_no_runtime_module_is_over_400_lines() -> None:
    too_long = {
        p.relative_to(ROOT).as_posix(): n
        for p in runtime_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"split these modules (lines): {too_long}"
