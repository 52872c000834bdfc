"""Chaos run over the real pieces on loopback: simulated nodes -> Mosquitto -> gateway process ->
server process -> InfluxDB, while the harness kills and restarts them.

Shared by the fast test (``tests/chaos/test_chaos_fast.py``) and the long benchmark
(``bench/chaos_run.py``). The nodes behave like the firmware: a reading gets its counter when it is
sampled, stays in the node's buffer until it is acked, and the buffer is resent oldest first
(at most ``MAX_SEND`` frames per wake); each ack names exactly one frame
(``firmware.lib.linkproto.acked``).

The verdict: every frame any node saw acknowledged must be in InfluxDB exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import requests

from demo.seed import seed
from firmware.lib import framecodec as fc
from firmware.lib import linkproto as lp
from firmware.lib.topics import ack_topic, mqtt_username, up_topic
from gateway.mosquitto import node_mqtt_password
from server.db import Database
from server.registry.models import Field, Gateway, Node
from tests.services import Service, free_port, start_influxd, start_mosquitto

ROOT = Path(__file__).resolve().parents[2]
MAX_SEND = 96  # frames per wake, as firmware/node/app.py
GATEWAY_MQTT_PASSWORD = "chaos-gateway-secret"
FIRST_EXTRA_NODE = 20000


@dataclass
class ChaosConfig:
    nodes: int = 20
    duration_s: float = 60.0
    interval_s: float = 1.0  # one sample per node per interval, and one wake (send + ack wait)
    gateway_kills: int = 3
    server_outage_s: float = 10.0
    outbox_max_mb: float = 0.25  # the gateway's bounded outbox: filled during the server outage
    restart_broker: bool = True
    restart_influx: bool = True
    drain_timeout_s: float = 120.0
    seed: int = 20251201
    drivers: int = 4  # threads that run the node wake cycles


@dataclass
class ChaosReport:
    nodes: int
    duration_s: float
    frames_sampled: int = 0  # distinct readings the nodes created
    publishes: int = 0  # MQTT publishes including resends
    acknowledged: int = 0  # distinct frames some node saw acknowledged
    stored: int = 0  # distinct (node, counter) in InfluxDB
    duplicated: int = 0  # extra points for a (node, counter) already stored
    lost: int = 0  # acknowledged but not in InfluxDB
    lost_before_server: int = 0  # acknowledged but never accepted by the server (dedupe log)
    overwritten: int = 0  # accepted by the server, yet not in InfluxDB: another point took its time
    still_buffered: int = 0  # never acknowledged, still in a node's buffer at the end (not lost)
    gateway_kills: int = 0
    broker_restarts: int = 0
    influx_restarts: int = 0
    server_outages: int = 0
    server_outage_s: float = 0.0
    outbox_full_seen: bool = False
    events: list[str] = field(default_factory=list)
    lost_examples: list[tuple[int, int]] = field(default_factory=list)

    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


class SimNode:
    """One node: a persistent MQTT session (the wake's connection), a buffer, firmware ack rules."""

    def __init__(self, node_id: int, key: bytes, farm_id: int, port: int, rng: random.Random) -> None:
        self.node_id, self.key = node_id, key
        self.topic = up_topic(farm_id, node_id)
        self.rng = rng
        self.counter = 0
        self.pending: list[tuple[int, float, list[tuple[int, float | None, int]]]] = []
        self.sent: list[int] = []
        self.acks: list[int] = []
        self.acked: set[int] = set()
        self.publishes = 0
        self.lock = threading.Lock()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=mqtt_username(node_id), clean_session=True
        )
        self.client.username_pw_set(mqtt_username(node_id), node_mqtt_password(key))
        self.client.reconnect_delay_set(1, 2)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.connect_async("127.0.0.1", port, keepalive=20)
        self.client.loop_start()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not reason.is_failure:
            client.subscribe(ack_topic(self.topic), qos=1)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        c = lp.parse_ack(bytes(msg.payload))
        if c is not None:
            with self.lock:
                self.acks.append(c)

    def sample(self, now: float) -> None:
        self.counter += 1
        vwc = round(0.2 + 0.2 * self.rng.random(), 4)
        readings: list[tuple[int, float | None, int]] = [
            (fc.CHANNEL_IDS["soil_vwc"], vwc, fc.STATUS_OK),
            (fc.CHANNEL_IDS["soil_temp"], round(20 + 10 * self.rng.random(), 2), fc.STATUS_OK),
            (fc.CHANNEL_IDS["battery"], 3.9, fc.STATUS_OK),
        ]
        self.pending.append((self.counter, now, readings))

    def settle(self) -> None:
        """End the previous session: drop exactly what the firmware would consider acknowledged."""
        with self.lock:
            covered = set(lp.acked(self.sent, self.acks))
            self.sent, self.acks = [], []
        if covered:
            self.acked |= covered
            self.pending = [p for p in self.pending if p[0] not in covered]

    def wake(self, now: float) -> None:
        self.settle()
        if not self.client.is_connected():
            return
        sent: list[int] = []
        for counter, t, readings in self.pending[:MAX_SEND]:
            age = max(0, int(now - t))
            flags = fc.FLAG_BUFFERED if counter != self.counter else 0
            frame = fc.encode(self.key, self.node_id, counter, age, readings, flags)
            info = self.client.publish(self.topic, frame, qos=1)
            self.publishes += 1
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                break
            sent.append(counter)
        with self.lock:
            self.sent = sent

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def add_nodes(db_url: str, count: int) -> tuple[str, list[tuple[int, bytes, int]]]:
    """Seed the demo cooperative, then give its gateway ``count`` nodes (demo nodes first)."""
    db = Database(db_url)
    db.create_all()
    seeded = seed(db)
    out = [(n.node_id, n.key, n.farm_id) for n in seeded.nodes][:count]
    with db.session() as session:
        gw = session.query(Gateway).first()
        fields = session.query(Field).order_by(Field.id).all()
        assert gw is not None and fields
        i = 0
        while len(out) < count:
            fld = fields[i % len(fields)]
            key = random.Random(i).randbytes(16)
            node_id = FIRST_EXTRA_NODE + i
            session.add(Node(id=node_id, name=f"chaos-{i}", field=fld, gateway=gw, key_hex=key.hex()))
            out.append((node_id, key, fld.farm_id))
            i += 1
    db.engine.dispose()
    return seeded.gateway_token, out


class Chaos:
    """Owns every process of the run; stops exactly what it started."""

    def __init__(self, workdir: Path, cfg: ChaosConfig, log: Callable[[str], None] = print) -> None:
        self.workdir, self.cfg, self.log = workdir, cfg, log
        self.rng = random.Random(cfg.seed)
        self.report = ChaosReport(cfg.nodes, cfg.duration_s)
        self.influx_port, self.mqtt_port, self.server_port = free_port(), free_port(), free_port()
        self.db_name = "chaos"
        self.server_url = f"http://127.0.0.1:{self.server_port}"
        self.server_dir = workdir / "server"
        self.gw_dir = workdir / "gateway"
        self.influx: Service | None = None
        self.broker: Service | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self.gateway: subprocess.Popen[bytes] | None = None
        self.nodes: list[SimNode] = []
        self.keys: dict[int, bytes] = {}
        self.token = ""
        self._stop_nodes = threading.Event()
        self._sampling = threading.Event()
        self._drivers: list[threading.Thread] = []
        self.t0 = time.time()

    # -- processes ------------------------------------------------------------------------
    def event(self, what: str) -> None:
        line = f"t={time.time() - self.t0:6.1f}s {what}"
        self.report.events.append(line)
        self.log(line)

    def start_influx(self) -> None:
        self.influx = start_influxd(self.workdir / "influx", port=self.influx_port)

    def start_broker(self) -> None:
        self.broker = start_mosquitto(
            self.workdir / "mosq", self.keys, gateway_password=GATEWAY_MQTT_PASSWORD, port=self.mqtt_port
        )

    def start_server(self) -> None:
        env = os.environ | {
            "RUONGSO_DATA_DIR": str(self.server_dir),
            "RUONGSO_TSDB_URL": f"influx://127.0.0.1:{self.influx_port}/{self.db_name}",
        }
        with (self.server_dir / "server.log").open("ab") as log:
            self.server = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "server", "--port", str(self.server_port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                requests.get(self.server_url + "/api/v1/openapi.json", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("server did not start: " + (self.server_dir / "server.log").read_text()[-2000:])

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(5)
        self.server = None

    def start_gateway(self) -> None:
        env = os.environ | {
            "RUONGSO_GATEWAY_TOKEN": self.token,
            "RUONGSO_MQTT_PASSWORD": GATEWAY_MQTT_PASSWORD,
        }
        args = [sys.executable, "-m", "cli.main", "gateway", "run", "--data-dir", str(self.gw_dir)]
        args += ["--server", self.server_url, "--mqtt", f"127.0.0.1:{self.mqtt_port}", "--status-port", "0"]
        args += ["--outbox-max-mb", str(self.cfg.outbox_max_mb), "--key-refresh-s", "10"]
        args += ["--health-push-s", "0"]
        with (self.workdir / "gateway.log").open("ab") as log:
            self.gateway = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)

    def kill_gateway(self) -> None:
        if self.gateway is not None and self.gateway.poll() is None:
            os.kill(self.gateway.pid, signal.SIGKILL)
            self.gateway.wait(10)
        self.gateway = None

    def stop_gateway(self) -> None:
        if self.gateway is not None and self.gateway.poll() is None:
            self.gateway.terminate()
            try:
                self.gateway.wait(15)
            except subprocess.TimeoutExpired:
                self.gateway.kill()
                self.gateway.wait(5)
        self.gateway = None

    def setup(self) -> None:
        self.server_dir.mkdir(parents=True, exist_ok=True)
        self.token, nodes = add_nodes(f"sqlite:///{self.server_dir / 'registry.sqlite'}", self.cfg.nodes)
        self.keys = {n: k for n, k, _f in nodes}
        self.start_influx()
        self.start_broker()
        self.start_server()
        self.start_gateway()
        for node_id, key, farm_id in nodes:
            self.nodes.append(SimNode(node_id, key, farm_id, self.mqtt_port, random.Random(node_id)))
        self.event(f"up: {len(self.nodes)} nodes, gateway pid {self.gateway.pid if self.gateway else '-'}")

    def teardown(self) -> None:
        self._stop_nodes.set()
        for t in self._drivers:
            t.join(10)
        for n in self.nodes:  # disconnect all first: each loop thread then ends at once
            n.client.disconnect()
        for n in self.nodes:
            n.close()
        self.stop_gateway()
        self.stop_server()
        for svc in (self.broker, self.influx):
            if svc is not None:
                svc.stop()

    # -- nodes ----------------------------------------------------------------------------
    def _drive(self, nodes: list[SimNode], offset: float) -> None:
        interval = self.cfg.interval_s
        next_wake = time.time() + offset
        while not self._stop_nodes.is_set():
            delay = next_wake - time.time()
            if delay > 0 and self._stop_nodes.wait(delay):
                break
            now = time.time()
            for n in nodes:
                if self._sampling.is_set():
                    n.sample(now)
                n.wake(now)
            next_wake += interval
            if next_wake < time.time() - interval:  # overloaded: skip, never spin
                next_wake = time.time() + interval

    def start_nodes(self) -> None:
        self._sampling.set()
        k = max(1, self.cfg.drivers)
        for i in range(k):
            part = self.nodes[i::k]
            t = threading.Thread(target=self._drive, args=(part, i * self.cfg.interval_s / k), daemon=True)
            t.start()
            self._drivers.append(t)

    # -- the run --------------------------------------------------------------------------
    def plan(self) -> list[tuple[float, str]]:
        """Chaos events at seeded random moments within the run (never in its last 10 %)."""
        d, rng = self.cfg.duration_s, self.rng
        events: list[tuple[float, str]] = [(rng.uniform(0.05, 0.9) * d, "kill_gateway")]
        events += [(rng.uniform(0.05, 0.9) * d, "kill_gateway") for _ in range(self.cfg.gateway_kills - 1)]
        if self.cfg.server_outage_s > 0:
            events.append((0.15 * d, "server_down"))
        if self.cfg.restart_broker:
            events.append((0.6 * d, "restart_broker"))
        if self.cfg.restart_influx:
            events.append((0.75 * d, "restart_influx"))
        return sorted(events)

    def _outbox_full(self) -> bool:
        """The gateway logged a refused commit (bounded outbox full: no acks until it drains)."""
        log = self.workdir / "gateway.log"
        return log.exists() and "frames not acknowledged" in log.read_text(errors="replace")

    def run(self) -> ChaosReport:
        cfg = self.cfg
        self.setup()
        try:
            self.t0 = time.time()
            self.start_nodes()
            server_back_at: float | None = None
            for at, what in self.plan():
                while time.time() - self.t0 < at:
                    if server_back_at is not None and time.time() >= server_back_at:
                        self.start_server()
                        self.event("server back")
                        server_back_at = None
                    time.sleep(0.05)
                if what == "kill_gateway":
                    self.kill_gateway()
                    self.report.gateway_kills += 1
                    self.event(f"kill -9 gateway (#{self.report.gateway_kills})")
                    time.sleep(self.rng.uniform(0.2, 1.5))
                    self.start_gateway()
                elif what == "server_down":
                    self.stop_server()
                    self.report.server_outages += 1
                    self.report.server_outage_s += cfg.server_outage_s
                    server_back_at = time.time() + cfg.server_outage_s
                    self.event(f"server stopped for {cfg.server_outage_s:.0f} s (outbox fills to its bound)")
                elif what == "restart_broker" and self.broker is not None:
                    self.broker.stop()
                    self.event("mosquitto stopped")
                    time.sleep(1.0)
                    self.start_broker()
                    self.report.broker_restarts += 1
                    self.event("mosquitto restarted")
                elif what == "restart_influx" and self.influx is not None:
                    self.influx.stop()
                    self.event("influxd stopped")
                    time.sleep(2.0)
                    self.start_influx()
                    self.report.influx_restarts += 1
                    self.event("influxd restarted")
            while time.time() - self.t0 < cfg.duration_s or server_back_at is not None:
                if server_back_at is not None and time.time() >= server_back_at:
                    self.start_server()
                    self.event("server back")
                    server_back_at = None
                time.sleep(0.05)
            self._sampling.clear()
            self.event("sampling stopped; draining node buffers")
            self.drain()
            self.verify()
        finally:
            self.report.outbox_full_seen = self._outbox_full()
            self.teardown()
        return self.report

    def drain(self) -> None:
        deadline = time.time() + self.cfg.drain_timeout_s
        while time.time() < deadline and any(n.pending for n in self.nodes):
            time.sleep(0.5)
        time.sleep(2 * self.cfg.interval_s)
        for n in self.nodes:
            n.settle()
        stable, last = 0, -1
        while time.time() < deadline and stable < 6:  # stored count unchanged for 3 s
            got = sum(len(v) for v in self.stored().values())
            stable = stable + 1 if got == last else 0
            last = got
            time.sleep(0.5)
        self.event(f"drained: {sum(len(n.pending) for n in self.nodes)} readings still buffered")

    def stored(self) -> dict[int, list[int]]:
        """node -> list of stored counters (with repeats, so duplicates show)."""
        url = f"http://127.0.0.1:{self.influx_port}/query"
        q = 'SELECT "counter" FROM "reading" GROUP BY "node"'
        r = requests.get(url, params={"db": self.db_name, "q": q, "epoch": "s"}, timeout=60)
        r.raise_for_status()
        out: dict[int, list[int]] = {}
        for result in r.json().get("results", []):
            for s in result.get("series", []) or []:
                out[int(s["tags"]["node"])] = [int(v[1]) for v in s["values"]]
        return out

    def server_accepted(self) -> set[tuple[int, int]]:
        """(node, counter) the server recorded as stored (its dedupe log)."""
        import sqlite3

        conn = sqlite3.connect(f"file:{self.server_dir / 'registry.sqlite'}?mode=ro", uri=True)
        try:
            return {(int(n), int(c)) for n, c in conn.execute("SELECT node_id, counter FROM ingested_frame")}
        finally:
            conn.close()

    def verify(self) -> None:
        stored = self.stored()
        accepted = self.server_accepted()
        rep = self.report
        rep.frames_sampled = sum(n.counter for n in self.nodes)
        rep.publishes = sum(n.publishes for n in self.nodes)
        rep.still_buffered = sum(len(n.pending) for n in self.nodes)
        for n in self.nodes:
            got = stored.get(n.node_id, [])
            distinct = set(got)
            rep.stored += len(distinct)
            rep.duplicated += len(got) - len(distinct)
            rep.acknowledged += len(n.acked)
            missing = sorted(n.acked - distinct)
            rep.lost += len(missing)
            rep.lost_before_server += sum(1 for c in missing if (n.node_id, c) not in accepted)
            rep.lost_examples += [(n.node_id, c) for c in missing[:3]]
        rep.lost_examples = rep.lost_examples[:20]
        rep.overwritten = rep.lost - rep.lost_before_server
        self.event(
            f"sampled={rep.frames_sampled} acked={rep.acknowledged} stored={rep.stored} "
            f"duplicated={rep.duplicated} lost={rep.lost} (not at server: {rep.lost_before_server}, "
            f"overwritten in InfluxDB: {rep.overwritten}) still_buffered={rep.still_buffered}"
        )
