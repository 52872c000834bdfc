"""The API and the installable web app that farmers use (Flask blueprints, one per screen).

``bp`` is the one blueprint the server registers; it nests the screen blueprints. Its tables are
created by the Alembic migrations (``migrations/versions/0004``) like every other table.
"""

from __future__ import annotations

from flask import Blueprint

from mobile_api import audit_api, diary_api, home_api, lots_api, photos_api, routes, shell

bp = Blueprint("mobile_api", __name__)
for child in (shell.bp, routes.bp, home_api.bp, diary_api.bp, photos_api.bp, lots_api.bp, audit_api.bp):
    bp.register_blueprint(child)

__all__ = ["bp"]
