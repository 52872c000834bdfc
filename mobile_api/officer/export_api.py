"""Training export: every reviewed photo with the label an officer settled on (CSV or JSON).

Like ``farm vision export-corrections``: one row per photo (sha256 of the stored, metadata-free
JPEG), the final label (a classifier label the disease vocabulary knows), the model's label and
whether the officer corrected or confirmed it. Only diagnoses the officer may see and whose review
is settled (a case the farmer disputes, or that waits for new photos, leaves the export until an
officer decides again); no names, places or phone numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from mobile_api.officer import access
from server.farm import review
from server.officer import cases
from server.officer.models import ReviewDecision
from server.openapi import doc
from server.pagination import id_arg
from server.services import services

bp = Blueprint("officer_export", __name__)
COLUMNS = ("image_sha256", "label", "model_label", "action", "crop", "diagnosis_id", "reviewed_at")


def rows(since: int = 0) -> list[dict[str, Any]]:
    model = cases.diagnosis_model()
    if model is None:
        return []
    with services().db.session() as db:
        s = access.scope(db)
        fields = {fl.id: f.id for f in s.farms for fl in f.fields}
        decisions = db.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.at >= since, ReviewDecision.action.in_(("confirm", "correct")))
            .order_by(ReviewDecision.id)
        ).all()
        last: dict[int, ReviewDecision] = {d.diagnosis_id: d for d in decisions}  # the latest decision holds
        out = []
        for dec in last.values():
            d = db.get(model, dec.diagnosis_id)
            if d is None or not s.detail(fields.get(d.field_id, -1)) or not dec.label:
                continue
            if review.is_outcome(dec.label):  # another crop, not a plant, can't tell: no class to learn
                continue
            if d.review_status not in review.REVIEWED_STATES:  # disputed or reopened: not settled yet
                continue
            for digest in d.photos:
                out.append(
                    {
                        "image_sha256": digest,
                        "label": dec.label,
                        "model_label": dec.model_label,
                        "action": dec.action,
                        "crop": d.crop,
                        "diagnosis_id": d.id,
                        "reviewed_at": dec.at,
                    }
                )
        return out


@bp.get("/api/v1/officer/training-export")
@access.officer_only
@doc(
    "Officers' corrected labels as a training dataset (CSV or JSON)",
    tag="officer",
    query={"format": "string: csv (default) or json"},
)
def training_export() -> Response | dict[str, Any]:
    data = rows(id_arg("since") or 0)
    if request.args.get("format") == "json":
        return {"columns": list(COLUMNS), "rows": data}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(data)
    return Response(
        buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=corrections.csv"},
    )
