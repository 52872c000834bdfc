"""Gateway benchmark: intake throughput against its SQLite floor, outbox bytes per frame, and the
replay of a 24 h outage of a 200-node farm through the forwarder to a real server.

    .venv/bin/python bench/gateway_throughput.py            # everything (needs influxd)
    .venv/bin/python bench/gateway_throughput.py --no-replay

Intake = the real ``FrameProcessor.process``: MIC, counter window, decode, plausibility and stuck
flags, health state, one durable commit (WAL, synchronous=FULL) per batch. Floor = the same rows
and counter-window updates committed in the same batches with no verification or decoding at all.
Runs alternate and the median of ``--repeats`` is reported (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import describe_machine
from firmware.lib import framecodec as fc
from gateway.fastmic import MicVerifier
from gateway.intake import WINDOW, FrameProcessor, RawFrame
from gateway.keys import NodeKeys
from gateway.outbox import Outbox

NODES = 200
PER_DAY = 288  # one reading every 5 minutes
CH = fc.CHANNEL_IDS


def readings(rng: random.Random, weather: bool) -> list[tuple[int, float | None, int]]:
    r: list[tuple[int, float | None, int]] = [
        (CH["soil_vwc"], rng.uniform(0.2, 0.45), 0),
        (CH["soil_temp"], rng.uniform(18, 32), 0),
        (CH["soil_raw"], rng.randint(900, 2400), 0),
        (CH["battery"], rng.uniform(3.6, 4.1), 0),
        (CH["rssi"], rng.randint(-95, -50), 0),
    ]
    if weather:
        r += [
            (CH["air_temp"], rng.uniform(15, 38), 0),
            (CH["air_rh"], rng.uniform(40, 100), 0),
            (CH["rain"], rng.choice([0, 0, 0, 0.2, 1.4]), 0),
            (CH["wind_speed"], rng.uniform(0, 6), 0),
        ]
    return r


def make_farm(seed: int = 1) -> tuple[dict[int, bytes], random.Random]:
    rng = random.Random(seed)
    return {4097 + i: rng.randbytes(16) for i in range(NODES)}, rng


def make_frames(keys: dict[int, bytes], rng: random.Random, per_node: int, end_s: int) -> list[RawFrame]:
    """``per_node`` readings per node, 5 min apart ending at ``end_s``, interleaved like real traffic."""
    frames = []
    for k in range(per_node):
        received = end_s - 300 * (per_node - 1 - k)
        for node_id, key in keys.items():
            frame = fc.encode(key, node_id, k + 1, rng.randint(0, 4), readings(rng, node_id % 10 == 0))
            frames.append(RawFrame(frame, received))
    return frames


def renumber(frame: bytes, keys: dict[int, bytes], run: int) -> bytes:
    """The same reading under counter + run * 1,000,000, so each replay run is new to the server."""
    _v, flags, node, counter, age, readings = fc.decode(frame)
    return fc.encode(keys[node], node, counter + run * 1_000_000, age, readings, flags)


def key_cache(path: Path, keys: dict[int, bytes]) -> NodeKeys:
    nk = NodeKeys(path)
    nk.update({"nodes": [{"node_id": n, "key": k.hex(), "field_id": 1} for n, k in keys.items()]})
    return nk


def run_intake(
    frames: list[RawFrame], keys: dict[int, bytes], batch: int, workdir: Path
) -> tuple[float, float]:
    d = Path(tempfile.mkdtemp(dir=workdir))
    p = FrameProcessor(Outbox(d / "outbox.sqlite"), key_cache(d / "keys.json", keys))
    t, c = time.perf_counter(), time.process_time()
    for i in range(0, len(frames), batch):
        p.process(frames[i : i + batch])
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    assert p.outbox.depth() == len(frames)
    p.outbox.close()
    return len(frames) / wall, len(frames) / cpu


def run_floor(frames: list[RawFrame], batch: int, workdir: Path) -> tuple[float, float]:
    d = Path(tempfile.mkdtemp(dir=workdir))
    outbox = Outbox(d / "outbox.sqlite")
    rows = []
    for f in frames:
        node, counter = int.from_bytes(f.data[1:5], "big"), int.from_bytes(f.data[5:9], "big")
        rows.append((node, counter, int(f.received_at), int(f.received_at), f.data, None))
    window = ((1 << WINDOW) - 1).to_bytes(WINDOW // 8, "big")
    t, c = time.perf_counter(), time.process_time()
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        outbox.commit_batch(chunk, [(n, cnt, window) for n, cnt in {r[0]: r[1] for r in chunk}.items()])
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    assert outbox.depth() == len(frames)
    outbox.close()
    return len(frames) / wall, len(frames) / cpu


def micro(frames: list[RawFrame], keys: dict[int, bytes]) -> dict[str, float]:
    """Per-frame cost in µs of the shared codec's MIC against the gateway's fast path, and of decode."""
    sample = [f.data for f in frames[:5000]]
    verifiers = {n: MicVerifier(k) for n, k in keys.items()}
    out = {}
    for name, fn in (
        ("codec verify", lambda d: fc.verify(keys[int.from_bytes(d[1:5], "big")], d)),
        ("fast verify", lambda d: verifiers[int.from_bytes(d[1:5], "big")].verify(d)),
        ("codec decode", fc.decode),
    ):
        t = time.perf_counter()
        for d in sample:
            fn(d)
        out[name] = (time.perf_counter() - t) / len(sample) * 1e6
    return out


def bytes_per_frame(keys: dict[int, bytes], rng: random.Random, workdir: Path) -> tuple[float, int]:
    frames = make_frames(keys, rng, 100, int(time.time()))  # 20,000 frames
    d = Path(tempfile.mkdtemp(dir=workdir))
    p = FrameProcessor(Outbox(d / "outbox.sqlite"), key_cache(d / "keys.json", keys))
    for i in range(0, len(frames), 500):
        p.process(frames[i : i + 500])
    p.flush_states()
    used = p.outbox.usage().used_bytes
    p.outbox.close()
    return used / len(frames), used


def replay(workdir: Path, batch_sizes: list[int]) -> list[dict[str, float]]:
    """57,600 frames (24 h x 200 nodes x every 5 min) through the forwarder to a real server."""
    from demo.seed import seed
    from gateway.service import Gateway, GatewayConfig
    from server.db import Database
    from server.registry.models import Field, Node
    from server.registry.models import Gateway as GatewayRow
    from server.timeseries.influx import InfluxStore
    from tests.services import start_influxd, start_server

    influx = start_influxd(workdir / "influx")
    data = workdir / "server"
    data.mkdir()
    db = Database(f"sqlite:///{data / 'registry.sqlite'}")
    db.create_all()
    seeded = seed(db, first_node_id=900_000)
    keys, rng = make_farm(2)
    with db.session() as session:
        gw_row = session.query(GatewayRow).first()
        fields = session.query(Field).all()
        for i, (node_id, key) in enumerate(keys.items()):
            session.add(
                Node(
                    id=node_id,
                    name=f"b{i}",
                    field=fields[i % len(fields)],
                    gateway=gw_row,
                    key_hex=key.hex(),
                    kind="soil",
                    sensors=["soil_vwc"],
                )
            )
    db.engine.dispose()
    tsdb = f"influx://127.0.0.1:{influx.port}/replay"
    server = start_server(data, tsdb)
    out = []
    try:
        for run, batch in enumerate(batch_sizes):
            # Each run replays a different day (older), so the server stores every frame anew.
            gw = Gateway(
                GatewayConfig(workdir / f"gw{run}", f"http://127.0.0.1:{server.port}", seeded.gateway_token)
            )
            assert gw.refresh_keys()
            gw.forwarder.batch_size = gw.forwarder._limit = batch
            frames = make_frames(keys, rng, PER_DAY, int(time.time()) - 60 - run * 86400)
            frames = [f._replace(data=renumber(f.data, keys, run)) for f in frames]
            for i in range(0, len(frames), 500):
                gw.processor.process(frames[i : i + 500])
            assert gw.outbox.depth() == len(frames) == NODES * PER_DAY
            t = time.perf_counter()
            gw.forwarder.drain()
            wall = time.perf_counter() - t
            assert gw.outbox.depth() == 0 and gw.forwarder.stats.uploaded == len(frames)
            gw.shutdown()
            out.append({"batch": batch, "frames": len(frames), "seconds": wall, "fps": len(frames) / wall})
        count = InfluxStore.from_url(tsdb).query('SELECT count("counter") FROM "reading"')
        out[-1]["in_influx"] = int(count[0]["series"][0]["values"][0][1])
        return out
    finally:
        server.stop()
        influx.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-node", type=int, default=100, help="frames per node per run (x200 nodes)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batches", default="100,500")
    ap.add_argument("--no-replay", action="store_true")
    ap.add_argument("--upload-batches", default="2000,5000", help="forwarder batch sizes for the replay")
    args = ap.parse_args()
    print(
        f"machine: {describe_machine()}, SQLite {sqlite3.sqlite_version}, load avg {os.getloadavg()[0]:.1f}"
    )
    keys, rng = make_farm()
    frames = make_frames(keys, rng, args.per_node, int(time.time()))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, us in micro(frames, keys).items():
            print(f"  {name:13s} {us:6.2f} µs/frame")
        for batch in (int(b) for b in args.batches.split(",")):
            full, floor, full_cpu, floor_cpu = [], [], [], []
            for _ in range(args.repeats):
                w, c = run_intake(frames, keys, batch, work)
                full.append(w)
                full_cpu.append(c)
                w, c = run_floor(frames, batch, work)
                floor.append(w)
                floor_cpu.append(c)
            f, fl = statistics.median(full), statistics.median(floor)
            print(
                f"batch {batch}: intake {f:,.0f} frames/s (best {max(full):,.0f}), floor {fl:,.0f} frames/s "
                f"(best {max(floor):,.0f}), ratio {f / fl:.0%}; per CPU-second: intake "
                f"{statistics.median(full_cpu):,.0f}, floor {statistics.median(floor_cpu):,.0f}"
            )
        per, used = bytes_per_frame(keys, random.Random(3), work)
        three_weeks = per * NODES * PER_DAY * 21
        print(
            f"outbox: {per:.0f} bytes/frame on disk ({used / 1e6:.1f} MB for 20,000 frames); "
            f"3 weeks of 200 nodes = {NODES * PER_DAY * 21:,} frames = {three_weeks / 1e6:.0f} MB"
        )
        if not args.no_replay:
            runs = replay(work, [int(b) for b in args.upload_batches.split(",")])
            for r in runs:
                print(
                    f"replay of a 24 h outage, upload batch {r['batch']:,.0f}: {r['frames']:,.0f} frames in "
                    f"{r['seconds']:.1f} s = {r['fps']:,.0f} frames/s to the server"
                )
            print(f"points in InfluxDB after all runs: {runs[-1]['in_influx']:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
