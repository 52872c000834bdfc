"""Good times to spray: forecast hours with little wind, no rain soon after, no heat, in daylight,
and whether spraying then would still let the planned harvest go ahead (the product's PHI).

Pure: it reads ``ForecastHour`` values (``server.advisory.forecast_risk``) and the pesticide
catalogue's PHIs through ``compliance.harvest_lock.entry_phi`` — the same PHI the harvest lock
and the lot gate apply to a recorded spray, so the window and the later lot never disagree.
The product label always prevails over these general limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.harvest_lock import entry_phi
from server.advisory.forecast_risk import LIKELY_PCT, ForecastHour, hour_start
from server.advisory.meteo import wind_speed_2m

#: Wind at spray height: "in the absence of specific label directions, at least 3 and no more than
#: 8 miles per hour" (National Pesticide Safety Education Center, pesticidestewardship.org, "Evaluate
#: the weather"); labels that name a limit commonly say 10 mph. 8 mph = 3.6 m/s. The forecast's wind
#: is at 10 m; it is brought to 2 m with FAO-56 Eq. 47 (``meteo.wind_speed_2m``) before comparing.
WIND_MAX_M_S = 3.6
FORECAST_WIND_HEIGHT_M = 10.0
#: Rain-free time after spraying when the label gives none. Labels state their own (University of
#: Missouri IPM, Warmund 2018, "Rainfastness of pesticides"); rain within 2-3 h washes most of a
#: fungicide off and some wash-off is possible up to 12 h (OMAFRA, onfruit.ca 2020, "Rainfastness
#: of fungicides"). 6 h, past the worst of it, is this project's choice between those bounds.
RAIN_FREE_HOURS = 6
#: A rainy hour: at least 0.2 mm, the resolution of a standard tipping-bucket gauge (WMO-No. 8,
#: Guide to Instruments and Methods of Observation, Vol. I ch. 6), or rain "likely" (the same NWS
#: probability wording the irrigation advice counts rain by, ``forecast_risk.LIKELY_PCT``).
RAIN_MM = 0.2
RAIN_PROBABILITY_PCT = LIKELY_PCT
#: Heat: "stop applying the pesticide when the air temperature reaches 85 degrees" F (Washington
#: State Department of Agriculture advice; the same 85 F cut-off is common label wording, NDSU
#: Extension AE-1210 "Reducing spray drift" on droplet evaporation). 85 F = 29.4 degC; the Vietnamese
#: extension advice "phun vào sáng sớm hoặc chiều mát" says the same.
TEMP_MAX_C = 29.4
#: Daylight when the forecast has no day/night flag: the hours 07:00-17:00 local, inside northern
#: Vietnam's shortest day (about 10 h 50 min at 21 N, FAO-56 Eq. 34: about 06:35-17:25).
DAY_FIRST_HOUR, DAY_LAST_HOUR = 7, 16  # first and last hour that starts in daylight
#: Windows are looked for over the next three days (the forecast's most reliable range).
HOURS_AHEAD = 72


@dataclass(frozen=True)
class Planned:
    """What the farmer means to spray and when the crop is to be harvested, for the PHI check."""

    field_id: str
    crop_key: str
    market: str
    product: str | None = None  # catalogue id or trade name
    label_phi_days: int | None = None  # the PHI printed on the label (the diary's field)
    harvest_on: date | None = None  # the planned harvest (planting record) or a lot's day


@dataclass(frozen=True)
class Window:
    """Consecutive good hours [start, end): spray any time within (wind: the most at 2 m)."""

    start: datetime
    end: datetime
    wind_max_m_s: float
    temp_max_c: float
    phi: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(timespec="minutes"),
            "end": self.end.isoformat(timespec="minutes"),
            "hours": int((self.end - self.start).total_seconds() // 3600),
            "wind_max_m_s": round(self.wind_max_m_s, 1),
            "temp_max_c": round(self.temp_max_c, 1),
            "phi": self.phi,
            "flagged": bool(self.phi and self.phi["flag"]),
        }


def limits() -> dict[str, Any]:
    """The limits used, for the app to word ("gió dưới 4,5 m/s") and the API to document."""
    return {
        "wind_max_m_s": WIND_MAX_M_S,  # at 2 m, like each window's ``wind_max_m_s``
        "rain_free_hours": RAIN_FREE_HOURS,
        "temp_max_c": TEMP_MAX_C,
        "rain_mm": RAIN_MM,
        "rain_probability_pct": RAIN_PROBABILITY_PCT,
    }


def is_rainy(h: ForecastHour) -> bool | None:
    """True/False, or None when the forecast has neither an amount nor a probability."""
    if h.rain_mm is None and h.rain_prob_pct is None:
        return None
    return (h.rain_mm or 0.0) >= RAIN_MM or (h.rain_prob_pct or 0.0) >= RAIN_PROBABILITY_PCT


def _daylight(h: ForecastHour) -> bool:
    if h.is_day is not None:
        return h.is_day
    return DAY_FIRST_HOUR <= h.time.hour <= DAY_LAST_HOUR


def hour_blocker(h: ForecastHour, following: Sequence[ForecastHour | None]) -> str | None:
    """Why an hour is no good ("dark", "wind", "heat", "rain", "unknown"), None when it is good.

    ``following`` are the ``RAIN_FREE_HOURS`` hours after it (None where the forecast ends): a
    spray must stay dry that long, so an hour whose rain-free time is not forecast is "unknown"."""
    if not _daylight(h):
        return "dark"
    if h.wind_m_s is None or h.temp_c is None:
        return "unknown"
    if wind_speed_2m(h.wind_m_s, FORECAST_WIND_HEIGHT_M) > WIND_MAX_M_S:
        return "wind"
    if h.temp_c > TEMP_MAX_C:
        return "heat"
    rain = [is_rainy(x) if x is not None else None for x in (h, *following)]
    if any(rain):
        return "rain"
    if None in rain:
        return "unknown"
    return None


def phi_check(plan: Planned, day: date) -> dict[str, Any] | None:
    """The PHI of spraying ``plan``'s product on ``day`` against its planned harvest, or None when
    there is no product or no harvest date to check. ``flag`` is set when the harvest would fall
    inside the interval (``phi_past_harvest``) or the interval is unknown (``phi_unknown``)."""
    if plan.product is None and plan.label_phi_days is None:
        return None
    entry = SprayEntry("planned", plan.field_id, plan.crop_key, day, plan.product, (), plan.label_phi_days)
    phi = entry_phi(entry, plan.market)
    out: dict[str, Any] = {
        "market": plan.market,
        "phi_days": phi.phi_days,
        "source": phi.source,
        "safe_from": phi.safe_from.isoformat() if phi.safe_from else None,
        "harvest_on": plan.harvest_on.isoformat() if plan.harvest_on else None,
        "flag": None,
    }
    if phi.safe_from is None:
        out["flag"] = "phi_unknown"
    elif plan.harvest_on is not None and phi.safe_from > plan.harvest_on:
        out["flag"] = "phi_past_harvest"
    return out


def spray_windows(
    hours: Sequence[ForecastHour], now: datetime, plan: Planned | None = None
) -> tuple[list[Window], dict[str, int]]:
    """Good spraying windows in the next ``HOURS_AHEAD`` hours, and how many hours each reason
    ruled out (``{"wind": 5, "rain": 20, ...}``, so "no window" can say why)."""
    start = hour_start(now)
    by_time = {h.time: h for h in hours}
    blocked: dict[str, int] = {}
    windows: list[Window] = []
    run: list[ForecastHour] = []

    def close() -> None:
        if run:
            day = run[0].time.date()
            windows.append(
                Window(
                    run[0].time,
                    run[-1].time + timedelta(hours=1),
                    max(wind_speed_2m(h.wind_m_s or 0.0, FORECAST_WIND_HEIGHT_M) for h in run),
                    max(h.temp_c or 0.0 for h in run),
                    phi_check(plan, day) if plan else None,
                )
            )
            run.clear()

    for i in range(HOURS_AHEAD):
        t = start + timedelta(hours=i)
        h = by_time.get(t)
        if h is None:
            why: str | None = "unknown"
        else:
            nxt = [by_time.get(t + timedelta(hours=k)) for k in range(1, RAIN_FREE_HOURS + 1)]
            why = hour_blocker(h, nxt)
        if why is None and h is not None:
            if run and run[0].time.date() != h.time.date():
                close()  # one window per day: a PHI is counted in days
            run.append(h)
            continue
        close()
        blocked[why or "unknown"] = blocked.get(why or "unknown", 0) + 1
    close()
    return windows, blocked
