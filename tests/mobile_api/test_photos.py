"""Photo upload: limits, metadata stripped, position only when allowed, diagnosis and review."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image

from server.farm.diagnosis import EXTENSION, diagnoser
from tests.mobile_api.conftest import Client

STATIC = Path(__file__).resolve().parents[2] / "mobile_api" / "static"


@dataclass
class FakeDiagnosis:
    confident: bool

    def to_dict(self) -> dict[str, Any]:
        if self.confident:
            return {
                "label": "tomato__late_blight",
                "confidence": 0.93,
                "abstained": False,
                "reason": "ok",
                "message_vi": "Cà chua — bệnh mốc sương",
                "message_en": "Tomato — late blight",
            }
        return {
            "label": None,
            "confidence": 0.41,
            "abstained": True,
            "reason": "low_confidence",
            "message_vi": "Chưa chắc chắn",
            "message_en": "Not sure",
        }


class FakeDiagnoser:
    """Stands in for vision.diagnose.Diagnoser: green photos are confident, others are not."""

    def diagnose(self, data: bytes, crop: str | None = None) -> FakeDiagnosis:
        r, g, _b = Image.open(io.BytesIO(data)).convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        return FakeDiagnosis(confident=g > r)

    def combine(self, each: list[FakeDiagnosis]) -> FakeDiagnosis:
        return FakeDiagnosis(confident=all(d.confident for d in each))


def jpeg(colour: str, gps: bool = False) -> bytes:
    img = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (21.0, 14.0, 3.0), 3: "E", 4: (105.0, 29.0, 31.0)}
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(c: Client, key: str, files: list[bytes], **form: str) -> Any:
    data: dict[str, Any] = {"field_id": "3", "idempotency_key": key, **form}
    data["photos"] = [(io.BytesIO(b), f"p{i}.jpg") for i, b in enumerate(files)]
    return c.send("POST", "/api/v1/app/photos", data=data, content_type="multipart/form-data")


def test_photo_diagnosis_strips_exif_and_keeps_position_only_when_allowed(app: Flask, farmer: Client) -> None:
    app.extensions[EXTENSION] = FakeDiagnoser()
    r = upload(farmer, "photo-ok-0001", [jpeg("#2e7d32", gps=True)])
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert d["label"] == "tomato__late_blight" and not d["abstained"] and d["position"] is None
    assert d["review"]["status"] == "not_needed"
    assert all(not t["warnings"] for t in d["treatments"]) and d["treatments"]
    stored = farmer.get(d["photos"][0]).data
    assert b"Exif" not in stored and Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825) == {}
    assert upload(farmer, "photo-ok-0001", [jpeg("#2e7d32")]).status_code == 200  # retry: same record
    shared = upload(farmer, "photo-gps-0001", [jpeg("#2e7d32", gps=True)], share_location="1").get_json()
    assert (
        abs(shared["position"]["lat"] - 21.2342) < 1e-3 and abs(shared["position"]["lon"] - 105.4920) < 1e-3
    )


def test_unsure_answer_goes_to_the_officer(app: Flask, farmer: Client, officer: Client) -> None:
    app.extensions[EXTENSION] = FakeDiagnoser()
    d = upload(farmer, "photo-unsure-1", [jpeg("#8d6e63"), jpeg("#795548")]).get_json()
    assert d["abstained"] and d["review"]["status"] == "pending"
    assert (
        farmer.send(
            "POST", f"/api/v1/app/diagnoses/{d['id']}/review", json={"status": "confirmed"}
        ).status_code
        == 403
    )
    r = officer.send(
        "POST",
        f"/api/v1/app/diagnoses/{d['id']}/review",
        json={"status": "corrected", "label": "tomato__early_blight", "note": "Đốm vòng, phun Score"},
    )
    assert r.status_code == 200, r.get_json()
    mine = farmer.get("/api/v1/app/fields/3/diagnoses").get_json()["diagnoses"]
    reviewed = next(x for x in mine if x["id"] == d["id"])
    assert reviewed["review"]["status"] == "corrected" and reviewed["review"]["note"].startswith("Đốm vòng")


def test_refuses_wrong_type_bombs_and_too_many(farmer: Client) -> None:
    assert upload(farmer, "photo-bad-type1", [b"GIF89a" + b"\0" * 100]).get_json()["code"] == "bad_type"
    big = io.BytesIO()
    Image.new("1", (9000, 9000)).save(big, "PNG")  # 81 MP in a few kB: a decompression bomb
    assert upload(farmer, "photo-bomb-0001", [big.getvalue()]).get_json()["code"] == "too_many_pixels"
    assert upload(farmer, "photo-many-0001", [jpeg("#2e7d32")] * 6).status_code == 422


def test_catalogues_have_the_same_keys_and_cover_the_code() -> None:
    vi = json.loads((STATIC / "i18n" / "vi.json").read_text(encoding="utf-8"))
    en = json.loads((STATIC / "i18n" / "en.json").read_text(encoding="utf-8"))
    assert vi.keys() == en.keys()
    used = set()
    for path in (STATIC / "js").rglob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z0-9_]+)"[,)]', path.read_text(encoding="utf-8")))
    assert used - vi.keys() == set()


def test_the_real_classifier_refuses_a_wall_and_sends_it_to_the_officer(app: Flask, farmer: Client) -> None:
    """No stand-in: the shipped int8 model behind the upload endpoint (loaded once per process)."""
    app.extensions.pop(EXTENSION, None)
    with app.app_context():
        assert diagnoser() is not None  # the model file and runtime load: no "unavailable" fallback
    wall = Image.new("RGB", (640, 480), "#9e9e9e")
    noise = Image.effect_noise((640, 480), 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(wall, noise, 0.3).save(out, "JPEG", quality=90)
    r = upload(farmer, "photo-real-wall-1", [out.getvalue()])
    assert r.status_code == 201, r.get_json()
    d = r.get_json()
    assert d["abstained"] and d["label"] is None
    assert d["review"]["status"] == "pending"
