"""The API and the installable web app that farmers use (Flask blueprints, one per screen).

``bp`` is the one blueprint the server registers; it nests the screen blueprints. Its tables are
created by the Alembic migrations (``migrations/versions/0004``) like every other table.
"""

from __future__ import annotations

from flask import Blueprint

from mobile_api import (
    advise_api,
    audit_api,
    diary_api,
    forecast_api,
    home_api,
    lots_api,
    notify_api,
    photos_api,
    routes,
    shell,
)

bp = Blueprint("mobile_api", __name__)
for child in (shell.bp, routes.bp, home_api.bp, diary_api.bp, photos_api.bp, lots_api.bp, audit_api.bp):
    bp.register_blueprint(child)
bp.register_blueprint(forecast_api.bp)  # the weather ahead (issue 17)
bp.register_blueprint(advise_api.bp)  # ET0 calculator that refuses impossible weather (issue 17)
bp.register_blueprint(notify_api.bp)  # inbox, notification preferences, push (issue 18)

__all__ = ["bp"]
