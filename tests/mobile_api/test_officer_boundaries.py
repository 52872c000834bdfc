"""Commune boundaries for the offline map (issue 18): the ``farm officer import-boundaries`` command
checks a deployment's GeoJSON and installs it; the officer API serves it with the officer's own
communes marked; outbreak density counts a farm once; settings name the tile server or the
offline tile package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.officer import boundaries
from server.officer.density import Case, grid, one_per_farm
from tests.mobile_api.test_officer_support import (
    FARMER_1,
    OFFICER,
    OFFICER_TAM_DUONG,
    login,
    make_app,
    upload_photo,
)

FARM = Path(sys.executable).parent / "farm"
FIXTURE = (
    Path(__file__).resolve().parents[2] / "server" / "officer" / "data" / "test-fixture-communes.geojson"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("officer-geo"))
    yield app
    app.extensions["ruongso"].store.close()


def run_import(path: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUONGSO_DATA_DIR"}
    return subprocess.run(
        [str(FARM), "officer", "import-boundaries", str(path), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def broken(tmp_path: Path, name: str, change: Any) -> Path:
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_import_refuses_bad_files_with_one_line(tmp_path: Path) -> None:
    cases = {
        "latlon.geojson": (  # [lat, lon] instead of [lon, lat]
            lambda d: d["features"][0]["geometry"].update(
                coordinates=[[[p[1], p[0]] for p in d["features"][0]["geometry"]["coordinates"][0]]]
            ),
            "outside Vietnam",
        ),
        "nosource.geojson": (lambda d: d.pop("source"), "'source' missing"),
        "noname.geojson": (lambda d: d["features"][1]["properties"].pop("name"), "properties.name"),
        "open.geojson": (
            lambda d: d["features"][2]["geometry"]["coordinates"][0].pop(),
            "end where it starts",
        ),
        "point.geojson": (
            lambda d: d["features"][0].update(geometry={"type": "Point", "coordinates": [105.5, 21.2]}),
            "Polygon",
        ),
    }
    for name, (change, says) in cases.items():
        r = run_import(broken(tmp_path, name, change), tmp_path / "data")
        assert r.returncode == 2, (name, r.stdout, r.stderr)
        assert says in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not boundaries.installed_path(tmp_path / "data").exists()  # nothing half-installed
    missing = run_import(tmp_path / "absent.geojson", tmp_path / "data")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_import_then_officers_get_the_layer(app: Flask) -> None:
    officer = login(app, OFFICER)
    assert officer.get("/api/v1/officer/boundaries").get_json() == {
        "installed": False,
        "type": "FeatureCollection",
        "features": [],
    }
    data_dir = Path(app.config["RUONGSO_SETTINGS"].data_dir)
    r = run_import(FIXTURE, data_dir)
    assert r.returncode == 0 and "4 communes installed" in r.stdout, r.stderr
    body = officer.get("/api/v1/officer/boundaries").get_json()
    assert body["installed"] and "TEST FIXTURE" in body["source"] and body["licence"]
    mine = {f["properties"]["name"]: f["properties"]["mine"] for f in body["features"]}
    assert mine["xã Vĩnh Tường"] and mine["xã Yên Lạc"] and not mine["xã Ô Mẫu (chỉ để thử)"]
    tam_duong = login(app, OFFICER_TAM_DUONG).get("/api/v1/officer/boundaries").get_json()
    marked = {f["properties"]["name"] for f in tam_duong["features"] if f["properties"]["mine"]}
    assert marked == {"xã Tam Dương"}
    assert login(app, FARMER_1).get("/api/v1/officer/boundaries").status_code == 403


def test_three_photos_from_one_farm_count_once() -> None:
    one_farm = [(1, Case(21.2338 + i * 0.0003, 105.4921, "confirmed", "rice__blast")) for i in range(3)]
    merged = one_per_farm(one_farm)
    assert len(merged) == 1 and merged[0].status == "confirmed" and merged[0].label == "rice__blast"
    assert max(c.density for c in grid(merged)) < 0.5 * max(c.density for c in grid([c for _, c in one_farm]))
    assert max(c.level for c in grid(merged)) < 4  # one farm alone never paints the top colour
    three_farms = [(i, c) for i, (_, c) in enumerate(one_farm)]
    assert max(c.level for c in grid(one_per_farm(three_farms))) > max(c.level for c in grid(merged))


def test_outbreak_names_diseases_and_counts_farms(app: Flask) -> None:
    farmer, officer = login(app, FARMER_1), login(app, OFFICER)
    for i in range(3):
        diag = upload_photo(farmer, 1, f"geo-outbreak-{i}")
        officer.post(
            f"/api/v1/officer/reviews/{diag['id']}", json={"action": "correct", "label": "rice__blast"}
        )
    body = officer.get("/api/v1/officer/outbreak").get_json()
    blast = [c for c in body["cases"] if c["label"] == "rice__blast"]
    assert len(blast) == 3 and body["farms"] == 1
    assert blast[0]["name"]["vi"] == "Bệnh đạo ôn"  # the vocabulary's name, never "rice__blast"
    assert body["label_names"]["rice__blast"]["en"] and body["levels"] == sorted(body["levels"])
    assert max(c["level"] for c in body["cells"]) < 4


def test_tile_url_local_package(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    officer = login(app, OFFICER)
    monkeypatch.setenv("RUONGSO_TILE_URL", "/officer/tiles/{z}/{x}/{y}.png")
    assert (
        officer.get("/api/v1/officer/settings").get_json()["tiles"]["url"] == "/officer/tiles/{z}/{x}/{y}.png"
    )
    client = app.test_client()
    assert client.get("/officer/tiles/12/3250/1780.png").status_code == 404
    tile = Path(app.config["RUONGSO_SETTINGS"].data_dir) / "tiles" / "12" / "3250" / "1780.png"
    tile.parent.mkdir(parents=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    tile.write_bytes(png)
    r = client.get("/officer/tiles/12/3250/1780.png")
    assert r.status_code == 200 and r.data == png and r.mimetype == "image/png"
    page = client.get("/officer/")
    assert "img-src 'self' data: blob:;" in page.headers["Content-Security-Policy"]  # no other origin
    monkeypatch.setenv("RUONGSO_TILE_URL", "javascript:alert(1)")
    assert officer.get("/api/v1/officer/settings").get_json()["tiles"]["url"] == ""
