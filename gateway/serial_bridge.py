"""Serial intake: node frames from the ESP-NOW / LoRa bridge on a USB serial port, acks back on it.

The wire framing is the shared ``firmware.lib.serialframe`` codec (COBS + CRC-16, one 0x00 byte
between packets), the same module the bridge firmware runs, so the gateway resynchronises after
garbage or a half packet at the next delimiter. The port is opened with ``os``/``termios`` (raw
mode, no extra dependency); when the device disappears (unplugged, bridge reset) reads fail, the
port is closed and reopened with capped exponential backoff, and a fresh decoder drops any half
packet from before. A node's ack is a ``MSG_DOWN`` carrying ``linkproto.espnow_ack(counter)`` to
the node's MAC, sent only for frames the processor reports durable (or already stored). With a
``Downlink``, a node whose signed config is newer than the version it reports gets the config's
ESP-NOW chunks (``linkproto.espnow_config_chunks``), and a node offered a firmware bundle gets the
offer notice, in the same burst as its ack and *before* it: the node stops listening a few ms after
its last ack, while a 250-byte piece needs ~23 ms on a 115200-baud line. The node's firmware
requests and status (``linkproto.parse_request``) come up as bridge frames whose first byte is not a
frame version; they are answered at once (``Downlink.espnow_answer``) and never reach the processor.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import select
import termios
import threading
import time
import tty
from dataclasses import dataclass, field
from typing import Any

from firmware.lib import linkproto
from firmware.lib import serialframe as sf
from gateway.downlink import Downlink
from gateway.intake import FrameProcessor, RawFrame, Result

log = logging.getLogger("gateway.serial")

BAUD = {
    9600: termios.B9600,
    57600: termios.B57600,
    115200: termios.B115200,
    230400: termios.B230400,
    460800: termios.B460800,
    921600: termios.B921600,
}


@dataclass
class SerialStats:
    connected: bool = False
    opens: int = 0
    disconnects: int = 0
    packets: int = 0
    frames: int = 0
    bad_packets: int = 0  # CRC or COBS damage, overflow, short payloads
    acks_sent: int = 0
    acks_dropped: int = 0
    radio_acks_ok: int = 0  # MSG_SENT: the node's radio took the ack
    radio_acks_failed: int = 0
    fw_requests: int = 0  # firmware requests and status messages from ESP-NOW nodes
    bridge: dict[str, Any] = field(default_factory=dict)  # last MSG_HELLO / MSG_STATUS


def open_port(path: str, baud: int) -> int:
    """Open ``path`` raw, non-blocking, 8N1 at ``baud``; returns the file descriptor."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        tty.setraw(fd)
        attrs = termios.tcgetattr(fd)
        speed = BAUD.get(baud, termios.B115200)
        attrs[4] = attrs[5] = speed
        attrs[2] |= termios.CLOCAL | termios.CREAD
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
    except termios.error:
        pass  # not a tty (a FIFO in a test): raw bytes are all we need
    except BaseException:
        os.close(fd)
        raise
    return fd


class SerialIntake:
    def __init__(
        self,
        processor: FrameProcessor,
        path: str,
        baud: int = 115200,
        min_backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
        read_size: int = 4096,
        ping_s: float = 60.0,
        downlink: Downlink | None = None,
    ) -> None:
        self.processor = processor
        self.downlink = downlink
        self.path = path
        self.baud = baud
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self.read_size = read_size
        self.ping_s = ping_s  # ask the bridge for its MSG_STATUS this often (health page)
        self.stats = SerialStats()
        self.connected = threading.Event()
        self._fd: int | None = None
        self._decoder = sf.Decoder()

    def run(self, stop: threading.Event) -> None:
        backoff = self.min_backoff_s
        while not stop.is_set():
            try:
                self._fd = open_port(self.path, self.baud)
            except OSError as exc:
                log.warning(
                    "event=serial_open_failed path=%s error=%r retry_in_s=%.1f",
                    self.path,
                    exc.strerror,
                    backoff,
                )
                stop.wait(backoff)
                backoff = min(self.max_backoff_s, backoff * 2)
                continue
            backoff = self.min_backoff_s
            self._decoder = sf.Decoder()  # a half packet from before the reopen is garbage now
            self.stats.opens += 1
            self.stats.connected = True
            self.connected.set()
            log.info("event=serial_open path=%s baud=%d", self.path, self.baud)
            try:
                self._pump(stop)
            finally:
                self._close()

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None
        self.stats.connected = False
        self.connected.clear()

    def _pump(self, stop: threading.Event) -> None:
        fd = self._fd
        assert fd is not None
        next_ping = time.monotonic()
        while not stop.is_set():
            if self.ping_s and time.monotonic() >= next_ping:
                self._write(sf.encode(sf.MSG_PING))
                next_ping = time.monotonic() + self.ping_s
            try:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if not ready:
                    continue
                data = os.read(fd, self.read_size)
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                data = b""
            if not data:  # EOF or EIO: the device went away
                self.stats.disconnects += 1
                log.warning("event=serial_lost path=%s", self.path)
                return
            self.feed(data)

    def feed(self, data: bytes) -> list[Result]:
        """Decode serial bytes, make their frames durable in one commit, then ack them."""
        errors_before = self._decoder.errors
        packets = self._decoder.feed(data)
        self.stats.bad_packets += self._decoder.errors - errors_before
        now = time.time()
        frames: list[RawFrame] = []
        macs: list[bytes] = []
        for mtype, payload in packets:
            self.stats.packets += 1
            if mtype == sf.MSG_FRAME:
                try:
                    mac, rssi, frame = sf.unpack_frame_up(payload)
                except ValueError:
                    self.stats.bad_packets += 1
                    continue
                if frame[:1] and frame[0] in linkproto.ESPNOW_UP_KINDS:
                    self._answer(mac, frame)
                    continue
                frames.append(RawFrame(frame, now, rssi=rssi or None))
                macs.append(mac)
            elif mtype == sf.MSG_SENT:
                ok = payload[sf.MAC_LEN : sf.MAC_LEN + 1] == b"\x01"
                if ok:
                    self.stats.radio_acks_ok += 1
                else:
                    self.stats.radio_acks_failed += 1
            elif mtype == sf.MSG_HELLO:
                self.stats.bridge["hello"] = {
                    "mac": payload[: sf.MAC_LEN].hex(":"),
                    "channel": payload[sf.MAC_LEN] if len(payload) > sf.MAC_LEN else None,
                    "version": payload[sf.MAC_LEN + 1 :].decode("ascii", "replace"),
                }
                log.info("event=bridge_hello %s", self.stats.bridge["hello"])
            elif mtype == sf.MSG_STATUS:
                try:
                    self.stats.bridge["status"] = json.loads(payload)
                except ValueError:
                    self.stats.bad_packets += 1
        if not frames:
            return []
        self.stats.frames += len(frames)
        results = self.processor.process(frames)
        out = bytearray()
        told: set[int] = set()  # config and notice once per node and burst, before its first ack
        for mac, result in zip(macs, results, strict=True):
            if result.ack and result.counter is not None:
                if self.downlink is not None and result.node_id is not None and result.node_id not in told:
                    told.add(result.node_id)
                    version = self.processor.config_version(result.node_id)
                    ahead = self.downlink.espnow_config(result.node_id, version)
                    for msg in ahead + self.downlink.espnow_notice(result.node_id):
                        out += sf.encode(sf.MSG_DOWN, sf.pack_down(mac, msg))
                out += sf.encode(sf.MSG_DOWN, sf.pack_down(mac, linkproto.espnow_ack(result.counter)))
                self.stats.acks_sent += 1
        if out and not self._write(bytes(out)):
            self.stats.acks_dropped += 1
            log.warning("event=serial_ack_dropped bytes=%d", len(out))
        return results

    def _answer(self, mac: bytes, msg: bytes) -> None:
        """A node's firmware request or status through the bridge: answer it to that MAC at once."""
        if self.downlink is None:
            return
        out = b"".join(sf.encode(sf.MSG_DOWN, sf.pack_down(mac, m)) for m in self.downlink.espnow_answer(msg))
        self.stats.fw_requests += 1
        if out and not self._write(out):
            log.warning("event=serial_fw_answer_dropped bytes=%d", len(out))

    def _write(self, data: bytes, timeout_s: float = 1.0) -> bool:
        """Write to the bridge; False if the port is gone or stuck (acks dropped: the node resends
        and gets re-acked)."""
        fd = self._fd
        deadline = time.monotonic() + timeout_s
        view = memoryview(data)
        while view and fd is not None:
            try:
                n = os.write(fd, view)
                view = view[n:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                select.select([], [fd], [], 0.05)
            except OSError:
                break
        return not view
