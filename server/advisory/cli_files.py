"""``farm advise irrigation`` and ``farm advise disease``: advice from a small JSON file.

Input formats (see docs/advisory.md):

irrigation: {"site": {"lat": 21.3, "elevation": 15}, "field": {"id": "F1", "area_m2": 500,
  "crop": "tomato", "planting_date": "2026-01-01", "texture": "loam" | "soil": {"theta_fc":
  0.28, "theta_wp": 0.14}}, "days": [{"date": "...", "tmax": 30, "tmin": 22, "rh_max": 95,
  "rh_min": 60, "wind": 1.5, "sunshine": 5, "rs": null, "rain_mm": 0, "irrigation_mm": 0}],
  "today": {same weather keys, optional}, "sensor": {"theta": 0.22, "calibrated": true},
  "forecast_rain_mm": 0}
disease: {"hours": [{"time": "2026-01-10T00:00", "temp_c": 18, "rh_pct": 95, "rain_mm": 0,
  "leaf_wetness_min": null, "wind_m_s": null, "flagged": []}], "nearby": [{"label":
  "late_blight", "distance_km": 2, "observed": "2026-01-08"}]}

A file is typed by hand or exported from a spreadsheet, so every value is checked here (present where
required, a finite number in its physical range, a real date) and an error names the file and the
value's place in it (``days[3].tmax``). Anything else that goes wrong is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from server.advisory import kc
from server.advisory import water_balance as wb
from server.advisory.data_files import load as load_data
from server.advisory.disease.common import DiseaseRisk, NearbyDiagnosis, disease_info
from server.advisory.disease.risk import MODELS, assess_field
from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import DailyWeather, Site, daily_et0
from server.advisory.i18n import LANGS, Text
from server.advisory.irrigation import DailyWater, FieldSpec, IrrigationAdvice, advise_irrigation
from server.advisory.plausibility import LIMITS
from server.advisory.weather import HourlyRecord


def existing_file(text: str) -> Path:
    """argparse type: a path to an existing regular file."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return path


class Doc:
    """One JSON object of an input file; every error names the file and the object's place in it."""

    def __init__(self, data: dict[str, Any], where: str, source: Path) -> None:
        self.data, self.where, self.source = data, where, source

    @classmethod
    def load(cls, path: Path) -> Doc:
        """The file's top-level object."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AdvisoryInputError(f"cannot read {path}: {exc}") from None
        if not isinstance(data, dict):
            raise AdvisoryInputError(f"bad input file {path}: the top level must be a JSON object")
        return cls(data, "", path)

    @property
    def place(self) -> str:
        """Where this object is in the file, e.g. ``days[3]``."""
        return self.where or "top level"

    def error(self, message: str) -> AdvisoryInputError:
        """An error in this file (raise it); the message names the value's place."""
        return AdvisoryInputError(f"bad input file {self.source}: {message}")

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str) -> Any:
        """The raw value, None when absent."""
        return self.data.get(key)

    def child(self, key: str) -> Doc:
        """A nested object that must be present."""
        value = self.data.get(key)
        if not isinstance(value, dict):
            raise self.error(
                f"{self._name(key)} must be a JSON object" + (" (missing)" if value is None else "")
            )
        return Doc(value, self._name(key), self.source)

    def children(self, key: str) -> list[Doc]:
        """A list of objects; absent means empty."""
        value = self.data.get(key) or []
        if not isinstance(value, list):
            raise self.error(f"{self._name(key)} must be a list")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error(f"{self._name(key)}[{i}] must be a JSON object")
            out.append(Doc(item, f"{self._name(key)}[{i}]", self.source))
        return out

    def number(self, key: str, low: float, high: float, unit: str) -> float | None:
        """An optional finite number in [low, high]."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.error(f"{self._name(key)} must be a number, got {value!r}")
        if not low <= value <= high:
            raise self.error(f"{self._name(key)} = {value:g} is outside [{low:g}, {high:g}] {unit}")
        return float(value)

    def require_number(self, key: str, low: float, high: float, unit: str) -> float:
        """A finite number in [low, high] that must be present."""
        value = self.number(key, low, high, unit)
        if value is None:
            raise self.error(f"{self._name(key)} is missing")
        return value

    def require_text(self, key: str) -> str:
        """A non-empty string (an id may be written as a number)."""
        value = self.data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                f"{self._name(key)} must be a non-empty text" + (" (missing)" if value is None else "")
            )
        return value

    def require_date(self, key: str) -> date:
        """A ``YYYY-MM-DD`` day."""
        text = self.require_text(key)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.error(f"{self._name(key)} is not a YYYY-MM-DD date: {text!r}") from None

    def require_datetime(self, key: str) -> datetime:
        """A local ``YYYY-MM-DDTHH:MM`` time."""
        text = self.require_text(key)
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise self.error(f"{self._name(key)} is not a YYYY-MM-DDTHH:MM time: {text!r}") from None

    def flag(self, key: str, default: bool = False) -> bool:
        """An optional true/false."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{self._name(key)} must be true or false, got {value!r}")
        return value


# Daily weather keys of the file -> (DailyWeather field, low, high, unit), ranges from plausibility.
_KEYS = {"rh_max": "rh_max", "rh_min": "rh_min", "rh_mean": "rh_mean", "ea": "ea_kpa", "wind": "wind_m_s"}
WEATHER_KEYS: dict[str, tuple[str, float, float, str]] = {
    key: (name, LIMITS[name].low, LIMITS[name].high, LIMITS[name].unit)
    for key, name in {**_KEYS, "sunshine": "sunshine_h", "rs": "rs_mj_m2"}.items()
}
_U2, _RH_MIN = ("wind", *WEATHER_KEYS["wind"][1:]), ("rh_min", *WEATHER_KEYS["rh_min"][1:])


def _weather(day: date, doc: Doc) -> DailyWeather:
    values: dict[str, Any] = {
        field: doc.number(key, low, high, unit) for key, (field, low, high, unit) in WEATHER_KEYS.items()
    }
    return DailyWeather(
        day=day,
        tmax_c=doc.require_number("tmax", -60, 60, "°C"),
        tmin_c=doc.require_number("tmin", -60, 60, "°C"),
        wind_height_m=doc.number("wind_height", 0.5, 100, "m") or 2.0,
        **values,
    )


def _et0(doc: Doc, day: date, site: Site) -> tuple[float, tuple[str, ...]]:
    """ET0 of one day of the file; a domain refusal names the day's place in the file."""
    weather = _weather(day, doc)
    try:
        result = daily_et0(weather, site)
    except AdvisoryInputError as exc:
        raise doc.error(f"{doc.place}: {exc}") from None
    return result.et0_mm, result.estimated


def _daily_water(doc: Doc, site: Site) -> DailyWater:
    day = doc.require_date("date")
    et0_mm: float | None = None
    estimated: tuple[str, ...] = ()
    if doc.get("tmax") is not None and doc.get("tmin") is not None:
        et0_mm, estimated = _et0(doc, day, site)
    return DailyWater(
        day,
        et0_mm,
        doc.number("rain_mm", 0, 1000, "mm"),
        doc.number("irrigation_mm", 0, 1000, "mm") or 0.0,
        estimated,
        doc.number(*_U2),
        doc.number(*_RH_MIN),
    )


def _soil(field: Doc) -> wb.Soil:
    if field.get("texture") is not None:
        textures: dict[str, Any] = load_data("soils")["textures"]
        texture = field.require_text("texture")
        if texture not in textures:
            raise field.error(f"{field.place}.texture {texture!r} is unknown; known: {', '.join(textures)}")
        return wb.soil_for_texture(texture)
    soil = field.child("soil")
    theta_fc = soil.require_number("theta_fc", 0, 0.7, "m3/m3")
    theta_wp = soil.require_number("theta_wp", 0, 0.7, "m3/m3")
    if not 0 < theta_wp < theta_fc:
        raise soil.error(f"{soil.place} needs 0 < theta_wp < theta_fc")
    return wb.Soil(theta_fc=theta_fc, theta_wp=theta_wp)


def _field_spec(field: Doc) -> FieldSpec:
    crop = field.require_text("crop")
    try:
        kc.get_crop(crop)
    except kc.UnknownCrop as exc:
        raise field.error(f"{field.place}.crop: {exc.args[0]}") from None
    return FieldSpec(
        field.require_text("id"),
        field.require_number("area_m2", 1, 1e8, "m2"),
        crop,
        field.require_date("planting_date"),
        _soil(field),
        field.number("root_depth_m", 0.05, 5, "m"),
    )


def _irrigation_advice(doc: Doc, day: date) -> IrrigationAdvice:
    site_doc = doc.child("site")
    site = Site(
        lat_deg=site_doc.require_number("lat", -90, 90, "degrees"),
        elevation_m=site_doc.number("elevation", -450, 9000, "m"),
    )
    spec = _field_spec(doc.child("field"))
    history = [_daily_water(row, site) for row in doc.children("days")]
    today_et0 = today_wind = today_rh_min = sensor = None
    if doc.get("today"):  # today's wind and RHmin adjust today's Kc (FAO-56 Eq. 62) like past days'
        t = doc.child("today")
        today_et0, today_wind, today_rh_min = _et0(t, day, site)[0], t.number(*_U2), t.number(*_RH_MIN)
    if doc.get("sensor"):
        s = doc.child("sensor")
        sensor = wb.SoilMoistureReading(
            s.require_number("theta", 0, 1, "m3/m3"), s.flag("calibrated"), s.flag("flagged")
        )
    return advise_irrigation(
        spec,
        history,
        day,
        today_et0_mm=today_et0,
        sensor=sensor,
        forecast_rain_mm=doc.number("forecast_rain_mm", 0, 1000, "mm"),
        today_u2_m_s=today_wind,
        today_rh_min_pct=today_rh_min,
    )


def _joined(t: Text) -> str:
    """Every language on one line, Vietnamese first: "Nên tưới … / Irrigate …"."""
    return " / ".join(t.get(lang) for lang in LANGS)


def advice_json(advice: IrrigationAdvice) -> dict[str, Any]:
    """JSON form of an irrigation advice."""
    return {
        "field_id": advice.field_id,
        "date": advice.day.isoformat(),
        "reason": advice.reason.value,
        "confidence": advice.confidence.value,
        "depth_mm": advice.depth_mm,
        "volume_m3": advice.volume_m3,
        "text": advice.text.as_json(),
        "numbers": advice.numbers,
        "caveats": [c.as_json() for c in advice.caveats],
        "flags": list(advice.flags),
    }


def _run_irrigation(args: argparse.Namespace) -> int:
    advice = _irrigation_advice(Doc.load(args.input), args.date)
    if args.json:
        print(json.dumps(advice_json(advice), ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(advice.text.get(lang) for lang in LANGS))
        print(f"reason={advice.reason.value} confidence={advice.confidence.value}")
        for caveat in advice.caveats:
            print(f"  ! {_joined(caveat)}")
    return 0


def risk_json(risk: DiseaseRisk) -> dict[str, Any]:
    """JSON form of a disease risk."""
    return {
        "field_id": risk.field_id,
        "disease": risk.disease_key,
        "date": risk.day.isoformat(),
        "level": risk.level.value,
        "score": risk.score,
        "model": risk.model,
        "coverage": asdict(risk.coverage),
        "driving_hours": [t.isoformat() for t in risk.driving_hours],
        "details": risk.details,
        "text": risk.text.as_json(),
        "notes": [n.as_json() for n in risk.notes],
        "tasks": [{"kind": t.kind} | t.text.as_json() for t in risk.tasks],
    }


def _hour(h: Doc) -> HourlyRecord:
    when: datetime = h.require_datetime("time")
    flagged = h.get("flagged") or []
    if not isinstance(flagged, list) or not all(isinstance(f, str) for f in flagged):
        raise h.error(f'{h.place}.flagged must be a list of value names, e.g. ["rh_pct"]')
    return HourlyRecord(
        when,
        h.number("temp_c", -60, 60, "°C"),
        h.number("rh_pct", 0, 100, "%"),
        h.number("rain_mm", 0, 500, "mm"),
        h.number("leaf_wetness_min", 0, 60, "min"),
        h.number("wind_m_s", 0, 60, "m/s"),
        frozenset(flagged),
    )


def _nearby(n: Doc) -> NearbyDiagnosis:
    return NearbyDiagnosis(
        n.require_text("label"),
        n.require_number("distance_km", 0, 1000, "km"),
        n.require_date("observed"),
        n.flag("confirmed", default=True),
    )


def _run_disease(args: argparse.Namespace) -> int:
    doc = Doc.load(args.input)
    records = [_hour(h) for h in doc.children("hours")]
    nearby = [_nearby(n) for n in doc.children("nearby")]
    risks = assess_field(args.field, args.crop, records, args.date, since=args.since, nearby=nearby)
    if args.json:
        print(json.dumps([risk_json(r) for r in risks], ensure_ascii=False, indent=2, default=str))
    else:
        for r in risks:
            print(f"{_joined(r.text)}  [{r.coverage.covered_hours}/{r.coverage.expected_hours} h]")
            for note in r.notes:
                print(f"  ! {_joined(note)}")
            for task in r.tasks:
                print(f"  → {_joined(task.text)}")
    return 0


def disease_crops() -> list[str]:
    """Crops that at least one disease model covers: the only useful values of ``--crop``."""
    return sorted({crop for key in MODELS for crop in disease_info(key)["crops"]})


def add_file_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], iso_date: Callable[[str], date]
) -> None:
    """Register ``irrigation`` and ``disease`` under ``farm advise``."""
    irr = sub.add_parser(
        "irrigation",
        help="irrigation advice for one field from a JSON file of daily weather",
        description="Irrigation advice (FAO-56 water balance) for one field; the input format is in "
        "docs/advisory.md.",
    )
    irr.add_argument(
        "--input", required=True, type=existing_file, help="JSON file, format in docs/advisory.md (required)"
    )
    irr.add_argument("--date", required=True, type=iso_date, help="day of the advice, YYYY-MM-DD (required)")
    irr.add_argument("--json", action="store_true", help="print the advice as JSON")
    irr.set_defaults(func=_run_irrigation)
    dis = sub.add_parser(
        "disease",
        help="disease risk for one field from a JSON file of hourly weather",
        description="Weather-driven risk of every modelled disease of a crop; the input format is in "
        "docs/advisory.md.",
    )
    dis.add_argument(
        "--input", required=True, type=existing_file, help="JSON file, format in docs/advisory.md (required)"
    )
    dis.add_argument("--crop", required=True, choices=disease_crops(), help="crop of the field (required)")
    dis.add_argument("--field", default="field", help="field identifier shown in the output")
    dis.add_argument("--date", required=True, type=iso_date, help="day of the risk, YYYY-MM-DD (required)")
    dis.add_argument(
        "--since",
        type=iso_date,
        help="last spray or season start, for the accumulating models (default: none, all hours given)",
    )
    dis.add_argument("--json", action="store_true", help="print one JSON object per disease")
    dis.set_defaults(func=_run_disease)
