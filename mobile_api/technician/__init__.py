"""Technicians (kỹ thuật viên): provisioning, probe calibration, fleet health and config pushes.

Pages under /tech/ (phone, works offline for what can), API under /api/v1/tech/. Every
permission comes from server/auth/policy.py (the gateways a technician maintains, and their nodes).
"""

from __future__ import annotations

from flask import Blueprint

from mobile_api.officer.pages import add_headers
from mobile_api.technician import (
    calibration_api,
    config_api,
    device_api,
    files_api,
    firmware_api,
    fleet_api,
    pages,
    provision_api,
    recompute_api,
)

bp = Blueprint("technician", __name__)
for child in (
    pages.bp,
    provision_api.bp,
    files_api.bp,
    calibration_api.bp,
    recompute_api.bp,
    config_api.bp,
    device_api.bp,
    fleet_api.bp,
    firmware_api.bp,
):
    bp.register_blueprint(child)
bp.after_request(add_headers)

__all__ = ["bp"]
