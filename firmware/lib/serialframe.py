"""USB-serial framing between the ESP-NOW bridge and the gateway (shared: MicroPython and CPython).

A packet is ``type (1 byte) | payload | CRC-16/CCITT-FALSE of type+payload (2 bytes, big-endian)``,
COBS-encoded (Cheshire & Baker, "Consistent Overhead Byte Stuffing", IEEE/ACM ToN 1999) and
terminated by one 0x00 byte. COBS output never contains 0x00, so a receiver that joins mid-stream
resynchronises at the next delimiter, and a corrupted packet costs only that packet.

Pure functions and one small stateful ``Decoder``; no I/O, no typing import, so the gateway imports
it as ``firmware.lib.serialframe`` and the bridge as ``serialframe``.

    >>> wire = encode(MSG_DOWN, pack_down(b"\\x24\\x6f\\x28\\x01\\x02\\x03", b"A42"))
    >>> dec = Decoder()
    >>> dec.feed(wire)
    [(2, b'$o(\\x01\\x02\\x03A42')]
"""

import struct
from array import array

# Message types. "up" = bridge -> gateway, "down" = gateway -> bridge.
MSG_FRAME = 0x01  # up: node MAC (6) | RSSI dBm (1, signed) | node frame (framecodec bytes)
MSG_DOWN = 0x02  # down: node MAC (6) | ESP-NOW payload to send to that node (ack or config chunk)
MSG_SENT = 0x03  # up: node MAC (6) | 1 if the node's radio acknowledged the MSG_DOWN, else 0
MSG_HELLO = 0x04  # up: bridge MAC (6) | Wi-Fi channel (1) | firmware version (ASCII); sent at boot
MSG_STATUS = 0x05  # up: ASCII JSON health line (uptime, counts of rx, tx, errors)
MSG_PING = 0x06  # down: bridge answers with MSG_STATUS

MAC_LEN = 6
MAX_PACKET = 600  # decoded bytes; an ESP-NOW v2 payload (1470 B) is not used by the nodes
DELIMITER = b"\x00"


def _crc_table():
    table = array("H", bytes(512))
    for i in range(256):
        crc = i << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table[i] = crc
    return table


_CRC_TABLE = _crc_table()  # 512 bytes, built once at import: one lookup per byte instead of 8 shifts


def crc16_ccitt(data, crc=0xFFFF):
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection ("123456789" -> 0x29B1)."""
    table = _CRC_TABLE
    for b in data:
        crc = ((crc << 8) & 0xFF00) ^ table[(crc >> 8) ^ b]
    return crc


def cobs_encode(data):
    out = bytearray(1)
    code_pos = 0
    code = 1
    for b in data:
        if b == 0:
            out[code_pos] = code
            code_pos = len(out)
            out.append(0)
            code = 1
            continue
        out.append(b)
        code += 1
        if code == 0xFF:
            out[code_pos] = code
            code_pos = len(out)
            out.append(0)
            code = 1
    out[code_pos] = code
    return bytes(out)


def cobs_decode(data):
    """Inverse of ``cobs_encode``; raises ValueError on a malformed block."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0:
            raise ValueError("bad COBS block")
        end = i + code
        if end > n:
            raise ValueError("bad COBS block")
        out.extend(data[i + 1:end])
        i = end
        if code != 0xFF and i < n:
            out.append(0)
    return bytes(out)


def encode(mtype, payload=b""):
    """One wire packet (delimiter included) for message ``mtype`` carrying ``payload``."""
    if not 0 <= mtype <= 0xFF:
        raise ValueError("message type out of range")
    body = bytearray(1 + len(payload))
    body[0] = mtype
    body[1:] = payload
    if len(body) + 2 > MAX_PACKET:
        raise ValueError("packet too long")
    body.extend(struct.pack(">H", crc16_ccitt(body)))
    return cobs_encode(body) + DELIMITER


def decode_packet(packet):
    """(type, payload) from one COBS block without its delimiter; ValueError if damaged."""
    raw = cobs_decode(packet)
    if len(raw) < 3:
        raise ValueError("packet too short")
    if crc16_ccitt(raw[:-2]) != struct.unpack(">H", raw[-2:])[0]:
        raise ValueError("CRC mismatch")
    return raw[0], bytes(raw[1:-2])


class Decoder:
    """Accumulates serial bytes and returns complete, CRC-checked packets.

    ``errors`` counts damaged or oversized packets (dropped, never returned).
    """

    def __init__(self, max_packet=MAX_PACKET):
        self._buf = bytearray()
        self._max = max_packet + max_packet // 254 + 2
        self._overflow = False
        self.errors = 0

    def feed(self, data):
        packets = []
        for b in data:
            if b != 0:
                if len(self._buf) >= self._max:
                    self._overflow = True
                else:
                    self._buf.append(b)
                continue
            if self._overflow:
                self.errors += 1
            elif self._buf:
                try:
                    packets.append(decode_packet(bytes(self._buf)))
                except ValueError:
                    self.errors += 1
            self._buf = bytearray()
            self._overflow = False
        return packets


def pack_frame_up(mac, rssi, frame):
    if len(mac) != MAC_LEN:
        raise ValueError("MAC must be 6 bytes")
    rssi = max(-128, min(127, int(rssi)))
    return bytes(mac) + struct.pack("b", rssi) + bytes(frame)


def unpack_frame_up(payload):
    """(mac, rssi, frame) from a MSG_FRAME payload."""
    if len(payload) < MAC_LEN + 1:
        raise ValueError("short MSG_FRAME")
    rssi = struct.unpack("b", payload[MAC_LEN:MAC_LEN + 1])[0]
    return bytes(payload[:MAC_LEN]), rssi, bytes(payload[MAC_LEN + 1:])


def pack_down(mac, data):
    if len(mac) != MAC_LEN:
        raise ValueError("MAC must be 6 bytes")
    return bytes(mac) + bytes(data)


def unpack_down(payload):
    """(mac, data) from a MSG_DOWN payload (also used for MSG_SENT: data = b'\\x01' or b'\\x00')."""
    if len(payload) < MAC_LEN:
        raise ValueError("short MSG_DOWN")
    return bytes(payload[:MAC_LEN]), bytes(payload[MAC_LEN:])
