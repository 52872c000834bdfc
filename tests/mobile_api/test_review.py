"""The review loop closes: each officer move reaches the farmer in words and treatments, the farmer
answers "send more photos" and disputes, the desk reads the classifier's real guesses.

API level on the real app (seeded demo, no stand-in unless said); the browser journeys are in
test_browser_review.py.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from PIL import Image, ImageDraw
from sqlalchemy import inspect, select

from server.farm import photos, review
from server.farm.diagnosis import EXTENSION
from server.officer.models import ReviewDecision
from tests.mobile_api.test_officer_support import FARMER_1, OFFICER, Client, leaf_photo, login, make_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("review"))
    yield app
    app.extensions["ruongso"].store.close()


def spotted_leaf(seed: int = 0) -> bytes:
    """A textured green leaf with brown spots: sharp enough for the classifier's quality gate."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (640, 480), (200, 190, 170))
    draw = ImageDraw.Draw(img)
    draw.ellipse((60, 140, 580, 340), fill=(70, 130, 50))
    for _ in range(40):
        x, y, r = rnd.randint(120, 520), rnd.randint(170, 310), rnd.randint(4, 14)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(130, 100, 60), outline=(90, 60, 30))
    img = Image.blend(img, Image.effect_noise((640, 480), 30).convert("RGB"), 0.15)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def send_photos(c: Client, url: str, key: str, images: list[bytes], **form: str) -> Any:
    data: dict[str, Any] = {"idempotency_key": key, **form}
    data["photos"] = [(io.BytesIO(b), f"p{i}.jpg") for i, b in enumerate(images)]
    return c.post(url, data=data, content_type="multipart/form-data")


def upload(c: Client, field_id: int, key: str, image: bytes | None = None) -> dict[str, Any]:
    r = send_photos(c, "/api/v1/app/photos", key, [image or leaf_photo()], field_id=str(field_id))
    assert r.status_code == 201, r.get_json()
    body: dict[str, Any] = r.get_json()
    return body


def mine(c: Client, field_id: int, diag_id: int) -> dict[str, Any]:
    rows = c.get(f"/api/v1/app/fields/{field_id}/diagnoses").get_json()["diagnoses"]
    found: dict[str, Any] = next(d for d in rows if d["id"] == diag_id)
    return found


def exported(officer: Client) -> dict[int, str]:
    rows = officer.get("/api/v1/officer/training-export?format=json").get_json()["rows"]
    return {r["diagnosis_id"]: r["label"] for r in rows}


def events(app: Flask, diag_id: int) -> list[tuple[str, str | None, str | None, str]]:
    with app.extensions["ruongso"].db.session() as db:
        rows = db.scalars(select(ReviewDecision).where(ReviewDecision.diagnosis_id == diag_id))
        return [(r.action, r.from_status, r.to_status, r.actor_role) for r in rows]


def test_the_state_machine_reaches_every_state_and_only_the_farmer_disputes() -> None:
    reachable = {review.initial_status(True), review.initial_status(False)}
    frontier = set(reachable)
    while frontier:
        nxt = {to for s in frontier for to in review.TRANSITIONS[s].values()} - reachable
        reachable |= nxt
        frontier = nxt
    assert reachable == set(review.STATES) == set(review.TRANSITIONS)
    into_dispute = {
        (s, e) for s, moves in review.TRANSITIONS.items() for e, to in moves.items() if to == "disputed"
    }
    assert {e for _, e in into_dispute} <= {"dispute", "add_photos"}
    assert not review.allowed("pending", "dispute")  # nothing to disagree with yet
    assert review.allowed("more_photos", "add_photos")  # a row stored before 0006 still moves


def test_more_photos_request_reaches_the_farmer_who_answers_and_reopens_the_case(app: Flask) -> None:
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    diag = upload(farmer, 1, "review-more-0001")
    assert diag["review"]["status"] == "pending" and diag["review"]["actions"] == ["add_photos"]
    r = officer.post(
        f"/api/v1/officer/reviews/{diag['id']}", json={"action": "more_photos", "note": "Chụp cả bẹ lá"}
    )
    assert r.get_json()["status"] == "more_photos_requested"
    seen = mine(farmer, 1, diag["id"])
    assert seen["review"]["status"] == "more_photos_requested" and seen["review"]["note"] == "Chụp cả bẹ lá"
    assert seen["review"]["actions"] == ["add_photos"]
    home = farmer.get("/api/v1/app/diagnoses/updates?farm=1").get_json()["diagnoses"]
    assert [d["field_name"] for d in home if d["id"] == diag["id"]] == ["Ruộng lúa Đồng Trước"]

    url = f"/api/v1/app/diagnoses/{diag['id']}/photos"
    first = send_photos(farmer, url, "review-more-answer-1", [leaf_photo((60, 120, 40))])
    assert first.status_code == 201, first.get_json()
    again = send_photos(
        farmer, url, "review-more-answer-1", [leaf_photo((60, 120, 40))]
    )  # the outbox retries
    assert again.status_code == 200
    back = mine(farmer, 1, diag["id"])
    assert back["review"]["status"] == "pending" and len(back["photos"]) == 2
    queue = officer.get("/api/v1/officer/reviews").get_json()["items"]
    assert len(next(i for i in queue if i["id"] == diag["id"])["photos"]) == 2
    assert events(app, diag["id"]) == [
        ("more_photos", "pending", "more_photos_requested", "officer"),
        ("add_photos", "more_photos_requested", "pending", "farmer"),
    ]
    done = send_photos(farmer, url, "review-more-answer-2", [leaf_photo()])
    assert done.status_code == 201  # still pending: more photos for the same plant are welcome
    officer.post(
        f"/api/v1/officer/reviews/{diag['id']}", json={"action": "correct", "label": "rice__brown_spot"}
    )
    late = send_photos(farmer, url, "review-more-answer-3", [leaf_photo()])
    assert late.status_code == 409 and late.get_json()["code"] == "not_allowed"


def test_a_correction_names_the_corrected_disease_with_its_treatments(app: Flask) -> None:
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    diag = upload(farmer, 2, "review-correct-01")  # rice field
    assert diag["treatments"] == [] and diag["disease"] is None
    r = officer.post(
        f"/api/v1/officer/reviews/{diag['id']}",
        json={"action": "correct", "label": "rice__blast", "note": "Phun sớm, giữ nước ruộng"},
    )
    assert r.status_code == 200, r.get_json()
    seen = mine(farmer, 2, diag["id"])
    assert seen["review"]["status"] == "corrected" and seen["review"]["note"] == "Phun sớm, giữ nước ruộng"
    assert seen["review"]["label_name"] == {"vi": "Bệnh đạo ôn", "en": "Rice blast"}
    assert seen["disease"]["key"] == "rice_blast" and seen["disease"]["name"]["vi"] == "Bệnh đạo ôn"
    assert {p["name"] for p in seen["treatments"]} == {
        "Amistar Top 325SC",
        "Beam 75WP",
        "Fuji-One 40EC",
        "Kasumin 2SL",
    }
    assert seen["review"]["actions"] == ["dispute"]


def test_the_farmer_disputes_a_correction_and_the_case_returns_to_the_desk(app: Flask) -> None:
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    diag = upload(farmer, 3, "review-dispute-01")
    url = f"/api/v1/app/diagnoses/{diag['id']}/dispute"
    early = farmer.post(url, json={"note": "?"})
    assert (
        early.status_code == 409 and early.get_json()["code"] == "not_allowed"
    )  # pending: nothing to dispute
    officer.post(
        f"/api/v1/officer/reviews/{diag['id']}", json={"action": "correct", "label": "tomato__leaf_mold"}
    )
    body = {"note": "Lá bị xoăn, không có mốc", "idempotency_key": "dispute-key-0001"}
    assert farmer.post(url, json=body).get_json()["review"]["status"] == "disputed"
    assert farmer.post(url, json=body).status_code == 200  # a repeated tap: one dispute
    assert [e[0] for e in events(app, diag["id"])] == ["correct", "dispute"]
    item = next(
        i for i in officer.get("/api/v1/officer/reviews").get_json()["items"] if i["id"] == diag["id"]
    )
    assert item["status"] == "disputed" and item["review"]["farmer_note"] == "Lá bị xoăn, không có mốc"
    assert diag["id"] not in exported(officer)  # a disputed label is not training data
    officer.post(
        f"/api/v1/officer/reviews/{diag['id']}",
        json={"action": "correct", "label": "tomato__yellow_leaf_curl_virus"},
    )
    assert exported(officer)[diag["id"]] == "tomato__yellow_leaf_curl_virus"
    settled = mine(farmer, 3, diag["id"])
    assert settled["review"]["status"] == "corrected"
    assert settled["disease"]["name"]["vi"] == "Bệnh xoăn vàng lá (virus)" and settled["treatments"] == []


def test_the_desk_shows_the_real_classifiers_guesses(app: Flask) -> None:
    """No stand-in: the shipped model's own top three for the photo, as the desk shows them."""
    app.extensions.pop(EXTENSION, None)
    try:
        farmer, officer = login(app, FARMER_1), login(app, OFFICER)
        raw = spotted_leaf()
        diag = upload(farmer, 1, "review-real-top3-1", raw)
        with app.app_context():
            from server.farm.diagnosis import diagnoser

            dx = diagnoser()
            assert dx is not None
            expected = dx.diagnose(photos.clean(raw).data, crop="rice").to_dict()["top3"]
        assert expected, "the model gave no guesses for this photo: the test would check nothing"
        if not diag["abstained"]:  # a confident answer does not reach the desk: ask for a look
            officer.post(f"/api/v1/officer/reviews/{diag['id']}", json={"action": "more_photos", "note": "x"})
            send_photos(farmer, f"/api/v1/app/diagnoses/{diag['id']}/photos", "review-real-top3-2", [raw])
        item = next(
            i for i in officer.get("/api/v1/officer/reviews").get_json()["items"] if i["id"] == diag["id"]
        )
        shown = [c["label"] for c in item["model"]["candidates"]]
        assert shown == [c["label"] for c in expected]
        assert all(c["name"]["vi"] for c in item["model"]["candidates"])
    finally:
        app.extensions[EXTENSION] = None


def test_area_alert_is_stored_as_a_key_and_names_the_disease_in_both_languages(app: Flask) -> None:
    officer = login(app, OFFICER)
    field = next(
        f["properties"]
        for f in officer.get("/api/v1/officer/map").get_json()["fields"]["features"]
        if f["properties"]["id"] == 1
    )
    lat, lon = field["centroid"]
    sent = officer.post(
        "/api/v1/officer/alerts",
        json={"lat": lat, "lon": lon, "radius_m": 300, "kind": "rice__blast", "message_vi": "Thăm đồng ngay"},
    ).get_json()
    assert sent["message_key"] == "alert_disease" and sent["message_params"]["disease"] == "rice_blast"
    alerts = login(app, FARMER_1).get("/api/v1/alerts").get_json()["alerts"]
    got = next(a for a in alerts if a["id"] == sent["id"])
    assert "bệnh đạo ôn" in got["title"]["vi"] and "rice blast" in got["title"]["en"]
    assert got["message"] == {"vi": "Thăm đồng ngay", "en": "Thăm đồng ngay"}  # the officer wrote only vi
    assert 1 in got["field_ids"]
    with app.extensions["ruongso"].db.session() as db:
        bind = db.get_bind()
        for table in ("officer_alert", "app_diagnosis"):
            columns = {c["name"] for c in inspect(bind).get_columns(table)}
            assert {"message_key", "message_params"} <= columns and not {"message_vi", "message_en"} & columns
