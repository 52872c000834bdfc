from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.vision import synth
from vision import cli


def _run(argv: list[str]) -> tuple[int, list[dict[str, object]]]:
    import argparse

    parser = argparse.ArgumentParser(prog="farm")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.register(sub)
    args = parser.parse_args(argv)
    buf = io.StringIO()
    rc = cli.cmd_diagnose(args, out=buf)
    return rc, [json.loads(line) for line in buf.getvalue().splitlines()]


def test_diagnose_json_lines(tmp_path: Path) -> None:
    leaf = tmp_path / "leaf.jpg"
    leaf.write_bytes(synth.jpeg(synth.leaf()))
    wall = tmp_path / "wall.jpg"
    wall.write_bytes(synth.jpeg(synth.wall()))
    png_named_jpg = tmp_path / "really_png.jpg"
    png_named_jpg.write_bytes(synth.png(synth.leaf(400, 300)))
    rc, rows = _run(["diagnose", str(leaf), str(wall), str(png_named_jpg), "--json"])
    assert rc == 0
    assert [r["photo"] for r in rows] == [str(leaf), str(wall), str(png_named_jpg)]
    for r in rows:
        assert set(r) >= {"photo", "label", "confidence", "abstained", "reason", "top3"}
        assert isinstance(r["abstained"], bool)
        assert r["label"] is None or isinstance(r["label"], str)
        conf = r["confidence"]
        assert isinstance(conf, float | int) and 0 <= conf <= 1
        assert isinstance(r["top3"], list) and len(r["top3"]) <= 3
    assert rows[1]["label"] is None and rows[1]["abstained"] is True and rows[1]["reason"] == "no_leaf"


def test_unreadable_files_give_error_objects_and_nonzero_exit(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    good.write_bytes(synth.jpeg(synth.leaf()))
    trunc = tmp_path / "trunc.jpg"
    data = synth.jpeg(synth.leaf())
    trunc.write_bytes(data[: len(data) // 3])
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    missing = tmp_path / "missing.jpg"
    rc, rows = _run(["diagnose", str(trunc), str(good), str(text), str(missing), "--json", "--plant"])
    assert rc == 1
    assert rows[0]["error"] == "truncated"
    assert "error" not in rows[1]
    assert rows[2]["error"] == "not_an_image"
    assert rows[3]["error"] == "unreadable"
    assert rows[4]["plant"] is True and rows[4]["n_photos"] == 1


def test_train_without_tensorflow_explains_how_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        rc = cli.main(["vision", "train"])
        assert rc == 2
        err = capsys.readouterr().err
        assert "pip install -r requirements-train.txt" in err
    else:
        pytest.skip("TensorFlow is installed here; the hint path is not reachable")


def test_diagnose_prints_no_runtime_log_lines_to_stderr(tmp_path: Path) -> None:
    # LiteRT's native logger writes "INFO: Created TensorFlow Lite XNNPACK delegate" to fd 2;
    # a farmer's terminal (or a script reading stderr for errors) must not see it.
    import subprocess
    import sys

    leaf = tmp_path / "leaf.jpg"
    leaf.write_bytes(synth.jpeg(synth.leaf()))
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "vision.cli", "diagnose", str(leaf)],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert str(leaf) in proc.stdout


def test_continued_fit_arguments_are_checked_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A typo in --init-from must cost one line and exit 2, not a dataset preload.
    from vision.train import run

    missing = tmp_path / "no-such-model.keras"
    assert run.main(["--stage", "fit", "--init-from", str(missing), "--work", str(tmp_path)]) == 2
    assert f"--init-from: {missing} does not exist" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_a_retrain_into_a_new_folder_starts_from_the_shipped_class_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `farm vision train --model-dir NEW` (to compare before replacing the shipped model)
    # crashed on the missing labels.json; it must seed the folder, licence included.
    from vision import MODEL_DIR
    from vision.train import run
    from vision.train.pretrained import LICENCE_FILE

    new = tmp_path / "candidate"
    assert run.prepare_model_dir(new, "all") is None
    assert (new / "labels.json").read_bytes() == (MODEL_DIR / "labels.json").read_bytes()
    assert "Apache" in (new / LICENCE_FILE).read_text(encoding="utf-8")
    # Stages after the fit need a model that is not there yet: one line, exit 2, no preload.
    empty = tmp_path / "empty"
    assert run.main(["--stage", "calibrate", "--model-dir", str(empty), "--work", str(tmp_path / "w")]) == 2
    assert f"no leaf_disease_int8.tflite in {empty}" in capsys.readouterr().out
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--epochs", "0"], "argument --epochs: expected an integer 1-100, got '0'"),
        (["--train-from", "16"], "argument --train-from: expected an integer 0-15, got '16'"),
        (["--average-last", "-1"], "argument --average-last: expected an integer 0-100, got '-1'"),
        (["--lr", "5"], "argument --lr: 5 is outside [1e-06, 0.1]"),
        (["--lr", "nan"], "argument --lr: expected a finite number, got 'nan'"),
        (["--compare-with", "/nonexistent"], "argument --compare-with: no leaf_disease_int8.tflite in"),
    ],
)
def test_training_arguments_out_of_range_cost_one_line(argv: list[str], message: str, tmp_path: Path) -> None:
    # Through the installed `farm` command, as the person retraining runs it: exit 2, one line,
    # no traceback, and no preload started in the work folder.
    from tests.cli.farmrun import farm

    proc = farm("vision", "train", *argv, "--work", str(tmp_path / "w"), cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "w").exists()
