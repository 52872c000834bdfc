"""Every string key the officer and technician pages use exists in both catalogues (vi and en)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mobile_api.catalogues import catalogue

STATIC = Path(__file__).resolve().parents[2] / "mobile_api" / "static"
KEY = re.compile(r"""\bt\(\s*'([a-z0-9_]+)'|data-i18n(?:-placeholder|-title)?="([a-z0-9_]+)\"""")
DYNAMIC = re.compile(r"t\(`([a-z_]+)\$\{")  # t(`crop_${...}`): the prefix must have entries


@pytest.mark.parametrize("folder", ["officer", "tech"])
def test_catalogues_cover_every_key(folder: str) -> None:
    vi, en = catalogue("vi", folder), catalogue("en", folder)  # as served: crop and disease names merged
    assert set(vi) == set(en)
    sources = list((STATIC / folder).glob("*.js")) + list((STATIC / folder).glob("*.html"))
    if folder == "officer":
        sources.append(STATIC / "tech" / "core.js")
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        used |= {a or b for a, b in KEY.findall(text)}
        prefixes |= set(DYNAMIC.findall(text))
    assert not used - set(vi), f"missing in {folder}/i18n: {sorted(used - set(vi))}"
    assert all(any(k.startswith(p) for k in vi) for p in prefixes), prefixes
