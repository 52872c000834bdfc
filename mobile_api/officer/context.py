"""Field context for a review: the field, its last day of weather, and the photo store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app

from server.registry.models import Field, Node
from server.services import services
from server.timeseries.base import TimeSeriesStore

WEATHER = ("air_temp", "air_rh", "rain", "soil_vwc")


def weather_node(field: Field) -> Node | None:
    own = [n for n in field.nodes if n.kind == "weather"]
    farm = [n for f in field.farm.fields for n in f.nodes if n.kind == "weather"]
    found = own or farm
    return found[0] if found else None


def last_day(store: TimeSeriesStore, field: Field, now: int) -> dict[str, Any]:
    """24-hour summary from the field's (or farm's) weather node: temperature, humidity, rain."""
    node = weather_node(field)
    if node is None:
        return {"node_id": None}
    out: dict[str, Any] = {"node_id": node.id}
    for ch in WEATHER:
        vals = [
            p.value
            for p in store.series(node.id, ch, now - 86400, now)
            if p.value is not None and not p.quality
        ]
        if not vals:
            out[ch] = None
        elif ch == "rain":
            out[ch] = {"sum": round(sum(vals), 1)}
        else:
            out[ch] = {
                "min": round(min(vals), 2),
                "mean": round(sum(vals) / len(vals), 2),
                "max": round(max(vals), 2),
            }
    return out


def blob_dir() -> Path:
    settings = current_app.config["RUONGSO_SETTINGS"]
    configured = getattr(settings, "blob_dir", "")
    return Path(configured) if configured else Path(settings.data_dir) / "blobs"


def read_photo(digest: str) -> bytes | None:
    """The photo from the server's blob store, else from the farmer app's own store (older layout)."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    shared = getattr(services(), "blobs", None)
    data: bytes | None = shared.get(digest) if shared is not None else None
    if data is not None:
        return data
    try:
        from mobile_api.blobs import LocalBlobStore
    except ImportError:
        return None
    for base in {blob_dir(), Path(current_app.config["RUONGSO_SETTINGS"].data_dir) / "blobs"}:
        data = LocalBlobStore(base).get(digest)
        if data is not None:
            return data
    return None
