"""The storage interface and the records that cross it.

One point per node frame: channel values as fields, per-channel status codes for failed sensors
and per-channel quality flags set by the gateway's range checks (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from firmware.lib.framecodec import CHANNEL_IDS

CHANNEL_NAMES = frozenset(CHANNEL_IDS)

# Quality flags (bitmask) the gateway sets per channel; flagged values are kept, not dropped.
QUALITY_OUT_OF_RANGE = 1
QUALITY_STUCK = 2
QUALITY_SENSOR_FAULT = 4


@dataclass(frozen=True)
class FrameRecord:
    node_id: int
    counter: int
    time_s: int  # sample time, Unix seconds (rebuilt by the gateway from receive time - sample age)
    farm_id: int
    field_id: int
    values: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # channel -> framecodec STATUS_* (non-ok only)
    quality: dict[str, int] = field(default_factory=dict)  # channel -> QUALITY_* bitmask (non-zero only)


@dataclass(frozen=True)
class SeriesPoint:
    time_s: int
    value: float | None
    status: int = 0
    quality: int = 0


class StoreUnavailable(RuntimeError):
    """The store could not take the write; nothing was acknowledged, so the caller retries."""


class TimeSeriesStore(Protocol):
    def write(self, records: Sequence[FrameRecord]) -> None: ...

    def latest(self, node_ids: Sequence[int]) -> dict[int, FrameRecord]: ...

    def series(self, node_id: int, channel: str, start_s: int, end_s: int) -> list[SeriesPoint]: ...

    def close(self) -> None: ...
