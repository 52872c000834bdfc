"""VietGAP / GLOBALG.A.P. self-assessment: checklist definition (data) and a pure evaluator.

The checklist lives in ``data/vietgap_checklist.json``. The evaluator takes evidence counts and
flags that the server computes from the diary, sensors, lots and uploaded documents, and lists
what is missing, in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.advisory import data_files
from server.advisory.i18n import Text, text_of

SCHEMES = ("vietgap", "globalgap", "export")


@dataclass(frozen=True)
class ChecklistItem:
    """One requirement and the evidence that proves it."""

    item_id: str
    schemes: tuple[str, ...]
    reference: str
    evidence_type: str  # diary | sensor | lot | document
    kind: str  # count | flag
    key: str
    minimum: int
    text: Text
    verified: bool


def checklist(scheme: str | None = None) -> list[ChecklistItem]:
    """Checklist items, optionally only those of one scheme."""
    rows: list[dict[str, Any]] = data_files.load("vietgap_checklist")["items"]
    items = [
        ChecklistItem(
            r["id"],
            tuple(r["schemes"]),
            r["ref"],
            r["evidence"],
            r["kind"],
            r["key"],
            int(r.get("min", 1)),
            text_of(f"checklist.{r['id']}", r["text"]),
            bool(r.get("verified", True)),
        )
        for r in rows
    ]
    if scheme is None:
        return items
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    return [i for i in items if scheme in i.schemes]


@dataclass(frozen=True)
class Evidence:
    """Evidence counts (e.g. ``fertiliser_entries``) and flags (e.g. ``water_test_result``)."""

    counts: Mapping[str, int] = field(default_factory=dict)
    flags: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemResult:
    """Whether one item is met, with what was found and what is needed."""

    item: ChecklistItem
    met: bool
    have: int
    need: int


@dataclass(frozen=True)
class ChecklistResult:
    """All item results and the missing ones."""

    scheme: str
    results: tuple[ItemResult, ...]

    @property
    def missing(self) -> tuple[ItemResult, ...]:
        """Items not met."""
        return tuple(r for r in self.results if not r.met)

    @property
    def met_count(self) -> int:
        """Number of items met."""
        return sum(1 for r in self.results if r.met)


def evaluate_checklist(evidence: Evidence, scheme: str = "vietgap") -> ChecklistResult:
    """Evaluate the scheme's items against the evidence; absent evidence counts as missing."""
    results = []
    for item in checklist(scheme):
        if item.kind == "flag":
            have = 1 if evidence.flags.get(item.key, False) else 0
            need = 1
        else:
            have = int(evidence.counts.get(item.key, 0))
            need = item.minimum
        results.append(ItemResult(item, have >= need, have, need))
    return ChecklistResult(scheme, tuple(results))
