"""The gateways' own fleet view, pushed to ``POST /api/v1/gateway/health`` and kept by the ingest
blueprint as ``<data dir>/gateway-health/<gateway id>.json``. The gateway counts frame-counter gaps
exactly (the server only sees what arrived), so its loss ratio wins when it has enough frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import current_app

MIN_FRAMES = 20
MAX_AGE_S = 6 * 3600  # an older push says nothing about now


def node_reports(gateway_ids: set[int], now: int) -> dict[int, dict[str, Any]]:
    """node id → the latest report of the gateway that serves it (empty when none was pushed)."""
    folder = Path(current_app.config["RUONGSO_SETTINGS"].data_dir) / "gateway-health"
    out: dict[int, dict[str, Any]] = {}
    for gw in gateway_ids:
        try:
            doc = json.loads((folder / f"{int(gw)}.json").read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or now - int(doc.get("received_at") or 0) > MAX_AGE_S:
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
