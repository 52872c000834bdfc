"""Content of the public lot report: plain values only, so nothing private can slip into the PDF.

Kept apart from the renderer so tests (and other outputs, e.g. a future HTML print view) can
check what the report says without parsing PDF bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SprayRow:
    product: str
    actives: tuple[str, ...]
    applied_on: date
    phi_days: int | None  # None: unknown, so never safe
    safe_from: date | None
    ok: bool


@dataclass(frozen=True)
class CheckRow:
    texts: tuple[str, ...]  # the item in each language of LANGS, Vietnamese first
    status: str  # met | partial | missing


@dataclass(frozen=True)
class LotReport:
    code: str
    crop: tuple[str, str]  # (vi, en)
    market: tuple[str, str]
    area_sao: float
    area_ha: float
    growing_area_code: str | None
    harvest_date: date
    quantity_kg: float | None
    place: str  # commune, province
    sprays: tuple[SprayRow, ...]
    checklist: tuple[CheckRow, ...]
    public_url: str
    # The compliance gate's verdict, judged when the report is made (never stored): a lot that a
    # later rule makes non-compliant is printed as such, with each reason in (vi, en).
    compliant: bool = True
    problems: tuple[tuple[str, str], ...] = ()
