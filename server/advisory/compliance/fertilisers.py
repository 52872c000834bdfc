"""Read-only view of ``data/fertilisers.json``: what a "Bón phân" (fertiliser) diary entry offers.

Kept apart from the pesticide catalogue on purpose: a fertiliser has no active ingredient to ban
and no pre-harvest interval, so it never feeds the harvest lock or the lot gate; mixing the two
lists made the fertiliser form offer pesticides. Every entry carries its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.language import DEFAULT, LANGS, words
from server.advisory import data_files


@dataclass(frozen=True)
class Fertiliser:
    """A fertiliser or soil amendment; ``grade`` is N-P2O5-K2O in percent (None: varies by batch)."""

    fertiliser_id: str
    names: dict[str, str]  # {lang: name}, every language of the table
    type: str  # nitrogen | phosphate | potash | compound | organic | amendment
    grade: tuple[float, float, float] | None
    verified: bool
    source: str

    @property
    def name(self) -> str:
        """The name in the default language (what a diary entry records as its product)."""
        return words(self.names, DEFAULT)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.fertiliser_id,
            "name": self.name,
            "names": {lang: words(self.names, lang) for lang in LANGS},
            "type": self.type,
            "grade": list(self.grade) if self.grade else None,
            "verified": self.verified,
            "source": self.source,
        }


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = data_files.load("fertilisers")
    return raw


def version() -> str:
    return str(_raw()["version"])


def fertilisers() -> dict[str, Fertiliser]:
    """All fertilisers keyed by id, in catalogue order."""
    out: dict[str, Fertiliser] = {}
    for r in _raw()["fertilisers"]:
        g = r.get("grade")
        grade = (float(g["n"]), float(g["p2o5"]), float(g["k2o"])) if g else None
        out[r["id"]] = Fertiliser(
            r["id"], dict(r["name"]), r["type"], grade, bool(r["verified"]), r["source"]
        )
    return out


def find(fertiliser_id: str) -> Fertiliser | None:
    return fertilisers().get(fertiliser_id)
