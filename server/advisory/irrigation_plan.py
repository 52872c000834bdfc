"""Irrigation a farmer can carry out: the day's advice turned into applications of the field's method.

``advise_irrigation`` answers how much the root zone lacks (FAO-56 depletion, e.g. 73 mm). Nobody
puts 73 mm on a furrow field in one go: a single surface irrigation stores only a soil- and
root-depth-dependent net depth, the rest runs off or drains below the roots. ``plan`` splits the
need into applications no larger than that depth, adds the method's losses (gross water at the
field), and words each one in the farmer's units: mm, m³ for the field, minutes of the pump at the
profile's rate, watering cans. It also says how far to trust it and what to check when the soil
sensor and the model disagree, and holds water back before forecast rain (``RainAhead``).

Paddy rice keeps its alternate-wetting-and-drying advice (``advise_awd``): one re-flooding to the
AWD target, in m³ and pump minutes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from server.advisory import data_files
from server.advisory.i18n import LANGS, Text, message, text_of
from server.advisory.irrigation import Confidence, IrrigationAdvice, Reason


class Method(StrEnum):
    """How the field is watered (the season profile's choice)."""

    FLOOD = "flood"  # basin / paddy flooding (tưới tràn)
    FURROW = "furrow"  # tưới rãnh
    DRIP = "drip"  # tưới nhỏ giọt
    CAN = "can"  # watering can (ô doa, thùng tưới)


# Net depth one irrigation can store in the root zone, mm, by soil and rooting depth: FAO Irrigation
# Water Management Training Manual No. 4 "Irrigation scheduling" (Brouwer, Prins & Heibloem, 1989),
# ch. 4, table of estimated net irrigation depths (shallow / medium / deep rooting crops).
NET_DEPTH_MM: Mapping[str, Mapping[str, float]] = {
    "sandy": {"shallow": 15.0, "medium": 30.0, "deep": 40.0},
    "loamy": {"shallow": 20.0, "medium": 40.0, "deep": 60.0},
    "clayey": {"shallow": 30.0, "medium": 50.0, "deep": 70.0},
}
#: The project's soil textures (data/soils.json) in the manual's three soil classes (USDA texture
#: triangle: loams with ≥ 27 % clay are "clayey", sandy loam is the only sandy one we list).
SOIL_CLASS: Mapping[str, str] = {
    "sandy_loam": "sandy",
    "loam": "loamy",
    "silt_loam": "loamy",
    "sandy_clay_loam": "loamy",
    "clay_loam": "clayey",
    "silty_clay_loam": "clayey",
    "silty_clay": "clayey",
}
#: Rooting class from the crop's FAO-56 Table 22 root depth (m): the manual's shallow-rooting
#: examples (cabbage, potato, onion) have Zr ≤ 0.6 m, its deep-rooting ones (maize, citrus) ≥ 1.0 m.
SHALLOW_MAX_M, MEDIUM_MAX_M = 0.6, 1.0
#: Field application efficiency (share of the water put on the field that reaches the root zone):
#: the same manual, ch. 3: surface irrigation (basin, furrow) 60 %, sprinkler 75 %, drip 90 %. A
#: watering can wets the whole surface like a sprinkler, so it takes the sprinkler's value.
EFFICIENCY: Mapping[Method, float] = {
    Method.FLOOD: 0.60,
    Method.FURROW: 0.60,
    Method.DRIP: 0.90,
    Method.CAN: 0.75,
}
#: Drip wets only part of the root zone, so one application stores that share of the net depth:
#: FAO-56 Table 20, fraction of surface wetted by trickle irrigation fw = 0.3-0.4 (mid value).
DRIP_WETTED_FRACTION = 0.35
#: An assumption, shown to the farmer with every can count: the common 10-litre watering can (ô doa)
#: sold in northern Vietnam (8-10 L); larger cans mean fewer trips.
CAN_LITRES = 10.0
#: Physical bounds of the inputs (a smallholder's pump: 1-200 m³/h covers hand-pulled 2-stroke
#: pumps to a commune's electric pump; rain in one day beyond 500 mm has never been recorded in the
#: Red River delta — larger numbers are typing or unit errors).
PUMP_RATE_RANGE_M3H = (0.5, 200.0)
RAIN_RANGE_MM = (0.0, 500.0)
#: From this many minutes of pumping the step says hours and minutes ("7 giờ 55 phút", not "475 phút").
PUMP_HOURS_FROM_MIN = 90


@dataclass(frozen=True)
class RainAhead:
    """Rain forecast for the field (mm), from the weather forecast adapter (server/weather/).

    ``next_24h_mm``: expected rain in the next 24 hours; ``next_48h_mm``: in the next 48 hours
    (includes the first 24). Either may be None when the forecast does not say."""

    next_24h_mm: float | None = None
    next_48h_mm: float | None = None

    def __post_init__(self) -> None:
        for name in ("next_24h_mm", "next_48h_mm"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and RAIN_RANGE_MM[0] <= v <= RAIN_RANGE_MM[1]):
                raise ValueError(f"{name} must be within {RAIN_RANGE_MM} mm, got {v!r}")

    @property
    def within_48h_mm(self) -> float | None:
        """The most rain the forecast promises within 48 h (the 24 h figure when only it is known)."""
        known = [v for v in (self.next_24h_mm, self.next_48h_mm) if v is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class Application:
    """One watering: on ``day``, ``net_mm`` into the root zone, ``gross_mm``/``volume_m3`` put on."""

    day: date
    net_mm: float
    gross_mm: float
    volume_m3: float
    pump_minutes: int | None
    cans: int | None
    text: Text

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "net_mm": self.net_mm,
            "gross_mm": self.gross_mm,
            "volume_m3": self.volume_m3,
            "pump_minutes": self.pump_minutes,
            "cans": self.cans,
            "text": self.text.as_json(),
        }


@dataclass(frozen=True)
class IrrigationPlan:
    """What to do, in steps; ``status``: irrigate | hold_for_rain | none."""

    status: str
    method: Method
    summary: Text
    applications: tuple[Application, ...] = ()
    confidence: Confidence = Confidence.LOW
    confidence_text: Text | None = None
    checks: tuple[Text, ...] = ()
    notes: tuple[Text, ...] = ()
    numbers: dict[str, float | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "method": self.method.value,
            "summary": self.summary.as_json(),
            "applications": [a.as_json() for a in self.applications],
            "confidence": self.confidence.value,
            "confidence_text": self.confidence_text.as_json() if self.confidence_text else None,
            "checks": [c.as_json() for c in self.checks],
            "notes": [n.as_json() for n in self.notes],
            "numbers": self.numbers,
        }


def method_name(method: Method) -> Text:
    return message(f"plan.method.{method.value}")


def rooting_class(root_depth_m: float) -> str:
    if root_depth_m <= SHALLOW_MAX_M:
        return "shallow"
    return "medium" if root_depth_m < MEDIUM_MAX_M else "deep"


def max_net_per_application(method: Method, soil_texture: str, root_depth_m: float) -> float:
    """The most one application of ``method`` stores in the root zone, mm (see the tables above)."""
    depth = NET_DEPTH_MM[SOIL_CLASS.get(soil_texture, "loamy")][rooting_class(root_depth_m)]
    return depth * DRIP_WETTED_FRACTION if method is Method.DRIP else depth


def joined(parts: Sequence[Text], key: str = "joined") -> Text:
    """Several texts as one sentence part per language ("a, b, c")."""
    return Text(key, {lang: ", ".join(p.get(lang) for p in parts) for lang in LANGS})


def _when(day: date, today: date) -> Text:
    if day == today:
        return message("plan.when_today")
    if day == today + timedelta(days=1):
        return message("plan.when_tomorrow")
    return message("plan.when_day", day=day)


def _application(
    day: date, today: date, net: float, method: Method, area_m2: float, pump_rate_m3h: float | None
) -> Application:
    net = round(net, 1)
    gross = round(net / EFFICIENCY[method], 1)
    volume = round(gross * area_m2 / 1000.0, 1)  # 1 mm on 1 m² = 1 L
    minutes = round(volume / pump_rate_m3h * 60) if pump_rate_m3h else None
    cans = math.ceil(volume * 1000.0 / CAN_LITRES) if method is Method.CAN else None
    when = _when(day, today)
    if cans is not None:
        text = message("plan.step_cans", when=when, net_mm=net, volume_m3=volume, cans=cans)
    elif minutes is not None and minutes >= PUMP_HOURS_FROM_MIN:
        hours, rest = divmod(minutes, 60)
        text = message(
            "plan.step_pump_hours", when=when, net_mm=net, volume_m3=volume, hours=hours, minutes=rest
        )
    elif minutes is not None:
        text = message("plan.step_pump", when=when, net_mm=net, volume_m3=volume, minutes=minutes)
    else:
        text = message("plan.step", when=when, net_mm=net, volume_m3=volume)
    return Application(day, net, gross, volume, minutes, cans, text)


def _trust(advice: IrrigationAdvice) -> tuple[Text, tuple[Text, ...]]:
    """The confidence in words and what the farmer can check, from the advice's flags and caveats."""
    checks: list[Text] = []
    by_key = {c.key: c for c in advice.caveats}
    if "model_sensor_disagree" in advice.flags:
        diff = (
            by_key["caveat.sensor_disagrees"].params.get("diff_mm")
            if "caveat.sensor_disagrees" in by_key
            else None
        )
        checks.append(message("plan.check_sensor_disagrees", diff_mm=float(diff or 0.0)))
    if "sensor_unusable" in advice.flags:
        checks.append(message("plan.check_sensor_unusable"))
    if "caveat.no_sensor" in by_key:
        checks.append(message("plan.check_no_sensor"))
    if "missing_weather" in advice.flags:
        checks.append(message("plan.check_missing_weather"))
    return message(f"plan.confidence.{advice.confidence.value}"), tuple(checks)


def plan(
    advice: IrrigationAdvice,
    *,
    area_m2: float,
    method: Method,
    soil_texture: str,
    root_depth_m: float,
    pump_rate_m3h: float | None = None,
    rain: RainAhead | None = None,
) -> IrrigationPlan:
    """The advice as applications the farmer makes, from ``advice.day`` on.

    ``rain``: the forecast for the next 24/48 h, when there is one. Rain expected within 48 h is
    taken off the need; when the rain of the next 24 h would cover today's application, today's is
    held and the rest starts tomorrow ("hold_for_rain"), so the advice holds before rain."""
    if pump_rate_m3h is not None and not (
        math.isfinite(pump_rate_m3h) and PUMP_RATE_RANGE_M3H[0] <= pump_rate_m3h <= PUMP_RATE_RANGE_M3H[1]
    ):
        raise ValueError(f"pump rate must be within {PUMP_RATE_RANGE_M3H} m³/h, got {pump_rate_m3h!r}")
    today = advice.day
    conf_text, checks = _trust(advice)
    notes: list[Text] = []
    rain = rain or RainAhead()
    numbers: dict[str, float | None] = {
        "need_mm": advice.depth_mm,
        "rain_next_24h_mm": rain.next_24h_mm,
        "rain_next_48h_mm": rain.next_48h_mm,
        "efficiency": EFFICIENCY[method],
        "can_litres": CAN_LITRES if method is Method.CAN else None,
        "pump_rate_m3h": pump_rate_m3h,
    }

    def result(status: str, summary: Text, apps: Sequence[Application] = ()) -> IrrigationPlan:
        if apps and pump_rate_m3h is None and method is not Method.CAN:
            notes.append(message("plan.note_no_pump_rate"))
        return IrrigationPlan(
            status, method, summary, tuple(apps), advice.confidence, conf_text, checks, tuple(notes), numbers
        )

    if advice.reason not in (Reason.IRRIGATE, Reason.AWD_IRRIGATE):
        return result("none", advice.text)
    if advice.depth_mm <= 0:  # re-flood by the soil's saturation (no water level): no amount to split
        return result("irrigate", advice.text)
    if advice.reason is Reason.AWD_IRRIGATE:
        # One re-flooding to the AWD target: the ponding depth is what goes on (nothing to split).
        if rain.next_24h_mm is not None and rain.next_24h_mm >= advice.depth_mm:
            return result("hold_for_rain", message("plan.hold_rain", rain_mm=rain.next_24h_mm))
        depth = round(advice.depth_mm, 1)
        volume = round(depth * area_m2 / 1000.0, 1)
        minutes = round(volume / pump_rate_m3h * 60) if pump_rate_m3h else None
        when = _when(today, today)
        step = (
            message("plan.step_pump", when=when, net_mm=depth, volume_m3=volume, minutes=minutes)
            if minutes is not None
            else message("plan.step", when=when, net_mm=depth, volume_m3=volume)
        )
        return result(
            "irrigate", advice.text, [Application(today, depth, depth, volume, minutes, None, step)]
        )

    need = advice.depth_mm
    ahead = rain.within_48h_mm
    if ahead is not None and ahead >= need:
        return result("hold_for_rain", message("plan.rain_covers", rain_mm=ahead, need_mm=need))
    remaining = need - (ahead or 0.0)
    cap = max_net_per_application(method, soil_texture, root_depth_m)
    count = max(1, math.ceil(round(remaining / cap, 6)))
    each = remaining / count
    start = today
    held = rain.next_24h_mm is not None and rain.next_24h_mm >= min(each, remaining)
    if held:
        start = today + timedelta(days=1)
    apps = [
        _application(start + timedelta(days=i), today, each, method, area_m2, pump_rate_m3h)
        for i in range(count)
    ]
    numbers |= {"max_net_per_application_mm": round(cap, 1), "applications": float(count)}
    notes.append(message("plan.note_losses", method=method_name(method), pct=round(EFFICIENCY[method] * 100)))
    if method is Method.CAN:
        notes.append(message("plan.note_can", litres=round(CAN_LITRES)))
    if ahead:
        notes.append(message("plan.note_rain_taken", rain_mm=float(ahead)))
    total = round(sum(a.net_mm for a in apps), 1)
    if held:
        summary = message("plan.hold_rain_then", rain_mm=rain.next_24h_mm, n=count, total_mm=total)
        return result("hold_for_rain", summary, apps)
    key = "plan.split" if count > 1 else "plan.single"
    summary = message(key, total_mm=total, n=count, method=method_name(method), cap_mm=round(cap))
    return result("irrigate", summary, apps)


def assumptions(
    *,
    planting_date: date | None = None,
    soil_texture: str | None = None,
    method: Method | None = None,
    pump_rate_missing: bool = False,
) -> Text | None:
    """The words "Giả sử gieo trồng ngày …, đất thịt pha sét, tưới rãnh …": each argument given is a value the
    advice ASSUMED (not confirmed in the season profile); None when nothing was assumed."""
    parts: list[Text] = []
    if planting_date is not None:
        parts.append(message("plan.assume_planting", day=planting_date))
    if soil_texture is not None:
        names = data_files.load("soils")["textures"][soil_texture]["names"]
        parts.append(message("plan.assume_soil", soil=text_of(f"soil.{soil_texture}", names)))
    if method is not None:
        parts.append(message("plan.assume_method", method=method_name(method)))
    if pump_rate_missing:
        parts.append(message("plan.assume_no_pump"))
    if not parts:
        return None
    return message("plan.assumptions", items=joined(parts))
