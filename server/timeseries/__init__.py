"""Time-series storage behind one small interface: InfluxDB (v1 HTTP API) or the embedded store."""

from __future__ import annotations

from server.timeseries.base import FrameRecord, SeriesPoint, TimeSeriesStore


def open_store(url: str, data_dir: str) -> TimeSeriesStore:
    """``embedded`` (SQLite file in the data directory) or ``influx://HOST:PORT/DB``."""
    if url == "embedded":
        from server.timeseries.embedded import EmbeddedStore

        return EmbeddedStore(f"{data_dir}/timeseries.sqlite")
    if url.startswith("influx://"):
        from server.timeseries.influx import InfluxStore

        return InfluxStore.from_url(url)
    raise ValueError(f"unknown time-series store {url!r}: use 'embedded' or 'influx://host:port/db'")


__all__ = ["FrameRecord", "SeriesPoint", "TimeSeriesStore", "open_store"]
