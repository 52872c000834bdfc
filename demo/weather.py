"""Plausible weather and soil signals for the demo nodes (deterministic for a given seed).

Shapes, not measurements: air temperature follows a diurnal curve (minimum near sunrise,
maximum mid-afternoon), RH moves opposite to temperature, rain comes in showers, and soil
moisture dries by evapotranspiration between rain and irrigation events.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from common.timezone import UTC_OFFSET_S

DAY_S = 86400


@dataclass
class SoilBucket:
    """A one-layer soil water store, in m³/m³, with field capacity and refill point."""

    vwc: float
    field_capacity: float = 0.38  # silty clay loam (FAO-56 Table 19)
    wilting_point: float = 0.20
    depth_mm: float = 300.0

    def step(self, et_mm: float, water_mm: float) -> None:
        self.vwc += (water_mm - et_mm) / self.depth_mm
        self.vwc = min(max(self.vwc, self.wilting_point - 0.04), 0.52)
        if self.vwc > self.field_capacity:  # drainage above field capacity within a day
            self.vwc -= (self.vwc - self.field_capacity) * 0.15


@dataclass
class FieldWeather:
    seed: int
    paddy: bool = False
    bucket: SoilBucket = field(default_factory=lambda: SoilBucket(0.31))
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        if self.paddy:
            self.bucket = SoilBucket(0.47, field_capacity=0.50, wilting_point=0.30)

    def air(self, t: int) -> tuple[float, float]:
        """Air temperature (°C) and relative humidity (%) at Unix time ``t``."""
        local_h = ((t + UTC_OFFSET_S) % DAY_S) / 3600
        day = (t + UTC_OFFSET_S) // DAY_S
        base = 19.0 + 3.0 * math.sin(day * 0.7 + self.seed)  # late-November northern Vietnam
        amplitude = 4.5
        temp = base + amplitude * math.cos((local_h - 14.5) / 24 * 2 * math.pi) + self._rng.gauss(0, 0.25)
        rh = 92 - (temp - base + amplitude) * 5.0 + self._rng.gauss(0, 1.2)
        return round(temp, 2), round(min(max(rh, 35.0), 100.0), 1)

    def rain_mm(self, t: int, interval_s: int) -> float:
        """Showers on some afternoons: a deterministic hash of the day decides."""
        day = (t + UTC_OFFSET_S) // DAY_S
        local_h = ((t + UTC_OFFSET_S) % DAY_S) / 3600
        if random.Random(day * 7919 + self.seed // 7).random() < 0.3 and 15 <= local_h < 17:
            return round(6.0 * interval_s / 3600 * (0.5 + random.Random(t).random()), 1)
        return 0.0

    def advance(self, t: int, interval_s: int) -> tuple[float, float]:
        """Move the soil bucket forward one interval; returns (rain mm, soil vwc)."""
        temp, _rh = self.air(t)
        local_h = ((t + UTC_OFFSET_S) % DAY_S) / 3600
        daylight = max(0.0, math.sin((local_h - 6) / 12 * math.pi))
        et_mm = 0.35 * daylight * max(temp - 5, 0) / 15 * interval_s / 3600
        rain = self.rain_mm(t, interval_s)
        irrigation = 0.0
        if self.bucket.vwc < self.bucket.wilting_point + 0.05 and 6 <= local_h < 7:
            irrigation = 25.0 * interval_s / 3600  # the farmer irrigates in the early morning
        self.bucket.step(et_mm, rain + irrigation)
        return rain, round(self.bucket.vwc + self._rng.gauss(0, 0.002), 4)
