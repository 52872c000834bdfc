"""``farm advise ...`` command line: JSON output, tables and argument errors."""

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
        (["--rh-max", "50", "--rh-min", "60"], "--rh-max must be >= --rh-min"),
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
    with pytest.raises(SystemExit) as exc:
        main([*BRUSSELS, *extra])
    assert exc.value.code == 2
    assert needle in capsys.readouterr().err


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
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "--tmax must be >= --tmin" in capsys.readouterr().err


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
