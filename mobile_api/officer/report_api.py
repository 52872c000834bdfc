"""Commune report: fields, crops, nodes online, alerts, diagnoses and lot compliance, as JSON or CSV.

Counts only (aggregates), so every commune the officer covers is reported whether or not its
farmers shared their detail. No PDF: no PDF library is installed; print the page to PDF instead.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from common.node_limits import verdict_of
from mobile_api.officer import access, filters
from server.farm import diary, locks
from server.farm.models import DiaryEntry, Lot
from server.officer import cases
from server.officer.models import AlertField, AreaAlert
from server.openapi import doc
from server.services import services

bp = Blueprint("officer_report", __name__)
COLUMNS = (
    "commune",
    "fields",
    "fields_shared",
    "area_ha",
    "crops",
    "nodes",
    "nodes_online",
    "alerts",
    "cases_confirmed",
    "cases_suspected",
    "reviews_pending",
    "lots",
    "lots_with_warnings",
    "lots_not_compliant",
)


def _lots(
    db: Any, field_ids: set[int], since: int, until: int
) -> tuple[Counter[int], Counter[int], Counter[int]]:
    """Lots per field in the window; those whose field has a diary warning before harvest; and
    those the one compliance gate fails today (``server.farm.locks.lot_verdicts``, as the lot's
    public page and PDF judge it: banned or unapproved actives, intervals)."""
    lots, warned, failed = Counter[int](), Counter[int](), Counter[int]()
    rows = [
        lot
        for lot in db.scalars(select(Lot).where(Lot.field_id.in_(field_ids)))
        if since <= lot.created_at <= until
    ]
    verdicts = locks.lot_verdicts(db, rows)
    for lot in rows:
        lots[lot.field_id] += 1
        entries = db.scalars(
            select(DiaryEntry).where(
                DiaryEntry.field_id == lot.field_id,
                DiaryEntry.applied_on <= lot.harvest_date,
                DiaryEntry.voided_at.is_(None),
            )
        ).all()
        now_warned = any(diary.warnings(e, lot.market, lot.crop) for e in entries)  # judged now
        warned[lot.field_id] += int(now_warned)
        failed[lot.field_id] += int(not verdicts[lot.id].allowed)
    return lots, warned, failed


def build() -> dict[str, Any]:
    svc, now = services(), int(time.time())
    with svc.db.session() as db:
        s = access.scope(db)
        flt = filters.parse()
        shown = [
            (farm, fl) for farm in s.farms if flt.farm_ok(farm) for fl in farm.fields if flt.field_ok(fl)
        ]
        ids = {fl.id for _, fl in shown}
        latest = svc.store.latest([n.id for _, fl in shown for n in fl.nodes])
        found = cases.cases(db, {fl.id: fl for _, fl in shown}, flt.since, flt.until)
        per_field = {fid: Counter(c.status for c in found if c.field_id == fid) for fid in ids}
        model = cases.diagnosis_model()
        pending = (
            Counter[int](
                db.scalars(
                    select(model.field_id).where(
                        model.field_id.in_(ids), model.review_status.in_(cases.QUEUE_STATES)
                    )
                )
            )
            if model is not None
            else Counter[int]()
        )
        alerted = Counter[int](
            db.scalars(
                select(AlertField.field_id)
                .join(AreaAlert, AreaAlert.id == AlertField.alert_id)
                .where(AlertField.field_id.in_(ids), AreaAlert.created_at.between(flt.since, flt.until))
            )
        )
        lots, warned, failed = _lots(db, ids, flt.since, flt.until)
        rows: dict[str, dict[str, Any]] = {}
        for farm, fl in shown:
            r = rows.setdefault(
                access.commune_name(s, farm), {c: 0 for c in COLUMNS[1:]} | {"crops": Counter()}
            )
            heard = [latest[n.id] for n in fl.nodes if n.id in latest]
            online = sum(1 for rec in heard if verdict_of(rec.time_s, rec.values, now).online)
            for key, add in (
                ("fields", 1),
                ("fields_shared", int(s.detail(farm.id))),
                ("nodes", len(fl.nodes)),
                ("nodes_online", online),
                ("alerts", alerted[fl.id]),
                ("cases_confirmed", per_field[fl.id]["confirmed"]),
                ("cases_suspected", per_field[fl.id]["suspected"]),
                ("reviews_pending", pending[fl.id]),
                ("lots", lots[fl.id]),
                ("lots_with_warnings", warned[fl.id]),
                ("lots_not_compliant", failed[fl.id]),
            ):
                r[key] += add
            r["area_ha"] = round(r["area_ha"] + fl.area_m2 / 10000, 3)
            r["crops"][fl.crop] += 1
        out = [{"commune": k} | v | {"crops": dict(v["crops"])} for k, v in sorted(rows.items())]
        return {"since": flt.since, "until": flt.until, "generated_at": now, "communes": out}


@bp.get("/api/v1/officer/report")
@access.officer_only
@doc(
    "Commune report: fields, crops, nodes online, alerts, diagnoses, lots",
    tag="officer",
    query={"format": "string: json (default) or csv"},
)
def report() -> Response | dict[str, Any]:
    data = build()
    if request.args.get("format") != "csv":
        return data
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in data["communes"]:
        writer.writerow(row | {"crops": "; ".join(f"{k}:{v}" for k, v in sorted(row["crops"].items()))})
    return Response(
        "\ufeff" + buf.getvalue(),
        mimetype="text/csv",  # BOM: Excel opens Vietnamese as UTF-8
        headers={"Content-Disposition": "attachment; filename=bao-cao-xa.csv"},
    )
