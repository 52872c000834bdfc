"""What a node last said on one channel, however long ago: the raw probe value the calibration reads
and the config version the node acknowledged.

Why not the node's latest frame: a node does not put every channel in every frame (the raw probe
value and the config version ride along only in some), so "the latest frame has no ``soil_raw``"
said nothing about whether the node ever sent one (issue 18: "Trạm chưa gửi giá trị thô" on an
online node). The answer here carries its own time, so the screen can say how old it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.timeseries.base import TimeSeriesStore

#: How far back a value still answers: a month covers a node that sends the raw value or its
#: config version only with its daily health frame, and a phone's visit after weeks offline.
LOOKBACK_S = 31 * 86400
#: The fleet list asks for every node at once, so it looks back less far (a 31-day scan per node
#: cost ~25 ms on the embedded store, 2 days ~2 ms). The node sends its version with flag
#: CONFIG_ACK after it takes a config (firmware/node/app.py); past two days the fleet uses the
#: version recorded as acknowledged at ingestion (``configs.record_acknowledgements``).
FLEET_LOOKBACK_S = 2 * 86400


@dataclass(frozen=True)
class LastValue:
    value: float
    time_s: int


def last_value(
    store: TimeSeriesStore, node_id: int, channel: str, now: int, lookback_s: int = LOOKBACK_S
) -> LastValue | None:
    """The newest non-empty value of ``channel`` from ``node_id`` within ``lookback_s``."""
    latest = store.latest([node_id]).get(node_id)
    if latest is not None and latest.values.get(channel) is not None:  # the common case: one read
        return LastValue(float(latest.values[channel]), latest.time_s)
    for point in reversed(store.series(node_id, channel, now - lookback_s, now)):
        if point.value is not None:
            return LastValue(float(point.value), point.time_s)
    return None


def acknowledged_version(
    store: TimeSeriesStore, node_id: int, now: int, lookback_s: int = LOOKBACK_S
) -> int | None:
    """The config version the node last reported running (channel ``config_version``), or None."""
    last = last_value(store, node_id, "config_version", now, lookback_s)
    return None if last is None else int(last.value)
