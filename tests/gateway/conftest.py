"""Fixtures for the gateway tests: a seeded registry and a real server process on a real InfluxDB."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.seed import SeededNode, seed
from server.db import Database
from tests.services import Service, start_server


@dataclass
class ServerHandle:
    url: str
    token: str
    nodes: tuple[SeededNode, ...]
    data_dir: Path
    tsdb_url: str
    service: Service | None = None

    def start(self) -> None:
        self.service = start_server(self.data_dir, self.tsdb_url, int(self.url.rsplit(":", 1)[1]))

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None


def seeded_registry(data_dir: Path) -> tuple[str, tuple[SeededNode, ...]]:
    db = Database(f"sqlite:///{data_dir / 'registry.sqlite'}")
    db.create_all()
    seeded = seed(db)
    db.engine.dispose()
    return seeded.gateway_token, seeded.nodes


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, influxd: Service) -> Iterator[ServerHandle]:
    """One seeded server process per module (seeding and start-up are the slow part); tests use
    disjoint nodes. ``stop()``/``start()`` it to simulate an outage on the same port."""
    from tests.services import free_port

    data_dir = tmp_path_factory.mktemp("server")
    token, nodes = seeded_registry(data_dir)
    tsdb_url = f"influx://127.0.0.1:{influxd.port}/gw_{data_dir.name}"
    handle = ServerHandle(f"http://127.0.0.1:{free_port()}", token, nodes, data_dir, tsdb_url)
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()
