"""Flask application factory."""

from __future__ import annotations

from flask import Flask

from server.config import Settings
from server.db import Database
from server.errors import register_error_handlers
from server.services import Services
from server.timeseries import open_store


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    app.config.update(SECRET_KEY=settings.secret_key, RUONGSO_SETTINGS=settings, JSON_SORT_KEYS=False)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    db = Database(settings.database_url)
    db.create_all()
    app.extensions["ruongso"] = Services(db=db, store=open_store(settings.tsdb_url, str(settings.data_dir)))

    from mobile_api import bp as mobile_bp
    from server.ingest.routes import bp as ingest_bp

    app.register_blueprint(ingest_bp)
    app.register_blueprint(mobile_bp)
    register_error_handlers(app)
    return app
