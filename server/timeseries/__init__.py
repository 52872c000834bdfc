"""Time-series storage behind one small interface: InfluxDB (v1 HTTP API) or the embedded store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.timeseries.base import AggregatePoint, DailyValue, FrameRecord, SeriesPoint, TimeSeriesStore

if TYPE_CHECKING:
    from server.config import Settings


def open_store(url: str, data_dir: str, settings: Settings | None = None) -> TimeSeriesStore:
    """``embedded`` (SQLite file in the data directory) or ``influx://HOST:PORT/DB``."""
    raw_days = settings.raw_retention_days if settings else 90
    hourly_days = settings.hourly_retention_days if settings else 1825
    if url == "embedded":
        from server.timeseries.embedded import EmbeddedStore

        return EmbeddedStore(f"{data_dir}/timeseries.sqlite", raw_days)
    if url.startswith("influx://"):
        from server.timeseries.influx import InfluxStore

        return InfluxStore.from_url(url, raw_days, hourly_days)
    raise ValueError(f"unknown time-series store {url!r}: use 'embedded' or 'influx://host:port/db'")


__all__ = ["AggregatePoint", "DailyValue", "FrameRecord", "SeriesPoint", "TimeSeriesStore", "open_store"]
