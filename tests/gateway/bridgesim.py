"""A simulated ESP-NOW bridge on the master side of a real pty pair, with nodes that keep every
reading until the gateway acks its counter and resend the rest (the firmware's store rule)."""

from __future__ import annotations

import contextlib
import os
import select
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from firmware.lib import framecodec as fc
from firmware.lib import linkproto
from firmware.lib import serialframe as sf


def eventually(predicate: Callable[[], object], timeout_s: float) -> bool:
    """True as soon as ``predicate()`` holds, False once ``timeout_s`` has passed without it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def wait_for(predicate: Callable[[], object], timeout_s: float = 30.0, what: str = "condition") -> None:
    if not eventually(predicate, timeout_s):
        raise AssertionError(f"timed out waiting for {what}")


@dataclass
class SimNode:
    node_id: int
    key: bytes
    mac: bytes
    next_counter: int = 1
    pending: dict[int, int] = field(default_factory=dict)  # counter -> sample time (s)
    acked: set[int] = field(default_factory=set)
    # Readings one minute apart, starting days ago: each counter has its own time series point.
    base: int = field(default_factory=lambda: int(time.time()) - 300_000)

    def sample(self, now: float) -> int:
        counter = self.next_counter
        self.next_counter += 1
        self.pending[counter] = min(int(now), self.base + 60 * counter)
        return counter

    def frame(self, counter: int, now: float) -> bytes:
        ch = fc.CHANNEL_IDS
        readings = [
            (ch["soil_vwc"], 0.30 + (counter % 7) / 1000, fc.STATUS_OK),
            (ch["soil_temp"], 24.0 + (counter % 11) / 10, fc.STATUS_OK),
            (ch["battery"], 3.9, fc.STATUS_OK),
        ]
        age = max(0, int(now) - self.pending[counter])
        return fc.encode(self.key, self.node_id, counter, age, readings, fc.FLAG_BUFFERED if age else 0)


class PtyBridge:
    """The bridge end of the serial link; ``path`` is a stable symlink like /dev/serial/by-id/..."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master = -1
        self.slave = -1
        self.decoder = sf.Decoder()
        self.acks: list[tuple[bytes, int]] = []
        self.plug()

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # before the gateway opens it: no echo, no newline translation
        os.set_blocking(self.master, False)
        tmp = self.link.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self.slave))
        os.replace(tmp, self.link)
        self.decoder = sf.Decoder()

    def unplug(self) -> None:
        os.close(self.master)
        os.close(self.slave)
        self.link.unlink(missing_ok=True)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def write(self, data: bytes, timeout_s: float = 2.0) -> bool:
        """False if the gateway did not drain the link in time: the rest is lost, like radio."""
        view = memoryview(data)
        deadline = time.monotonic() + timeout_s
        while view:
            try:
                view = view[os.write(self.master, view) :]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                select.select([], [self.master], [], 0.05)
        return True

    def send_frame(self, node: SimNode, frame: bytes, rssi: int = -60) -> None:
        self.write(sf.encode(sf.MSG_FRAME, sf.pack_frame_up(node.mac, rssi, frame)))

    def poll(self) -> list[tuple[bytes, int]]:
        """Read acks the gateway sent: (mac, counter)."""
        new = []
        while True:
            try:
                data = os.read(self.master, 65536)
            except (BlockingIOError, OSError):
                break
            if not data:
                break
            for mtype, payload in self.decoder.feed(data):
                if mtype != sf.MSG_DOWN:
                    continue
                mac, msg = sf.unpack_down(payload)
                if msg[:1] == bytes([linkproto.ESPNOW_ACK]):
                    counter = linkproto.parse_ack(msg[1:])
                    if counter is not None:
                        new.append((mac, counter))
        self.acks += new
        return new


def deliver_acks(bridge: PtyBridge, nodes: list[SimNode]) -> int:
    by_mac = {n.mac: n for n in nodes}
    got = bridge.poll()
    for mac, counter in got:
        node = by_mac[mac]
        node.acked.add(counter)
        node.pending.pop(counter, None)
    return len(got)
