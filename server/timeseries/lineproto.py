"""Our schema in InfluxDB line protocol and back (docs/timeseries.md): one point per frame.

A flagged value (``common.quality.is_flagged``) is written to the field ``<channel>__flagged``
instead of ``<channel>``: the continuous queries and rollup reads aggregate ``<channel>`` only, so
InfluxDB never averages a flagged value, while raw reads put it back beside its quality bits.
"""

from __future__ import annotations

from typing import Any

from common.quality import is_flagged
from server.timeseries.base import CHANNEL_NAMES, FrameRecord

MEASUREMENT = "reading"
STATUS_SUFFIX = "__status"
QUALITY_SUFFIX = "__q"
FLAGGED_SUFFIX = "__flagged"  # the field a flagged value is kept in, out of the rollups' reach


def point_time_ms(r: FrameRecord) -> int:
    """The point's timestamp in ms: the sample second plus the counter's last three digits.

    InfluxDB keeps one point per series and timestamp, and two frames of one node can carry the
    same rebuilt sample second (e.g. a frame delayed in the broker while the gateway restarted);
    the counter offset keeps both, while a retried write of the same frame still lands on the same
    point (idempotent). Reads at second precision are unaffected."""
    return r.time_s * 1000 + r.counter % 1000


def to_line(r: FrameRecord) -> str:
    """One line of line protocol (ms precision); values are floats already (validated), so repr() is exact."""
    fields = f"counter={r.counter}i"
    if r.values:
        q = r.quality
        if q and any(is_flagged(flags) for ch, flags in q.items() if ch in r.values):
            names = {ch: ch + FLAGGED_SUFFIX if is_flagged(q.get(ch, 0)) else ch for ch in r.values}
            fields += "," + ",".join([f"{names[ch]}={v!r}" for ch, v in r.values.items()])
        else:  # the common case, kept cheap: 5,000 frames per batch
            fields += "," + ",".join([f"{ch}={v!r}" for ch, v in r.values.items()])
    if r.statuses:
        fields += "," + ",".join([f"{ch}{STATUS_SUFFIX}={s}i" for ch, s in r.statuses.items()])
    if r.quality:
        fields += "," + ",".join([f"{ch}{QUALITY_SUFFIX}={q}i" for ch, q in r.quality.items()])
    return f"{MEASUREMENT},farm={r.farm_id},field={r.field_id},node={r.node_id} {fields} {point_time_ms(r)}"


def record_from_row(node_id: int, row: dict[str, Any]) -> FrameRecord:
    values: dict[str, float] = {}
    statuses: dict[str, int] = {}
    quality: dict[str, int] = {}
    for key, value in row.items():
        if value is None:
            continue
        if key.endswith(STATUS_SUFFIX):
            statuses[key.removesuffix(STATUS_SUFFIX)] = int(value)
        elif key.endswith(QUALITY_SUFFIX):
            quality[key.removesuffix(QUALITY_SUFFIX)] = int(value)
        elif key.endswith(FLAGGED_SUFFIX) and key.removesuffix(FLAGGED_SUFFIX) in CHANNEL_NAMES:
            values[key.removesuffix(FLAGGED_SUFFIX)] = float(value)
        elif key in CHANNEL_NAMES:
            values[key] = float(value)
    # A point written by another tool (or merged from one) may lack ``counter``: show its values
    # anyway, with counter 0 meaning "not known" (real counters start at 1).
    counter = row.get("counter")
    return FrameRecord(
        node_id,
        int(counter) if counter is not None else 0,
        int(row["time"]),
        int(row["farm"]),
        int(row["field"]),
        values,
        statuses,
        quality,
    )
