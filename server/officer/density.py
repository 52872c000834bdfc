"""Outbreak density, pure: diagnoses on a regular grid smoothed with a Gaussian kernel.

Confirmed diagnoses weigh 1, suspected ones (the model's answer, not yet reviewed) 0.5. The grid
is computed server-side so the page draws plain rectangles (no heat-map library, works offline).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

M_PER_DEG_LAT = 110574.0
WEIGHTS = {"confirmed": 1.0, "suspected": 0.5}


@dataclass(frozen=True)
class Case:
    lat: float
    lon: float
    status: str  # confirmed | suspected
    label: str | None = None


@dataclass(frozen=True)
class Cell:
    south: float
    west: float
    north: float
    east: float
    density: float  # weighted cases per km², kernel-smoothed
    level: int  # 0..4 for the colour ramp


def _m_per_deg_lon(lat: float) -> float:
    return 111320.0 * math.cos(math.radians(lat))


def grid(
    cases: Sequence[Case], cell_m: float = 100.0, bandwidth_m: float = 250.0, pad_m: float = 500.0
) -> list[Cell]:
    """Non-empty cells of a grid covering the cases; each cell's kernel density at its centre."""
    if not cases:
        return []
    lat0 = sum(c.lat for c in cases) / len(cases)
    mlat, mlon = M_PER_DEG_LAT, _m_per_deg_lon(lat0)
    south = min(c.lat for c in cases) - pad_m / mlat
    west = min(c.lon for c in cases) - pad_m / mlon
    rows = math.ceil(((max(c.lat for c in cases) - south) * mlat + pad_m) / cell_m)
    cols = math.ceil(((max(c.lon for c in cases) - west) * mlon + pad_m) / cell_m)
    dlat, dlon = cell_m / mlat, cell_m / mlon
    norm = 1.0 / (2 * math.pi * (bandwidth_m / 1000) ** 2)  # per km²
    raw: list[tuple[int, int, float]] = []
    for r in range(rows):
        for c in range(cols):
            clat, clon = south + (r + 0.5) * dlat, west + (c + 0.5) * dlon
            total = 0.0
            for case in cases:
                dy, dx = (case.lat - clat) * mlat, (case.lon - clon) * mlon
                total += WEIGHTS.get(case.status, 0.0) * math.exp(-(dx * dx + dy * dy) / (2 * bandwidth_m**2))
            if total * norm >= 0.05:
                raw.append((r, c, total * norm))
    peak = max((d for _, _, d in raw), default=0.0)
    return [
        Cell(
            round(south + r * dlat, 6),
            round(west + c * dlon, 6),
            round(south + (r + 1) * dlat, 6),
            round(west + (c + 1) * dlon, 6),
            round(d, 3),
            min(4, int(5 * d / peak)) if peak else 0,
        )
        for r, c, d in raw
    ]
