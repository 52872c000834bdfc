"""Ruộng Số node frame codec, version 1 — the ONE implementation of the wire format.

It runs unchanged on MicroPython (the node and the ESP-NOW bridge) and on CPython (the gateway and
the tools), so it keeps to the subset both share: no typing import, no f-strings, no dataclasses,
only ``struct`` and ``hmac256`` (HMAC-SHA256). Byte layout and a worked example: ``docs/protocol.md``.

Layout (big-endian)::

    0      1  version (high nibble) | flags (low nibble)
    1..4   4  node id, u32
    5..8   4  frame counter, u32, strictly increasing per node, never reused
    9..11  3  sample age in seconds, u24 (time between sampling and this transmission)
    12     1  channel count N
    13..   N  channels: 1 byte (bit 7 = status follows, bits 0..6 = channel id), then either
              a 2-byte fixed-point value (signedness and scale from CHANNELS) or a 1-byte status
    end-4  4  MIC: HMAC-SHA256(node key, every byte before it), first 4 bytes
"""

import struct

try:  # on the node, /lib modules import flat; on CPython they live in the firmware.lib package
    from hmac256 import equal, hmac_sha256
except ImportError:
    from firmware.lib.hmac256 import equal, hmac_sha256

VERSION = 1
HEADER_LEN = 13
MIC_LEN = 4
MIN_FRAME_LEN = HEADER_LEN + MIC_LEN
# LoRa SF9/125 kHz in AS923 allows 115-byte payloads (LoRaWAN RP002 table); stay far below it.
MAX_FRAME_LEN = 96
MAX_AGE_S = 0xFFFFFF

FLAG_BUFFERED = 0x1  # the reading waited in the node's buffer before this transmission
FLAG_CONFIG_ACK = 0x2  # the node applied the config version carried in channel ``config_version``
FLAG_LOW_BATTERY = 0x4  # the node stretched its interval to save the battery

# Channel table: id -> (key, unit, scale divisor, signed). One definition for every component.
CHANNELS = {
    1: ("soil_vwc", "m3/m3", 10000, False),
    2: ("soil_temp", "degC", 100, True),
    3: ("air_temp", "degC", 100, True),
    4: ("air_rh", "%", 100, False),
    5: ("rain", "mm", 10, False),
    6: ("wind_speed", "m/s", 100, False),
    7: ("battery", "V", 1000, False),
    8: ("soil_ec", "uS/cm", 1, False),
    9: ("soil_ph", "pH", 100, False),
    10: ("soil_n", "index", 1, False),
    11: ("soil_p", "index", 1, False),
    12: ("soil_k", "index", 1, False),
    13: ("rssi", "dBm", 1, True),
    14: ("soil_raw", "mV", 1, False),
    15: ("leaf_wetness", "%", 100, False),
    16: ("water_level", "cm", 10, True),
    17: ("solar_radiation", "W/m2", 1, False),
    18: ("config_version", "count", 1, False),
    19: ("snr", "dB", 10, True),
}
CHANNEL_IDS = {}
for _cid in CHANNELS:
    CHANNEL_IDS[CHANNELS[_cid][0]] = _cid

# Per-channel status codes: a failed sensor reports one of these, never a fake value.
STATUS_OK = 0
STATUS_FAULT = 1
STATUS_TIMEOUT = 2
STATUS_CRC = 3
STATUS_OUT_OF_RANGE = 4
STATUS_ABSENT = 5
STATUS_WARMING_UP = 6
STATUS_NAMES = {
    0: "ok",
    1: "fault",
    2: "timeout",
    3: "crc_error",
    4: "out_of_range",
    5: "absent",
    6: "warming_up",
}


class FrameError(ValueError):
    """A frame that cannot be encoded or decoded; the message says which rule it broke."""


def mic(key, data):
    """Truncated HMAC-SHA256 of the frame: 4 bytes, as LoRaWAN's MIC (LoRaWAN 1.0.4 §4.4)."""
    return hmac_sha256(key, data)[:MIC_LEN]



def encode(key, node_id, counter, age_s, readings, flags=0):
    """Build a frame. ``readings``: sequence of (channel id, value or None, status code).

    A value that does not fit the channel's fixed-point range is sent as STATUS_OUT_OF_RANGE.
    """
    if not 0 <= node_id <= 0xFFFFFFFF:
        raise FrameError("node id out of range")
    if not 0 <= counter <= 0xFFFFFFFF:
        raise FrameError("counter out of range")
    if age_s < 0:
        raise FrameError("negative sample age")
    if age_s > MAX_AGE_S:
        age_s = MAX_AGE_S
    if len(readings) > 255:
        raise FrameError("too many channels")
    out = bytearray(HEADER_LEN)
    out[0] = (VERSION << 4) | (flags & 0x0F)
    struct.pack_into(">IIBHB", out, 1, node_id, counter, age_s >> 16, age_s & 0xFFFF, len(readings))
    for cid, value, status in readings:
        spec = CHANNELS.get(cid)
        if spec is None:
            raise FrameError("unknown channel id")
        if status == STATUS_OK and value is not None:
            raw = round(value * spec[2])
            lo, hi = (-32768, 32767) if spec[3] else (0, 65535)
            if lo <= raw <= hi:
                out.append(cid)
                out.extend(struct.pack(">h" if spec[3] else ">H", raw))
                continue
            status = STATUS_OUT_OF_RANGE
        if status == STATUS_OK:
            status = STATUS_FAULT  # a missing value with no reason is still a fault, not a zero
        out.append(0x80 | cid)
        out.append(status)
    if len(out) + MIC_LEN > MAX_FRAME_LEN:
        raise FrameError("frame too long")
    out.extend(mic(key, out))
    return bytes(out)


def peek_node(frame):
    """Node id from an unverified frame, so the receiver can look up the key to verify it."""
    if len(frame) < MIN_FRAME_LEN:
        raise FrameError("frame too short")
    return struct.unpack_from(">I", frame, 1)[0]


def verify(key, frame):
    if len(frame) < MIN_FRAME_LEN or len(frame) > MAX_FRAME_LEN:
        return False
    return equal(mic(key, frame[:-MIC_LEN]), frame[-MIC_LEN:])


def decode(frame):
    """Parse a frame (MIC not checked: call ``verify`` first).

    Returns (version, flags, node id, counter, age seconds, readings) where readings is a list of
    (channel id, value or None, status code).
    """
    n = len(frame)
    if n < MIN_FRAME_LEN:
        raise FrameError("frame too short")
    if n > MAX_FRAME_LEN:
        raise FrameError("frame too long")
    version = frame[0] >> 4
    if version != VERSION:
        raise FrameError("unsupported frame version")
    node_id, counter, age_hi, age_lo, count = struct.unpack_from(">IIBHB", frame, 1)
    pos = HEADER_LEN
    end = n - MIC_LEN
    readings = []
    for _ in range(count):
        if pos >= end:
            raise FrameError("truncated channel list")
        head = frame[pos]
        cid = head & 0x7F
        spec = CHANNELS.get(cid)
        if spec is None:
            raise FrameError("unknown channel id")
        if head & 0x80:
            if pos + 2 > end:
                raise FrameError("truncated status")
            status = frame[pos + 1]
            if status == STATUS_OK or status not in STATUS_NAMES:
                raise FrameError("bad status code")
            readings.append((cid, None, status))
            pos += 2
        else:
            if pos + 3 > end:
                raise FrameError("truncated value")
            raw = struct.unpack_from(">h" if spec[3] else ">H", frame, pos + 1)[0]
            readings.append((cid, raw / spec[2], STATUS_OK))
            pos += 3
    if pos != end:
        raise FrameError("trailing bytes before MIC")
    return version, frame[0] & 0x0F, node_id, counter, (age_hi << 16) | age_lo, readings
