"""Probe calibration math: fits, the firmware's own evaluation, gravimetric points, recompute."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from firmware.lib import nodeconfig
from server.technician.calibration import (
    CalibrationError,
    Point,
    fit,
    gravimetric_vwc,
    recompute,
    vwc,
    vwc_from_uv,
)

ROOT = Path(__file__).resolve().parents[2]


def test_two_point_is_linear_between_dry_and_wet() -> None:
    cal = fit([Point(2300, 0.0, "dry"), Point(1100, 0.45, "wet")])
    assert cal == {
        "model": "two_point",
        "dry_uv": 2300000,
        "wet_uv": 1100000,
        "dry_vwc": 0.0,
        "wet_vwc": 0.45,
    }
    assert vwc(2300, cal) == 0.0 and vwc(1100, cal) == 0.45
    assert vwc(1700, cal) == pytest.approx(0.225)
    nodeconfig.validate({"node_id": 1, "version": 2, "soil_cal": cal})  # the firmware accepts it


def test_gravimetric_point_makes_a_piecewise_soil_specific_curve() -> None:
    theta = gravimetric_vwc(wet_g=156.0, dry_g=130.0, bulk_density_g_cm3=1.3, tare_g=30.0)
    assert theta == pytest.approx(0.26 * 1.3)  # θv = θg · ρb = 26/100 · 1.3
    cal = fit([Point(2300, 0.0, "dry"), Point(1100, 0.45, "wet"), Point(1500, theta, "gravimetric")])
    assert cal["model"] == "piecewise"
    assert [p[0] for p in cal["points"]] == [1100000, 1500000, 2300000]
    assert vwc(1500, cal) == pytest.approx(theta)
    nodeconfig.validate({"node_id": 1, "version": 2, "soil_cal": cal})


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([Point(2300, 0.0, "dry")], "one dry and one wet"),
        ([Point(1100, 0.0, "dry"), Point(2300, 0.45, "wet")], "at least 100 mV above"),
        ([Point(2300, 0.0, "dry"), Point(3000, 0.45, "wet")], "outside"),
        ([Point(2300, 0.0, "dry"), Point(1100, 0.45, "wet"), Point(2000, 0.46, "manual")], "fall"),
    ],
)
def test_bad_readings_are_refused_with_a_reason(points: list[Point], message: str) -> None:
    with pytest.raises(CalibrationError, match=message):
        fit(points)


def test_gravimetric_sample_checks() -> None:
    with pytest.raises(CalibrationError):
        gravimetric_vwc(100.0, 120.0, 1.3)
    with pytest.raises(CalibrationError):
        gravimetric_vwc(130.0, 100.0, 3.0)


def test_same_numbers_as_the_node_firmware(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "firmware" / "lib"))
    monkeypatch.syspath_prepend(str(ROOT / "firmware" / "drivers"))
    sys.modules.pop("soil", None)
    import soil  # firmware/drivers/soil.py, as MicroPython imports it

    cals = [
        fit([Point(2300, 0.0, "dry"), Point(1100, 0.45, "wet")]),
        fit([Point(2300, 0.02, "dry"), Point(1100, 0.47, "wet"), Point(1600, 0.3, "gravimetric")]),
        {"model": "poly", "coef": [0.9, -0.35]},
    ]
    for cal in cals:
        for mv in range(200, 2450, 37):
            assert vwc_from_uv(mv * 1000, cal) == pytest.approx(soil.vwc_from_uv(mv * 1000, cal))
    sys.modules.pop("soil", None)


def test_recompute_history_after_a_calibration_change() -> None:
    raw = [(0, 2300.0), (900, 1700.0), (1800, None), (2700, 100.0), (3600, 1100.0)]
    old = fit([Point(2300, 0.0, "dry"), Point(1100, 0.45, "wet")])
    new = fit([Point(2400, 0.05, "dry"), Point(1000, 0.50, "wet")])
    assert recompute(raw, old) == [(0, 0.0), (900, 0.225), (1800, None), (2700, None), (3600, 0.45)]
    again = recompute(raw, new)
    assert again[1] == (900, pytest.approx(0.05 + 700 / 1400 * 0.45, abs=1e-4))
    assert [t for t, _ in again] == [t for t, _ in raw]
