"""Daily irrigation advice per field: FAO-56 water balance, sensor assimilation, honest degradation.

``advise_irrigation`` replays the water balance from the given daily history (ET0, rain,
irrigation), corrects it with a calibrated soil-moisture reading, and decides for *today*:
irrigate N mm (≈ M m³ for the field), no need (soil wet / rain expected), or not enough data.
Paddy rice is handled by ``advise_awd`` (alternate wetting and drying) instead, because the
FAO-56 depletion logic does not describe ponded fields (FAO-56 Table 22 note on rice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from server.advisory import kc as kc_mod
from server.advisory import water_balance as wb
from server.advisory.i18n import Text, message

#: The recent days that stand in for today's ET0 (their mean) and whose gaps lower the confidence.
RECENT_DAYS = 7
#: With more than this many of the last RECENT_DAYS lacking ET0 and no usable sensor, no amount is advised.
MAX_MISSING_DAYS_WITHOUT_SENSOR = 3

# Alternate wetting and drying ("safe AWD", IRRI Rice Knowledge Bank; Bouman et al. 2007):
#: re-irrigate when the water in the field tube has dropped to 15 cm below the soil surface,
AWD_THRESHOLD_CM = -15.0
#: re-flood to about 5 cm of standing water,
AWD_TARGET_CM = 5.0
#: keep flooded from one week before to one week after flowering,
AWD_FLOWERING_HALF_WINDOW_DAYS = 7
#: and for the first two weeks after transplanting (weed control, establishment).
AWD_ESTABLISHMENT_DAYS = 14
#: Without a water level: re-flood when root-zone water falls below (1 - p) of saturation, with
#: p = 0.20 for paddy rice (FAO-56 Table 22).
PADDY_P = 0.20


class Reason(StrEnum):
    """Reason codes of an irrigation advice (stable identifiers for the app)."""

    IRRIGATE = "irrigate"
    NO_NEED_SOIL_WET = "no_need_soil_wet"
    NO_NEED_RAIN_EXPECTED = "no_need_rain_expected"
    INSUFFICIENT_DATA = "insufficient_data"
    AWD_IRRIGATE = "awd_irrigate"
    AWD_WAIT = "awd_wait"
    AWD_KEEP_FLOODED = "awd_keep_flooded"


class Confidence(StrEnum):
    """How much to trust an advice."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class FieldSpec:
    """A field: area, crop, planting date and soil; root depth defaults to the crop's lower FAO-56 value."""

    field_id: str
    area_m2: float
    crop_key: str
    planting_date: date
    soil: wb.Soil
    root_depth_m: float | None = None


@dataclass(frozen=True)
class DailyWater:
    """One past day of inputs; ``et0_mm``/``rain_mm`` None means missing (never assumed)."""

    day: date
    et0_mm: float | None
    rain_mm: float | None
    irrigation_mm: float = 0.0
    et0_estimated: tuple[str, ...] = ()
    u2_m_s: float | None = None
    rh_min_pct: float | None = None


@dataclass(frozen=True)
class IrrigationAdvice:
    """The advice: reason code, amount, confidence, the numbers behind it and bilingual text."""

    field_id: str
    day: date
    reason: Reason
    confidence: Confidence
    text: Text
    depth_mm: float = 0.0
    volume_m3: float = 0.0
    numbers: dict[str, float | str | None] = field(default_factory=dict)
    caveats: tuple[Text, ...] = ()
    flags: tuple[str, ...] = ()


def _recent_mean(values: Sequence[float | None]) -> float | None:
    """Mean of the known values among the last RECENT_DAYS (the ET0 fallback's window), None if none."""
    known = [v for v in values[-RECENT_DAYS:] if v is not None]
    return sum(known) / len(known) if known else None


def _lower(conf: Confidence, to: Confidence) -> Confidence:
    order = [Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW]
    return order[max(order.index(conf), order.index(to))]


def advise_irrigation(
    spec: FieldSpec,
    history: Sequence[DailyWater],
    today: date,
    *,
    today_et0_mm: float | None = None,
    sensor: wb.SoilMoistureReading | None = None,
    forecast_rain_mm: float | None = None,
    initial_depletion_mm: float = 0.0,
    today_u2_m_s: float | None = None,
    today_rh_min_pct: float | None = None,
) -> IrrigationAdvice:
    """Advice for ``today`` from the history of earlier days (any order; days after ``today`` ignored).

    ``initial_depletion_mm`` is Dr at the start of the history (0 = field capacity, e.g. after
    the pre-planting irrigation). ``today_et0_mm`` is today's forecast ET0; without it the mean
    of the last known days is used and reported. Today's Kc mid/end get the same FAO-56 Eq. 62
    climate adjustment as the history days, from ``today_u2_m_s``/``today_rh_min_pct`` (forecast)
    or else the mean of the last RECENT_DAYS days that have them.
    """
    crop = kc_mod.get_crop(spec.crop_key)
    if crop.paddy:
        raise ValueError("paddy rice: use advise_awd (alternate wetting and drying)")
    if not crop.has_kc:
        return _insufficient(spec, today, message("irrigation.missing.no_kc"), ("no_kc",))
    assert crop.p is not None and crop.root_depth_min_m is not None
    zr = spec.root_depth_m or crop.root_depth_min_m
    taw = wb.total_available_water(spec.soil, zr)
    caveats: list[Text] = []
    flags: list[str] = []
    confidence = Confidence.HIGH

    days = sorted((d for d in history if d.day < today), key=lambda d: d.day)
    known_et0 = [d.et0_mm for d in days if d.et0_mm is not None]
    fallback_et0 = _recent_mean(known_et0)
    recent = [d for d in days if (today - d.day).days <= RECENT_DAYS]
    missing_recent = RECENT_DAYS
    if days:
        missing_recent = sum(1 for d in recent if d.et0_mm is None) + max(0, RECENT_DAYS - len(recent))
    estimated_inputs: set[str] = set()

    depletion = initial_depletion_mm
    p_used = crop.p
    for d in days:
        et0 = d.et0_mm if d.et0_mm is not None else fallback_et0
        if et0 is None:
            continue
        estimated_inputs.update(d.et0_estimated)
        kc_day = kc_mod.kc_on_day(
            crop,
            kc_mod.days_after_planting(spec.planting_date, d.day),
            u2_m_s=d.u2_m_s,
            rh_min_pct=d.rh_min_pct,
        )
        etc = kc_day.kc * et0
        p_used = wb.adjusted_depletion_fraction(crop.p, etc)
        step = wb.daily_step(
            depletion,
            taw_mm=taw,
            raw_mm=wb.readily_available_water(taw, p_used),
            etc_mm=etc,
            rain_mm=d.rain_mm or 0.0,
            irrigation_mm=d.irrigation_mm,
        )
        depletion = step.depletion_mm

    assimilation = wb.assimilate(depletion, sensor, spec.soil, zr)
    if sensor is None:
        caveats.append(message("caveat.no_sensor"))
        confidence = _lower(confidence, Confidence.MEDIUM)
    elif assimilation.unusable_reason is not None:
        caveats.append(message("caveat.sensor_unusable", reason=assimilation.unusable_reason))
        flags.append("sensor_unusable")
        confidence = _lower(confidence, Confidence.MEDIUM)
    if assimilation.disagrees:
        assert assimilation.difference_mm is not None
        caveats.append(
            message(
                "caveat.sensor_disagrees",
                diff_mm=assimilation.difference_mm,
                threshold_mm=assimilation.threshold_mm,
            )
        )
        flags.append("model_sensor_disagree")
        confidence = _lower(confidence, Confidence.LOW)
    sensor_ok = assimilation.source == "sensor"
    if missing_recent > MAX_MISSING_DAYS_WITHOUT_SENSOR and not sensor_ok:
        missing = message("irrigation.missing.weather_days", days=missing_recent, window=RECENT_DAYS)
        return _insufficient(spec, today, missing, ("missing_weather",))
    if missing_recent:
        caveats.append(message("caveat.missing_days", days=missing_recent))
        flags.append("missing_weather")
        confidence = _lower(confidence, Confidence.MEDIUM if missing_recent <= 1 else Confidence.LOW)
    if estimated_inputs:
        caveats.append(message("caveat.et0_estimated", inputs=", ".join(sorted(estimated_inputs))))
        confidence = _lower(confidence, Confidence.MEDIUM)
    depletion = assimilation.depletion_mm

    et0_today = today_et0_mm if today_et0_mm is not None else fallback_et0
    if et0_today is None:
        return _insufficient(spec, today, message("irrigation.missing.no_et0"), ("no_et0",))
    dap = kc_mod.days_after_planting(spec.planting_date, today)
    u2_today = today_u2_m_s if today_u2_m_s is not None else _recent_mean([d.u2_m_s for d in days])
    rh_today = today_rh_min_pct
    if rh_today is None:
        rh_today = _recent_mean([d.rh_min_pct for d in days])
    kc_today = kc_mod.kc_on_day(crop, dap, u2_m_s=u2_today, rh_min_pct=rh_today)
    etc_today = kc_today.kc * et0_today
    p_today = wb.adjusted_depletion_fraction(crop.p, etc_today)
    raw = wb.readily_available_water(taw, p_today)
    projected = min(depletion + etc_today, taw)
    numbers: dict[str, float | str | None] = {
        "et0_mm": round(et0_today, 2),
        "kc": round(kc_today.kc, 3),
        "stage": kc_today.stage.value,
        "etc_mm": round(etc_today, 2),
        "root_depth_m": zr,
        "taw_mm": round(taw, 1),
        "p": round(p_today, 3),
        "raw_mm": round(raw, 1),
        "depletion_mm": round(depletion, 1),
        "depletion_end_of_day_mm": round(projected, 1),
        "ks": round(wb.water_stress_coefficient(taw, raw, depletion), 3),
        "depletion_source": assimilation.source,
        "sensor_depletion_mm": assimilation.sensor_depletion_mm,
        "forecast_rain_mm": forecast_rain_mm,
    }

    def advice(reason: Reason, text: Text, depth: float = 0.0, volume: float = 0.0) -> IrrigationAdvice:
        return IrrigationAdvice(
            spec.field_id,
            today,
            reason,
            confidence,
            text,
            depth,
            volume,
            numbers,
            tuple(caveats),
            tuple(flags),
        )

    if kc_today.stage in (kc_mod.Stage.NOT_PLANTED, kc_mod.Stage.ENDED):
        stage = message(f"season_table.stage.{kc_today.stage.value}")  # the stage's one name
        missing = message("irrigation.missing.stage", stage=stage)
        return _insufficient(spec, today, missing, ("out_of_season",))
    if projected < raw:
        return advice(
            Reason.NO_NEED_SOIL_WET,
            message("irrigation.no_need_soil_wet", depletion_mm=projected, raw_mm=raw),
        )
    need = projected
    if forecast_rain_mm is not None and forecast_rain_mm >= need:
        text = message("irrigation.no_need_rain", rain_mm=forecast_rain_mm, depth_mm=need)
        return advice(Reason.NO_NEED_RAIN_EXPECTED, text)
    depth = round(need, 1)  # the volume is computed from the depth shown, so the two agree
    volume = round(depth * spec.area_m2 / 1000.0, 2)
    text = message("irrigation.irrigate", depth_mm=depth, volume_m3=volume, area_m2=round(spec.area_m2))
    return advice(Reason.IRRIGATE, text, depth, volume)


def _insufficient(spec: FieldSpec, today: date, missing: Text, flags: tuple[str, ...]) -> IrrigationAdvice:
    """Refuse to advise, saying what is missing in the farmer's language (a ``Text``, never English only)."""
    text = message("irrigation.insufficient_data", missing=missing)
    return IrrigationAdvice(spec.field_id, today, Reason.INSUFFICIENT_DATA, Confidence.LOW, text, flags=flags)


@dataclass(frozen=True)
class PaddyObservation:
    """Field-tube water level (cm; + above the soil surface, − below) or root-zone moisture."""

    water_level_cm: float | None = None
    level_flagged: bool = False
    theta: float | None = None
    theta_saturation: float | None = None
    theta_flagged: bool = False


def advise_awd(
    spec: FieldSpec,
    today: date,
    observation: PaddyObservation,
    *,
    flowering_date: date | None = None,
) -> IrrigationAdvice:
    """Alternate-wetting-and-drying advice for paddy rice (safe AWD thresholds above)."""
    dap = kc_mod.days_after_planting(spec.planting_date, today)
    numbers: dict[str, float | str | None] = {
        "days_after_transplanting": dap,
        "threshold_cm": AWD_THRESHOLD_CM,
        "target_cm": AWD_TARGET_CM,
        "water_level_cm": observation.water_level_cm,
    }
    caveats: list[Text] = []
    near_flowering = (
        flowering_date is not None and abs((today - flowering_date).days) <= AWD_FLOWERING_HALF_WINDOW_DAYS
    )

    def advice(
        reason: Reason, conf: Confidence, text: Text, depth: float = 0.0, flags: tuple[str, ...] = ()
    ) -> IrrigationAdvice:
        volume = round(depth * spec.area_m2 / 1000.0, 2)
        return IrrigationAdvice(
            spec.field_id, today, reason, conf, text, depth, volume, numbers, tuple(caveats), flags
        )

    if 0 <= dap < AWD_ESTABLISHMENT_DAYS or near_flowering:
        stage = message("stage.flowering" if near_flowering else "stage.establishment")
        text = message("irrigation.awd_keep_flooded", stage=stage)
        return advice(Reason.AWD_KEEP_FLOODED, Confidence.HIGH, text)
    if flowering_date is None:
        caveats.append(message("caveat.flowering_unknown"))
    level = None if observation.level_flagged else observation.water_level_cm
    if level is not None:
        if level <= AWD_THRESHOLD_CM:
            depth = 10.0 * (AWD_TARGET_CM - max(level, 0.0))
            caveats.append(message("caveat.awd_ponding_only"))
            text = message(
                "irrigation.awd_irrigate",
                level_cm=level,
                threshold_cm=AWD_THRESHOLD_CM,
                target_cm=AWD_TARGET_CM,
            )
            return advice(Reason.AWD_IRRIGATE, Confidence.HIGH, text, depth, ("ponding_volume_only",))
        text = message("irrigation.awd_wait", level_cm=level, threshold_cm=AWD_THRESHOLD_CM)
        return advice(Reason.AWD_WAIT, Confidence.HIGH, text)
    theta, theta_sat = observation.theta, observation.theta_saturation
    if theta is not None and theta_sat and not observation.theta_flagged:
        fraction = theta / theta_sat
        numbers["saturation_fraction"] = round(fraction, 3)
        pct = round(fraction * 100)
        if fraction < 1.0 - PADDY_P:
            text = message(
                "irrigation.awd_irrigate_theta",
                saturation_pct=pct,
                limit_pct=round((1.0 - PADDY_P) * 100),
                target_cm=AWD_TARGET_CM,
            )
            return advice(Reason.AWD_IRRIGATE, Confidence.MEDIUM, text)
        return advice(
            Reason.AWD_WAIT, Confidence.MEDIUM, message("irrigation.awd_wait_theta", saturation_pct=pct)
        )
    return advice(
        Reason.INSUFFICIENT_DATA,
        Confidence.LOW,
        message("irrigation.awd_no_level"),
        flags=("no_water_level",),
    )
