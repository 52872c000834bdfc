"""Area alerts: which fields a circle reaches, and what the farmer reads, as a key with parameters.

An alert is stored as ``message_key`` + ``message_params`` and worded when read, in the reader's
languages: ``alert_note`` is the officer's own words (``{"vi", "en"}``; English falls back to the
Vietnamese the officer wrote); ``alert_disease`` names a disease from the one disease vocabulary
(``{"disease": key}``) in a title above the officer's words, so the farmer sees which disease in
their own language even when the officer typed only Vietnamese.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from server.advisory.disease import vocabulary
from server.registry.geo import centroid
from server.registry.models import Field

MESSAGES: dict[str, tuple[str, str]] = {
    "alert_disease": (
        "Cán bộ khuyến nông báo: {disease} đang có trong vùng của bạn. Hãy thăm ruộng.",
        "Extension officer: {disease} has been found in your area. Check your fields.",
    ),
}


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def fields_in_circle(fields: Iterable[Field], lat: float, lon: float, radius_m: float) -> list[int]:
    """Ids of the fields whose centre lies inside the circle."""
    return [f.id for f in fields if distance_m((lat, lon), centroid(f.geometry)) <= radius_m]


def disease_key(kind: str) -> str | None:
    """The disease an alert's ``kind`` names (a disease key or a classifier label), if any."""
    if vocabulary.disease(kind) is not None:
        return kind
    entry = vocabulary.label(kind)
    return entry.disease.key if entry and entry.disease else None


def message_for(kind: str, text_vi: str, text_en: str) -> tuple[str, dict[str, Any]]:
    """The key and parameters to store for an officer's alert."""
    params: dict[str, Any] = {"vi": text_vi, "en": text_en}
    key = disease_key(kind)
    if key is not None:
        return "alert_disease", params | {"disease": key}
    return "alert_note", params


def render(key: str, params: dict[str, Any]) -> dict[str, dict[str, str] | None]:
    """The alert in both languages: ``message`` (the officer's words) and ``title`` (the disease
    line of an ``alert_disease``; None for a plain note)."""
    own = {"vi": str(params.get("vi") or ""), "en": str(params.get("en") or params.get("vi") or "")}
    found = vocabulary.disease(params.get("disease"))
    if key not in MESSAGES or found is None:
        return {"message": own, "title": None}
    vi, en = MESSAGES[key]
    title = {"vi": vi.format(disease=found.names["vi"]), "en": en.format(disease=found.names["en"])}
    return {"message": own, "title": title}
