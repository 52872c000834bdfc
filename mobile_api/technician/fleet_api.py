"""Fleet health for technicians: every node's state, battery trend, signal, loss, faults and config,
plus the "needs a visit" list sorted by urgency (the same list drives the map markers)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint

from firmware.lib.framecodec import STATUS_NAMES
from mobile_api.technician import access
from server.openapi import doc
from server.registry.models import Node
from server.services import services
from server.technician import configs, fleet, gateway_health, readings
from server.timeseries.base import FrameRecord, TimeSeriesStore

bp = Blueprint("tech_fleet", __name__)
TREND_DAYS = 7
LOSS_WINDOW_S = 86400


def _health(
    store: TimeSeriesStore, node: Node, rec: FrameRecord | None, interval: int, now: int, reported: int | None
) -> fleet.NodeHealth:
    if rec is None:
        return fleet.NodeHealth(age_s=None, config_pending=True)
    batt = [
        (p.time_s, p.value)
        for p in store.series(node.id, "battery", now - TREND_DAYS * 86400, now)
        if p.value is not None
    ]
    received = sum(1 for t, _ in batt if t > now - LOSS_WINDOW_S)
    return fleet.NodeHealth(
        age_s=now - rec.time_s,
        battery_v=rec.values.get("battery"),
        trend=fleet.battery_trend([(t, float(v)) for t, v in batt]),
        rssi=rec.values.get("rssi"),
        loss=fleet.frame_loss(
            received, min(LOSS_WINDOW_S, max(now - batt[0][0], interval)) if batt else 0, interval
        ),
        faults={ch: STATUS_NAMES.get(code, "fault") for ch, code in rec.statuses.items()},
        config_pending=reported is not None and reported < node.config_version,
    )


def node_health(db: Any, store: TimeSeriesStore, nodes: list[Node], now: int) -> list[dict[str, Any]]:
    latest = store.latest([n.id for n in nodes])
    pushed = gateway_health.node_reports({n.gateway_id for n in nodes if n.gateway_id is not None}, now)
    out = []
    for n in nodes:
        rec = latest.get(n.id)
        interval = int(configs.latest_body(db, n).get("interval_s") or 900)
        # the version the node acknowledged, from whichever recent frame carried it (not only the
        # newest), else the newest it was once seen running
        reported = readings.acknowledged_version(store, n.id, now, readings.FLEET_LOOKBACK_S) if rec else None
        if rec is not None and reported is None:
            reported = configs.last_acknowledged(db, n.id)
        h = _health(store, n, rec, interval, now, reported)
        gw = pushed.get(n.id)
        h.loss = gateway_health.loss(gw) if gateway_health.loss(gw) is not None else h.loss
        if rec is not None:
            configs.mark_applied(db, n.id, reported, rec.time_s)
        out.append(
            {
                "id": n.id,
                "name": n.name,
                "kind": n.kind,
                "field_id": n.field_id,
                "gateway_id": n.gateway_id,
                "field": n.field.name if n.field else None,
                "lat": n.lat,
                "lon": n.lon,
                "state": fleet.state(h),
                "health": fleet.health(h).as_json(),
                "last_seen": rec.time_s if rec else None,
                "age_s": h.age_s,
                "battery_v": h.battery_v,
                "battery_slope_v_day": h.trend.slope_v_per_day if h.trend else None,
                "days_left": h.trend.days_left if h.trend else None,
                "rssi": h.rssi,
                "snr": rec.values.get("snr") if rec else None,
                "frame_loss": h.loss,
                "faults": h.faults,
                "firmware": (gw or {}).get("firmware"),
                "config": {"desired": n.config_version, "reported": reported},
                "calibration": n.calibration,
                "interval_s": interval,
                "reasons": [r.as_json() for r in fleet.reasons(h)],
            }
        )
    return out


@bp.get("/api/v1/tech/fleet")
@access.tech_only
@doc('Fleet health and the "needs a visit" list, sorted by urgency', tag="technician")
def fleet_health() -> dict[str, Any]:
    svc, now = services(), int(time.time())
    with svc.db.session() as db:
        nodes = node_health(db, svc.store, access.nodes(db), now)
    visits = sorted((n for n in nodes if n["reasons"]), key=lambda n: -n["reasons"][0]["urgency"])
    return {
        "time": now,
        "nodes": nodes,
        "needs_visit": [
            {"id": n["id"], "name": n["name"], "field": n["field"], "reasons": n["reasons"]} for n in visits
        ],
    }
