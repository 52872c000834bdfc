"""ESP-NOW uplink to the gateway's bridge ESP32 (``espnow`` module, MicroPython >= 1.21).

Frames go to the bridge MAC (``espnow_peer``) on a fixed Wi-Fi channel; ``send(sync=True)``
returns True only when the bridge's radio acknowledged (espnow docs: that is not an application
ack). The gateway's durable acks come back through the bridge as ``b"A" + counter`` and a pending
config as ``b"C" + index + count + chunk`` (``linkproto``), sent before the ack. A firmware offer
is announced the same way (``b"N"``); the updater then asks for the manifest and one chunk at a
time (``fw_offer``, ``fetch_chunk``) and reports its status (``publish_status``), as it does over
MQTT. RSSI comes from ``peers_table``.
Measured by glenn20 on an ESP32: an acked ESP-NOW send cycle ~119 ms / 7.7 mC vs ~774 ms / 109 mC
for Wi-Fi static IP + MQTT.
"""

import binascii
import struct
import time

import espnow
import linkproto as lp
import network

OFFER_WAIT_MS = 1500  # a manifest is ~6 pieces of ~23 ms each on the bridge's 115200-baud line


class EspNowLink:
    # Frame by frame: the radio, the bridge and the serial line can each drop a packet, so a frame
    # is only followed by the next once it is acked (one ESP-NOW exchange in flight at a time).
    STOP_AND_WAIT = True
    def __init__(self, cfg):
        self.cfg = cfg
        self.peer = binascii.unhexlify(cfg["espnow_peer"])
        self.sta = None
        self.e = None
        self.acks = []
        self.config_blob = None
        self._asm = lp.ConfigAssembler()
        self.node_id = cfg["node_id"]
        self.fw_notice = None  # the bundle version the gateway offers this node, if any
        self._offer = None
        self._man = lp.ConfigAssembler(lp.ESPNOW_MANIFEST)
        self._chunks = lp.ChunkAssembler()
        self._chunk = None  # (index, data) of the last whole chunk

    def open(self, timeout_ms):
        self.sta = network.WLAN(network.STA_IF)
        self.sta.active(True)
        self.sta.config(channel=self.cfg["espnow_channel"])
        self.e = espnow.ESPNow()
        self.e.active(True)
        self.e.config(rxbuf=2048, timeout_ms=timeout_ms)
        try:
            self.e.add_peer(self.peer)
        except OSError:
            pass  # already a peer
        return True

    def _drain(self, wait_ms):
        host, msg = self.e.recv(wait_ms)
        if msg is None:
            return False
        if host != self.peer or not msg:
            return True
        if msg[0] == lp.ESPNOW_ACK:
            c = lp.parse_ack(msg[1:])
            if c is not None:
                self.acks.append(c)
        elif msg[0] == lp.ESPNOW_CONFIG:
            blob = self._asm.add(msg)
            if blob is not None:
                self.config_blob = blob
        elif msg[0] == lp.ESPNOW_NOTICE and len(msg) == 5:
            self.fw_notice = struct.unpack(">I", msg[1:5])[0]
        elif msg[0] == lp.ESPNOW_MANIFEST:
            blob = self._man.add(msg)
            if blob is not None:
                self._offer = blob
        elif msg[0] == lp.ESPNOW_CHUNK:
            got = self._chunks.add(msg)
            if got is not None:
                self._chunk = got
        return True

    def _ask(self, msg, done, wait_ms):
        """Send a request to the gateway and listen until ``done()`` or ``wait_ms`` pass."""
        if not self.e.send(self.peer, msg, True):
            return False
        t0 = time.ticks_ms()
        while not done():
            left = wait_ms - time.ticks_diff(time.ticks_ms(), t0)
            if left <= 0 or not self._drain(left):
                return done()
        return True

    @property
    def fw_offer(self):
        """The signed manifest of the offered bundle (asked for once), or None when none is offered."""
        if self.fw_notice is None:
            return None
        if self._offer is None:
            req = lp.espnow_request(lp.ESPNOW_OFFER_REQ, self.node_id, self.fw_notice)
            self._ask(req, lambda: self._offer is not None, OFFER_WAIT_MS)
        return self._offer

    def fetch_chunk(self, version, index, wait_ms):
        """Chunk ``index`` of bundle ``version`` as the gateway sent it (the updater checks it), or None."""
        self._chunk = None
        req = lp.espnow_request(lp.ESPNOW_CHUNK_REQ, self.node_id, version, index)
        self._ask(req, lambda: self._chunk is not None and self._chunk[0] == index, wait_ms)
        got = self._chunk
        return got[1] if got is not None and got[0] == index else None

    def publish_status(self, payload):
        self.e.send(self.peer, lp.espnow_request(lp.ESPNOW_STATUS, self.node_id, payload), True)

    def send(self, frame):
        ok = self.e.send(self.peer, frame, True)
        while self._drain(0):
            pass
        return bool(ok)

    def poll(self, wait_ms, sent):
        t0 = time.ticks_ms()
        while len(lp.acked(sent, self.acks)) < len(sent):
            left = wait_ms - time.ticks_diff(time.ticks_ms(), t0)
            if left <= 0 or not self._drain(left):
                return
        while self._drain(5):  # a config follows the ack in the same burst from the gateway
            pass

    def rssi(self):
        try:
            return self.e.peers_table[self.peer][0]
        except (KeyError, AttributeError, TypeError):
            return None

    def close(self):
        if self.e is not None:
            self.e.active(False)
        if self.sta is not None:
            self.sta.active(False)
