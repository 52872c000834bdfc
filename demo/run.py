"""Run the whole chain on embedded defaults: server, gateway and simulated nodes in one process.

Frames take the real path: codec on the node, MIC and counter checks and the durable outbox in
the gateway, HTTP batch upload to the server, the embedded time-series store, the web page.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from werkzeug.serving import make_server

from cli.errors import CommandError
from demo.nodes import SimNode
from demo.people import demo_logins
from demo.seed import SeededNode, seed
from demo.weather import FieldWeather
from firmware.lib import framecodec as fc
from gateway.intake import RawFrame
from gateway.service import Gateway, GatewayConfig
from ruongso.app import create_app
from server.config import Settings
from server.services import Services

HISTORY_STEP_S = 900  # the nodes' 15-minute sampling interval


def build_nodes(result_nodes: tuple[SeededNode, ...]) -> list[SimNode]:
    weather: dict[int, FieldWeather] = {}
    nodes = []
    for n in result_nodes:
        w = weather.setdefault(n.field_id, FieldWeather(seed=n.field_id, paddy=n.crop == "rice"))
        nodes.append(SimNode(n.node_id, n.key, n.kind, w))
    return nodes


def listen(host: str, port: int) -> socket.socket:
    """Bind the web page's socket before anything else is built.

    A taken port or an address this machine does not have is the user's to change, so it ends in one
    line naming it (werkzeug would print two lines of its own and exit), and at once, not after the
    database and the demo farms have been set up.
    """
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; try --port 0") from None


class Demo:
    def __init__(self, data_dir: Path, host: str, port: int, log: Callable[[str], None] = print) -> None:
        self.log = log
        with listen(host, port) as sock:
            settings = Settings.from_env(data_dir=data_dir, tsdb_url="embedded")
            self.app = create_app(settings)
            svc: Services = self.app.extensions["ruongso"]
            seeded = seed(svc.db)
            # werkzeug serves a duplicate of the bound socket's descriptor; this one closes here.
            self.server = make_server(host, port, self.app, threaded=True, fd=sock.fileno())
        self.url = f"http://{host}:{self.server.port}"
        self.gateway = Gateway(
            GatewayConfig(data_dir / "gateway", self.url, seeded.gateway_token, key_refresh_s=60)
        )
        self.nodes = build_nodes(seeded.nodes)
        self._restore_counters()

    def _restore_counters(self) -> None:
        """A rerun on the same data directory continues each node's counter, as a real node does."""
        for node in self.nodes:
            node.counter = self.gateway.processor.last_counter(node.node_id) or 0

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.gateway.start([])

    def deliver(self, frames: list[bytes], now: float) -> int:
        results = self.gateway.processor.process([RawFrame(f, now) for f in frames])
        return sum(r.ack for r in results)

    def backfill(self, days: float) -> int:
        """Replay the last days as buffered readings: what nodes send after a link outage.

        Progress counts finished steps, so the last line is 100 % exactly when the replay is done
        (counting started ones left the last line short of it, and a user waiting for 100 % wonders).
        """
        now = int(time.time())
        start = now - int(days * 86400)
        start -= start % HISTORY_STEP_S
        total = 0
        steps = range(start, now - HISTORY_STEP_S, HISTORY_STEP_S)
        for done, t in enumerate(steps, start=1):
            frames = [n.frame(t, now, n.sample(t, HISTORY_STEP_S), fc.FLAG_BUFFERED) for n in self.nodes]
            total += self.deliver(frames, now)
            tenth = done * 10 // len(steps)  # a line each time another tenth is done, at most ten
            if tenth > (done - 1) * 10 // len(steps) and done < len(steps):
                self.log(f"  lịch sử / history: {done * 100 // len(steps)}%")
        self.log(f"  lịch sử / history: 100% ({len(steps)} × {len(self.nodes)} readings)")
        return total

    def live(self, stop: threading.Event, interval_s: float) -> None:
        while not stop.is_set():
            now = int(time.time())
            self.deliver([n.frame(now, now, n.sample(now, int(interval_s))) for n in self.nodes], now)
            stop.wait(interval_s)

    def wait_uploaded(self, timeout_s: float = 30) -> bool:
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.gateway.outbox.depth() == 0:
                return True
            time.sleep(0.2)
        return False

    def shutdown(self) -> None:
        self.gateway.shutdown()
        self.server.shutdown()


def run_demo(data_dir: Path, host: str, port: int, history_days: float, interval_s: float) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    started = time.time()
    print("Ruộng Số demo — khởi động / starting…", flush=True)
    demo = Demo(data_dir, host, port, log=lambda m: print(m, flush=True))
    demo.start()
    stop = threading.Event()
    try:  # Ctrl+C at any moment from here stops the gateway and the server cleanly
        # A rerun on the same data directory already has its history: only the live readings continue.
        resumed = any(n.counter for n in demo.nodes)
        sent = 0 if resumed else demo.backfill(history_days)
        demo.wait_uploaded()
        took = time.time() - started
        print(
            f"\n  {len(demo.nodes)} nodes, {sent} buffered readings uploaded in {took:.1f} s\n"
            f"  Mở trình duyệt / open:  {demo.url}/\n  Dừng / stop: Ctrl+C\n",
            flush=True,
        )
        print("  Đăng nhập / logins (phone / password / role):", flush=True)
        for phone, password, role in demo_logins():
            print(f"    {phone}  {password:<16} {role}", flush=True)
        demo.live(stop, interval_s)
    except KeyboardInterrupt:
        print("\nđang dừng / stopping…", flush=True)
    finally:
        stop.set()
        demo.shutdown()
    return 0
