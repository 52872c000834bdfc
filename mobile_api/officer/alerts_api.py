"""Area alerts: an officer warns the farmers of every field inside a circle; farmers read them.

``GET /api/v1/alerts`` is for the farmer app (its home screen): the signed-in user's alerts
(policy-visible farms). What an alert says is stored as a key with parameters and worded here
(``server.officer.alerts``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import select

from common.language import LANGS
from mobile_api.officer import access
from server.advisory.disease import vocabulary
from server.auth import current_user
from server.auth.policy import visible_farm_ids
from server.errors import problem
from server.officer import alerts
from server.officer.models import AlertField, AreaAlert
from server.openapi import doc
from server.registry.models import Field
from server.services import services
from server.validation import json_body

bp = Blueprint("officer_alerts", __name__)
SEVERITIES = ("info", "warning", "urgent")
MAX_RADIUS_M = 20_000
distance_m = alerts.distance_m  # its former home; the domain function lives in server.officer.alerts


def alert_json(a: AreaAlert, fields: int | None = None) -> dict[str, Any]:
    words = alerts.render(a.message_key, a.message_params)
    disease = vocabulary.disease(a.message_params.get("disease"))
    out = {
        "id": a.id,
        "kind": a.kind,
        "severity": a.severity,
        "message": words["message"],
        "title": words["title"],
        "disease": {"key": disease.key, "name": dict(disease.names)} if disease else None,
        "message_key": a.message_key,
        "message_params": a.message_params,
        "center": {"lat": a.center_lat, "lon": a.center_lon},
        "radius_m": a.radius_m,
        "created_at": a.created_at,
        "expires_at": a.expires_at,
    }
    return out | ({"fields_reached": fields} if fields is not None else {})


@bp.post("/api/v1/officer/alerts")
@access.officer_only
@doc("Send an area alert to the farmers of the fields inside a circle (officer)", tag="officer")
def send_alert() -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    try:
        lat, lon, radius = float(body["lat"]), float(body["lon"]), float(body.get("radius_m", 1000))
        days = int(body.get("days_valid", 7))
    except (KeyError, TypeError, ValueError):
        return problem(422, "Invalid alert", "lat, lon (numbers), radius_m, days_valid")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses NaN (every comparison is false)
        return problem(422, "Invalid alert", "lat must be within -90..90 and lon within -180..180")
    message = str(body.get("message_vi") or "").strip()
    if not message or not 0 < radius <= MAX_RADIUS_M or not 1 <= days <= 60:
        return problem(422, "Invalid alert", f"message_vi required; 0 < radius_m ≤ {MAX_RADIUS_M}; 1-60 days")
    user, now = current_user(), int(time.time())
    with services().db.session() as db:
        s = access.scope(db)  # every farm in the officer's communes is warned, shared or not
        hit = alerts.fields_in_circle((fl for f in s.farms for fl in f.fields), lat, lon, radius)
        kind = str(body.get("kind") or "other")[:40]
        own = {lang: str(body.get(f"message_{lang}") or "").strip()[:1000] for lang in LANGS}
        key, params = alerts.message_for(kind, own)
        alert = AreaAlert(
            kind=kind,
            severity=body.get("severity") if body.get("severity") in SEVERITIES else "warning",
            message_key=key,
            message_params=params,
            center_lat=lat,
            center_lon=lon,
            radius_m=radius,
            created_by=user.id if user else None,
            created_at=now,
            expires_at=now + days * 86400,
        )
        db.add(alert)
        db.flush()
        db.add_all([AlertField(alert_id=alert.id, field_id=fid) for fid in hit])
        return alert_json(alert, len(hit)), 201


@bp.get("/api/v1/officer/alerts")
@access.officer_only
@doc("Area alerts this officer has sent", tag="officer")
def officer_alerts() -> dict[str, Any]:
    user = current_user()
    with services().db.session() as db:
        rows = db.scalars(
            select(AreaAlert)
            .where(AreaAlert.created_by == (user.id if user else -1))
            .order_by(AreaAlert.id.desc())
            .limit(100)
        )
        return {"alerts": [alert_json(a) for a in rows]}


@bp.get("/api/v1/alerts")
@doc("Area alerts for the fields of the signed-in farmer", tag="app")
def my_alerts() -> dict[str, Any]:
    """Current alerts for the fields the signed-in user may see (farmers: their own fields)."""
    now = int(time.time())
    with services().db.session() as db:
        farms = visible_farm_ids(db, current_user())
        q = (
            select(AreaAlert, AlertField.field_id)
            .join(AlertField, AlertField.alert_id == AreaAlert.id)
            .join(Field, Field.id == AlertField.field_id)
            .where(Field.farm_id.in_(farms), AreaAlert.expires_at > now)
            .order_by(AreaAlert.id.desc())
        )
        out: dict[int, dict[str, Any]] = {}
        for alert, field_id in db.execute(q):
            out.setdefault(alert.id, alert_json(alert) | {"field_ids": []})["field_ids"].append(field_id)
        return {"alerts": list(out.values())}
