"""The gateways' own fleet view and local rules, shared by every app host.

A gateway pushes its fleet health to ``POST /api/v1/gateway/health`` and fetches its local rule set
from ``GET /api/v1/gateway/rules``; the latest document of each kind lives in the registry table
``gateway_document`` (issue 19), so behind a load balancer any app host serves the same one. Older
releases kept them as ``<data dir>/gateway-health|gateway-rules/<gateway id>.json``: such a file is
imported once, by the first host that reads it, and renamed ``*.json.imported``.

The gateway counts frame-counter gaps exactly (the server only sees what arrived), so its loss ratio
wins when it has enough frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from server.services import services
from server.technician.models import GatewayDocument

MIN_FRAMES = 20
MAX_AGE_S = 6 * 3600  # an older push says nothing about now
HEALTH, RULES = "health", "rules"
_LEGACY_FOLDER = {HEALTH: "gateway-health", RULES: "gateway-rules"}


def save(session: Session, gateway_id: int, kind: str, doc: dict[str, Any], now: int) -> None:
    """Keep ``doc`` as this gateway's latest of ``kind``; one statement, so two hosts receiving
    pushes of the same gateway at once leave the later one and never fail on the key."""
    values = {"gateway_id": int(gateway_id), "kind": kind, "body": json.dumps(doc), "updated_at": now}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(GatewayDocument).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["gateway_id", "kind"], set_={"body": values["body"], "updated_at": now}
        )
    )


def load(session: Session, gateway_id: int, kind: str, data_dir: Path | None = None) -> dict[str, Any] | None:
    """The latest document of ``kind`` for this gateway, importing a legacy file once if no row exists."""
    row = session.get(GatewayDocument, (int(gateway_id), kind))
    if row is not None:
        doc = json.loads(row.body)
        return doc if isinstance(doc, dict) else None
    if data_dir is None:
        return None
    return _import_legacy(session, gateway_id, kind, data_dir)


def _import_legacy(session: Session, gateway_id: int, kind: str, data_dir: Path) -> dict[str, Any] | None:
    path = Path(data_dir) / _LEGACY_FOLDER[kind] / f"{int(gateway_id)}.json"
    try:
        doc = json.loads(path.read_text())
        stamp = int(path.stat().st_mtime)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    save(session, gateway_id, kind, doc, int(doc.get("received_at") or stamp))
    session.flush()
    path.replace(path.with_name(path.name + ".imported"))  # once: the row is the truth from now on
    return doc


def node_reports(gateway_ids: set[int], now: int) -> dict[int, dict[str, Any]]:
    """node id → the latest report of the gateway that serves it (empty when none was pushed)."""
    data_dir = Path(current_app.config["RUONGSO_SETTINGS"].data_dir)
    out: dict[int, dict[str, Any]] = {}
    with services().db.session() as session:
        docs = [load(session, gw, HEALTH, data_dir) for gw in sorted(gateway_ids)]
    for doc in docs:
        if doc is None or now - int(doc.get("received_at") or 0) > MAX_AGE_S:
            continue
        for key, report in (doc.get("nodes") or {}).items():
            if isinstance(report, dict) and str(key).isdigit():
                out[int(key)] = report
    return out


def loss(report: dict[str, Any] | None) -> float | None:
    if not report:
        return None
    seen = int(report.get("accepted") or 0) + int(report.get("frames_lost") or 0)
    ratio = report.get("loss_ratio")
    return float(ratio) if seen >= MIN_FRAMES and isinstance(ratio, int | float) else None
