"""The web apps' string catalogues as they are served: each app's own words (``i18n/<lang>.json`` in
its static folder) plus the names of crops and diseases from the domain tables
(``server.advisory.names``), which the files must not repeat. The public lot page and its PDF read
the same merged catalogue as the farmer's app."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from common.language import LANGS
from server.advisory.names import catalogue_words

STATIC = Path(__file__).parent / "static"
__all__ = ["LANGS", "STATIC", "catalogue", "catalogue_bytes", "match"]  # LANGS: common.language's
# i18n/vi.json (farmer), officer/i18n/vi.json, tech/i18n/en.json ...
SERVED_AS = re.compile(r"^(?:(?P<app>officer|tech)/)?i18n/(?P<lang>[a-z]{2})\.json$")


def match(name: str) -> tuple[str, str] | None:
    """(app folder, language) when ``name`` under /static/ is a catalogue, else None."""
    m = SERVED_AS.match(name)
    if m is None or m["lang"] not in LANGS:
        return None
    return m["app"] or "", m["lang"]


@cache
def catalogue(lang: str, app: str = "") -> dict[str, str]:
    """The merged catalogue of ``app`` ("" for the farmer's app) in ``lang``."""
    path = STATIC / app / "i18n" / f"{lang}.json"
    words: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return words | catalogue_words(lang)


@cache
def catalogue_bytes(lang: str, app: str = "") -> bytes:
    return json.dumps(catalogue(lang, app), ensure_ascii=False, indent=0).encode("utf-8")
