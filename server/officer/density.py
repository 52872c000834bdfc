"""Outbreak density, pure: affected farms on a regular grid smoothed with a Gaussian kernel.

A farm counts once however many photos it sent (``one_per_farm``): three photos of one sick
field are one outbreak site, not three. A confirmed farm weighs 1, a suspected one (the model's
answer, not yet reviewed) 0.5. Levels are absolute (farms per km², ``LEVELS``), so one farm alone
never paints the top colour. The grid is computed server-side so the page draws plain rectangles
(no heat-map library, works offline).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

M_PER_DEG_LAT = 110574.0
WEIGHTS = {"confirmed": 1.0, "suspected": 0.5}
# Colour-ramp thresholds in weighted farms per km² (a display scale chosen for this map, not an
# epidemiological threshold): one confirmed farm peaks at 1/(2π·0.25²) ≈ 2.5 /km² (level 2);
# four confirmed farms within a few hundred metres reach level 4. The page's legend shows these.
LEVELS = (0.5, 1.5, 4.0, 8.0)
# An aggregate over fields whose farmers did not consent to share is shown only when it counts at
# least this many (k-anonymity, L. Sweeney 2002). 3, not 2: in a group of two, each farmer knows
# their own field is counted and so learns that the other's is there.
# A 5 m alert circle on a field's centre answered "1 field reached" (issue 16, F8).
K_ANONYMITY = 3


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
    density: float  # weighted farms per km², kernel-smoothed
    level: int  # 0..4 for the colour ramp


def one_per_farm(cases: Sequence[tuple[int, Case]]) -> list[Case]:
    """One case per farm: at the mean position of its cases, confirmed if any of them is."""
    by_farm: dict[int, list[Case]] = {}
    for farm_id, case in cases:
        by_farm.setdefault(farm_id, []).append(case)
    out = []
    for group in by_farm.values():
        status = "confirmed" if any(c.status == "confirmed" for c in group) else "suspected"
        labels = {c.label for c in group}
        out.append(
            Case(
                sum(c.lat for c in group) / len(group),
                sum(c.lon for c in group) / len(group),
                status,
                labels.pop() if len(labels) == 1 else None,
            )
        )
    return out


def k_anonymous(count: int) -> int | None:
    """``count`` when it is at least ``K_ANONYMITY``, else None (shown as "fewer than 3").

    Zero is hidden too: "0" next to "fewer than 3" would tell a probing circle that a field is
    there after all."""
    return count if count >= K_ANONYMITY else None


def k_anonymous_counts(counts: dict[str, int]) -> dict[str, int]:
    """Per-area counts with the areas under ``K_ANONYMITY`` left out (their total is not shown)."""
    return {area: n for area, n in counts.items() if n >= K_ANONYMITY}


def level(density: float) -> int:
    """0..4 on the absolute ramp ``LEVELS``."""
    return sum(1 for t in LEVELS if density >= t)


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
            if total * norm >= LEVELS[0]:  # below the first colour: nothing to draw
                raw.append((r, c, total * norm))
    return [
        Cell(
            round(south + r * dlat, 6),
            round(west + c * dlon, 6),
            round(south + (r + 1) * dlat, 6),
            round(west + (c + 1) * dlon, 6),
            round(d, 3),
            level(d),
        )
        for r, c, d in raw
    ]
