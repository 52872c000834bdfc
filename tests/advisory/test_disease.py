"""Disease models against their published rule tables, plus coverage and nearby-diagnosis rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pytest

from server.advisory.disease import late_blight, rice, tomcast
from server.advisory.disease.common import NearbyDiagnosis, RiskLevel
from server.advisory.disease.risk import assess_disease, assess_field, diseases_for_crop
from server.advisory.weather import HourlyRecord, summarise_day
from server.advisory.wetness import hour_is_wet

DAY = date(2026, 1, 10)


def day_records(
    day: date,
    temps: float | Sequence[float],
    rhs: float | Sequence[float],
    *,
    hours: Sequence[int] = range(24),
    rain: float = 0.0,
    wind: float | None = None,
) -> list[HourlyRecord]:
    out = []
    for h in hours:
        t = temps if isinstance(temps, (int, float)) else temps[h]
        rh = rhs if isinstance(rhs, (int, float)) else rhs[h]
        out.append(
            HourlyRecord(datetime(day.year, day.month, day.day, h), float(t), float(rh), rain, None, wind)
        )
    return out


def wet_hours_profile(wet: int, wet_rh: float = 95.0, dry_rh: float = 60.0) -> list[float]:
    """First ``wet`` hours of the day humid (continuous), the rest dry."""
    return [wet_rh if h < wet else dry_rh for h in range(24)]


# --- TOM-CAST (VIPS / TOM-CAST DSV table) --------------------------------------------------------


@pytest.mark.parametrize(
    ("wet", "temp", "dsv"),
    [
        (6, 15.0, 0), (7, 15.0, 1), (16, 15.0, 2), (21, 15.0, 3),  # 13-18 °C row
        (3, 19.0, 0), (4, 19.0, 1), (9, 19.0, 2), (16, 19.0, 3), (23, 19.0, 4),  # 18-21 °C
        (2, 22.0, 0), (3, 22.0, 1), (6, 22.0, 2), (13, 22.0, 3), (21, 22.0, 4),  # 21-26 °C
        (3, 27.0, 0), (4, 27.0, 1), (15, 27.0, 2), (22, 27.0, 3), (23, 27.0, 4),  # 26-30 °C
        (24, 12.9, 0), (24, 30.0, 0),  # outside 13-30 °C
    ],
)  # fmt: skip
def test_tomcast_dsv_table(wet: int, temp: float, dsv: int) -> None:
    assert tomcast.daily_dsv(wet, temp) == dsv


def test_tomcast_accumulates_to_spray_threshold() -> None:
    records = []
    for i in range(5):
        records += day_records(DAY + timedelta(days=i), 22.0, 95.0)  # 24 wet hours at 22 °C: DSV 4
    day4 = assess_disease("T1", "early_blight", records, DAY + timedelta(days=3), since=DAY)
    assert day4.level is RiskLevel.MODERATE and day4.score == 16  # warning band 15-19
    day5 = assess_disease("T1", "early_blight", records, DAY + timedelta(days=4), since=DAY)
    assert day5.level is RiskLevel.HIGH and day5.score == 20
    assert day5.tasks and day5.tasks[0].kind == "scout_photo"
    assert "chụp ảnh" in day5.tasks[0].text.get("vi")
    assert len(day5.driving_hours) == 5 * 24
    assert day5.details["wetness_source"] == "rh_estimate"


# --- Late blight -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "temp", "dsv"),
    [
        (15, 10.0, 0), (16, 10.0, 1), (19, 10.0, 2), (22, 10.0, 3),  # 7.2-11.6 °C
        (13, 13.0, 1), (16, 13.0, 2), (19, 13.0, 3), (22, 13.0, 4),  # 11.7-15.0 °C
        (9, 20.0, 0), (10, 20.0, 1), (13, 20.0, 2), (16, 20.0, 3), (19, 20.0, 4),  # 15.1-26.6 °C
        (24, 7.0, 0), (24, 26.7, 0),
    ],
)  # fmt: skip
def test_wallin_dsv_table(hours: int, temp: float, dsv: int) -> None:
    assert late_blight.wallin_dsv(hours, temp) == dsv


def test_hutton_criteria() -> None:
    humid6 = wet_hours_profile(6)
    both = day_records(DAY - timedelta(days=1), 14.0, humid6) + day_records(DAY, 14.0, humid6)
    risk = assess_disease("P1", "late_blight", both, DAY, since=DAY - timedelta(days=1))
    assert risk.level is RiskLevel.HIGH and risk.details["hutton_period"]
    only_today = day_records(DAY - timedelta(days=1), 14.0, 60.0) + day_records(DAY, 14.0, humid6)
    assert assess_disease("P1", "late_blight", only_today, DAY, since=DAY - timedelta(days=1)).level is (
        RiskLevel.MODERATE
    )
    cold = day_records(DAY - timedelta(days=1), 9.0, humid6) + day_records(DAY, 9.0, humid6)
    cold_risk = assess_disease("P1", "late_blight", cold, DAY, since=DAY - timedelta(days=1))
    assert not cold_risk.details["hutton_today"]  # Tmin < 10 °C


# --- Coverage: missing hours never read as low risk ---------------------------------------------


def test_missing_hours_give_unknown_not_low() -> None:
    half = day_records(DAY, 22.0, 60.0, hours=range(12))  # 12 dry hours, 12 missing
    risk = assess_disease("T1", "early_blight", half, DAY, since=DAY)
    assert risk.level is RiskLevel.UNKNOWN
    assert risk.coverage.covered_hours == 12 and risk.coverage.expected_hours == 24
    assert any(n.key == "disease.partial" for n in risk.notes)
    full = day_records(DAY, 22.0, 60.0)
    assert assess_disease("T1", "early_blight", full, DAY, since=DAY).level is RiskLevel.NONE


def test_positive_evidence_from_partial_data_stands() -> None:
    wet = day_records(DAY, 22.0, 95.0, hours=range(12))
    records = wet + day_records(DAY - timedelta(days=1), 14.0, wet_hours_profile(6))
    risk = assess_disease("P1", "late_blight", records, DAY, since=DAY - timedelta(days=1))
    assert risk.level is RiskLevel.HIGH and risk.details["partial_data"] is False


def test_no_data_at_all_is_unknown() -> None:
    assert assess_disease("C1", "downy_mildew", [], DAY).level is RiskLevel.UNKNOWN


def test_flagged_values_count_as_missing() -> None:
    recs = [
        HourlyRecord(
            r.time, r.temp_c, r.rh_pct, flagged=frozenset({"rh_pct"}) if r.time.hour < 12 else frozenset()
        )
        for r in day_records(DAY, 22.0, 60.0)
    ]
    summary = summarise_day(DAY, recs)
    assert summary.covered_hours == 12
    assert assess_disease("T1", "early_blight", recs, DAY, since=DAY).level is RiskLevel.UNKNOWN


# --- Leaf wetness -----------------------------------------------------------------------------


def test_leaf_wetness_sensor_overrides_rh() -> None:
    t = datetime(2026, 1, 10, 3)
    assert hour_is_wet(HourlyRecord(t, 20.0, 50.0, leaf_wetness_min=45.0)) is True
    assert hour_is_wet(HourlyRecord(t, 20.0, 95.0, leaf_wetness_min=10.0)) is False
    assert hour_is_wet(HourlyRecord(t, 20.0, 89.9)) is False
    assert hour_is_wet(HourlyRecord(t, 20.0, 90.0)) is True
    assert hour_is_wet(HourlyRecord(t, 20.0, 60.0, rain_mm=1.0)) is True
    assert hour_is_wet(HourlyRecord(t, 20.0, None)) is None
    flagged = HourlyRecord(t, 20.0, 95.0, leaf_wetness_min=50.0, flagged=frozenset({"leaf_wetness_min"}))
    assert hour_is_wet(flagged) is True  # falls back to RH
    records = [HourlyRecord(datetime(2026, 1, 10, h), 20.0, 50.0, leaf_wetness_min=60.0) for h in range(24)]
    assert summarise_day(DAY, records).wetness_source == "sensor"


# --- Rice ----------------------------------------------------------------------------------------


def test_epirice_multipliers() -> None:
    assert rice.interpolate(rice.BLAST_TEMP, 20.0) == 1.0
    assert rice.interpolate(rice.BLAST_TEMP, 22.5) == pytest.approx(0.8)  # between 20 °C 1.0 and 25 °C 0.6
    assert rice.interpolate(rice.SHEATH_BLIGHT_TEMP, 28.0) == 1.0
    assert rice.interpolate(rice.BLB_TEMP, 31.0) == 1.0
    assert rice.interpolate(rice.BLB_TEMP, 50.0) == 0.0


def test_rice_blast_wet_night() -> None:
    temps = [22.0] * 24
    wet = day_records(DAY, temps, wet_hours_profile(12))  # 12 h continuous wetness at 22 °C
    risk = assess_disease("R1", "rice_blast", wet, DAY)
    # Only today's data: earlier days of the 7-day night rule are missing, but positive evidence stands.
    assert risk.level is RiskLevel.HIGH and risk.details["infection_period"]
    dry = day_records(DAY, 31.0, 60.0)
    dry_days = [r for i in range(1, 7) for r in day_records(DAY - timedelta(days=i), 31.0, 60.0)]
    assert assess_disease("R1", "rice_blast", dry + dry_days, DAY).level is RiskLevel.NONE


def test_sheath_blight_and_blb() -> None:
    hot_humid = day_records(DAY, 28.0, 95.0)
    assert assess_disease("R1", "sheath_blight", hot_humid, DAY).level is RiskLevel.HIGH
    storm = day_records(DAY, 30.0, 85.0, rain=3.0)  # 72 mm/day
    blb = assess_disease("R1", "bacterial_leaf_blight", storm, DAY)
    assert blb.level is RiskLevel.HIGH and blb.details["storm"]
    calm = day_records(DAY, 30.0, 75.0)
    assert assess_disease("R1", "bacterial_leaf_blight", calm, DAY).level is RiskLevel.LOW
    cool = day_records(DAY, 18.0, 75.0)
    assert assess_disease("R1", "bacterial_leaf_blight", cool, DAY).level is RiskLevel.NONE


def test_downy_mildew_wet_period() -> None:
    assert assess_disease("C1", "downy_mildew", day_records(DAY, 18.0, wet_hours_profile(13)), DAY).level is (
        RiskLevel.HIGH
    )
    assert assess_disease("C1", "downy_mildew", day_records(DAY, 18.0, wet_hours_profile(7)), DAY).level is (
        RiskLevel.MODERATE
    )
    assert assess_disease("C1", "downy_mildew", day_records(DAY, 18.0, 60.0), DAY).level is RiskLevel.NONE


# --- Nearby diagnoses and crop mapping ----------------------------------------------------------


def test_nearby_confirmed_diagnosis_raises_risk() -> None:
    records = day_records(DAY, 18.0, wet_hours_profile(7))  # moderate downy mildew
    near = [NearbyDiagnosis("downy_mildew", 1.2, DAY - timedelta(days=3))]
    risk = assess_disease("C1", "downy_mildew", records, DAY, nearby=near)
    assert risk.level is RiskLevel.HIGH and risk.nearby_raised and risk.tasks
    assert any(n.key == "disease.nearby" for n in risk.notes)
    ignored = [
        NearbyDiagnosis("downy_mildew", 12.0, DAY),  # too far
        NearbyDiagnosis("downy_mildew", 1.0, DAY - timedelta(days=30)),  # too old
        NearbyDiagnosis("downy_mildew", 1.0, DAY, confirmed=False),
        NearbyDiagnosis("late_blight", 1.0, DAY),  # other disease
    ]
    assert assess_disease("C1", "downy_mildew", records, DAY, nearby=ignored).level is RiskLevel.MODERATE


def test_assess_field_by_crop_and_bilingual_text() -> None:
    assert diseases_for_crop("tomato") == ["early_blight", "late_blight"]
    assert set(diseases_for_crop("rice")) == {"rice_blast", "sheath_blight", "bacterial_leaf_blight"}
    risks = assess_field("C1", "cucumber", day_records(DAY, 18.0, wet_hours_profile(13)), DAY)
    assert [r.disease_key for r in risks] == ["downy_mildew"]
    text = risks[0].text
    assert text.get("vi") == "Bệnh sương mai: nguy cơ cao (điểm 13,0)."
    assert text.get("en") == "Cucurbit downy mildew: high risk (score 13.0)."


def test_leaf_wetness_percent_becomes_wet_minutes_and_beats_rh() -> None:
    """The node reports % of the interval wet; the hour's mean × 60/100 is its wet minutes, and the
    sensor's answer is taken over a humid-air estimate (30 min makes a wet hour, VIPS TOM-CAST)."""
    from server.farm.fielddata import hourly_records
    from server.timeseries.base import SeriesPoint

    t0 = 1_790_000_000 - 1_790_000_000 % 3600
    points = {
        "air_temp": [SeriesPoint(t0 + 900 * i, 24.0) for i in range(8)],
        "air_rh": [SeriesPoint(t0 + 900 * i, 96.0) for i in range(8)],
        "leaf_wetness": [SeriesPoint(t0 + 900 * i, 50.0 if i < 4 else 40.0) for i in range(8)]
        + [SeriesPoint(t0 + 7200, 100.0, quality=1)],  # a flagged sample is left out, never averaged in
    }
    first, second = hourly_records(points)[:2]
    assert (first.leaf_wetness_min, second.leaf_wetness_min) == (30.0, 24.0)
    assert hour_is_wet(first) is True and hour_is_wet(second) is False  # RH 96 % would say wet
