"""Outbreak view: density of affected farms (confirmed and suspected) over the last N days.

Cases from farms that shared their data are drawn as points and feed the density grid, one farm
counting once however many photos it sent (``server.officer.density.one_per_farm``); cases from
the others are only counted per commune (policy: aggregates only), and only where they come from
at least three fields (``server.officer.density.k_anonymous_counts``). Every label carries its names
from the one disease vocabulary, so the map never shows a raw classifier code.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, request

from mobile_api.officer import access, filters
from server.advisory.disease import vocabulary
from server.officer import cases
from server.officer.density import K_ANONYMITY, LEVELS, Case, grid, k_anonymous_counts, one_per_farm
from server.openapi import doc
from server.services import services

bp = Blueprint("officer_outbreak", __name__)


@bp.get("/api/v1/officer/outbreak")
@access.officer_only
@doc(
    "Confirmed and suspected diagnoses as a density grid, with sensor-driven risk",
    tag="officer",
    query={"days": "integer: look-back window"},
)
def outbreak() -> dict[str, Any]:
    label = request.args.get("label") or None
    with services().db.session() as db:
        s = access.scope(db)
        flt = filters.parse()
        fields = {
            fl.id: fl for farm in s.farms if flt.farm_ok(farm) for fl in farm.fields if flt.field_ok(fl)
        }
        farm_of = {fl.id: fl.farm_id for fl in fields.values()}
        commune_of = {fl.id: access.commune_name(s, fl.farm) for fl in fields.values()}
        found = [
            c for c in cases.cases(db, fields, flt.since, flt.until) if label is None or c.label == label
        ]
    shared = [c for c in found if s.detail(farm_of[c.field_id])]
    unshared = [c for c in found if not s.detail(farm_of[c.field_id])]
    # a commune's count of cases from farms that do not share is shown only when they come from at
    # least K_ANONYMITY fields (issue 16, F8): three photos from one field still single it out
    fields_per_commune = Counter(commune_of[f] for f in {c.field_id for c in unshared})
    communes = k_anonymous_counts(fields_per_commune)
    hidden = Counter(commune_of[c.field_id] for c in unshared if commune_of[c.field_id] in communes)
    cells = grid(one_per_farm([(c.farm_id, Case(c.lat, c.lon, c.status, c.label)) for c in shared]))
    return {
        "since": flt.since,
        "until": flt.until,
        "cells": [c.__dict__ for c in cells],
        "cases": [
            {
                "id": c.id,
                "field_id": c.field_id,
                "lat": c.lat,
                "lon": c.lon,
                "status": c.status,
                "label": c.label,
                "name": vocabulary.label_name(c.label),
                "created_at": c.created_at,
            }
            for c in shared
        ],
        "totals": dict(Counter(c.status for c in found)),
        "labels": dict(Counter(c.label for c in found)),
        "label_names": {lb: vocabulary.label_name(lb) for lb in {c.label for c in found}},
        "farms": len({c.farm_id for c in shared}),
        "levels": list(LEVELS),
        "not_shared_by_commune": dict(hidden),  # communes under the k-anonymity bound left out
        "k_anonymity": K_ANONYMITY,
    }
