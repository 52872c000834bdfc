"""A seeded app for the app's tests and benchmark: demo cooperative plus days of node history.

History is written straight into the time-series store (what the gateway would have delivered),
one sample per node every 15 minutes, from the demo's simulated weather.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from demo.run import build_nodes
from demo.seed import seed
from firmware.lib import framecodec as fc
from ruongso.app import create_app
from server.config import Settings
from server.services import Services
from server.timeseries.base import FrameRecord

NAMES = {cid: spec[0] for cid, spec in fc.CHANNELS.items()}
STEP_S = 900


def seeded_app(data_dir: Path, history_days: float = 3.0) -> Flask:
    app = create_app(Settings.from_env(data_dir=data_dir, tsdb_url="embedded", secret_key="test-secret"))
    svc: Services = app.extensions["ruongso"]
    result = seed(svc.db)
    nodes = build_nodes(result.nodes)
    by_id = {n.node_id: n for n in result.nodes}
    now = int(time.time())
    start = now - int(history_days * 86400)
    start -= start % STEP_S
    records: list[FrameRecord] = []
    for t in range(start, now, STEP_S):
        for sim in nodes:
            values, statuses = {}, {}
            for cid, value, status in sim.sample(t, STEP_S):
                if value is None:
                    statuses[NAMES[cid]] = status
                else:
                    values[NAMES[cid]] = float(value)
            meta = by_id[sim.node_id]
            sim.counter += 1
            records.append(
                FrameRecord(sim.node_id, sim.counter, t, meta.farm_id, meta.field_id, values, statuses)
            )
    svc.store.write(records)
    return app


def probes_read(app: Flask, field_id: int, soil_vwc: float) -> None:
    """Every probe of ``field_id`` reads ``soil_vwc`` a minute ago: the field's latest reading.

    The demo's weather model rains on some afternoons and its farmer waters some mornings, so what
    the probes read when a test runs depends on the date and the hour; a test that needs a dry or a
    wet field says so with this.
    """
    from sqlalchemy import select

    from server.registry.models import Field, Node

    svc: Services = app.extensions["ruongso"]
    with svc.db.session() as s:
        farm_id = s.get_one(Field, field_id).farm_id
        nodes = s.scalars(select(Node.id).where(Node.field_id == field_id)).all()
    now = int(time.time())
    counter = 10**9 + now % 10**6  # above any counter the seeded history used
    reading = {"soil_vwc": soil_vwc}
    svc.store.write([FrameRecord(n, counter, now - 60, farm_id, field_id, reading) for n in nodes])


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """The app on a loopback port in a thread (threaded, like gunicorn's workers)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
