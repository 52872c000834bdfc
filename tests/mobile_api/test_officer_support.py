"""Helpers for the officer and technician tests (no tests here): a seeded app, people, frames, photos.

The demo seed gives one officer for every commune (farms 1-2 share detail, farm 3 does not) and
one technician for the gateway; ``add_officer`` makes a second officer for one commune only.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from demo.seed import seed
from server.auth.models import OfficerArea, User
from server.auth.passwords import hash_password
from server.farm import review
from server.farm.models import Diagnosis
from server.registry.areas import AdminArea
from tests.mobile_api.seeding import seeded_app

OFFICER = {"phone": "0912000010", "password": "demo-khuyennong"}
TECHNICIAN = {"phone": "0912000020", "password": "demo-kythuat"}
FARMER_1 = {"phone": "0912000001", "password": "demo-nongdan-1"}
OFFICER_TAM_DUONG = {"phone": "0912000011", "password": "officer-tam-duong"}


def make_app(tmp: Path, history_days: float = 1.0) -> Flask:
    app = seeded_app(tmp, history_days=history_days)
    app.extensions["ruongso.diagnoser"] = None  # no classifier: every photo goes to the review desk
    add_officer(app, OFFICER_TAM_DUONG, "xã Tam Dương")
    return app


def add_officer(app: Flask, creds: dict[str, str], commune: str) -> None:
    with app.extensions["ruongso"].db.session() as s:
        area = s.scalar(select(AdminArea).where(AdminArea.name == commune))
        assert area is not None
        user = User(
            phone="+84" + creds["phone"][1:],
            name=f"Cán bộ {commune}",
            role="officer",
            password_hash=hash_password(creds["password"]),
        )
        s.add(user)
        s.flush()
        s.add(OfficerArea(user_id=user.id, area_id=area.id))


class Client:
    """A signed-in test client that echoes the CSRF token on writes."""

    def __init__(self, client: FlaskClient, csrf: str) -> None:
        self.c, self.csrf = client, csrf

    def get(self, url: str, **kw: Any) -> Any:
        return self.c.get(url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.c.post(url, headers={"X-CSRF-Token": self.csrf}, **kw)


def login(app: Flask, creds: dict[str, str]) -> Client:
    c = app.test_client()
    r = c.post("/api/v1/auth/login", json=creds)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    cookie = c.get_cookie("rs_csrf")
    return Client(c, body.get("csrf_token") or (cookie.value if cookie else ""))


def gateway_token(app: Flask) -> str:
    """A fresh token for the demo gateway (seeding again rotates it)."""
    return seed(app.extensions["ruongso"].db).gateway_token


def post_frame(
    app: Flask, token: str, node_id: int, counter: int, values: dict[str, float], age_s: int = 0
) -> dict[str, Any]:
    """One frame through the real gateway ingest endpoint, as the gateway forwards it."""
    now = int(time.time())
    frame = {
        "node_id": node_id,
        "counter": counter,
        "sampled_at": now - age_s,
        "received_at": now,
        "flags": 0,
        "values": values,
        "statuses": {},
        "quality": {},
    }
    r = app.test_client().post(
        "/api/v1/gateway/frames",
        data=json.dumps({"frames": [frame]}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    body: dict[str, Any] = r.get_json()
    return body


def leaf_photo(colour: tuple[int, int, int] = (90, 140, 60)) -> bytes:
    img = Image.new("RGB", (320, 240), colour)
    for x in range(100, 140):
        for y in range(80, 120):
            img.putpixel((x, y), (120, 90, 40))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def upload_photo(farmer: Client, field_id: int, key: str) -> dict[str, Any]:
    """The farmer app's real upload; with no classifier the diagnosis waits for an officer."""
    r = farmer.post(
        "/api/v1/app/photos",
        data={
            "field_id": str(field_id),
            "idempotency_key": key,
            "photos": (io.BytesIO(leaf_photo()), "leaf.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body: dict[str, Any] = r.get_json()
    return body


def confident(app: Flask, field_id: int, label: str, n: int, tag: str) -> list[int]:
    """``n`` confident model answers on a field, as the photo upload stores them."""
    now = int(time.time())
    with app.extensions["ruongso"].db.session() as db:
        rows = [
            Diagnosis(
                idempotency_key=f"{tag}-{i}",
                field_id=field_id,
                crop="rice",
                photos=[],
                label=label,
                confidence=0.93,
                abstained=False,
                reason="confident",
                message_key="diagnosis_label",
                message_params={},
                result={"label": label, "confidence": 0.93, "top3": [{"label": label, "confidence": 0.93}]},
                review_status=review.initial_status(False),
                created_by="farmer-test",
                created_at=now - i,
            )
            for i in range(n)
        ]
        db.add_all(rows)
        db.flush()
        return [d.id for d in rows]
