"""Each offline app's service worker pre-caches every module its pages import.

An ES module import that is not in the cache fails the whole page when there is no signal (the
technician's provisioning screen went blank offline once a shared module was added). The imports
are read from the code itself, so a new module that is not listed fails here first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "mobile_api" / "static"
IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]""", re.M)
SHELL = re.compile(r"const SHELL = \[(.*?)\];", re.S)


def url_of(path: Path) -> str:
    return "/static/" + path.relative_to(STATIC).as_posix()


def imports(module: Path) -> set[Path]:
    """The local modules ``module`` imports (absolute /static/… or relative specifiers)."""
    out = set()
    for m in IMPORT.finditer(module.read_text(encoding="utf-8")):
        spec = m.group(1) or m.group(2)
        if spec.startswith("/static/"):
            out.add(STATIC / spec.removeprefix("/static/"))
        elif spec.startswith("."):
            out.add((module.parent / spec).resolve())
    return out


def closure(entries: list[Path]) -> set[Path]:
    seen: set[Path] = set()
    todo = list(entries)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(imports(module) - seen)
    return seen


@pytest.mark.parametrize(
    ("worker", "entries"),
    [
        ("sw.js", ["js/main.js"]),
        ("tech/sw.js", ["tech/tech.js"]),
    ],
)
def test_the_service_worker_caches_every_imported_module(worker: str, entries: list[str]) -> None:
    match = SHELL.search((STATIC / worker).read_text(encoding="utf-8"))
    assert match, f"{worker} has no SHELL list"
    cached = set(re.findall(r"""['"]([^'"]+)['"]""", match.group(1)))
    needed = {url_of(p) for p in closure([STATIC / e for e in entries])}
    assert len(needed) > 3  # the walk found the app's modules, not just its entry point
    missing = sorted(needed - cached)
    assert not missing, f"{worker} does not pre-cache {missing}: the page breaks offline"
