"""Read the audit log (admins): who changed which registry row, when, from what to what."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import select

from server.audit import AuditLog
from server.auth import current_user
from server.auth import policy as pol
from server.errors import problem
from server.openapi import doc
from server.pagination import page, time_range
from server.services import services

bp = Blueprint("audit", __name__, url_prefix="/api/v1")


@bp.get("/audit")
@doc(
    "Audit log, newest first",
    tag="audit",
    query={
        "table": "string: only this table",
        "start": "integer: Unix s",
        "end": "integer: Unix s",
        "limit": "integer: page size",
        "offset": "integer: skip",
    },
)
def audit_log() -> Response | dict[str, Any]:
    if not pol.can_read_audit(current_user()):
        return problem(403, "Only administrators read the audit log")
    start, end = time_range(default_hours=24 * 30)
    q = select(AuditLog).where(AuditLog.at >= start, AuditLog.at <= end)
    if request.args.get("table"):
        q = q.where(AuditLog.table == request.args["table"])
    with services().db.session() as session:
        rows, paging = page(session, q.order_by(AuditLog.id.desc()))
        items = [
            {
                "id": r.id,
                "at": r.at,
                "actor_id": r.actor_id,
                "action": r.action,
                "table": r.table,
                "row": r.row_key,
                "changes": r.changes,
            }
            for r in rows
        ]
    return {"items": items, "paging": paging}
