"""The review loop closes (issue 18): an audit sample of the model's confident answers reaches the
desk, a correction may say "another crop", "not a plant" or "can't tell", and officer/model
agreement per class is served for the model card.

Confident answers are stored as the farmer app stores them after a confident classification
(``review_status`` "not_needed"); the tests app has no classifier, so they are written directly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from server.farm import review
from server.farm.models import Diagnosis
from tests.mobile_api.test_officer_support import FARMER_1, OFFICER, confident, login, make_app, upload_photo

FARM = Path(sys.executable).parent / "farm"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("review-loop"))
    yield app
    app.extensions["ruongso"].store.close()


def test_sampling_is_deterministic_and_near_the_rate() -> None:
    ids = range(1, 20001)
    for rate in (0.05, 0.1, 0.3):
        picked = [i for i in ids if review.sampled(i, rate)]
        assert abs(len(picked) / len(ids) - rate) < 0.01
        assert picked == [i for i in ids if review.sampled(i, rate)]  # the same sample every time
    assert not any(review.sampled(i, 0.0) for i in ids) and all(review.sampled(i, 1.0) for i in ids)
    low = {i for i in ids if review.sampled(i, 0.05)}
    assert low <= {i for i in ids if review.sampled(i, 0.1)}  # raising the rate only adds cases


def test_confident_answers_reach_the_desk_at_the_rate(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = confident(app, 1, "rice__blast", 60, "sample")
    officer = login(app, OFFICER)
    monkeypatch.setenv("RUONGSO_REVIEW_SAMPLE_RATE", "0.25")
    queue = officer.get("/api/v1/officer/reviews").get_json()
    on_desk = {i["id"] for i in queue["items"] if i["sampled"]}
    assert queue["sample_rate"] == 0.25
    assert on_desk == {i for i in ids if review.sampled(i, 0.25)} and 5 <= len(on_desk) <= 25
    assert all(i["status"] == "not_needed" for i in queue["items"] if i["sampled"])
    assert officer.get("/api/v1/officer/settings").get_json()["review_sample_rate"] == 0.25
    monkeypatch.setenv("RUONGSO_REVIEW_SAMPLE_RATE", "0")
    assert not any(i["sampled"] for i in officer.get("/api/v1/officer/reviews").get_json()["items"])
    monkeypatch.setenv("RUONGSO_REVIEW_SAMPLE_RATE", "lots")  # a bad setting: the documented default
    assert officer.get("/api/v1/officer/reviews").get_json()["sample_rate"] == 0.1


def test_corrections_offer_any_class_and_the_outcomes(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUONGSO_REVIEW_SAMPLE_RATE", "1")
    ids = confident(app, 1, "rice__brown_spot", 3, "outcomes")
    officer = login(app, OFFICER)
    queue = officer.get("/api/v1/officer/reviews").get_json()
    assert queue["outcomes"] == ["other_crop", "not_plant", "cant_tell"]
    assert {lb["crop"] for lb in queue["labels"]} >= {"rice", "corn", "tomato"}  # every crop's classes
    for diag_id, label in zip(ids, ("not_plant", "corn__common_rust", "cant_tell"), strict=True):
        r = officer.post(f"/api/v1/officer/reviews/{diag_id}", json={"action": "correct", "label": label})
        assert r.status_code == 200 and r.get_json()["label"] == label, r.get_json()
    bad = officer.post(f"/api/v1/officer/reviews/{ids[0]}", json={"action": "correct", "label": "rice__x"})
    assert bad.status_code == 422 and "not_plant" in bad.get_json()["detail"]
    outbreak = officer.get("/api/v1/officer/outbreak?days=2").get_json()
    assert ids[0] not in {c["id"] for c in outbreak["cases"]}  # "not a plant" is no disease case
    assert ids[2] not in {c["id"] for c in outbreak["cases"]}  # nor is "can't tell"
    export = officer.get("/api/v1/officer/training-export").get_data(as_text=True)
    labels = {row["label"] for row in csv.DictReader(io.StringIO(export))}
    assert "not_plant" not in labels and "cant_tell" not in labels


def test_agreement_per_class_for_the_model_card(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUONGSO_REVIEW_SAMPLE_RATE", "1")
    ids = confident(app, 2, "rice__bacterial_leaf_streak", 4, "agree")
    officer, farmer = login(app, OFFICER), login(app, FARMER_1)
    for diag_id in ids[:3]:
        r = officer.post(f"/api/v1/officer/reviews/{diag_id}", json={"action": "confirm"})
        assert r.status_code == 200
    officer.post(f"/api/v1/officer/reviews/{ids[3]}", json={"action": "correct", "label": "rice__blast"})
    unsure = upload_photo(farmer, 3, "agree-unsure-1")  # an abstention: on the desk, not sampled
    officer.post(
        f"/api/v1/officer/reviews/{unsure['id']}", json={"action": "correct", "label": "tomato__leaf_mold"}
    )
    body = officer.get("/api/v1/officer/agreement").get_json()
    row = next(c for c in body["classes"] if c["model_label"] == "rice__bacterial_leaf_streak")
    assert (row["reviewed"], row["agreed"], row["disagreed"]) == (4, 3, 1)
    assert row["rate"] == 0.75 and row["sampled_reviewed"] == 4 and row["sampled_rate"] == 0.75
    assert row["name"]["vi"] and "__" not in row["name"]["vi"]
    with app.extensions["ruongso"].db.session() as db:
        held = db.scalars(select(Diagnosis.review_status).where(Diagnosis.id.in_(ids))).all()
    assert sorted(held) == ["confirmed", "confirmed", "confirmed", "corrected"]
    assert login(app, FARMER_1).get("/api/v1/officer/agreement").status_code == 403


def test_agreement_file_for_the_model_card(app: Flask, tmp_path: Path) -> None:
    """``farm officer agreement`` (installed command, as a subprocess) writes what the API serves."""
    officer = login(app, OFFICER)
    ids = confident(app, 2, "rice__blast", 2, "card-file")
    officer.post(f"/api/v1/officer/reviews/{ids[0]}", json={"action": "confirm"})
    officer.post(f"/api/v1/officer/reviews/{ids[1]}", json={"action": "correct", "label": "other_crop"})
    out = tmp_path / "agreement.json"
    env = {k: v for k, v in os.environ.items() if k not in ("RUONGSO_DATA_DIR", "RUONGSO_DATABASE_URL")}
    settings = app.config["RUONGSO_SETTINGS"]
    env["RUONGSO_DATABASE_URL"] = settings.database_url
    r = subprocess.run(
        [str(FARM), "officer", "agreement", "--out", str(out), "--data-dir", str(settings.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    served = officer.get("/api/v1/officer/agreement").get_json()
    assert written["classes"] == served["classes"] and written["classes"]
    blast = next(c for c in written["classes"] if c["model_label"] == "rice__blast")
    assert blast["disagreed"] >= 1 and blast["name"]["vi"] == "Bệnh đạo ôn"
