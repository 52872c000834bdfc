"""Mixed load against the server under gunicorn on loopback: gateway ingestion at a fixed reading
rate plus concurrent app users. Each user signs in once (the logins are spread evenly over the first
--ramp seconds, as people open the app over a morning rather than all in one instant), then browses:
home, a field, its daily chart, now and then a photo upload, reading each screen for --think seconds
(uniform; default 5-15 s, a person reading advice on a phone). Reports error rate, p50/p95/p99 per
endpoint (login counted on its own line) for the whole run and for the steady part after the ramp,
and the RSS of the gunicorn workers sampled every minute.

    .venv/bin/python bench/load_mixed.py --duration 600 --users 200 --rate 2000 --workers 5 --ramp 120

Loopback only; every loop is bounded by the duration. Needs aiohttp (bench extra).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import Scratch  # noqa: E402  (after the sys.path line: runs as a script too)
from bench.timing import percentile, tree_cpu_s  # noqa: E402
from demo.people import demo_logins  # noqa: E402
from server.auth.roles import Role  # noqa: E402

# the demo's farmers, its officer and its manager: (phone, password)
SIGNED_IN_ROLES = (Role.FARMER, Role.OFFICER, Role.MANAGER)
USERS = [(phone, pw) for phone, pw, role in demo_logins() if role in SIGNED_IN_ROLES]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def workers(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().split(") ")[1].split()[1]) == master:
                    out.append(int(p.name))
            except (OSError, IndexError, ValueError):
                pass
    return sorted(out)


class Stats:
    def __init__(self, steady_from: float | None = None) -> None:
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.codes: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.steady_from = steady_from
        self.steady = Stats() if steady_from is not None else None  # requests started after the ramp

    def add(self, name: str, status: int, seconds: float, ok: bool) -> None:
        started = time.time() - seconds
        if self.steady is not None and self.steady_from is not None and started >= self.steady_from:
            self.steady.add(name, status, seconds, ok)
        self.lat[name].append(seconds * 1000)
        self.codes[name][status] += 1
        if not ok:
            self.errors[name] += 1

    def table(self) -> list[dict[str, object]]:
        rows = []
        for name, xs in sorted(self.lat.items()):
            xs = sorted(xs)
            rows.append({"endpoint": name, "requests": len(xs), "errors": self.errors[name],
                         "p50_ms": round(percentile(xs, 50), 1), "p95_ms": round(percentile(xs, 95), 1),
                         "p99_ms": round(percentile(xs, 99), 1),
                         "codes": dict(self.codes[name])})  # fmt: skip
        return rows


async def timed(
    stats: Stats, name: str, coro: object, ok_codes: tuple[int, ...] = (200, 201, 204)
) -> tuple[int, bytes]:
    t = time.perf_counter()
    try:
        resp = await coro  # type: ignore[misc]
        async with resp:
            body = await resp.read()
            stats.add(name, resp.status, time.perf_counter() - t, resp.status in ok_codes)
            return resp.status, body
    except Exception:
        stats.add(name, 0, time.perf_counter() - t, False)
        return 0, b""


async def ingest(base: str, token: str, nodes: list[int], rate: int, until: float, stats: Stats) -> int:
    import aiohttp

    counters = dict.fromkeys(nodes, 0)
    sent = 0
    period = 0.5
    per_batch = max(1, int(rate * period))
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    async with aiohttp.ClientSession(headers=headers) as s:
        next_t = time.time()
        while time.time() < until:
            now = int(time.time())
            frames = []
            for i in range(per_batch):
                n = nodes[i % len(nodes)]
                counters[n] += 1
                frame = {"node_id": n, "counter": counters[n], "sampled_at": now - 10, "received_at": now}
                frames.append(frame | {"values": {"soil_vwc": 0.3, "soil_temp": 24.5}})
            body = gzip.compress(json.dumps({"frames": frames}).encode())
            status, _ = await timed(
                stats, "POST /api/v1/gateway/frames", s.post(base + "/api/v1/gateway/frames", data=body)
            )
            if status == 200:
                sent += per_batch
            next_t += period
            await asyncio.sleep(max(0.0, next_t - time.time()))
    return sent


def jpeg_bytes(seed: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (640, 480), (40 + seed % 100, 140, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


async def user(
    base: str,
    k: int,
    login_at: float,
    until: float,
    stats: Stats,
    rng: random.Random,
    think: tuple[float, float],
) -> None:
    import aiohttp

    phone, password = USERS[k % len(USERS)]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
        await asyncio.sleep(max(0.0, login_at - time.time()))
        status, body = await timed(
            stats,
            "POST /api/v1/auth/login",
            s.post(base + "/api/v1/auth/login", json={"phone": phone, "password": password}),
        )
        if status != 200:
            return
        csrf = json.loads(body)["csrf_token"]
        farms = {}
        st, b = await timed(stats, "GET /api/v1/app/farms", s.get(base + "/api/v1/app/farms"))
        if st == 200:
            farms = json.loads(b)
        fields = [f["id"] for fa in farms.get("farms", []) for f in fa.get("fields", [])] or [1]
        n = 0

        async def read_screen() -> None:
            await asyncio.sleep(min(rng.uniform(*think), max(0.0, until - time.time())))

        while time.time() < until:
            n += 1
            await timed(stats, "GET /api/v1/app/home", s.get(base + "/api/v1/app/home"))
            await read_screen()
            fid = rng.choice(fields)
            await timed(stats, "GET /api/v1/app/fields/<id>", s.get(f"{base}/api/v1/app/fields/{fid}"))
            await read_screen()
            await timed(
                stats, "GET /api/v1/fields/<id>/daily", s.get(f"{base}/api/v1/fields/{fid}/daily"), (200, 404)
            )
            if k < 5 and n % 5 == 0:  # a few farmers upload a photo now and then
                form = aiohttp.FormData()
                form.add_field("field_id", str(fid))
                form.add_field("idempotency_key", f"load-{k}-{n}-{rng.randrange(1 << 30)}")
                form.add_field("photos", jpeg_bytes(n), filename="leaf.jpg", content_type="image/jpeg")
                post = s.post(base + "/api/v1/app/photos", data=form, headers={"X-CSRF-Token": csrf})
                await timed(stats, "POST /api/v1/app/photos", post, (200, 201, 404))
            await read_screen()


async def main_async(args: argparse.Namespace, base: str, token: str, nodes: list[int], master: int) -> dict:
    t0 = time.time()
    ramp = min(args.ramp, args.duration / 2)
    stats = Stats(steady_from=t0 + ramp)
    until = t0 + args.duration
    rng = random.Random(args.seed)
    rss0 = {w: rss_kb(w) for w in workers(master)}
    cpu0 = tree_cpu_s(master)  # gunicorn's master + workers: the server's own cost, beside wall-clock
    login_at = [t0 + ramp * (k + rng.random()) / args.users for k in range(args.users)]
    think = (args.think[0], args.think[1])
    tasks = [
        asyncio.create_task(user(base, k, login_at[k], until, stats, random.Random(rng.random()), think))
        for k in range(args.users)
    ]
    rss_samples: list[dict[str, object]] = []

    async def sample_rss() -> None:
        while time.time() < until:
            mb = [round(rss_kb(w) / 1024) for w in workers(master)]
            rss_samples.append({"t_s": round(time.time() - t0), "worker_rss_mb": mb})
            await asyncio.sleep(min(60.0, max(0.0, until - time.time())))

    sampler = asyncio.create_task(sample_rss())
    sent = await ingest(base, token, nodes, args.rate, until, stats)
    await asyncio.gather(*tasks)
    await sampler
    rss1 = {w: rss_kb(w) for w in workers(master)}
    server_cpu = tree_cpu_s(master) - cpu0
    total = sum(len(x) for x in stats.lat.values())
    errors = sum(stats.errors.values())
    steady = stats.steady or Stats()
    st_total = sum(len(x) for x in steady.lat.values())
    st_errors = sum(steady.errors.values())
    return {"duration_s": args.duration, "users": args.users, "workers": args.workers,
            "ramp_s": ramp, "cpus": os.cpu_count(), "target_rate": args.rate,
            "readings_stored_per_s": round(sent / args.duration), "requests": total, "errors": errors,
            "server_cpu_s": round(server_cpu, 1), "load_average": list(os.getloadavg()),
            "requests_per_server_cpu_s": round(total / max(server_cpu, 1e-9)),
            "error_rate": round(errors / max(1, total), 5), "endpoints": stats.table(),
            "steady_after_ramp": {"requests": st_total, "errors": st_errors,
                                  "error_rate": round(st_errors / max(1, st_total), 5),
                                  "endpoints": steady.table()},
            "worker_rss_mb_start": {str(k): round(v / 1024) for k, v in rss0.items()},
            "worker_rss_mb_end": {str(k): round(v / 1024) for k, v in rss1.items()},
            "worker_rss_every_minute": rss_samples, "think_s": list(think)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=600)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--rate", type=int, default=2000, help="readings per second through the gateway API")
    ap.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (2 x cores + 1)")
    ap.add_argument("--ramp", type=float, default=120, help="seconds over which the users sign in")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="seconds a user reads each screen (uniform)")  # fmt: skip
    ap.add_argument("--json", type=Path, help="write the result here")
    args = ap.parse_args()
    args.duration = min(args.duration, 900)

    from tests.chaos.harness import add_nodes
    from tests.services import free_port, start_influxd

    with Scratch("ruongso-load-") as scratch:  # registry, InfluxDB and logs: deleted after
        work = scratch.path
        influx = start_influxd(work / "influx")
        token, nodes = add_nodes(f"sqlite:///{work / 'registry.sqlite'}", 200)
        port = free_port()
        env = os.environ | {
            "RUONGSO_DATA_DIR": str(work),
            "RUONGSO_TSDB_URL": f"influx://127.0.0.1:{influx.port}/load",
        }
        log = (work / "gunicorn.log").open("ab")
        gun = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--timeout", "60", "ruongso.app:create_app()"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            import requests

            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if requests.get(base + "/api/v1/openapi.json", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.3)
            result = asyncio.run(main_async(args, base, token, [n for n, _k, _f in nodes], gun.pid))
        finally:
            gun.terminate()
            gun.wait(30)
            influx.stop()
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
