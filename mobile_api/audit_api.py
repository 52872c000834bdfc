"""Audit readiness: the farm's VietGAP / GLOBALG.A.P. checklist and the printable lot report.

The checklist endpoint gathers evidence (``audit_evidence``) and lets the advisory evaluator
decide; the PDF is public like the lot page it links to and carries nothing personal. Both judge a
lot with the one compliance gate when asked, so a lot a later rule fails is printed as failing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from common.language import LANGS
from common.timezone import local_today
from mobile_api.apidoc import doc
from mobile_api.auth import can_see_farm, login_required
from mobile_api.catalogues import catalogue
from mobile_api.lots_api import find_lot, lot_page_url
from server.advisory.vietgap import evaluate_checklist
from server.errors import problem
from server.farm import audit_evidence, lot_report, lot_report_data
from server.registry.models import Farm
from server.services import services

bp = Blueprint("audit", __name__)
SCHEMES = ("vietgap", "globalgap")


def checklist_json(farm_ev: audit_evidence.FarmEvidence, scheme: str) -> dict[str, Any]:
    """Every item with its status, evidence and bilingual text, in the checklist's order."""
    result = evaluate_checklist(farm_ev.evidence, scheme)
    items = []
    for r in result.results:
        found = farm_ev.found.get(r.item.key)
        items.append(
            {
                "id": r.item.item_id,
                "reference": r.item.reference,
                "evidence_type": r.item.evidence_type,
                "status": audit_evidence.status(r.met, found),
                "have": r.have,
                "need": r.need,
                "verified": r.item.verified,
                "text": {lang: r.item.text.get(lang) for lang in LANGS},
                "evidence": audit_evidence.as_json(found),
            }
        )
    return {
        "scheme": scheme,
        "met": result.met_count,
        "total": len(result.results),
        "missing": [r.item.item_id for r in result.missing],
        "items": items,
        "nodes": {"online": farm_ev.nodes_online, "total": farm_ev.nodes_total},
    }


@bp.get("/api/v1/app/farms/<int:farm_id>/checklist")
@doc(
    "VietGAP / GLOBALG.A.P. self-assessment of a farm with the evidence found and what is missing",
    tag="app",
    query={"scheme": "string: vietgap (default) or globalgap"},
)
@login_required
def checklist(farm_id: int) -> Response | dict[str, Any]:
    scheme = request.args.get("scheme", "vietgap")
    if scheme not in SCHEMES:
        return problem(422, "Unknown scheme", f"scheme one of {SCHEMES}")
    svc = services()
    with svc.db.session() as db:
        farm = db.get(Farm, farm_id)
        if farm is None or not can_see_farm(db, farm_id):
            return problem(404, "Unknown farm")
        farm_ev = audit_evidence.gather(db, svc.store, farm, local_today())
        return {"farm_id": farm_id} | checklist_json(farm_ev, scheme)


@bp.get("/lot/<code>/report.pdf")
def lot_pdf(code: str) -> Response:
    """Public like ``/lot/<code>``: whoever holds the lot code (printed QR) may read it."""
    if not lot_report.fonts_available():
        return problem(
            503,
            "PDF fonts missing",
            "install the Debian package fonts-dejavu-core (DejaVu TTF fonts for Vietnamese text)",
        )
    svc = services()
    with svc.db.session() as db:
        lot = find_lot(db, code)
        if lot is None:
            return problem(404, "Unknown lot")
        url = lot_page_url(lot.code)
        report = lot_report_data.build(db, svc.store, lot, url, (catalogue("vi"), catalogue("en")))
    body = lot_report.build_pdf(report)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="lot-{report.code}.pdf"',
            "Cache-Control": "public, max-age=300",
        },
    )
