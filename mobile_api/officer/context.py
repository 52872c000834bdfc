"""Field context for a review: the field, its last day of weather, and its photos."""

from __future__ import annotations

from typing import Any

from server.farm import photos
from server.registry.models import Field, Node
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


def read_photo(digest: str) -> bytes | None:
    """A diagnosis photo from the one photo store (``server.farm.photos``)."""
    return photos.stored(digest)
