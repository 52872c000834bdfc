"""InfluxDB retention policies, continuous queries and rollup reads (InfluxQL over the v1 API).

- ``raw`` (default RP): readings, kept ``raw_days``; ``hourly``: ``reading_1h`` / ``field_1h``
  kept for years; ``daily``: ``reading_1d`` / ``field_1d`` and the agronomic ``agro_daily``
  series, kept forever.
- Two rollup levels: per node (``reading_*``, GROUP BY every tag) and per field (``field_*``, all
  of a field's nodes together: a field dashboard or a commune view reads one series per field).
- CQs fill the rollups as data arrives (RESAMPLE … FOR covers late, buffered frames). CQs do
  not backfill: ``select_into`` runs the same SELECT … INTO once over a past range.
- Daily buckets start at local midnight: GROUP BY time(1d, 17h) (17:00 UTC = 00:00 UTC+7).
"""

from __future__ import annotations

from server.timeseries.base import CHANNEL_NAMES, ROLLUP_CHANNELS, SUM_CHANNELS

RAW, HOURLY, DAILY = "raw", "hourly", "daily"
ROLLUP = {"hour": (HOURLY, "reading_1h", "1h"), "day": (DAILY, "reading_1d", "1d, 17h")}
FIELD_ROLLUP = {"hour": (HOURLY, "field_1h", "1h"), "day": (DAILY, "field_1d", "1d, 17h")}
# level -> (rollup table, GROUP BY tags, the tag a read filters on)
LEVELS = {"node": (ROLLUP, "*", "node"), "field": (FIELD_ROLLUP, '"farm", "field"', "field")}
AGRO = "agro_daily"
CHANNELS = sorted(ROLLUP_CHANNELS)  # the catalogue's aggregation says which channels roll up


def rollup_select(db: str, resolution: str, level: str = "node") -> str:
    """The aggregating SELECT … INTO shared by the CQ and the one-off backfill (no WHERE clause)."""
    rp, measurement, _ = LEVELS[level][0][resolution]
    parts = []
    for ch in CHANNELS:
        parts += [f'mean("{ch}") AS "{ch}_mean"', f'min("{ch}") AS "{ch}_min"', f'max("{ch}") AS "{ch}_max"']
        parts.append(f'count("{ch}") AS "{ch}_n"')
        if ch in SUM_CHANNELS:
            parts.append(f'sum("{ch}") AS "{ch}_sum"')
    return f'SELECT {", ".join(parts)} INTO "{db}"."{rp}"."{measurement}" FROM "{db}"."{RAW}"."reading"'


def group_by(resolution: str, level: str) -> str:
    table, tags, _ = LEVELS[level]
    return f"GROUP BY time({table[resolution][2]}), {tags}"


def setup_statements(db: str, raw_days: int, hourly_days: int) -> list[tuple[str, str | None]]:
    """(statement, fallback when it already exists) in order; all idempotent."""
    raw_shard = "1d" if raw_days <= 180 else "7d"
    policies = [
        (RAW, f"{raw_days}d", raw_shard, " DEFAULT"),
        (HOURLY, f"{hourly_days}d", "30d", ""),
        (DAILY, "INF", "52w", ""),
    ]
    out: list[tuple[str, str | None]] = [(f'CREATE DATABASE "{db}"', None)]
    for name, duration, shard, default in policies:
        spec = f"DURATION {duration} REPLICATION 1 SHARD DURATION {shard}{default}"
        out.append(
            (
                f'CREATE RETENTION POLICY "{name}" ON "{db}" {spec}',
                f'ALTER RETENTION POLICY "{name}" ON "{db}" {spec}',
            )
        )
    for level, (table, _, _) in LEVELS.items():
        for resolution, every, span in (("hour", "15m", "3h"), ("day", "1h", "2d")):
            body = f"{rollup_select(db, resolution, level)} {group_by(resolution, level)}"
            out.append(
                (
                    f'CREATE CONTINUOUS QUERY "cq_{table[resolution][1]}" ON "{db}"'
                    f" RESAMPLE EVERY {every} FOR {span} BEGIN {body} END",
                    None,
                )
            )
    return out


def select_into(db: str, resolution: str, start_s: int, end_s: int, level: str = "node") -> str:
    return (
        f"{rollup_select(db, resolution, level)} WHERE time >= {int(start_s)}s AND time < {int(end_s)}s"
        f" {group_by(resolution, level)}"
    )


def aggregate_query(
    db: str, ids: list[int], channel: str, start_s: int, end_s: int, res: str, level: str = "node"
) -> str:
    """Rollup rows of one channel for several nodes (or fields), one series per node (field)."""
    if channel not in CHANNEL_NAMES:
        raise ValueError(f"unknown channel {channel!r}")
    table, _, tag = LEVELS[level]
    rp, measurement, _ = table[res]
    cols = [f'"{channel}_{a}"' for a in ("mean", "min", "max", "n")]
    cols.append(f'"{channel}_sum"' if channel in SUM_CHANNELS else f'"{channel}_n" AS "unused"')
    pattern = "|".join(str(int(n)) for n in ids)
    return (
        f'SELECT {", ".join(cols)} FROM "{db}"."{rp}"."{measurement}" WHERE "{tag}" =~ /^({pattern})$/'
        f' AND time >= {int(start_s)}s AND time <= {int(end_s)}s GROUP BY "{tag}"'
    )
