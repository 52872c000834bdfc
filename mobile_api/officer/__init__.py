"""Extension officers (cán bộ khuyến nông): field map, outbreak view and area alerts, review desk,
training export and commune report. Pages under /officer/, API under /api/v1/officer/.

``bp`` is the one blueprint the server registers; every visibility rule comes from
server/auth/policy.py (officers see a farm's detail only where the farmer shared it).
"""

from __future__ import annotations

from flask import Blueprint

from mobile_api.officer import alerts_api, export_api, map_api, outbreak_api, pages, report_api, review_api

bp = Blueprint("officer", __name__)
for child in (
    pages.bp,
    map_api.bp,
    outbreak_api.bp,
    alerts_api.bp,
    review_api.bp,
    export_api.bp,
    report_api.bp,
):
    bp.register_blueprint(child)
bp.after_request(pages.add_headers)

__all__ = ["bp"]
