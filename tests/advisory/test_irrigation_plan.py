"""The irrigation plan: the day's need split into applications a farmer makes with the field's method,
in mm, m³, pump minutes or cans, held back before forecast rain, with its confidence in words."""

from __future__ import annotations

import math
from datetime import date

import pytest

from server.advisory.i18n import message
from server.advisory.irrigation import Confidence, IrrigationAdvice, Reason
from server.advisory.irrigation_plan import (
    CAN_LITRES,
    EFFICIENCY,
    Method,
    RainAhead,
    assumptions,
    max_net_per_application,
    plan,
)

DAY = date(2026, 7, 1)
AREA = 1080.0  # 3 sào


def _advice(
    depth: float, reason: Reason = Reason.IRRIGATE, disagree: float | None = None
) -> IrrigationAdvice:
    caveats = (message("caveat.sensor_disagrees", diff_mm=disagree, threshold_mm=20.0),) if disagree else ()
    flags = ("model_sensor_disagree",) if disagree else ()
    conf = Confidence.LOW if disagree else Confidence.HIGH
    text = message("irrigation.irrigate", depth_mm=depth, volume_m3=depth * AREA / 1000, area_m2=AREA)
    return IrrigationAdvice("3", DAY, reason, conf, text, depth, depth * AREA / 1000, {}, caveats, flags)


def test_73_mm_on_a_furrow_field_is_split_into_waterings_the_soil_can_hold() -> None:
    p = plan(_advice(73.4, disagree=65.0), area_m2=AREA, method=Method.FURROW, soil_texture="clay_loam",
             root_depth_m=0.7, pump_rate_m3h=30.0)  # fmt: skip
    cap = max_net_per_application(Method.FURROW, "clay_loam", 0.7)
    assert cap == 50.0  # FAO Manual 4: clayey soil, medium-rooting crop
    assert p.status == "irrigate" and len(p.applications) == 2
    assert all(a.net_mm <= cap for a in p.applications)
    assert math.isclose(sum(a.net_mm for a in p.applications), 73.4, abs_tol=0.1)
    first, second = p.applications
    assert (first.day, second.day) == (DAY, date(2026, 7, 2))
    assert first.gross_mm == round(first.net_mm / EFFICIENCY[Method.FURROW], 1)
    assert first.volume_m3 == round(first.gross_mm * AREA / 1000, 1)
    assert first.pump_minutes == round(first.volume_m3 / 30.0 * 60)
    assert "chia làm 2 lần" in p.summary.get("vi") and "73,4" in p.summary.get("vi")
    assert first.text.get("vi") == (
        "Hôm nay: tưới 36,7 mm — khoảng 66,1 m³ nước, chạy máy bơm khoảng 2 giờ 12 phút."
    )  # 66.1 m³ at 30 m³/h
    assert p.confidence_text is not None and "thấp" in p.confidence_text.get("vi")
    assert "65,0 mm" in p.checks[0].get("vi") and "đầu đo" in p.checks[0].get("vi")


@pytest.mark.parametrize(
    ("method", "soil", "zr", "cap"),
    [
        (Method.FURROW, "sandy_loam", 0.5, 15.0),
        (Method.FLOOD, "loam", 1.2, 60.0),
        (Method.DRIP, "clay_loam", 0.7, 17.5),
    ],
)
def test_no_application_is_larger_than_its_method_and_soil_allow(
    method: Method, soil: str, zr: float, cap: float
) -> None:
    p = plan(_advice(80.0), area_m2=AREA, method=method, soil_texture=soil, root_depth_m=zr)
    assert max_net_per_application(method, soil, zr) == pytest.approx(cap)
    assert len(p.applications) == math.ceil(80.0 / cap)
    assert max(a.net_mm for a in p.applications) <= cap + 0.05


def test_watering_cans_are_counted_and_the_can_is_named() -> None:
    p = plan(_advice(10.0), area_m2=100.0, method=Method.CAN, soil_texture="loam", root_depth_m=0.5)
    (a,) = p.applications
    assert a.cans == math.ceil(a.volume_m3 * 1000 / CAN_LITRES)
    assert "bình" in a.text.get("vi")
    assert any("10 lít" in n.get("vi") for n in p.notes)


def test_rain_ahead_holds_or_reduces_the_water() -> None:
    covered = plan(_advice(20.0), area_m2=AREA, method=Method.FURROW, soil_texture="loam", root_depth_m=0.7,
                   rain=RainAhead(next_24h_mm=5.0, next_48h_mm=25.0))  # fmt: skip
    assert covered.status == "hold_for_rain" and covered.applications == ()
    held = plan(_advice(60.0), area_m2=AREA, method=Method.FURROW, soil_texture="loam", root_depth_m=0.7,
                rain=RainAhead(next_24h_mm=30.0))  # fmt: skip
    assert held.status == "hold_for_rain" and held.applications[0].day == date(2026, 7, 2)
    assert math.isclose(sum(a.net_mm for a in held.applications), 30.0, abs_tol=0.1)
    light = plan(_advice(60.0), area_m2=AREA, method=Method.FURROW, soil_texture="loam", root_depth_m=0.7,
                 rain=RainAhead(next_24h_mm=2.0, next_48h_mm=4.0))  # fmt: skip
    assert light.status == "irrigate" and light.applications[0].day == DAY
    assert math.isclose(sum(a.net_mm for a in light.applications), 56.0, abs_tol=0.1)
    with pytest.raises(ValueError):
        RainAhead(next_24h_mm=-1.0)
    with pytest.raises(ValueError):
        plan(_advice(10.0), area_m2=AREA, method=Method.FURROW, soil_texture="loam", root_depth_m=0.7,
             pump_rate_m3h=float("nan"))  # fmt: skip


def test_awd_refloods_once_and_other_advice_passes_through() -> None:
    awd = plan(_advice(200.0, Reason.AWD_IRRIGATE), area_m2=AREA, method=Method.FLOOD,
               soil_texture="clay_loam", root_depth_m=0.5, pump_rate_m3h=40.0)  # fmt: skip
    assert len(awd.applications) == 1 and awd.applications[0].volume_m3 == 216.0
    assert awd.applications[0].pump_minutes == round(216.0 / 40 * 60)
    wet = plan(_advice(0.0, Reason.NO_NEED_SOIL_WET), area_m2=AREA, method=Method.FURROW, soil_texture="loam",
               root_depth_m=0.7)  # fmt: skip
    assert wet.status == "none" and wet.applications == ()


def test_assumptions_are_said_in_words() -> None:
    text = assumptions(planting_date=date(2026, 5, 22), soil_texture="clay_loam", method=Method.FURROW)
    assert text is not None
    assert text.get("vi").startswith("Giả sử gieo trồng ngày 22/05/2026, đất thịt pha sét, tưới rãnh")
    assert assumptions() is None
