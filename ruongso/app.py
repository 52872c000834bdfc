"""The Flask application factory: settings, adapters and services, then every blueprint."""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from server.blobs import open_blob_store
from server.config import Settings
from server.db import Database
from server.errors import register_error_handlers
from server.security import add_headers, hide_server_banner
from server.services import Services
from server.timeseries import open_store

MAX_REQUEST_BYTES = 64 * 1024 * 1024


class Int64Converter(IntegerConverter):
    """``<int:…>`` ids that fit the database's 64-bit integers; anything longer is a 404 at routing."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    # Bodies are bounded before parsing: the largest legitimate ones are 5 photos (12 MB each).
    app.config.update(
        SECRET_KEY=settings.secret_key,
        RUONGSO_SETTINGS=settings,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    app.url_map.converters["int"] = Int64Converter
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    db = Database(settings.database_url)
    if settings.auto_migrate:
        db.upgrade()
    store = open_store(settings.tsdb_url, str(settings.data_dir), settings)
    blobs = open_blob_store(settings.blob_dir or settings.data_dir / "blobs")
    app.extensions["ruongso"] = Services(db=db, store=store, settings=settings, blobs=blobs)

    from mobile_api import bp as mobile_bp
    from mobile_api.officer import bp as officer_bp
    from mobile_api.technician import bp as tech_bp
    from server.api_docs import bp as docs_bp
    from server.auth.guard import install as install_guard
    from server.auth.routes import bp as auth_bp
    from server.http_cache import install as install_etags
    from server.ingest.routes import bp as ingest_bp
    from server.registry.audit_routes import bp as audit_bp
    from server.registry.devices import bp as devices_bp
    from server.registry.planting_routes import bp as plantings_bp
    from server.registry.routes import bp as registry_bp
    from server.technician.firmware_gateway import bp as gateway_updates_bp
    from server.timeseries.field_routes import bp as field_series_bp
    from server.timeseries.routes import bp as series_bp

    install_guard(app)
    for bp in (
        auth_bp,
        ingest_bp,
        gateway_updates_bp,
        registry_bp,
        plantings_bp,
        devices_bp,
        audit_bp,
        series_bp,
        field_series_bp,
        docs_bp,
        mobile_bp,
    ):
        app.register_blueprint(bp)
    app.register_blueprint(officer_bp)
    app.register_blueprint(tech_bp)
    install_etags(app)
    app.after_request(add_headers)
    hide_server_banner()
    register_error_handlers(app)
    if settings.proxy_hops:  # the login rate limit must see the phone's address, not nginx's
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    gc.freeze()  # startup objects (routes, models, metadata) need no more scanning by the collector
    return app
