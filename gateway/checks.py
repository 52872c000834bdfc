"""Plausibility checks that flag values (never drop them): out of range, stuck, sensor fault."""

from __future__ import annotations

from dataclasses import dataclass

from common.channels import STUCK_CHANNELS, VALID_RANGES
from common.quality import QUALITY_OUT_OF_RANGE, QUALITY_STUCK

# The physical ranges and the stuck-checked channels are the channel catalogue's (common.channels).
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


def quality_flags(values: dict[str, float], trackers: dict[str, StuckTracker]) -> dict[str, int]:
    """Quality bitmask per flagged channel (unflagged channels are absent); runs once per frame."""
    flags: dict[str, int] = {}
    for channel, value in values.items():
        lo, hi = VALID_RANGES.get(channel, _NO_BOUNDS)
        q = 0 if lo <= value <= hi else QUALITY_OUT_OF_RANGE
        if channel in STUCK_CHANNELS:
            tracker = trackers.get(channel)
            if tracker is None:
                tracker = trackers[channel] = StuckTracker()
            if tracker.update(value):
                q |= QUALITY_STUCK
        if q:
            flags[channel] = q
    return flags
