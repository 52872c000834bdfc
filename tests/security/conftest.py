"""Fixtures for the attack tests: the real app (demo cooperative) on a temporary data directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.mobile_api.seeding import seeded_app

CREDS = {
    "farmer": {"phone": "0912000001", "password": "demo-nongdan-1"},
    "farmer2": {"phone": "0912000002", "password": "demo-nongdan-2"},
    "farmer3": {"phone": "0912000003", "password": "demo-nongdan-3"},
    "officer": {"phone": "0912000010", "password": "demo-khuyennong"},
    "technician": {"phone": "0912000020", "password": "demo-kythuat"},
    "manager": {"phone": "0912000030", "password": "demo-quanly"},
    "admin": {"phone": "0912000099", "password": "demo-quantri"},
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = seeded_app(tmp_path_factory.mktemp("secapp"), history_days=0.5)
    yield app
    app.extensions["ruongso"].store.close()
