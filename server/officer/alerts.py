"""Area alerts: which fields a circle reaches, and what the farmer reads, as a key with parameters.

An alert is stored as ``message_key`` + ``message_params`` and worded when read, in the reader's
languages: ``alert_note`` is the officer's own words (one parameter per language code; a language
the officer did not write falls back to the Vietnamese); ``alert_disease`` names a disease from the
one disease vocabulary (``{"disease": key}``) in a title above the officer's words, so the farmer
sees which disease in their own language even when the officer typed only Vietnamese.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from common.language import LANGS, Lang, words
from server.advisory.disease import vocabulary
from server.advisory.i18n import message
from server.registry.geo import centroid
from server.registry.models import Field

TITLES = {"alert_disease": "alert.disease"}  # stored key -> title's message key (data/messages.json)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def fields_in_circle(fields: Iterable[Field], lat: float, lon: float, radius_m: float) -> list[int]:
    """Ids of the fields whose centre lies inside the circle."""
    return [f.id for f in fields if distance_m((lat, lon), centroid(f.geometry)) <= radius_m]


def people_reached(fields: Iterable[Field], hit: Iterable[int]) -> tuple[dict[int, list[int]], int]:
    """Who an alert reaches: the owner of each hit field's farm (user id → their hit fields), and
    how many hit farms have no account in the app (nobody there can be told; the officer is told so).
    ``fields`` must have their farm loaded."""
    wanted = set(hit)
    people: dict[int, list[int]] = {}
    unowned: set[int] = set()
    for f in fields:
        if f.id not in wanted:
            continue
        if f.farm.owner_id is None:
            unowned.add(f.farm_id)
        else:
            people.setdefault(f.farm.owner_id, []).append(f.id)
    return people, len(unowned)


def disease_key(kind: str) -> str | None:
    """The disease an alert's ``kind`` names (a disease key or a classifier label), if any."""
    if vocabulary.disease(kind) is not None:
        return kind
    entry = vocabulary.label(kind)
    return entry.disease.key if entry and entry.disease else None


def message_for(kind: str, own: Mapping[Lang, str]) -> tuple[str, dict[str, Any]]:
    """The key and parameters to store for an officer's alert: ``own`` is the officer's words per
    language (stored under each language code; the default language's is required)."""
    params: dict[str, Any] = {lang: str(own.get(lang) or "") for lang in LANGS}
    key = disease_key(kind)
    if key is not None:
        return "alert_disease", params | {"disease": key}
    return "alert_note", params


def render(key: str, params: dict[str, Any]) -> dict[str, dict[str, str] | None]:
    """The alert in every language: ``message`` (the officer's words; a language the officer did
    not write falls back to the default one's) and ``title`` (the disease line of an
    ``alert_disease``; None for a plain note)."""
    own = {lang: words(params, lang) for lang in LANGS}
    found = vocabulary.disease(params.get("disease"))
    if key not in TITLES or found is None:
        return {"message": own, "title": None}
    title = message(TITLES[key], disease=found.names)
    return {"message": own, "title": dict(title.texts)}
