"""The channel catalogue: per sensor channel its unit, valid physical range, rollup aggregation,
advisory role, chart placement and vi/en label key.

Why here: the gateway's range checks, the server's ingestion bounds, both stores' rollups, the
advice and the web app's charts all need these facts, and before this module each kept its own
copy (adding a channel meant editing about 25 files). The channel ids, wire units and scales stay
in ``firmware/lib/framecodec.py`` (the wire format's home, which runs on MicroPython); this module
adds everything else and refuses to load if a wire channel has no entry or an entry has no wire
channel. The web app reads the catalogue from ``GET /api/v1/channels``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from firmware.lib.framecodec import CHANNELS as WIRE_CHANNELS


class Aggregation(StrEnum):
    """How hourly and daily rollups summarise a channel (all keep mean, min, max and count)."""

    MEAN = "mean"  # a state: the mean over the bucket is the value to show
    SUM = "sum"  # an amount per sample (rain per interval): the bucket's total is the value
    NONE = "none"  # bookkeeping (config version): not rolled up


class Role(StrEnum):
    """What the advice uses a channel for."""

    IRRIGATION = "irrigation"  # soil water balance, AWD
    WEATHER = "weather"  # ET0, GDD, rain; lent by a farm's station to its other fields
    DISEASE = "disease"  # leaf wetness for the disease models (also lent by the station)
    SOIL = "soil"  # soil chemistry: shown, not yet advised on
    NODE_HEALTH = "node_health"  # battery, radio link, config: the fleet screens
    CALIBRATION = "calibration"  # raw probe output for the technician's calibration


@dataclass(frozen=True)
class Channel:
    key: str
    wire_id: int
    unit: str  # the wire unit (framecodec), the unit every stored value is in
    valid: tuple[float, float] | None  # physically plausible range; outside: flagged, never dropped
    aggregation: Aggregation
    role: Role
    display_unit: str = ""  # what the app prints after the number ("" = ``unit``)
    display_scale: float = 1.0  # stored value × scale = displayed value (m³/m³ → %)
    digits: int = 1  # decimals shown
    chart: str | None = None  # the node kind whose chart shows this channel on the field screen
    stuck_check: bool = False  # identical repeats mean a stuck probe (values always jitter)

    @property
    def label_key(self) -> str:
        """The i18n key of the channel's name in ``mobile_api/static/i18n/{vi,en}.json``."""
        return f"ch_{self.key}"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "wire_id": self.wire_id,
            "unit": self.unit,
            "display_unit": self.display_unit or self.unit,
            "display_scale": self.display_scale,
            "digits": self.digits,
            "valid_min": self.valid[0] if self.valid else None,
            "valid_max": self.valid[1] if self.valid else None,
            "aggregation": self.aggregation.value,
            "role": self.role.value,
            "label_key": self.label_key,
            "chart": self.chart,
        }


A, R = Aggregation, Role
# key -> the facts the wire table does not carry. Ranges are physical bounds for northern-Vietnam
# field nodes: sensor datasheet ranges narrowed to the climate (Vĩnh Phúc's air temperature record
# range is about 2-42 °C).
_FACTS: dict[str, dict[str, Any]] = {
    # saturated paddy clay is about 0.55 m³/m³ (FAO-56 Table 19 class limits)
    "soil_vwc": dict(valid=(0.0, 0.65), aggregation=A.MEAN, role=R.IRRIGATION, display_unit="%",
                     display_scale=100.0, digits=0, chart="soil"),
    "soil_temp": dict(valid=(0.0, 50.0), aggregation=A.MEAN, role=R.SOIL, display_unit="°C",
                      stuck_check=True),
    "air_temp": dict(valid=(-5.0, 48.0), aggregation=A.MEAN, role=R.WEATHER, display_unit="°C",
                     chart="weather", stuck_check=True),
    "air_rh": dict(valid=(5.0, 100.0), aggregation=A.MEAN, role=R.WEATHER, digits=0, stuck_check=True),
    "rain": dict(valid=(0.0, 150.0), aggregation=A.SUM, role=R.WEATHER, chart="weather"),  # per interval
    "wind_speed": dict(valid=(0.0, 50.0), aggregation=A.MEAN, role=R.WEATHER),
    "battery": dict(valid=(2.8, 4.35), aggregation=A.MEAN, role=R.NODE_HEALTH, digits=2),  # Li-ion 18650
    "soil_ec": dict(valid=(0.0, 20000.0), aggregation=A.MEAN, role=R.SOIL, display_unit="µS/cm", digits=0),
    "soil_ph": dict(valid=(3.0, 9.5), aggregation=A.MEAN, role=R.SOIL, display_unit=""),
    # RS485 NPK probes report 0-1999 or 0-2999 mg/kg, resolution 1 (JXCT JXBS-3001 manual, DFRobot
    # SEN0601 wiki; ../shared/reference/node-hardware.md, soil sensor table)
    "soil_n": dict(valid=(0.0, 2999.0), aggregation=A.MEAN, role=R.SOIL, digits=0),
    "soil_p": dict(valid=(0.0, 2999.0), aggregation=A.MEAN, role=R.SOIL, digits=0),
    "soil_k": dict(valid=(0.0, 2999.0), aggregation=A.MEAN, role=R.SOIL, digits=0),
    # received power: LoRa sensitivity bottoms out near -148 dBm (Semtech SX1276/SX1262 datasheets,
    # SF12/125 kHz); no receiver reads above 0 dBm (the radios' maximum input level is 0 to +10 dBm
    # and a node's link is never that close); the ESP32 Wi-Fi RSSI lies inside the same span
    "rssi": dict(valid=(-150.0, 0.0), aggregation=A.MEAN, role=R.NODE_HEALTH, digits=0),
    # ESP32 ADC input: absolute maximum 3.6 V (ESP32 datasheet; node-hardware.md, MicroPython ADC
    # row); readings outside the 150-2450 mV linear window stay valid calibration evidence
    "soil_raw": dict(valid=(0.0, 3600.0), aggregation=A.MEAN, role=R.CALIBRATION, digits=0),
    # % of the sample interval the sensor was wet; hourly mean × 60 / 100 = wet minutes in the hour
    "leaf_wetness": dict(valid=(0.0, 100.0), aggregation=A.MEAN, role=R.DISEASE, digits=0, chart="weather"),
    # AWD pipe reading relative to the soil surface
    "water_level": dict(valid=(-40.0, 40.0), aggregation=A.MEAN, role=R.IRRIGATION),
    # ground-level irradiance stays under the solar constant (1361 W/m², Kopp & Lean 2011) except in
    # brief cloud-edge enhancement, hence 1500
    "solar_radiation": dict(valid=(0.0, 1500.0), aggregation=A.MEAN, role=R.WEATHER, display_unit="W/m²",
                            digits=0),
    # the wire carries it as an unsigned 16-bit count (firmware/lib/framecodec.py, ">H", scale 1)
    "config_version": dict(valid=(0.0, 65535.0), aggregation=A.NONE, role=R.NODE_HEALTH, digits=0),
    # LoRa packet SNR is a signed byte in 0.25 dB steps: -32 to +31.75 dB (SX1276 datasheet
    # RegPktSnrValue; node-hardware.md, micropython-lib lora row: "snr (dB×4)")
    "snr": dict(valid=(-32.0, 32.0), aggregation=A.MEAN, role=R.NODE_HEALTH),
}  # fmt: skip


def _build() -> dict[str, Channel]:
    wire = {spec[0]: (cid, spec[1]) for cid, spec in WIRE_CHANNELS.items()}
    if set(wire) != set(_FACTS):
        missing, extra = sorted(set(wire) - set(_FACTS)), sorted(set(_FACTS) - set(wire))
        raise RuntimeError(f"channel catalogue out of step with the wire table: no entry {missing}, "
                           f"no wire channel {extra}")  # fmt: skip
    return {
        key: Channel(key, wire[key][0], wire[key][1], **_FACTS[key])
        for key in sorted(wire, key=lambda k: wire[k][0])
    }


CATALOGUE: dict[str, Channel] = _build()
CHANNEL_NAMES = frozenset(CATALOGUE)
#: Channels whose rollups also keep a sum (rain).
SUM_CHANNELS = frozenset(k for k, c in CATALOGUE.items() if c.aggregation is Aggregation.SUM)
#: Channels the rollups summarise at all.
ROLLUP_CHANNELS = frozenset(k for k, c in CATALOGUE.items() if c.aggregation is not Aggregation.NONE)
#: Valid physical range per checked channel (the gateway flags, ingestion re-flags).
VALID_RANGES: dict[str, tuple[float, float]] = {k: c.valid for k, c in CATALOGUE.items() if c.valid}
STUCK_CHANNELS = frozenset(k for k, c in CATALOGUE.items() if c.stuck_check)
#: Channels a farm's weather station lends to the farm's other fields (weather and leaf wetness).
STATION_CHANNELS = frozenset(k for k, c in CATALOGUE.items() if c.role in (Role.WEATHER, Role.DISEASE))


def channel(key: str) -> Channel:
    """The catalogue entry of ``key`` (KeyError for an unknown channel)."""
    return CATALOGUE[key]


def catalogue_json() -> list[dict[str, Any]]:
    """The catalogue as the web app reads it, in wire-id order."""
    return [c.as_json() for c in CATALOGUE.values()]


class ThresholdError(ValueError):
    """An alarm threshold pair the node cannot use; ``code`` and ``params`` name the rule for the
    apps' i18n catalogues (``err_<code>``), the message is the English reason."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params


def check_threshold(key: str, low: Any, high: Any) -> tuple[float, float]:
    """The node's alarm thresholds ``[low, high]`` for channel ``key``, in the channel's wire unit
    (soil water content in m³/m³, never percent), inside its valid range and low below high.

    The one home of these rules: the config API refuses with them and the technician's form reads the
    unit, scale and range from ``GET /api/v1/channels`` (issue 18: "low above high" and "35 where
    0.35 was meant" were accepted)."""
    if key not in CATALOGUE:
        raise ThresholdError("threshold_channel", f"no channel {key!r}", channel=key)
    ch = CATALOGUE[key]
    try:
        lo, hi = float(low), float(high)
    except (TypeError, ValueError):
        message = f"thresholds.{key} must be two numbers"
        raise ThresholdError("threshold_number", message, channel=key) from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ThresholdError("threshold_number", f"thresholds.{key} must be finite numbers", channel=key)
    if ch.valid is not None:
        vmin, vmax = ch.valid
        if not (vmin <= lo <= vmax and vmin <= hi <= vmax):
            # a fraction (m³/m³) never reaches 1: both at 1 or above, within the displayed range, is
            # the displayed unit (percent) typed where the node's unit was expected
            scaled = (vmin * ch.display_scale, vmax * ch.display_scale)
            if ch.display_scale != 1.0 and all(max(1.0, scaled[0]) <= v <= scaled[1] for v in (lo, hi)):
                raise ThresholdError(
                    "threshold_scaled",
                    f"thresholds.{key} look like {ch.display_unit}: send {ch.unit}"
                    f" (divide by {ch.display_scale:g})",
                    channel=key, unit=ch.unit, display_unit=ch.display_unit, scale=ch.display_scale,
                )  # fmt: skip
            raise ThresholdError(
                "threshold_range", f"thresholds.{key} must lie in {vmin:g}-{vmax:g} {ch.unit}",
                channel=key, min=vmin, max=vmax, unit=ch.unit,
            )  # fmt: skip
    if not lo < hi:
        raise ThresholdError("threshold_order", f"thresholds.{key}: low {lo:g} must be below high {hi:g}",
                             channel=key)  # fmt: skip
    return lo, hi
