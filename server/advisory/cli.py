"""Command line: ``farm advise et0|irrigation|disease``.

``register(subparsers)`` is called by the project CLI (``cli/main.py``), which runs the ``func`` each
sub-command sets and turns an :class:`AdvisoryInputError` into one line on stderr and exit status 2.
``python -m server.advisory.cli advise et0 ...`` works on its own through ``main(argv)``.
Values are checked twice on purpose: each number at parse time against its physical range, then the
combinations (Tmin not above Tmax, one humidity input, Rs below the clear-sky maximum) before
anything is computed. The ranges and the physical combinations come from
``server.advisory.plausibility``, the one place the HTTP API uses too.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from datetime import date

from common.language import LANGS, format_number
from server.advisory import meteo, plausibility
from server.advisory.cli_files import add_file_commands
from server.advisory.errors import AdvisoryInputError
from server.advisory.et0 import DailyWeather, Et0Method, Et0Result, Site, daily_et0


def _bounded(low: float, high: float, unit: str) -> Callable[[str], float]:
    """argparse type: a finite float in [low, high] (``nan`` and ``inf`` parse but are no reading)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value:g} outside [{low:g}, {high:g}] {unit}".rstrip())
        return value

    return parse


def _limit(name: str) -> Callable[[str], float]:
    """argparse type for an input with a physical range in ``plausibility.LIMITS``."""
    limit = plausibility.LIMITS[name]
    return _bounded(limit.low, limit.high, limit.unit)


def iso_date(text: str) -> date:
    """argparse type: a calendar day ``YYYY-MM-DD`` between 1900 and 2100."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None
    if not 1900 <= day.year <= 2100:
        raise argparse.ArgumentTypeError(f"date {text} is outside the years 1900-2100")
    return day


def _add_et0(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "et0",
        help="daily reference evapotranspiration ET0 (FAO-56) from values on the command line",
        description="Daily ET0 by FAO-56 Penman-Monteith; missing humidity, wind or radiation "
        "are estimated by the FAO-56 rules and listed as estimated.",
    )
    p.add_argument("--date", required=True, type=iso_date, help="day, YYYY-MM-DD (required)")
    p.add_argument("--lat", required=True, type=_limit("lat_deg"), help="latitude, degrees, N > 0 (required)")
    p.add_argument(
        "--elevation",
        required=True,
        type=_limit("elevation_m"),
        help="elevation above sea level, m (required)",
    )
    p.add_argument(
        "--tmax", required=True, type=_limit("tmax_c"), help="maximum air temperature, °C (required)"
    )
    p.add_argument(
        "--tmin", required=True, type=_limit("tmin_c"), help="minimum air temperature, °C (required)"
    )
    p.add_argument(
        "--rh-max",
        type=_limit("rh_max"),
        help="maximum relative humidity, %%, 0-100 (default: none; humidity then from --ea or Tmin)",
    )
    p.add_argument(
        "--rh-min",
        type=_limit("rh_min"),
        help="minimum relative humidity, %%, 0-100; needs --rh-max (default: none)",
    )
    p.add_argument(
        "--ea",
        type=_limit("ea_kpa"),
        help="actual vapour pressure, kPa, instead of humidity (default: none; from RH or Tmin)",
    )
    p.add_argument(
        "--wind",
        type=_limit("wind_m_s"),
        help="mean wind speed, m/s (default: none; 2 m/s is assumed, FAO-56)",
    )
    p.add_argument(
        "--wind-height",
        type=_limit("wind_height_m"),
        help="anemometer height above ground, m; needs --wind (default: 2)",
    )
    p.add_argument(
        "--sunshine",
        type=_limit("sunshine_h"),
        help="actual sunshine duration, hours (default: none; radiation then from --rs or temperatures)",
    )
    p.add_argument(
        "--rs",
        type=_limit("rs_mj_m2"),
        help="measured solar radiation, MJ/m2/day (default: none; from sunshine or temperatures)",
    )
    p.add_argument(
        "--soil-heat-flux",
        type=_limit("soil_heat_flux_mj_m2"),
        default=0.0,
        help="soil heat flux G, MJ/m2/day; 0 for a day, FAO-56 Eq. 42 (default: %(default)s)",
    )
    p.add_argument(
        "--krs",
        type=_bounded(0.1, 0.25, ""),
        default=0.16,
        help="Hargreaves radiation coefficient: 0.16 interior, 0.19 coastal, FAO-56 Eq. 50 "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--method",
        choices=[m.value for m in Et0Method],
        default=Et0Method.FAO56_PM.value,
        help="equation: FAO-56 Penman-Monteith or Hargreaves (temperatures only) (default: %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print JSON with the intermediate values")
    p.set_defaults(func=_run_et0)


def _validate_et0(args: argparse.Namespace) -> None:
    """Combinations of arguments that no single argument type can see; each names the options."""
    plausibility.check_day(
        args.date,
        args.lat,
        args.elevation,
        {
            "tmax_c": args.tmax,
            "tmin_c": args.tmin,
            "rh_max": args.rh_max,
            "rh_min": args.rh_min,
            "wind_m_s": args.wind,
            "rs_mj_m2": args.rs,
        },
    )
    if args.ea is not None and (args.rh_max is not None or args.rh_min is not None):
        raise AdvisoryInputError("--ea conflicts with --rh-max/--rh-min: give one humidity input")
    if args.rh_min is not None and args.rh_max is None:
        raise AdvisoryInputError("--rh-min needs --rh-max (FAO-56 Eq. 17); RHmax alone is allowed (Eq. 18)")
    if args.sunshine is not None and args.rs is not None:
        raise AdvisoryInputError("--sunshine conflicts with --rs: give one radiation input")
    if args.wind_height is not None and args.wind is None:
        raise AdvisoryInputError("--wind-height needs --wind")
    if args.ea is not None and args.ea > meteo.sat_vapour_pressure(args.tmax):
        es_max = meteo.sat_vapour_pressure(args.tmax)
        raise AdvisoryInputError(
            f"--ea {args.ea:g} kPa is above the saturation vapour pressure at --tmax ({es_max:.3f} kPa)"
        )


def _et0_table(result: Et0Result, args: argparse.Namespace) -> str:
    t = result.terms
    rows: list[tuple[str, float | None, str, int]] = [
        ("ET0 (bốc thoát hơi nước tham chiếu / reference ET)", result.et0_mm, "mm/ngày · mm/day", 2),
        ("Nhiệt độ TB / mean temperature", t.tmean_c, "°C", 1),
        ("Δ độ dốc áp suất hơi / slope of vapour pressure", t.delta_kpa_per_c, "kPa/°C", 4),
        ("γ hằng số ẩm kế / psychrometric constant", t.gamma_kpa_per_c, "kPa/°C", 4),
        ("es áp suất hơi bão hòa / saturation vapour pressure", t.es_kpa, "kPa", 3),
        ("ea áp suất hơi thực tế / actual vapour pressure", t.ea_kpa, "kPa", 3),
        ("u2 tốc độ gió ở 2 m / wind at 2 m", t.u2_m_s, "m/s", 2),
        ("Ra bức xạ ngoài khí quyển / extraterrestrial", t.ra_mj_m2, "MJ/m²/ngày", 2),
        ("Rs bức xạ mặt trời / solar radiation", t.rs_mj_m2, "MJ/m²/ngày", 2),
        ("Rso bức xạ trời quang / clear-sky radiation", t.rso_mj_m2, "MJ/m²/ngày", 2),
        ("Rn bức xạ thuần / net radiation", t.rn_mj_m2, "MJ/m²/ngày", 2),
        ("G thông lượng nhiệt đất / soil heat flux", t.g_mj_m2, "MJ/m²/ngày", 2),
    ]
    lines = [f"Ngày / date: {args.date.isoformat()}   Phương pháp / method: {result.method.value}"]
    for label, value, unit, decimals in rows:
        if value is None:
            continue
        first, *others = (format_number(value, decimals, lang) for lang in LANGS)
        lines.append(f"{label:<56} {first:>10}  ({', '.join(others)}) {unit}")
    estimated = ", ".join(result.estimated) if result.estimated else "—"
    lines.append(f"Ước lượng / estimated: {estimated}")
    for name, how in result.sources.items():
        lines.append(f"  {name}: {how}")
    for note in result.notes:
        lines.append(f"  ! {note}")
    return "\n".join(lines)


def et0_json(result: Et0Result, args: argparse.Namespace) -> dict[str, object]:
    """The ``--json`` document: ET0, method and every intermediate value with its unit in the key."""
    t = result.terms

    def r(value: float | None, nd: int = 4) -> float | None:
        return None if value is None else round(value, nd)

    return {
        "date": args.date.isoformat(),
        "day_of_year": args.date.timetuple().tm_yday,
        "et0_mm": round(result.et0_mm, 2),
        "method": result.method.value,
        "estimated": list(result.estimated),
        "sources": dict(result.sources),
        "notes": list(result.notes),
        "tmean_c": r(t.tmean_c, 2),
        "pressure_kpa": r(t.pressure_kpa, 2),
        "delta_kpa_per_c": r(t.delta_kpa_per_c),
        "gamma_kpa_per_c": r(t.gamma_kpa_per_c),
        "es_kpa": r(t.es_kpa),
        "ea_kpa": r(t.ea_kpa),
        "vpd_kpa": None if t.es_kpa is None or t.ea_kpa is None else round(t.es_kpa - t.ea_kpa, 4),
        "u2_m_s": r(t.u2_m_s, 3),
        "daylight_hours": r(t.daylight_hours, 2),
        "ra_mj_m2_day": r(t.ra_mj_m2, 3),
        "rs_mj_m2_day": r(t.rs_mj_m2, 3),
        "rso_mj_m2_day": r(t.rso_mj_m2, 3),
        "rns_mj_m2_day": r(t.rns_mj_m2, 3),
        "rnl_mj_m2_day": r(t.rnl_mj_m2, 3),
        "rn_mj_m2_day": r(t.rn_mj_m2, 3),
        "g_mj_m2_day": r(t.g_mj_m2, 3),
    }


def _run_et0(args: argparse.Namespace) -> int:
    _validate_et0(args)
    weather = DailyWeather(
        day=args.date,
        tmax_c=args.tmax,
        tmin_c=args.tmin,
        rh_max=args.rh_max,
        rh_min=args.rh_min,
        ea_kpa=args.ea,
        wind_m_s=args.wind,
        wind_height_m=args.wind_height or 2.0,
        sunshine_h=args.sunshine,
        rs_mj_m2=args.rs,
        soil_heat_flux_mj_m2=args.soil_heat_flux,
    )
    site = Site(lat_deg=args.lat, elevation_m=args.elevation, krs=args.krs)
    result = daily_et0(weather, site, Et0Method(args.method))  # AdvisoryInputError: exit 2, one line
    if args.json:
        print(json.dumps(et0_json(result, args), ensure_ascii=False, indent=2))
    else:
        print(_et0_table(result, args))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``advise`` command and its sub-commands to the project CLI."""
    advise = subparsers.add_parser(
        "advise",
        help="agronomic advisories (ET0, irrigation, disease risk)",
        description="FAO-56 ET0 by hand, irrigation advice and weather-driven disease risk.",
    )
    sub = advise.add_subparsers(dest="advise_command", metavar="{et0,irrigation,disease}")
    sub.required = True
    _add_et0(sub)
    add_file_commands(sub, iso_date)


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m server.advisory.cli advise et0 ...``.

    Only the advisory package is loaded (the package may not import the ``cli`` entry points), so
    a handler's input error is caught here as ``farm`` does it: one line, exit 2. Argument errors
    show argparse's usage block; the installed ``farm`` prints those on one line too.
    """
    parser = argparse.ArgumentParser(prog="farm")
    sub = parser.add_subparsers(dest="command", metavar="{advise}")
    sub.required = True
    register(sub)
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except AdvisoryInputError as exc:
        print(f"farm advise {args.advise_command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
