"""Plausibility checks that flag values (never drop them): out of range, stuck, sensor fault."""

from __future__ import annotations

from dataclasses import dataclass

from common.quality import QUALITY_OUT_OF_RANGE, QUALITY_STUCK

# Physically plausible bounds for northern Vietnam field nodes (sensor datasheet ranges narrowed
# to the climate: Vĩnh Phúc air temperature record range is about 2-42 °C).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "soil_vwc": (0.0, 0.65),  # saturated paddy clay is about 0.55 m³/m³ (FAO-56 Table 19 class limits)
    "soil_temp": (0.0, 50.0),
    "air_temp": (-5.0, 48.0),
    "air_rh": (5.0, 100.0),
    "rain": (0.0, 150.0),  # per reporting interval
    "wind_speed": (0.0, 50.0),
    "battery": (2.8, 4.35),  # Li-ion 18650 cell limits
    "soil_ec": (0.0, 20000.0),
    "soil_ph": (3.0, 9.5),
    "leaf_wetness": (0.0, 100.0),
    "water_level": (-40.0, 40.0),  # AWD pipe reading relative to the soil surface
}
# Channels whose readings always jitter: an identical value for this many frames means a stuck sensor.
STUCK_CHANNELS = ("air_temp", "air_rh", "soil_temp")
STUCK_REPEATS = 12


@dataclass
class StuckTracker:
    """Last value and repeat count per (node, channel); lives in the gateway's node state."""

    last: float | None = None
    repeats: int = 0

    def update(self, value: float) -> bool:
        if value == self.last:
            self.repeats += 1
        else:
            self.last, self.repeats = value, 1
        return self.repeats >= STUCK_REPEATS


_NO_BOUNDS = (float("-inf"), float("inf"))
_STUCK = frozenset(STUCK_CHANNELS)


def quality_flags(values: dict[str, float], trackers: dict[str, StuckTracker]) -> dict[str, int]:
    """Quality bitmask per flagged channel (unflagged channels are absent); runs once per frame."""
    flags: dict[str, int] = {}
    for channel, value in values.items():
        lo, hi = PLAUSIBLE.get(channel, _NO_BOUNDS)
        q = 0 if lo <= value <= hi else QUALITY_OUT_OF_RANGE
        if channel in _STUCK:
            tracker = trackers.get(channel)
            if tracker is None:
                tracker = trackers[channel] = StuckTracker()
            if tracker.update(value):
                q |= QUALITY_STUCK
        if q:
            flags[channel] = q
    return flags
