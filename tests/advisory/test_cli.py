"""``farm advise ...`` command line: JSON output, tables and argument errors.

In-process through ``python -m server.advisory.cli``'s ``main`` (only the advisory package loaded);
the installed ``farm`` script is exercised in tests/cli/test_advise.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.advisory.cli import main

ROOT = Path(__file__).resolve().parents[2]
BRUSSELS = [
    "advise",
    "et0",
    "--date",
    "2026-07-06",
    "--lat",
    "50.8",
    "--elevation",
    "100",
    "--tmax",
    "21.5",
    "--tmin",
    "12.3",
]


def exit_code(argv: list[str]) -> int:
    """The status the shell would see: argparse's errors exit, the handler's are returned."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def run_json(capsys: pytest.CaptureFixture[str], extra: list[str]) -> dict[str, object]:
    assert main([*BRUSSELS, *extra, "--json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_et0_json_example_18(capsys: pytest.CaptureFixture[str]) -> None:
    # FAO-56 Example 18 entered by hand: 10 km/h at 10 m = 2.78 m/s.
    data = run_json(
        capsys,
        ["--rh-max", "84", "--rh-min", "63", "--wind", "2.78", "--wind-height", "10", "--sunshine", "9.25"],
    )
    assert data["et0_mm"] == pytest.approx(3.88, abs=0.01)
    assert data["method"] == "fao56-pm"
    assert data["estimated"] == []
    assert data["delta_kpa_per_c"] == pytest.approx(0.122, abs=0.0005)
    assert data["gamma_kpa_per_c"] == pytest.approx(0.0666, abs=0.0001)
    assert data["es_kpa"] == pytest.approx(1.997, abs=0.001)
    assert data["ea_kpa"] == pytest.approx(1.409, abs=0.001)
    assert data["ra_mj_m2_day"] == pytest.approx(41.09, abs=0.01)
    assert data["rs_mj_m2_day"] == pytest.approx(22.07, abs=0.01)
    assert data["rn_mj_m2_day"] == pytest.approx(13.28, abs=0.01)
    assert data["day_of_year"] == 187


def test_et0_json_missing_data_lists_estimates(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, [])
    assert data["estimated"] == ["humidity", "wind", "radiation"]
    assert data["u2_m_s"] == 2.0


def test_et0_json_ea_and_rs(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, ["--ea", "1.409", "--rs", "22.07", "--wind", "2.078"])
    assert data["estimated"] == []
    assert data["et0_mm"] == pytest.approx(3.88, abs=0.01)


def test_et0_hargreaves(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, ["--method", "hargreaves"])
    assert data["method"] == "hargreaves"
    assert data["et0_mm"] == pytest.approx(4.06, abs=0.01)
    assert data["es_kpa"] is None


def test_et0_table_is_bilingual(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BRUSSELS, "--rh-max", "84", "--rh-min", "63", "--sunshine", "9.25", "--wind", "2.078"]) == 0
    out = capsys.readouterr().out
    assert "3,88" in out and "(3.88)" in out
    assert "Ước lượng / estimated" in out


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--ea", "1.4", "--rh-max", "84"], "--ea conflicts"),
        (["--rh-min", "60"], "--rh-min needs --rh-max"),
        (["--rh-max", "50", "--rh-min", "60"], "RHmin 60 % is above RHmax 50 %"),
        (["--sunshine", "5", "--rs", "20"], "--sunshine conflicts"),
        (["--wind-height", "10"], "--wind-height needs --wind"),
        (["--rh-max", "120"], "outside"),
        (["--wind", "-3"], "outside"),
        (["--sunshine", "17"], "exceeds daylength"),
        (["--method", "penman"], "invalid choice"),
    ],
)
def test_et0_argument_errors_exit_2(
    capsys: pytest.CaptureFixture[str], extra: list[str], needle: str
) -> None:
    assert exit_code([*BRUSSELS, *extra]) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("farm advise et0: error: ") and needle in last


def test_et0_tmax_below_tmin(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "advise",
        "et0",
        "--date",
        "2026-07-06",
        "--lat",
        "21",
        "--elevation",
        "10",
        "--tmax",
        "20",
        "--tmin",
        "25",
    ]
    assert exit_code(args) == 2
    assert "Tmin 25 °C is above Tmax 20 °C" in capsys.readouterr().err


def test_et0_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "advise",
        "et0",
        "--date",
        "2026-13-40",
        "--lat",
        "21",
        "--elevation",
        "10",
        "--tmax",
        "30",
        "--tmin",
        "25",
    ]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2


def test_module_runs_as_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "server.advisory.cli", *BRUSSELS, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["method"] == "fao56-pm"
    bad = subprocess.run(
        [sys.executable, "-m", "server.advisory.cli", *BRUSSELS, "--ea", "1", "--rh-max", "80"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def dry_tomato_field(**changes: object) -> dict[str, object]:
    """A 500 m² tomato field after ten dry, sunny March days: the irrigation input both CLI suites use."""
    days = [
        {"date": f"2026-03-{d:02d}", "tmax": 30, "tmin": 20, "rh_max": 95, "rh_min": 55, "wind": 1.5,
         "sunshine": 6, "rain_mm": 0}
        for d in range(10, 20)
    ]  # fmt: skip
    data: dict[str, object] = {
        "site": {"lat": 21.3, "elevation": 15},
        "field": {
            "id": "F1",
            "area_m2": 500,
            "crop": "tomato",
            "planting_date": "2026-01-01",
            "texture": "loam",
        },
        "days": days,
        "today": {"tmax": 30, "tmin": 20, "rh_max": 95, "rh_min": 55, "wind": 1.5, "sunshine": 6},
    }
    return data | changes


def test_irrigation_from_json_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, dry_tomato_field())
    assert main(["advise", "irrigation", "--input", path, "--date", "2026-03-20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["reason"] == "irrigate"
    assert out["volume_m3"] == pytest.approx(out["depth_mm"] * 500 / 1000, abs=0.01)
    assert out["numbers"]["taw_mm"] == pytest.approx(98.0)
    assert "mm" in out["text"]["vi"] and "," in out["text"]["vi"]


def test_irrigation_bad_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, {"site": {"lat": 21.3}})
    assert main(["advise", "irrigation", "--input", path, "--date", "2026-03-20"]) == 2
    err = capsys.readouterr().err
    assert "bad input file" in err and "field must be a JSON object" in err


def test_disease_from_json_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hours = [
        {"time": f"2026-01-10T{h:02d}:00", "temp_c": 18.0, "rh_pct": 95.0 if h < 13 else 60.0}
        for h in range(24)
    ]
    path = _write(tmp_path, {"hours": hours, "nearby": []})
    assert (
        main(["advise", "disease", "--input", path, "--crop", "cucumber", "--date", "2026-01-10", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out[0]["disease"] == "downy_mildew" and out[0]["level"] == "high"
    assert out[0]["tasks"] and len(out[0]["driving_hours"]) == 13
    assert main(["advise", "disease", "--input", path, "--crop", "cucumber", "--date", "2026-01-11"]) == 0
    text = capsys.readouterr().out
    assert "chưa xác định" in text and "0/24" in text
