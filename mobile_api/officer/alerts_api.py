"""Area alerts: an officer previews who an alert will reach, sends it, follows its deliveries and
may withdraw it; farmers read current alerts on their home screen (and in their inbox,
``mobile_api.notify_api``).

Who is reached is decided once (``server.officer.alerts.people_reached``: the owners of the farms
whose fields lie in the circle) and how (``server.notify.outbox.plan``: inbox always, then each
person's channels, quiet hours and what this server has set up), for the preview and the send
alike, so the preview is what happens. What an alert says is stored as a key with parameters and
worded here (``server.officer.alerts``).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.language import LANGS
from mobile_api.officer import access
from server.advisory.disease import vocabulary
from server.auth import current_user
from server.auth.policy import visible_farm_ids
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.notify import outbox
from server.notify.models import InboxItem, Withdrawal
from server.officer import alerts
from server.officer.density import K_ANONYMITY, k_anonymous
from server.officer.models import AlertField, AreaAlert
from server.openapi import doc
from server.registry.models import Field
from server.services import services
from server.validation import json_body

bp = Blueprint("officer_alerts", __name__)
SEVERITIES = ("info", "warning", "urgent")
MAX_RADIUS_M = 20_000
CIRCLE = {
    "lat": "number: centre, degrees",
    "lon": "number: centre, degrees",
    "radius_m": "number: metres (≤ 20000)",
}
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


def _circle(body: dict[str, Any]) -> tuple[float, float, float, int] | Response:
    try:
        lat, lon, radius = float(body["lat"]), float(body["lon"]), float(body.get("radius_m", 1000))
        days = int(body.get("days_valid", 7))
    except (KeyError, TypeError, ValueError):
        return problem(422, "Invalid alert", "lat, lon (numbers), radius_m, days_valid")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses NaN (every comparison is false)
        return problem(422, "Invalid alert", "lat must be within -90..90 and lon within -180..180")
    if not 0 < radius <= MAX_RADIUS_M or not 1 <= days <= 60:
        return problem(422, "Invalid alert", f"0 < radius_m ≤ {MAX_RADIUS_M}; 1-60 days")
    return lat, lon, radius, days


def _reach(db: Session, lat: float, lon: float, radius: float, now: int) -> dict[str, Any]:
    """Fields in the circle, the people they belong to and how each will be told; ``shared``: the
    hit fields whose farms let this officer see their details."""
    s = access.scope(db)  # every farm in the officer's communes is warned, shared or not
    fields = [fl for f in s.farms for fl in f.fields]
    hit = alerts.fields_in_circle(fields, lat, lon, radius)
    people, unowned = alerts.people_reached(fields, hit)
    recipients = outbox.plan(db, services().settings, people, now)
    shared = {fl.id for fl in fields if fl.id in set(hit) and s.detail(fl.farm_id)}
    return {"hit": hit, "shared": shared, "unowned": unowned, "recipients": recipients}


def _preview_json(reach: dict[str, Any]) -> dict[str, Any]:
    """What the officer is told about who an alert reaches, without singling out a farm that did not
    agree to share (issue 16, F8: a 5 m circle on a field's centre answered "1 field reached").

    Fields and people of shared farms are counted and named exactly (the officer sees them on the
    map anyway); the others only as a group of at least ``K_ANONYMITY`` (``density.k_anonymous``),
    else not at all: ``fields_not_shared`` / ``people_not_shared`` / ``farms_without_account`` are
    then None, which the page words "fewer than 3" — for none, one or two alike, so no circle can
    tell them apart. Everyone in the circle is still warned; only what the officer reads changes."""
    hit, shared = reach["hit"], reach["shared"]
    hidden_fields = k_anonymous(len(hit) - len(shared))
    visible: list[outbox.Recipient] = []
    hidden: list[outbox.Recipient] = []
    for r in reach["recipients"]:
        own = [f for f in r.field_ids if f in shared]
        (visible if own else hidden).append(replace(r, field_ids=own))
    hidden_people = k_anonymous(len(hidden))
    counted = outbox.summary(visible + (hidden if hidden_people else []))
    return counted | {
        "recipients": outbox.summary(visible)["recipients"],  # names only where the farm shares
        "fields_reached": len(shared) + (hidden_fields or 0),
        "fields_not_shared": hidden_fields,
        "people_not_shared": hidden_people,
        "farms_without_account": k_anonymous(reach["unowned"]),
        "k_anonymity": K_ANONYMITY,
    }


def _countable(db: Session, alert_ids: list[int]) -> dict[int, set[int]]:
    """Per alert, the people whose deliveries the officer may count: those warned about a field of
    a farm that shares with this officer, and the others only as a group of at least
    ``K_ANONYMITY`` (the same rule as the preview, so counts after sending cannot single out a
    farm that the preview kept hidden)."""
    items = list(db.execute(
        select(InboxItem.alert_id, InboxItem.user_id, InboxItem.field_ids)
        .where(InboxItem.alert_id.in_(alert_ids))
    ))  # fmt: skip
    field_ids = {int(f) for _, _, fs in items for f in (fs or [])}
    farm_of: dict[int, int] = {
        field_id: farm_id
        for field_id, farm_id in db.execute(select(Field.id, Field.farm_id).where(Field.id.in_(field_ids)))
    }
    sharing = visible_farm_ids(db, current_user())
    shown: dict[int, set[int]] = {a: set() for a in alert_ids}
    hidden: dict[int, set[int]] = {a: set() for a in alert_ids}
    for alert_id, user_id, fs in items:
        shares = any(farm_of.get(int(f)) in sharing for f in (fs or []))
        (shown if shares else hidden)[alert_id].add(user_id)
    return {a: shown[a] | (hidden[a] if k_anonymous(len(hidden[a])) else set()) for a in alert_ids}


@bp.post("/api/v1/officer/alerts/preview")
@writes(Role.OFFICER, Role.ADMIN, audit=False)  # a question, nothing changes
@access.officer_only
@doc(
    "Who an area alert would reach, by channel, before it is sent (officer)",
    tag="officer",
    body=CIRCLE,
)
def preview_alert() -> Response | dict[str, Any]:
    circle = _circle(json_body())
    if isinstance(circle, Response):
        return circle
    lat, lon, radius, _ = circle
    with services().db.session() as db:
        return _preview_json(_reach(db, lat, lon, radius, int(time.time())))


@bp.post("/api/v1/officer/alerts")
@writes(Role.OFFICER, Role.ADMIN)  # the handler scopes communes / the sender
@access.officer_only
@doc(
    "Send an area alert to the farmers of the fields inside a circle (officer)",
    tag="officer",
    body=CIRCLE
    | {
        "days_valid": "integer: 1-60",
        "severity": "info | warning | urgent",
        "kind": "string: a disease key or classifier label, or other",
        "message_vi": "string: the officer's words in Vietnamese (required)",
        "message_en": "string: in English (optional)",
    },
)
def send_alert() -> Response | tuple[dict[str, Any], int]:
    body = json_body()
    circle = _circle(body)
    if isinstance(circle, Response):
        return circle
    lat, lon, radius, days = circle
    if not str(body.get("message_vi") or "").strip():
        return problem(422, "Invalid alert", "message_vi required")
    user, now = current_user(), int(time.time())
    with services().db.session() as db:
        reach = _reach(db, lat, lon, radius, now)
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
        db.add_all([AlertField(alert_id=alert.id, field_id=fid) for fid in reach["hit"]])
        outbox.enqueue(db, alert.id, reach["recipients"], now)
        out = alert_json(alert, len(reach["hit"])) | _preview_json(reach)
        db.flush()
        delivery = outbox.counts(db, [alert.id], _countable(db, [alert.id]))[alert.id]
        return out | {"delivery": delivery, "withdrawn_at": None}, 201


@bp.get("/api/v1/officer/alerts")
@access.officer_only
@doc("Area alerts this officer has sent, with delivery counts per channel and state", tag="officer")
def officer_alerts() -> dict[str, Any]:
    user = current_user()
    with services().db.session() as db:
        rows = list(db.scalars(
            select(AreaAlert)
            .where(AreaAlert.created_by == (user.id if user else -1))
            .order_by(AreaAlert.id.desc())
            .limit(100)
        ))  # fmt: skip
        ids = [a.id for a in rows]
        delivery = outbox.counts(db, ids, _countable(db, ids))
        taken = {w.alert_id: w.at for w in db.scalars(select(Withdrawal).where(Withdrawal.alert_id.in_(ids)))}
        return {
            "alerts": [
                alert_json(a) | {"delivery": delivery[a.id], "withdrawn_at": taken.get(a.id)} for a in rows
            ]
        }


@bp.post("/api/v1/officer/alerts/<int:alert_id>/withdraw")
@writes(Role.OFFICER, Role.ADMIN)  # the handler scopes communes / the sender
@access.officer_only
@doc("Withdraw an alert: marked withdrawn in every inbox, deliveries not yet sent cancelled", tag="officer")
def withdraw_alert(alert_id: int) -> Response | dict[str, Any]:
    user, now = current_user(), int(time.time())
    with services().db.session() as db:
        alert = db.get(AreaAlert, alert_id)
        if alert is None or alert.created_by != (user.id if user else -1):
            return problem(404, "No such alert", "only the officer who sent an alert can withdraw it")
        done = db.get(Withdrawal, alert_id)
        cancelled = 0
        if done is None:
            done = Withdrawal(alert_id=alert_id, by=user.id if user else None, at=now)
            db.add(done)
            cancelled = outbox.withdraw(db, alert_id, now)
            alert.expires_at = min(alert.expires_at, now)  # gone from the farmers' home screens too
        db.flush()
        return alert_json(alert) | {
            "withdrawn_at": done.at,
            "cancelled": cancelled,
            "delivery": outbox.counts(db, [alert_id], _countable(db, [alert_id]))[alert_id],
        }


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
