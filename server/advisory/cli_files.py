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
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from server.advisory import water_balance as wb
from server.advisory.disease.common import DiseaseRisk, NearbyDiagnosis
from server.advisory.disease.risk import assess_field
from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import DailyWeather, Site, daily_et0
from server.advisory.irrigation import DailyWater, FieldSpec, IrrigationAdvice, advise_irrigation
from server.advisory.weather import HourlyRecord


def _load(path: Path, parser: argparse.ArgumentParser) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        parser.error(f"cannot read {path}: {exc}")
    return data


def _weather(day: date, row: dict[str, Any]) -> DailyWeather:
    return DailyWeather(
        day=day,
        tmax_c=float(row["tmax"]),
        tmin_c=float(row["tmin"]),
        rh_max=row.get("rh_max"),
        rh_min=row.get("rh_min"),
        rh_mean=row.get("rh_mean"),
        ea_kpa=row.get("ea"),
        wind_m_s=row.get("wind"),
        wind_height_m=float(row.get("wind_height", 2.0)),
        sunshine_h=row.get("sunshine"),
        rs_mj_m2=row.get("rs"),
    )


def _daily_water(row: dict[str, Any], site: Site) -> DailyWater:
    day = date.fromisoformat(row["date"])
    et0_mm: float | None = None
    estimated: tuple[str, ...] = ()
    if row.get("tmax") is not None and row.get("tmin") is not None:
        result = daily_et0(_weather(day, row), site)
        et0_mm, estimated = result.et0_mm, result.estimated
    return DailyWater(
        day,
        et0_mm,
        row.get("rain_mm"),
        float(row.get("irrigation_mm") or 0.0),
        estimated,
        row.get("wind"),
        row.get("rh_min"),
    )


def advice_json(advice: IrrigationAdvice) -> dict[str, Any]:
    """JSON form of an irrigation advice."""
    return {
        "field_id": advice.field_id,
        "date": advice.day.isoformat(),
        "reason": advice.reason.value,
        "confidence": advice.confidence.value,
        "depth_mm": advice.depth_mm,
        "volume_m3": advice.volume_m3,
        "text": {"vi": advice.text.vi, "en": advice.text.en},
        "numbers": advice.numbers,
        "caveats": [{"key": c.key, "vi": c.vi, "en": c.en} for c in advice.caveats],
        "flags": list(advice.flags),
    }


def _run_irrigation(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args._parser
    data = _load(args.input, parser)
    try:
        site = Site(lat_deg=float(data["site"]["lat"]), elevation_m=data["site"].get("elevation"))
        f = data["field"]
        soil = wb.soil_for_texture(f["texture"]) if "texture" in f else wb.Soil(**f["soil"])
        spec = FieldSpec(
            str(f["id"]),
            float(f["area_m2"]),
            f["crop"],
            date.fromisoformat(f["planting_date"]),
            soil,
            f.get("root_depth_m"),
        )
        history = [_daily_water(row, site) for row in data.get("days", [])]
        today_et0 = None
        if data.get("today"):
            today_et0 = daily_et0(_weather(args.date, data["today"]), site).et0_mm
        sensor = None
        if data.get("sensor"):
            s = data["sensor"]
            sensor = wb.SoilMoistureReading(
                float(s["theta"]), bool(s.get("calibrated", False)), bool(s.get("flagged", False))
            )
        advice = advise_irrigation(
            spec,
            history,
            args.date,
            today_et0_mm=today_et0,
            sensor=sensor,
            forecast_rain_mm=data.get("forecast_rain_mm"),
        )
    except (KeyError, TypeError, ValueError, AdvisoryInputError) as exc:
        parser.error(f"bad input file {args.input}: {exc!r}")
    if args.json:
        print(json.dumps(advice_json(advice), ensure_ascii=False, indent=2, default=str))
    else:
        print(advice.text.vi)
        print(advice.text.en)
        print(f"reason={advice.reason.value} confidence={advice.confidence.value}")
        for caveat in advice.caveats:
            print(f"  ! {caveat.vi} / {caveat.en}")
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
        "text": {"vi": risk.text.vi, "en": risk.text.en},
        "notes": [{"key": n.key, "vi": n.vi, "en": n.en} for n in risk.notes],
        "tasks": [{"kind": t.kind, "vi": t.text.vi, "en": t.text.en} for t in risk.tasks],
    }


def _run_disease(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args._parser
    data = _load(args.input, parser)
    try:
        records = [
            HourlyRecord(
                datetime.fromisoformat(h["time"]),
                h.get("temp_c"),
                h.get("rh_pct"),
                h.get("rain_mm"),
                h.get("leaf_wetness_min"),
                h.get("wind_m_s"),
                frozenset(h.get("flagged", [])),
            )
            for h in data.get("hours", [])
        ]
        nearby = [
            NearbyDiagnosis(
                n["label"],
                float(n["distance_km"]),
                date.fromisoformat(n["observed"]),
                n.get("confirmed", True),
            )
            for n in data.get("nearby", [])
        ]
        risks = assess_field(args.field, args.crop, records, args.date, since=args.since, nearby=nearby)
    except (KeyError, TypeError, ValueError) as exc:
        parser.error(f"bad input file {args.input}: {exc!r}")
    if not risks:
        parser.error(f"no disease model for crop {args.crop!r}")
    if args.json:
        print(json.dumps([risk_json(r) for r in risks], ensure_ascii=False, indent=2, default=str))
    else:
        for r in risks:
            print(f"{r.text.vi} / {r.text.en}  [{r.coverage.covered_hours}/{r.coverage.expected_hours} h]")
            for note in r.notes:
                print(f"  ! {note.vi} / {note.en}")
            for task in r.tasks:
                print(f"  → {task.text.vi} / {task.text.en}")
    return 0


def add_file_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], iso_date: Any) -> None:
    """Register ``irrigation`` and ``disease`` under ``farm advise``."""
    irr = sub.add_parser(
        "irrigation", help="irrigation advice for one field from a JSON file of daily weather"
    )
    irr.add_argument("--input", required=True, type=Path, help="JSON file (format in docs/advisory.md)")
    irr.add_argument("--date", required=True, type=iso_date, help="day of the advice, YYYY-MM-DD")
    irr.add_argument("--json", action="store_true")
    irr.set_defaults(_handler=_run_irrigation, _parser=irr)
    dis = sub.add_parser("disease", help="disease risk for one field from a JSON file of hourly weather")
    dis.add_argument("--input", required=True, type=Path, help="JSON file (format in docs/advisory.md)")
    dis.add_argument("--crop", required=True, help="crop key, e.g. tomato, rice, cucumber")
    dis.add_argument("--field", default="field", help="field identifier")
    dis.add_argument("--date", required=True, type=iso_date, help="day of the risk, YYYY-MM-DD")
    dis.add_argument("--since", type=iso_date, help="last spray or season start (accumulating models)")
    dis.add_argument("--json", action="store_true")
    dis.set_defaults(_handler=_run_disease, _parser=dis)
