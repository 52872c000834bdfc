"""Gateway benchmark: intake throughput against its SQLite floor, outbox bytes per frame, and the
replay of a 24 h outage of a 200-node farm through the forwarder to a real server.

    .venv/bin/python bench/gateway_throughput.py            # everything (needs influxd)
    .venv/bin/python bench/gateway_throughput.py --no-replay

Intake = the real ``FrameProcessor.process``: MIC, counter window, decode, plausibility and stuck
flags, health state, one durable commit (WAL, synchronous=FULL) per batch. Floor = the same rows
and counter-window updates committed in the same batches with no verification or decoding at all.
Intake and floor runs alternate; each pair gives a ratio by wall-clock and one per CPU-second (the
process's own, SQLite included: it runs in-process). Min / median / max over ``--repeats`` pairs
are printed, and the pooled ratio over all of them. The CPU ratio is the one to trust on a shared
machine: fsync waits and the neighbours' load only stretch the wall-clock.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scratch import Scratch
from bench.timing import Meter, describe_machine, load_average, spread
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


def run_intake(frames: list[RawFrame], keys: dict[int, bytes], batch: int, workdir: Path) -> Meter:
    """One intake run into a fresh outbox, deleted afterwards (a run writes ~8 MB per 100k frames)."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        d = Path(tmp)
        p = FrameProcessor(Outbox(d / "outbox.sqlite"), key_cache(d / "keys.json", keys))
        with Meter() as m:
            for i in range(0, len(frames), batch):
                p.process(frames[i : i + batch])
        assert p.outbox.depth() == len(frames)
        p.outbox.close()
    return m


def run_floor(frames: list[RawFrame], batch: int, workdir: Path) -> Meter:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        outbox = Outbox(Path(tmp) / "outbox.sqlite")
        rows = []
        for f in frames:
            node, counter = int.from_bytes(f.data[1:5], "big"), int.from_bytes(f.data[5:9], "big")
            rows.append((node, counter, int(f.received_at), int(f.received_at), f.data, None))
        window = ((1 << WINDOW) - 1).to_bytes(WINDOW // 8, "big")
        with Meter() as m:
            for i in range(0, len(rows), batch):
                chunk = rows[i : i + batch]
                outbox.commit_batch(
                    chunk, [(n, cnt, window) for n, cnt in {r[0]: r[1] for r in chunk}.items()]
                )
        assert outbox.depth() == len(frames)
        outbox.close()
    return m


def compare(frames: list[RawFrame], keys: dict[int, bytes], batch: int, repeats: int, work: Path) -> None:
    """Alternate intake and floor runs; print rates and ratios by wall-clock and per CPU-second."""
    n = len(frames)
    pairs = [(run_intake(frames, keys, batch, work), run_floor(frames, batch, work)) for _ in range(repeats)]
    intake, floor = [p[0] for p in pairs], [p[1] for p in pairs]
    wall_ratio = [i.per_wall(n) / f.per_wall(n) * 100 for i, f in pairs]
    cpu_ratio = [i.per_cpu(n) / f.per_cpu(n) * 100 for i, f in pairs]
    pooled_wall = sum(f.wall_s for f in floor) / sum(i.wall_s for i in intake) * 100
    pooled_cpu = sum(f.cpu_s for f in floor) / sum(i.cpu_s for i in intake) * 100
    print(f"batch {batch} ({repeats} runs of {n:,} frames; min / median / max):")
    print(
        f"  intake: {spread(i.per_wall(n) for i in intake)} frames/s wall, "
        f"{spread(i.per_cpu(n) for i in intake)} per CPU-second; "
        f"run {spread((i.wall_s for i in intake), '.1f')} s"
    )
    print(
        f"  floor:  {spread(f.per_wall(n) for f in floor)} frames/s wall, "
        f"{spread(f.per_cpu(n) for f in floor)} per CPU-second; "
        f"run {spread((f.wall_s for f in floor), '.1f')} s"
    )
    print(
        f"  ratio wall-clock {spread(wall_ratio)} % (pooled {pooled_wall:.0f} %); "
        f"per CPU-second {spread(cpu_ratio)} % (pooled {pooled_cpu:.0f} %)"
    )
    print(
        f"  intake CPU {sum(i.cpu_s for i in intake) / (repeats * n) * 1e6:.2f} µs/frame, "
        f"floor {sum(f.cpu_s for f in floor) / (repeats * n) * 1e6:.2f} µs/frame; {load_average()}"
    )


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
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        d = Path(tmp)
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
            with Meter(server.process.pid, influx.process.pid) as m:  # gateway + server + InfluxDB
                gw.forwarder.drain()
            assert gw.outbox.depth() == 0 and gw.forwarder.stats.uploaded == len(frames)
            gw.shutdown()
            out.append(
                {"batch": batch, "frames": len(frames), "seconds": m.wall_s, "cpu_s": m.cpu_s,
                 "fps": m.per_wall(len(frames)), "per_cpu": m.per_cpu(len(frames))}
            )  # fmt: skip
        count = InfluxStore.from_url(tsdb).query('SELECT count("counter") FROM "reading"')
        out[-1]["in_influx"] = int(count[0]["series"][0]["values"][0][1])
        return out
    finally:
        server.stop()
        influx.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # 500 x 200 = 100,000 frames: an intake run of 1-3 s on the build machine, x 7 repeats = one
    # timed intake minute in all, so the min / median / max are stable to a few percent.
    ap.add_argument("--per-node", type=int, default=500, help="frames per node per run (x200 nodes)")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batches", default="100,500")
    ap.add_argument("--no-replay", action="store_true")
    ap.add_argument("--upload-batches", default="2000,5000", help="forwarder batch sizes for the replay")
    args = ap.parse_args()
    print(f"machine: {describe_machine()}, SQLite {sqlite3.sqlite_version}, {load_average()}")
    keys, rng = make_farm()
    frames = make_frames(keys, rng, args.per_node, int(time.time()))
    with Scratch("bench-gateway-") as scratch:
        work = scratch.path
        for name, us in micro(frames, keys).items():
            print(f"  {name:13s} {us:6.2f} µs/frame")
        for batch in (int(b) for b in args.batches.split(",")):
            compare(frames, keys, batch, args.repeats, work)
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
                    f"{r['seconds']:.1f} s = {r['fps']:,.0f} frames/s to the server; {r['cpu_s']:.1f} CPU-s "
                    f"(gateway + server + InfluxDB) = {r['per_cpu']:,.0f} frames per CPU-second"
                )
            print(load_average())
            print(f"points in InfluxDB after all runs: {runs[-1]['in_influx']:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
