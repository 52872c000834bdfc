"""Simulated sensor nodes: they sample the demo weather and encode frames with the real codec."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import cast

from demo.weather import FieldWeather
from firmware.lib import framecodec as fc
from firmware.lib import nodeconfig

CH = fc.CHANNEL_IDS


def raw_mv(vwc: float, cal: dict[str, float] | None = None) -> float:
    """The probe output (mV) that reads as ``vwc`` under a two-point calibration: the firmware's
    default one (nodeconfig.DEFAULTS, the one a node runs before it is calibrated), inverted.

    A real node sends the ADC reading and computes the water content from it; the demo computes
    the water content from its weather model, so the raw value is derived the other way round. The
    ADC's linear range (150-2450 mV, firmware/drivers/soil.py) bounds it, as on a node."""
    c = cal or cast(dict[str, float], nodeconfig.DEFAULTS["soil_cal"])
    uv = c["dry_uv"] + (vwc - c["dry_vwc"]) * (c["wet_uv"] - c["dry_uv"]) / (c["wet_vwc"] - c["dry_vwc"])
    return float(min(max(round(uv / 1000), 150), 2450))


@dataclass
class SimNode:
    node_id: int
    key: bytes
    kind: str  # soil | weather
    weather: FieldWeather
    fault_rate: float = 0.02  # share of samples where a sensor fails (loose connector, wet probe)
    counter: int = 0
    battery_v: float = 4.05
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.node_id)

    def sample(self, t: int, interval_s: int) -> list[tuple[int, float | None, int]]:
        rain, vwc = self.weather.advance(t, interval_s)
        temp, rh = self.weather.air(t)
        self.battery_v = max(3.3, self.battery_v - 0.00002 * interval_s / 60)
        soil_temp = round(temp * 0.6 + 9.0, 2)
        readings: list[tuple[int, float | None, int]] = [
            (CH["soil_vwc"], vwc, fc.STATUS_OK),
            (CH["soil_temp"], soil_temp, fc.STATUS_OK),
            (CH["battery"], round(self.battery_v, 3), fc.STATUS_OK),
            (CH["rssi"], -60 - self._rng.randint(0, 25), fc.STATUS_OK),
        ]
        if self.kind == "weather":
            readings += [
                (CH["air_temp"], temp, fc.STATUS_OK),
                (CH["air_rh"], rh, fc.STATUS_OK),
                (CH["rain"], rain, fc.STATUS_OK),
                (CH["wind_speed"], round(abs(self._rng.gauss(1.6, 0.8)), 2), fc.STATUS_OK),
            ]
        if self._rng.random() < self.fault_rate:  # a failed sensor reports its status, never a zero
            i = self._rng.randrange(len(readings) - 2)
            cid = readings[i][0]
            readings[i] = (cid, None, self._rng.choice((fc.STATUS_TIMEOUT, fc.STATUS_CRC, fc.STATUS_FAULT)))
        # the raw probe value rides along in every frame, as the firmware's default config sends it
        # (nodeconfig "soil_raw"); it is what the ADC read, so it stays even when the water content
        # is reported as failed
        readings.append((CH["soil_raw"], raw_mv(vwc), fc.STATUS_OK))
        return readings

    def frame(
        self, sampled_at: int, sent_at: int, readings: list[tuple[int, float | None, int]], flags: int = 0
    ) -> bytes:
        self.counter += 1
        return fc.encode(self.key, self.node_id, self.counter, sent_at - sampled_at, readings, flags)
