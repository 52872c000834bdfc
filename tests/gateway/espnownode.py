"""A simulated ESP-NOW node and bridge for end-to-end tests through the real gateway's serial intake.

The node runs its own code: ``firmware/node/link_espnow.py`` (the ESP-NOW link), ``updater.py`` and
``fwboot.py``, with ``firmware/lib`` imported flat as on the ESP32. The bridge is the bridge
firmware's own ``Bridge`` class (``firmware/bridge/bridge.py``) writing to a pseudo-terminal that the
gateway's ``SerialIntake`` reads. Only the radio is simulated: two in-memory ESP-NOW endpoints that
hand each payload to the other side, with a hook to lose or damage payloads on the air.
"""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from firmware.lib import framecodec as fc

ROOT = Path(__file__).resolve().parents[2]
for _p in (ROOT / "firmware" / "node", ROOT / "firmware" / "lib", ROOT / "firmware" / "bridge"):
    if str(_p) not in sys.path:
        sys.path.append(str(_p))  # after the project: only the node's flat module names resolve here


class _Network(types.ModuleType):
    STA_IF = 0

    class WLAN:
        def __init__(self, iface: int) -> None:
            self.iface = iface

        def active(self, flag: bool | None = None) -> bool:
            return True

        def config(self, **kw: Any) -> None:
            return None


class Radio:
    """One ESP-NOW endpoint (``espnow.ESPNow``'s surface the node and the bridge use)."""

    def __init__(self, mac: bytes, air: Air) -> None:
        self.mac, self.air = mac, air
        self.inbox: queue.Queue[tuple[bytes, bytes]] = queue.Queue()
        self.peers_table: dict[bytes, list[int]] = {}

    def active(self, flag: bool | None = None) -> bool:
        return True

    def config(self, **kw: Any) -> None:
        return None

    def add_peer(self, mac: bytes) -> None:
        return None

    def del_peer(self, mac: bytes) -> None:
        return None

    def send(self, mac: bytes, msg: bytes, sync: bool = True) -> bool:
        return self.air.carry(self.mac, bytes(mac), bytes(msg))

    def recv(self, timeout_ms: int | None = None) -> tuple[bytes | None, bytes | None]:
        try:
            return self.inbox.get(timeout=(timeout_ms or 0) / 1000)
        except queue.Empty:
            return None, None


class Air:
    """Carries payloads between radios; ``spoil(src, msg)`` may drop (None) or alter a payload."""

    def __init__(self) -> None:
        self.radios: dict[bytes, Radio] = {}
        self.spoil: Callable[[bytes, bytes], bytes | None] | None = None
        self.on_bridge: Callable[[bytes, bytes], None] | None = None

    def carry(self, src: bytes, dst: bytes, msg: bytes) -> bool:
        peer = self.radios.get(dst)
        if peer is None:
            return False
        if self.spoil is not None:
            changed = self.spoil(src, msg)
            if changed is None:
                return True  # lost after the radio ack, as a payload the receiver's buffer dropped
            msg = changed
        if self.on_bridge is not None and dst == BRIDGE_MAC:
            self.on_bridge(src, msg)
        else:
            peer.inbox.put((src, msg))
        return True


sys.modules.setdefault("network", _Network("network"))
sys.modules.setdefault("espnow", types.ModuleType("espnow"))

import bridge as bridge_fw  # noqa: E402
import fwboot  # noqa: E402
import link_espnow  # noqa: E402
import updater  # noqa: E402

BRIDGE_MAC = bytes.fromhex("246f28bbbbbb")
_TICKS = types.SimpleNamespace(
    ticks_ms=lambda: int(time.monotonic() * 1000),
    ticks_diff=lambda a, b: a - b,
    ticks_add=lambda a, b: a + b,
)
link_espnow.time = _TICKS  # MicroPython's time.ticks_* on CPython
updater.time = _TICKS


class SimBridge:
    """The bridge firmware's ``Bridge`` between the air and a pseudo-terminal the gateway opens."""

    def __init__(self, air: Air, master: int) -> None:
        self.radio = Radio(BRIDGE_MAC, air)
        air.radios[BRIDGE_MAC] = self.radio
        self.master = master
        self.lock = threading.Lock()
        self.bridge = bridge_fw.Bridge(self.radio, self._write, 1)
        air.on_bridge = lambda src, msg: self._locked(self.bridge.from_radio, src, msg)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serial_in, daemon=True)
        self.thread.start()

    def _locked(self, fn: Callable[..., None], *args: Any) -> None:
        with self.lock:
            fn(*args)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.master, view) :]
            except BlockingIOError:
                select.select([], [self.master], [], 0.05)

    def _serial_in(self) -> None:
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except (BlockingIOError, OSError):
                continue
            self._locked(self.bridge.from_serial, data)


class EspNowNode:
    """One node: ``wake()`` is ``app.Node.deliver``'s ESP-NOW path after sampling."""

    def __init__(self, root: Path, air: Air, mac: bytes, node_id: int, key: bytes, fw_key: bytes) -> None:
        self.root, self.air, self.mac, self.node_id, self.key = root, air, mac, node_id, key
        root.mkdir(parents=True, exist_ok=True)
        self.counter = 0
        self.battery_v = 3.95
        self.fw_chunks = 8
        self.updater = updater.Updater(key, fw_key, "esp32", "demo", str(root))
        self.crashes = 0
        self.last_acked = False

    def boot(self) -> bool:
        import runpy

        st = fwboot.boot(str(self.root))
        if st["slot"]:
            try:
                runpy.run_path(str(self.root / st["slot"] / "app.py"))
            except Exception:
                self.crashes += 1
                return False
        return True

    def wake(self) -> dict[str, Any]:
        if not self.boot():
            return fwboot.load(str(self.root))
        cfg = {"node_id": self.node_id, "espnow_peer": BRIDGE_MAC.hex(), "espnow_channel": 1}
        link = link_espnow.EspNowLink(cfg)
        radio = Radio(self.mac, self.air)
        self.air.radios[self.mac] = radio
        link.e = radio  # what EspNowLink.open sets up on the ESP32
        self.counter += 1
        readings = [(fc.CHANNEL_IDS["battery"], self.battery_v, fc.STATUS_OK)]
        link.send(fc.encode(self.key, self.node_id, self.counter, 0, readings))
        link.poll(3000, [self.counter])
        self.last_acked = self.counter in link.acks
        deadline = int(time.monotonic() * 1000) + 20000
        low = self.battery_v < 3.5  # nodeconfig DEFAULTS low_batt_v
        self.updater.after_send(link, self.last_acked, self.battery_v, low, self.fw_chunks, deadline)
        link.close()
        del self.air.radios[self.mac]  # radio off
        self.updater.finish()
        return fwboot.load(str(self.root))

    def downloaded(self) -> int:
        p = self.root / "fw" / "dl.bin"
        return p.stat().st_size if p.exists() else 0
