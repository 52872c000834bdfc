"""The Open-Meteo forecast API (``GET /v1/forecast``): the request, and a strict reading of the answer.

Response shape (https://open-meteo.com/en/docs): ``utc_offset_seconds``, ``hourly_units`` and
``hourly`` with a ``time`` array ("YYYY-MM-DDTHH:MM", local time of the requested ``timezone``) and
one array per variable, ``null`` where a model has no value. Instant variables (temperature,
humidity, wind) are for the time stamp; ``precipitation`` and ``precipitation_probability`` are
for the PRECEDING hour, so the value stamped 10:00 is the rain of 09:00-10:00 and is given to the
hour starting at 09:00 here (the advisory's hours start at their time stamp, like the stores').

Every number is checked: finite, of the requested unit, within physical limits; the times must be
whole, consecutive local hours of the farms' zone. Anything else is ``ForecastInvalid``: the caller
then has no forecast (or its cached one), never a wrong one and never a crash.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from common import timezone
from server.advisory.forecast_risk import ForecastHour

PATH = "/v1/forecast"
INSTANT = ("temperature_2m", "relative_humidity_2m", "wind_speed_10m", "is_day")
PRECEDING = ("precipitation", "precipitation_probability")
VARIABLES = INSTANT[:3] + PRECEDING + ("is_day",)
FORECAST_DAYS = 4  # three days of advice plus the rain-free hours after the last spray window
MAX_HOURS = 16 * 24  # Open-Meteo serves at most 16 forecast days
MAX_BODY_BYTES = 1_000_000  # 4 days x 24 h x 6 variables is about 10 kB; anything huge is refused

#: Physical limits of each variable (unit: the one requested). Temperature: the lowest and highest
#: air temperatures ever measured (-89.2 degC Vostok 1983, 56.7 degC Death Valley 1913; WMO
#: Weather and Climate Extremes Archive). Rain: the world's one-hour record is 305 mm (Holt,
#: Missouri 1947, WMO archive). Wind: the highest surface gust measured, 113 m/s (Barrow Island
#: 1996, WMO archive), bounds any 10 m mean wind. Humidity and probability are percentages.
LIMITS: dict[str, tuple[float, float]] = {
    "temperature_2m": (-90.0, 60.0),
    "relative_humidity_2m": (0.0, 100.0),
    "precipitation": (0.0, 305.0),
    "precipitation_probability": (0.0, 100.0),
    "wind_speed_10m": (0.0, 113.0),
    "is_day": (0.0, 1.0),
}
#: Units accepted per variable, with the factor to the advisory's unit (wind: m/s).
UNITS: dict[str, dict[str, float]] = {
    "temperature_2m": {"°C": 1.0},
    "relative_humidity_2m": {"%": 1.0},
    "precipitation": {"mm": 1.0},
    "precipitation_probability": {"%": 1.0},
    "wind_speed_10m": {"m/s": 1.0, "km/h": 1 / 3.6},
    "is_day": {"": 1.0},
}


TIME_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")


class ForecastInvalid(ValueError):
    """The API's answer cannot be trusted; the message says why (for the logs and the app)."""


def query(lat: float, lon: float) -> dict[str, str]:
    """The request's query string for one location, in the farms' zone, wind in m/s."""
    return {
        "latitude": f"{lat:.4f}",
        "longitude": f"{lon:.4f}",
        "hourly": ",".join(VARIABLES),
        "wind_speed_unit": "ms",
        "timezone": timezone.IANA_NAME,
        "forecast_days": str(FORECAST_DAYS),
    }


def _reject_constant(name: str) -> float:
    raise ForecastInvalid(f"non-finite number {name} in the answer")


def _number(name: str, value: Any, factor: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ForecastInvalid(f"{name}: {value!r} is not a number")
    v = float(value)
    low, high = LIMITS[name]
    if not math.isfinite(v) or not low <= v <= high:
        raise ForecastInvalid(f"{name}: {v} outside {low}..{high}")
    return v * factor


def _times(raw: Any) -> list[datetime]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_HOURS:
        raise ForecastInvalid("hourly.time must be a list of 2 to 384 times")
    out: list[datetime] = []
    for t in raw:
        if not isinstance(t, str) or not TIME_FORMAT.fullmatch(t):
            raise ForecastInvalid(f"hourly.time: {t!r} is not YYYY-MM-DDTHH:MM")
        try:
            dt = datetime.fromisoformat(t)  # the shape is checked above; this checks the calendar
        except ValueError as exc:
            raise ForecastInvalid(f"hourly.time: {t!r} is not a real time") from exc
        if out and dt - out[-1] != timedelta(hours=1):
            raise ForecastInvalid(f"hourly.time: {t} does not follow {out[-1]:%Y-%m-%dT%H:%M} by one hour")
        out.append(dt)
    if out[0].minute:
        raise ForecastInvalid("hourly.time: not whole hours")
    return out


def _series(hourly: dict[str, Any], units: dict[str, Any], name: str, n: int) -> list[float | None]:
    values = hourly.get(name)
    if values is None:
        return [None] * n  # a variable the API does not offer here: unknown, never guessed
    if not isinstance(values, list) or len(values) != n:
        raise ForecastInvalid(f"hourly.{name} must have one value per time")
    unit = str(units.get(name, "")) if isinstance(units, dict) else ""
    if name == "is_day":
        unit = ""
    if unit not in UNITS[name]:
        raise ForecastInvalid(f"hourly.{name}: unit {unit!r} not one of {sorted(UNITS[name])}")
    return [_number(name, v, UNITS[name][unit]) for v in values]


def parse(body: str | bytes, now: datetime | None = None) -> list[ForecastHour]:
    """The forecast hours of one answer, or ``ForecastInvalid``. ``now`` (naive local), when given,
    refuses an answer that ends before it (a stale mirror)."""
    if len(body) > MAX_BODY_BYTES:
        raise ForecastInvalid("answer too large")
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise exc if isinstance(exc, ForecastInvalid) else ForecastInvalid(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ForecastInvalid("the answer is not a JSON object")
    if data.get("error"):
        raise ForecastInvalid(f"the API refused: {str(data.get('reason'))[:200]}")
    if data.get("utc_offset_seconds") != timezone.UTC_OFFSET_S:
        raise ForecastInvalid(f"utc_offset_seconds {data.get('utc_offset_seconds')!r} is not the farms' zone")
    hourly, units = data.get("hourly"), data.get("hourly_units", {})
    if not isinstance(hourly, dict):
        raise ForecastInvalid("no hourly block")
    times = _times(hourly.get("time"))
    n = len(times)
    cols = {name: _series(hourly, units, name, n) for name in (*INSTANT, *PRECEDING)}
    if all(v is None for v in cols["temperature_2m"]):
        raise ForecastInvalid("no temperature at all")
    if now is not None and times[-1] < now:
        raise ForecastInvalid(f"the forecast ended at {times[-1]:%Y-%m-%dT%H:%M}")
    hours = []
    for i, t in enumerate(times[:-1]):  # the last stamp carries only its preceding hour's rain
        day = cols["is_day"][i]
        hours.append(
            ForecastHour(
                time=t,
                temp_c=cols["temperature_2m"][i],
                rh_pct=cols["relative_humidity_2m"][i],
                rain_mm=cols["precipitation"][i + 1],
                rain_prob_pct=cols["precipitation_probability"][i + 1],
                wind_m_s=cols["wind_speed_10m"][i],
                is_day=None if day is None else day >= 0.5,
            )
        )
    return hours


Fetch = Callable[[str, dict[str, str]], str]


def http_fetch(url: str, params: dict[str, str], timeout_s: float = 8.0) -> str:
    """GET ``url`` with ``params``: the body on 200, else ``ForecastInvalid`` (also for any network
    error, timeout or oversized answer), so callers have one failure to handle."""
    import requests

    try:
        with requests.get(url, params=params, timeout=(3.0, timeout_s), stream=True) as r:
            if r.status_code != 200:
                is_json = r.headers.get("content-type", "").startswith("application/json")
                reason = r.text[:200] if is_json else ""
                raise ForecastInvalid(f"HTTP {r.status_code} {reason}".strip())
            chunks, size = [], 0
            for chunk in r.iter_content(65536):
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ForecastInvalid("answer too large")
                chunks.append(chunk)
            return b"".join(chunks).decode("utf-8", errors="strict")
    except requests.RequestException as exc:
        raise ForecastInvalid(f"no answer: {type(exc).__name__}") from exc
    except UnicodeDecodeError as exc:
        raise ForecastInvalid("answer is not UTF-8") from exc
