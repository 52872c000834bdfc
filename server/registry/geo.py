"""Field geometry: area of GeoJSON polygons, in the units farmers use.

Pure functions: the registry stores the polygon and these derive the area.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

EARTH_RADIUS_M = 6371008.8  # IUGG mean Earth radius
SAO_BAC_BO_M2 = 360.0  # 1 sào Bắc Bộ = 360 m² (northern Vietnam's customary unit)


def ring_area_m2(ring: Sequence[Sequence[float]]) -> float:
    """Area of a lon/lat ring on the sphere (Chamberlain & Duquette 2007, as used by Turf/d3)."""
    n = len(ring)
    if n < 4:
        return 0.0
    total = 0.0
    for i in range(n - 1):
        lon1, lat1 = map(math.radians, ring[i][:2])
        lon2, lat2 = map(math.radians, ring[i + 1][:2])
        total += (lon2 - lon1) * (2 + math.sin(lat1) + math.sin(lat2))
    return abs(total * EARTH_RADIUS_M**2 / 2.0)


def polygon_area_m2(geometry: dict[str, Any]) -> float:
    """Area of a GeoJSON Polygon or MultiPolygon (holes subtracted)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"expected a Polygon or MultiPolygon, got {kind!r}")
    area = 0.0
    for rings in polygons:
        if not rings:
            raise ValueError("polygon without rings")
        for ring in rings:
            if len(ring) < 4 or list(ring[0]) != list(ring[-1]):
                raise ValueError("each polygon ring needs 4+ positions and must be closed")
            for lon, lat, *_ in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError("position outside lon/lat range")
        area += ring_area_m2(rings[0]) - sum(ring_area_m2(r) for r in rings[1:])
    return area


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """Mean of the outer ring's vertices: good enough to place a marker inside a small field."""
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else geometry["coordinates"][0]
    ring = rings[0][:-1]
    return (sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring))


def area_units(area_m2: float) -> dict[str, float]:
    return {
        "m2": round(area_m2, 1),
        "sao": round(area_m2 / SAO_BAC_BO_M2, 2),
        "ha": round(area_m2 / 10000, 4),
    }
