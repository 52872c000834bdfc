"""Commune report: fields, crops, nodes online, alerts, diagnoses and lot compliance, per commune
and per farm, as JSON, CSV for Vietnamese Excel, XLSX or a printable PDF (``report_files``).

Commune rows are counts (aggregates), so every commune the officer covers is reported whether or
not its farmers shared their detail; farm rows only for the farms whose farmers shared it (policy:
server/auth/policy.py), each commune row saying how many farms those are.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from common.language import LANGS
from common.node_limits import verdict_of
from mobile_api.officer import access, filters, report_files
from server.errors import problem
from server.farm import diary, locks
from server.farm.models import DiaryEntry, Lot
from server.officer import cases
from server.officer.models import AlertField, AreaAlert
from server.openapi import doc
from server.services import services

bp = Blueprint("officer_report", __name__)
COLUMNS = (
    "commune",
    "farms",
    "farms_shared",
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
FARM_COLUMNS = ("commune", "farm", "owner", *COLUMNS[3:])  # a farm row: no farm counts, no share count
COUNTED = tuple(c for c in COLUMNS if c not in ("commune", "farms", "farms_shared", "area_ha", "crops"))


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
        communes: dict[str, dict[str, Any]] = {}
        farms: dict[int, dict[str, Any]] = {}
        for farm, fl in shown:
            name = access.commune_name(s, farm)
            c = communes.setdefault(name, _blank(COLUMNS) | {"farm_ids": set(), "shared_ids": set()})
            c["farm_ids"].add(farm.id)
            if s.detail(farm.id):
                c["shared_ids"].add(farm.id)
            heard = [latest[n.id] for n in fl.nodes if n.id in latest]
            counts = {
                "fields": 1,
                "fields_shared": int(s.detail(farm.id)),
                "nodes": len(fl.nodes),
                "nodes_online": sum(1 for rec in heard if verdict_of(rec.time_s, rec.values, now).online),
                "alerts": alerted[fl.id],
                "cases_confirmed": per_field[fl.id]["confirmed"],
                "cases_suspected": per_field[fl.id]["suspected"],
                "reviews_pending": pending[fl.id],
                "lots": lots[fl.id],
                "lots_with_warnings": warned[fl.id],
                "lots_not_compliant": failed[fl.id],
            }
            targets = [c]
            if s.detail(farm.id):  # per-farm detail only where the farmer shared it
                blank = _blank(FARM_COLUMNS) | {"farm": farm.name, "owner": farm.owner_name, "commune": name}
                targets.append(farms.setdefault(farm.id, blank))
            for r in targets:
                for key, add in counts.items():
                    r[key] += add
                r["area_ha"] = round(r["area_ha"] + fl.area_m2 / 10000, 3)
                r["crops"][fl.crop] += 1
        out = []
        for k, v in sorted(communes.items()):
            ids, shared = v.pop("farm_ids"), v.pop("shared_ids")
            out.append(
                v | {"commune": k, "farms": len(ids), "farms_shared": len(shared), "crops": dict(v["crops"])}
            )
        farm_rows = [
            f | {"crops": dict(f["crops"])}
            for f in sorted(farms.values(), key=lambda r: (r["commune"], r["farm"]))
        ]
        return {
            "since": flt.since,
            "until": flt.until,
            "generated_at": now,
            "communes": out,
            "farms": farm_rows,
        }


def _blank(columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: 0 for c in columns if c not in ("commune", "farm", "owner")} | {"crops": Counter[str]()}


@bp.get("/api/v1/officer/report")
@access.officer_only
@doc(
    "Commune report per commune and per shared farm: fields, crops, nodes online, alerts, diagnoses, lots",
    tag="officer",
    query={
        "format": "string: json (default), csv (Vietnamese Excel: ';', decimal comma), xlsx or pdf",
        "rows": "string: communes (default) or farms — which table a CSV holds",
        "lang": "string: vi (default) or en — the words of a file",
    },
)
def report() -> Response | dict[str, Any]:
    data = build()
    fmt = request.args.get("format") or "json"
    if fmt == "json":
        return data
    if fmt not in report_files.FORMATS:
        return problem(
            422, "Unknown report format", f"format must be json or one of {list(report_files.FORMATS)}"
        )
    lang = request.args.get("lang") or "vi"
    if lang not in LANGS:
        return problem(422, "Unknown language", f"lang must be one of {list(LANGS)}")
    rows = request.args.get("rows") or "communes"
    if rows not in ("communes", "farms"):
        return problem(422, "Unknown rows", "rows must be communes or farms")
    tables = report_files.Tables(
        report_files.table(data["communes"], COLUMNS, lang),
        report_files.table(data["farms"], FARM_COLUMNS, lang),
        report_files.title(data, lang),
    )
    return report_files.respond(fmt, tables, rows, lang)
