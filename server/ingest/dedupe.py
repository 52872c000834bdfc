"""The registry side of ingestion, written for 5,000-frame batches: two set-based statements per
batch (placement, then one claiming insert of the idempotency keys), never one query per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.ingest.batch import IncomingFrame
from server.registry.models import Field, Node

CHUNK = 5000  # keys per statement
FEW_NODES = 32  # up to this many distinct nodes in a batch, placement reads only those nodes

# PostgreSQL: keys as two array literals (parsing 5,000 VALUES tuples, or binding 10,000 list
# items one by one, costs more than the insert), the new keys back as one text row.
_CLAIM_PG = (
    "WITH new AS (INSERT INTO ingested_frame (node_id, counter, gateway_id, received_at)"
    " SELECT n, c, %s, %s FROM unnest(%s::bigint[], %s::bigint[]) AS k(n, c)"
    " ON CONFLICT DO NOTHING RETURNING node_id, counter)"
    " SELECT string_agg(((node_id << 32) | counter)::text, ',') FROM new"
)


def placements(session: Session, gateway_id: int, node_ids: set[int]) -> dict[int, tuple[int, int]]:
    """node → (farm, field) for this gateway's placed nodes; others are rejected per frame.

    A replay batch names most of the gateway's nodes: it reads all of them (a few hundred at
    most) with no IN list, as binding one parameter per node cost more than the rows. A steady
    upload names one node or a few: it reads only those, since reading the whole gateway for one
    frame was the largest part of a 1-frame upload with 1,000 nodes on the gateway
    (``bench/capacity.py``: 180 → 260 frames per app CPU-second, docs/benchmarks.md).
    """
    query = (
        select(Node.id, Field.farm_id, Field.id)
        .join(Field, Node.field_id == Field.id)
        .where(Node.gateway_id == gateway_id)
    )
    if len(node_ids) <= FEW_NODES:
        query = query.where(Node.id.in_(sorted(node_ids)))
    return {int(n): (int(farm), int(field)) for n, farm, field in session.execute(query) if n in node_ids}


def claim_keys(session: Session, keys: Sequence[tuple[int, int]], gateway_id: int, now: int) -> set[int]:
    """Insert the keys that are new and return them (as ``node << 32 | counter``).

    Runs inside the batch's transaction, before the store write: the keys commit only once the
    points are stored, and a concurrent worker inserting the same key waits for that commit (then
    sees a duplicate) or rollback (then stores it) — no window in which both store or neither does.
    Keys arrive sorted, so two workers with overlapping batches queue instead of deadlocking.
    """
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    new: set[int] = set()
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        if postgres:
            nodes = "{" + ",".join([str(int(k[0])) for k in part]) + "}"
            counters = "{" + ",".join([str(int(k[1])) for k in part]) + "}"
            joined = conn.exec_driver_sql(_CLAIM_PG, (int(gateway_id), int(now), nodes, counters)).scalar()
            new.update(map(int, joined.split(",")) if joined else ())
        else:  # SQLite: validated ints inlined (a bound 5,000-row VALUES compiles slower than it runs)
            values = ",".join(f"({int(n)},{int(c)},{int(gateway_id)},{int(now)})" for n, c in part)
            rows = conn.exec_driver_sql(
                "INSERT INTO ingested_frame (node_id, counter, gateway_id, received_at)"
                f" VALUES {values} ON CONFLICT DO NOTHING RETURNING node_id, counter"
            )
            new.update(int(n) << 32 | int(c) for n, c in rows)
    return new


def claim(
    session: Session,
    frames: list[IncomingFrame],
    placement: dict[int, tuple[int, int]],
    gateway_id: int,
    now: int,
) -> tuple[list[IncomingFrame], int, list[dict[str, Any]]]:
    """(fresh frames, number of duplicates, rejected frames with reasons); the fresh frames' keys
    are claimed in this transaction (see ``claim_keys``)."""
    keys = sorted({(f.node_id, f.counter) for f in frames if f.node_id in placement})
    new = claim_keys(session, keys, gateway_id, now)
    fresh, duplicates, rejected = [], 0, []
    for f in frames:
        if f.node_id not in placement:
            rejected.append({"node_id": f.node_id, "counter": f.counter, "reason": "unknown_node"})
            continue
        key = f.node_id << 32 | f.counter
        if key in new:
            new.discard(key)  # a second copy inside the same batch is a duplicate
            fresh.append(f)
        else:
            duplicates += 1
    return fresh, duplicates, rejected
