"""``farm diagnose`` through the installed script, on small synthetic photos made here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.farmrun import farm, ok, one_line_error
from tests.vision import synth
from vision.labels import load_labels


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("photos")
    made = {
        "leaf": synth.jpeg(synth.leaf()),
        "wall": synth.jpeg(synth.wall()),
        "leaf_png": synth.png(synth.leaf(400, 300)),
    }
    paths = {name: folder / f"{name}.{'png' if name.endswith('png') else 'jpg'}" for name in made}
    for name, data in made.items():
        paths[name].write_bytes(data)
    return paths


def test_json_lines_one_per_photo_and_nothing_on_stderr(photos: dict[str, Path], tmp_path: Path) -> None:
    names = set(load_labels(None).names)
    proc = farm(
        "diagnose", str(photos["leaf"]), str(photos["wall"]), str(photos["leaf_png"]), "--json", cwd=tmp_path
    )
    rows = [json.loads(line) for line in ok(proc).splitlines()]
    assert proc.stderr == ""  # no runtime log lines from the interpreter
    assert [r["photo"] for r in rows] == [str(photos["leaf"]), str(photos["wall"]), str(photos["leaf_png"])]
    for r in rows:
        assert r["label"] is None or r["label"] in names
        assert 0 <= r["confidence"] <= 1 and isinstance(r["abstained"], bool)
        assert all(t["label"] in names for t in r["top3"]) and len(r["top3"]) <= 3
    wall = rows[1]
    assert wall["label"] is None and wall["abstained"] and wall["reason"] == "no_leaf"


def test_crop_narrows_the_candidates(photos: dict[str, Path], tmp_path: Path) -> None:
    row = json.loads(ok(farm("diagnose", str(photos["leaf"]), "--crop", "tomato", "--json", cwd=tmp_path)))
    assert row["top3"] and all(t["label"].startswith("tomato__") for t in row["top3"])


def test_plant_level_answer_and_text_output(photos: dict[str, Path], tmp_path: Path) -> None:
    out = ok(farm("diagnose", str(photos["leaf"]), str(photos["leaf_png"]), "--plant", cwd=tmp_path))
    lines = out.splitlines()
    assert lines[0].startswith(f"{photos['leaf']}: ") and lines[-1].startswith("plant: ")
    assert re.search(r"\[\w+\] [0-2]/2 photos used, agreement \d+%", lines[-1]), lines[-1]


def test_no_photo_is_one_line_exit_2(tmp_path: Path) -> None:
    one_line_error(farm("diagnose", "--json", cwd=tmp_path), "PHOTO")


def test_missing_photo_is_reported_per_photo_without_traceback(
    photos: dict[str, Path], tmp_path: Path
) -> None:
    proc = farm("diagnose", str(photos["leaf"]), str(tmp_path / "missing.jpg"), "--json", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "error" not in rows[0] and rows[1]["error"] == "unreadable"


def test_a_folder_without_a_model_is_one_line_exit_2(photos: dict[str, Path], tmp_path: Path) -> None:
    proc = farm("diagnose", str(photos["leaf"]), "--model-dir", str(tmp_path / "nowhere"), cwd=tmp_path)
    one_line_error(proc, "--model-dir")
