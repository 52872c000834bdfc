"""``farm advise et0|irrigation|disease`` through the installed script: real answers, clear refusals.

Every real call of these three used to exit 1 with ``AttributeError: 'Namespace' object has no
attribute 'func'``; the oracle for ET0 is FAO-56 Example 18 (Brussels, 6 July), worked by hand in the
book and already checked against the library in tests/advisory/test_et0.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.advisory.test_cli import dry_tomato_field
from tests.cli.farmrun import farm, ok, ok_json, one_line_error

# FAO-56 Example 18: Tmax 21.5, Tmin 12.3, RHmax 84, RHmin 63, 10 km/h wind at 10 m, 9.25 h sunshine.
EXAMPLE_18 = [
    *("--date", "2026-07-06", "--lat", "50.8", "--elevation", "100", "--tmax", "21.5", "--tmin", "12.3"),
    *("--rh-max", "84", "--rh-min", "63", "--wind", "2.78", "--wind-height", "10", "--sunshine", "9.25"),
]
SITE = ["--date", "2026-07-06", "--lat", "21", "--elevation", "10"]


def test_et0_matches_fao56_example_18(tmp_path: Path) -> None:
    data = ok_json(farm("advise", "et0", *EXAMPLE_18, "--json", cwd=tmp_path))
    assert data["et0_mm"] == pytest.approx(3.88, abs=0.01)  # the book: 3.9 mm/day (3.88 unrounded)
    assert data["method"] == "fao56-pm" and data["estimated"] == []
    assert data["day_of_year"] == 187
    assert data["ra_mj_m2_day"] == pytest.approx(41.09, abs=0.01)
    assert data["rs_mj_m2_day"] == pytest.approx(22.07, abs=0.01)
    assert data["rn_mj_m2_day"] == pytest.approx(13.28, abs=0.01)
    assert data["u2_m_s"] == pytest.approx(2.078, abs=0.002)


def test_et0_table_prints_the_answer_in_both_languages(tmp_path: Path) -> None:
    out = ok(farm("advise", "et0", *EXAMPLE_18, cwd=tmp_path))
    assert "3,88" in out and "(3.88)" in out  # Vietnamese decimal comma, English point
    assert "Ước lượng / estimated: —" in out


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (["--tmax", "20", "--tmin", "25"], ["Tmin 25 °C is above Tmax 20 °C"]),
        (["--tmax", "30", "--tmin", "20", "--rh-max", "120"], ["--rh-max", "outside"]),
        (["--tmax", "30", "--tmin", "20", "--wind", "nan"], ["--wind", "finite"]),
        (["--tmax", "inf", "--tmin", "20"], ["--tmax", "finite"]),
        (["--tmax", "30", "--tmin", "20", "--sunshine", "14"], ["exceeds daylength"]),
        (["--tmax", "30", "--tmin", "20", "--rs", "45"], ["Rs 45", "clear-sky maximum"]),
        (["--tmax", "30", "--tmin", "20", "--ea", "5"], ["--ea", "saturation"]),
        (["--tmax", "30", "--tmin", "20", "--ea", "2", "--rh-max", "90"], ["--ea conflicts"]),
        (["--tmax", "30", "--tmin", "20", "--method", "penman"], ["invalid choice"]),
        (["--tmax", "30"], ["required", "--tmin"]),
    ],
)
def test_et0_bad_input_is_one_line_exit_2(tmp_path: Path, extra: list[str], needles: list[str]) -> None:
    one_line_error(farm("advise", "et0", *SITE, *extra, cwd=tmp_path), *needles)


WINTER = ["--date", "2026-12-21", "--lat", "21", "--elevation", "10", "--tmax", "24", "--tmin", "14"]


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        # below Ra (25.0) but above the clear-sky maximum Rso 18.77 + 10 %: accepted before issue 17
        (["--rs", "22"], ["Rs 22", "clear-sky maximum", "FAO-56 Eq. 37"]),
        (["--tmin", "26"], ["Tmin 26 °C is above Tmax 24 °C"]),
        (["--rh-max", "100.5"], ["--rh-max", "outside"]),
        (["--wind", "-1"], ["--wind", "outside"]),
        (["--lat", "91"], ["--lat", "outside"]),
    ],
)
def test_et0_refuses_impossible_weather(tmp_path: Path, extra: list[str], needles: list[str]) -> None:
    """Issue 17: physically impossible weather is one line and exit 2, never an ET0."""
    one_line_error(farm("advise", "et0", *WINTER, *extra, cwd=tmp_path), *needles)


def test_et0_accepts_rs_at_the_clear_sky_maximum(tmp_path: Path) -> None:
    data = ok_json(farm("advise", "et0", *WINTER, "--rs", "20.5", "--json", cwd=tmp_path))  # within 10 %
    assert data["rso_mj_m2_day"] == pytest.approx(18.77, abs=0.01) and data["et0_mm"] > 0


def test_irrigation_file_with_impossible_radiation_is_one_line_exit_2(tmp_path: Path) -> None:
    days = [{"date": "2026-03-19", "tmax": 30, "tmin": 20, "rs": 45}]
    path = _irrigation_file(tmp_path, days=days)
    proc = farm("advise", "irrigation", "--input", str(path), "--date", "2026-03-20", cwd=tmp_path)
    one_line_error(proc, "bad input file", "days[0]", "clear-sky maximum")


def test_et0_bad_date_is_one_line_exit_2(tmp_path: Path) -> None:
    args = ["--date", "2026-02-30", "--lat", "21", "--elevation", "10", "--tmax", "30", "--tmin", "20"]
    one_line_error(farm("advise", "et0", *args, cwd=tmp_path), "--date", "2026-02-30")


def _irrigation_file(tmp_path: Path, **changes: object) -> Path:
    data = dry_tomato_field(**changes)
    path = tmp_path / "field.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_irrigation_advises_a_dry_tomato_field(tmp_path: Path) -> None:
    path = _irrigation_file(tmp_path)
    out = ok_json(
        farm("advise", "irrigation", "--input", str(path), "--date", "2026-03-20", "--json", cwd=tmp_path)
    )
    assert out["field_id"] == "F1" and out["date"] == "2026-03-20"
    assert out["reason"] == "irrigate" and out["depth_mm"] > 0
    assert out["volume_m3"] == pytest.approx(out["depth_mm"] * 500 / 1000, abs=0.01)  # 1 mm on 1 m² = 1 L
    assert out["numbers"]["taw_mm"] == pytest.approx(98.0)
    assert out["text"]["vi"] and out["text"]["en"]


@pytest.mark.parametrize(
    ("changes", "needles"),
    [
        ({"site": {"lat": 21.3}, "field": None}, ["field must be a JSON object"]),
        ({"site": {"lat": 210, "elevation": 15}}, ["site.lat", "outside"]),
        ({"days": [{"date": "2026-03-19", "tmax": "hot", "tmin": 20}]}, ["days[0].tmax", "number"]),
        ({"days": [{"date": "2026-03-19", "tmax": 20, "tmin": 30}]}, ["days[0]", "Tmin 30 °C is above"]),
        ({"days": [{"date": "19/03/2026", "tmax": 30, "tmin": 20}]}, ["days[0].date", "YYYY-MM-DD"]),
        ({"sensor": {"theta": 3}}, ["sensor.theta", "outside"]),
    ],
)
def test_irrigation_bad_file_is_one_line_exit_2(
    tmp_path: Path, changes: dict[str, object], needles: list[str]
) -> None:
    path = _irrigation_file(tmp_path, **changes)
    proc = farm("advise", "irrigation", "--input", str(path), "--date", "2026-03-20", cwd=tmp_path)
    one_line_error(proc, "bad input file", *needles)


def test_irrigation_missing_or_broken_file_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = farm("advise", "irrigation", "--input", "nowhere.json", "--date", "2026-03-20", cwd=tmp_path)
    one_line_error(missing, "--input", "nowhere.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"site": ', encoding="utf-8")
    proc = farm("advise", "irrigation", "--input", str(broken), "--date", "2026-03-20", cwd=tmp_path)
    one_line_error(proc, "cannot read", "broken.json")


def _hours_file(tmp_path: Path, hours: list[dict[str, object]]) -> Path:
    path = tmp_path / "hours.json"
    path.write_text(json.dumps({"hours": hours, "nearby": []}), encoding="utf-8")
    return path


def test_disease_risk_of_a_wet_cucumber_morning(tmp_path: Path) -> None:
    # 13 wet hours (RH 95 %) at 18 °C: downy mildew weather.
    hours = [
        {"time": f"2026-01-10T{h:02d}:00", "temp_c": 18.0, "rh_pct": 95.0 if h < 13 else 60.0}
        for h in range(24)
    ]
    path = _hours_file(tmp_path, hours)
    args = ["--input", str(path), "--crop", "cucumber", "--date", "2026-01-10", "--json"]
    risks = ok_json(farm("advise", "disease", *args, cwd=tmp_path))
    assert isinstance(risks, list) and risks
    downy = next(r for r in risks if r["disease"] == "downy_mildew")
    assert downy["level"] == "high" and len(downy["driving_hours"]) == 13 and downy["tasks"]


@pytest.mark.parametrize(
    ("hour", "crop", "needles"),
    [
        ({"time": "2026-01-10T00:00", "temp_c": 18, "rh_pct": 150}, "tomato", ["hours[0].rh_pct", "outside"]),
        ({"time": "yesterday", "temp_c": 18, "rh_pct": 90}, "tomato", ["hours[0].time"]),
        ({"time": "2026-01-10T00:00", "temp_c": 18, "rh_pct": 90}, "banana", ["--crop", "invalid choice"]),
    ],
)
def test_disease_bad_input_is_one_line_exit_2(
    tmp_path: Path, hour: dict[str, object], crop: str, needles: list[str]
) -> None:
    path = _hours_file(tmp_path, [hour])
    proc = farm(
        "advise", "disease", "--input", str(path), "--crop", crop, "--date", "2026-01-10", cwd=tmp_path
    )
    one_line_error(proc, *needles)
