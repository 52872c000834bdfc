"""The storage interface and the records that cross it.

One point per node frame: channel values as fields, per-channel status codes for failed sensors
and per-channel quality flags set by the gateway's range checks (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from common import channels, timezone

# The channel names and which rollups keep a sum: the channel catalogue's (common.channels).
CHANNEL_NAMES = channels.CHANNEL_NAMES
SUM_CHANNELS = channels.SUM_CHANNELS
ROLLUP_CHANNELS = channels.ROLLUP_CHANNELS


@dataclass(slots=True)  # not frozen: ingestion builds 5,000 per batch and a frozen init is 4x slower
class FrameRecord:
    node_id: int
    counter: int
    time_s: int  # sample time, Unix seconds (rebuilt by the gateway from receive time - sample age)
    farm_id: int
    field_id: int
    values: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # channel -> framecodec STATUS_* (non-ok only)
    quality: dict[str, int] = field(default_factory=dict)  # channel -> QUALITY_* bitmask (non-zero only)


@dataclass(slots=True)  # not frozen: reads build thousands per chart, a frozen init is 4x slower
class SeriesPoint:
    time_s: int
    value: float | None
    status: int = 0
    quality: int = 0


@dataclass(slots=True)  # not frozen, like SeriesPoint: a year of daily rows for a field is 3,650
class AggregatePoint:
    """One hourly or daily bucket of one channel; ``sum`` only for summed channels (rain)."""

    time_s: int  # bucket start (daily buckets start at local midnight, UTC+7)
    mean: float | None
    min: float | None
    max: float | None
    count: int
    sum: float | None = None


@dataclass(frozen=True)
class DailyValue:
    """An agronomic daily value of a field (ET0 mm, leaf-wetness hours, GDD °C·d), a first-class series."""

    field_id: int
    day: date
    name: str  # one of DAILY_NAMES
    value: float


RESOLUTIONS = ("raw", "hour", "day")
ROLLUP_RESOLUTIONS = ("hour", "day")
DAILY_NAMES = frozenset({"et0_mm", "leaf_wet_h", "gdd", "rain_mm", "etc_mm"})
LOCAL_OFFSET_S = timezone.UTC_OFFSET_S  # daily buckets start at local midnight (common.timezone)


def check_channels(channels: Iterable[str]) -> None:
    """Both stores refuse an unknown channel the same way (InfluxDB's queries name it in InfluxQL)."""
    for channel in channels:
        if channel not in CHANNEL_NAMES:
            raise ValueError(f"unknown channel {channel!r}")


class RollupLevels:
    """``aggregate`` (per node) and ``aggregate_fields`` (per field) for both stores: the arguments
    are checked here, once, and each store only says how it reads one level's rows
    (``_rollup_rows``, called with at least one id, a known channel and "hour" or "day")."""

    def _rollup_rows(
        self, level: str, ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        raise NotImplementedError

    def _rollups(
        self, level: str, ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        if resolution not in ROLLUP_RESOLUTIONS:
            raise ValueError("resolution must be 'hour' or 'day'")
        check_channels([channel])
        if not ids:
            return {}
        return self._rollup_rows(level, ids, channel, start_s, end_s, resolution)

    def aggregate(
        self, node_ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        return self._rollups("node", node_ids, channel, start_s, end_s, resolution)

    def aggregate_fields(
        self, field_ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        return self._rollups("field", field_ids, channel, start_s, end_s, resolution)


class StoreUnavailable(RuntimeError):
    """The store could not take the write; nothing was acknowledged, so the caller retries."""


class TimeSeriesStore(Protocol):
    def write(self, records: Sequence[FrameRecord]) -> None: ...

    def latest(self, node_ids: Sequence[int]) -> dict[int, FrameRecord]: ...

    def series(self, node_id: int, channel: str, start_s: int, end_s: int) -> list[SeriesPoint]: ...

    def series_many(
        self, node_id: int, channels: Sequence[str], start_s: int, end_s: int
    ) -> dict[str, list[SeriesPoint]]:
        """Several channels of one node in one read (a weather station's four, for the advice)."""
        ...

    def aggregate(
        self, node_ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        """Hourly or daily rollups ("hour" | "day") of one channel for several nodes."""
        ...

    def aggregate_fields(
        self, field_ids: Sequence[int], channel: str, start_s: int, end_s: int, resolution: str
    ) -> dict[int, list[AggregatePoint]]:
        """The same per field: all of a field's nodes in one series (a field dashboard, a commune)."""
        ...

    def write_daily(self, values: Sequence[DailyValue]) -> None: ...

    def daily(self, field_id: int, name: str, start: date, end: date) -> list[DailyValue]: ...

    def maintain(self, now_s: int) -> None:
        """Housekeeping: drop raw data past retention (embedded) or ensure policies and CQs (InfluxDB)."""
        ...

    def close(self) -> None: ...
