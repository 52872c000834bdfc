"""ESP-NOW <-> USB-serial bridge logic (runs on a plain ESP32 plugged into the gateway).

It is a dumb, fast pipe: it never decodes or verifies node frames (the gateway does, with the
node keys the bridge never holds). Radio -> serial: ``MSG_FRAME`` with the sender MAC and RSSI.
Serial -> radio: ``MSG_DOWN`` (an ack, a config or firmware piece for one node), answered by
``MSG_SENT``. A node's firmware requests and status travel up as ``MSG_FRAME`` like its frames.
Wire format and message types: ``serialframe``; payload meaning: ``linkproto``.
"""

import json

import serialframe as sf

VERSION = "1.0"
MAX_PEERS = 19  # ESP-NOW allows 20 unencrypted peers (ESP-IDF ESP_NOW_MAX_TOTAL_PEER_NUM)


class Bridge:
    def __init__(self, e, write, channel=1):
        self.e = e
        self.write = write
        self.channel = channel
        self.dec = sf.Decoder()
        self.peers = []
        self.rx = 0
        self.tx = 0
        self.tx_fail = 0
        self.t0 = 0

    def hello(self, mac):
        self.write(sf.encode(sf.MSG_HELLO, bytes(mac) + bytes([self.channel]) + VERSION.encode()))

    def rssi(self, mac):
        try:
            return self.e.peers_table[mac][0]
        except (KeyError, AttributeError, TypeError):
            return 0

    def from_radio(self, mac, msg):
        """A node's frame: forward it with its MAC and RSSI; nothing else is checked here."""
        if not msg or len(msg) > sf.MAX_PACKET - 16:
            return
        self.rx += 1
        self.write(sf.encode(sf.MSG_FRAME, sf.pack_frame_up(mac, self.rssi(mac), msg)))

    def _peer(self, mac):
        if mac in self.peers:
            self.peers.remove(mac)
        else:
            if len(self.peers) >= MAX_PEERS:
                old = self.peers.pop(0)
                try:
                    self.e.del_peer(old)
                except OSError:
                    pass
            try:
                self.e.add_peer(mac)
            except OSError:
                pass  # already known to the driver
        self.peers.append(mac)

    def from_serial(self, data):
        """Bytes from the gateway: send each complete MSG_DOWN to its node."""
        for mtype, payload in self.dec.feed(data):
            if mtype == sf.MSG_DOWN:
                try:
                    mac, msg = sf.unpack_down(payload)
                except ValueError:
                    self.dec.errors += 1
                    continue
                self._peer(mac)
                try:
                    ok = bool(self.e.send(mac, msg, True))
                except OSError:
                    ok = False
                self.tx += 1
                if not ok:
                    self.tx_fail += 1
                self.write(sf.encode(sf.MSG_SENT, mac + (b"\x01" if ok else b"\x00")))
            elif mtype == sf.MSG_PING:
                self.status()

    def status(self, uptime_s=0):
        line = json.dumps({"v": VERSION, "up": uptime_s, "rx": self.rx, "tx": self.tx,
                           "tx_fail": self.tx_fail, "serial_errors": self.dec.errors})
        self.write(sf.encode(sf.MSG_STATUS, line.encode()))
