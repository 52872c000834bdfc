"""The registry side of ingestion, written for 5,000-frame batches: a few set-based statements
per batch (placement, seen keys, new keys), never one query per node or frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.ingest.batch import IncomingFrame
from server.registry.models import Field, Node

CHUNK = 5000  # keys per statement


def placements(session: Session, gateway_id: int, node_ids: set[int]) -> dict[int, tuple[int, int]]:
    """node → (farm, field) for this gateway's placed nodes; others are rejected per frame."""
    rows = session.execute(
        select(Node.id, Field.farm_id, Field.id)
        .join(Field, Node.field_id == Field.id)
        .where(Node.id.in_(node_ids), Node.gateway_id == gateway_id)
    )
    return {int(n): (int(farm), int(field)) for n, farm, field in rows}


def seen_keys(session: Session, keys: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Keys already stored. The integers are inlined (they are validated ints, so this is safe):
    compiling a 5,000-pair bound ``tuple_().in_()`` costs more than the query itself."""
    seen: set[tuple[int, int]] = set()
    conn = session.connection()
    for i in range(0, len(keys), CHUNK):
        values = ",".join(f"({int(n)},{int(c)})" for n, c in keys[i : i + CHUNK])
        rows = conn.exec_driver_sql(
            f"SELECT node_id, counter FROM ingested_frame WHERE (node_id, counter) IN (VALUES {values})"
        )
        seen.update((int(n), int(c)) for n, c in rows)
    return seen


def classify(
    session: Session, frames: list[IncomingFrame], placement: dict[int, tuple[int, int]]
) -> tuple[list[IncomingFrame], int, list[dict[str, Any]]]:
    """(fresh frames, number of duplicates, rejected frames with reasons)."""
    keys = list({(f.node_id, f.counter) for f in frames if f.node_id in placement})
    seen = seen_keys(session, keys)
    fresh, duplicates, rejected = [], 0, []
    for f in frames:
        key = (f.node_id, f.counter)
        if f.node_id not in placement:
            rejected.append({"node_id": f.node_id, "counter": f.counter, "reason": "unknown_node"})
        elif key in seen:
            duplicates += 1
        else:
            seen.add(key)
            fresh.append(f)
    return fresh, duplicates, rejected


def record_seen(session: Session, fresh: list[IncomingFrame], gateway_id: int, now: int) -> None:
    """Insert the idempotency keys; a concurrent worker may have stored the same frame: ignore it.
    Integers inlined as in ``seen_keys``; ON CONFLICT DO NOTHING works on SQLite and PostgreSQL."""
    conn = session.connection()
    for i in range(0, len(fresh), CHUNK):
        values = ",".join(
            f"({int(f.node_id)},{int(f.counter)},{int(gateway_id)},{int(now)})" for f in fresh[i : i + CHUNK]
        )
        conn.exec_driver_sql(
            "INSERT INTO ingested_frame (node_id, counter, gateway_id, received_at)"
            f" VALUES {values} ON CONFLICT DO NOTHING"
        )
