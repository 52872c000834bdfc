"""The API and the installable web app that farmers use (Flask blueprints, one per screen).

``bp`` is the one blueprint the server registers; it nests the screen blueprints, creates the
app's tables and sets the security headers.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from mobile_api import authdev, diary_api, home_api, lots_api, photos_api, routes, shell
from mobile_api.models import APP_TABLES
from mobile_api.security import add_headers
from server.db import Base

bp = Blueprint("mobile_api", __name__)
for child in (shell.bp, routes.bp, home_api.bp, diary_api.bp, photos_api.bp, lots_api.bp):
    bp.register_blueprint(child)
bp.after_request(add_headers)


@bp.record_once
def _create_tables(state: BlueprintSetupState) -> None:
    if "auth" not in state.app.blueprints:  # the server core's sign-in is not on this app
        state.app.register_blueprint(authdev.bp)
    services = state.app.extensions["ruongso"]
    Base.metadata.create_all(services.db.engine, tables=APP_TABLES)


__all__ = ["bp"]
