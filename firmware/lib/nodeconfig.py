"""Signed, versioned node configuration (shared: node on MicroPython, gateway and tools on CPython).

Blob format (text, so a technician can read it with ``cat``)::

    <body: one line of JSON>\\n<HMAC-SHA256 over the body bytes, 64 lowercase hex digits>

The HMAC key is ``config_key(node_key)`` = HMAC-SHA256(node key, b"ruongso config v1"), so a config
signature can never be confused with a frame MIC made with the node key itself (RFC 2104 HMAC;
FIPS 180-4 SHA-256). The body must carry ``node_id`` and ``version``; a node applies a blob only if
the signature verifies, the node id is its own, the schema checks pass and the version is newer
than the one it runs. Anything else is rejected and the old config stays.

    blob = sign(key, {"node_id": 4097, "version": 2, "interval_s": 600})   # gateway / tools
    body = accept(key, blob, 4097, 1)        # node: raises ConfigError with the reason
    cfg = effective(body)                    # defaults filled in
"""

import binascii
import json

try:  # on the node, /lib modules import flat; on CPython they live in the firmware.lib package
    from hmac256 import equal, hmac_sha256
except ImportError:
    from firmware.lib.hmac256 import equal, hmac_sha256

FORMAT = 1
SIG_HEX_LEN = 64
MAX_BLOB = 2048
UPLINKS = ("wifi", "espnow")
BOARDS = ("esp32", "esp32s3")
SENSORS = ("soil", "ds18b20", "sht3x", "sht4x", "probe", "rain", "wind", "battery")
PROBE_MAPS = ("generic", "jxct")
CAL_MODELS = ("two_point", "poly", "piecewise")

DEFAULTS = {
    "format": FORMAT,
    "farm_id": "demo",
    "board": "esp32",
    "uplink": "wifi",
    "interval_s": 900,
    "send_every": 1,
    "health_every": 4,
    "sensors": ["soil", "ds18b20", "sht4x", "battery"],
    "soil_cal": {"model": "two_point", "dry_uv": 2400000, "wet_uv": 1000000, "dry_vwc": 0.0, "wet_vwc": 0.45},
    "soil_samples": 9,
    # 1: every frame also carries the probe's raw output (channel soil_raw, mV), so the technician's
    # calibration and any later recalibration of history have it; 3 bytes a frame, costed in
    # docs/protocol.md ("Raw soil value"). 0 leaves it out (only for a link that cannot spare them).
    "soil_raw": 1,
    "soil_settle_ms": 200,
    "battery_ratio": 2.0,
    "low_batt_v": 3.5,
    "critical_batt_v": 3.3,
    "low_batt_factor": 4,
    "rain_mm_per_tip": 0.2794,
    "wind_ms_per_hz": 0.667,
    "wind_window_ms": 3000,
    "probe": {"map": "generic", "addr": 1, "baud": 4800, "warmup_ms": 1500, "timeout_ms": 500},
    "probe_every": 1,
    "thresholds": {},
    "wifi_ssid": "",
    "static_ip": "",
    "gateway_ip": "",
    "mqtt_host": "192.168.4.1",
    "mqtt_port": 1883,
    "espnow_peer": "",
    "espnow_channel": 1,
    "wdt_ms": 30000,
    "max_awake_ms": 20000,
    "link_timeout_ms": 8000,
    "ack_wait_ms": 1500,
    "spill_at": 8,
    "buffer_max": 2000,
    "fw_chunks": 8,  # firmware chunks (1 KB) fetched per wake: docs/firmware-updates.md budget
}

# key -> (kind, low, high). kind: int, num, str, list, dict. Ranges are inclusive.
SCHEMA = {
    "format": ("int", 1, 1),
    "node_id": ("int", 0, 0xFFFFFFFF),
    "version": ("int", 1, 0xFFFFFFFF),
    "farm_id": ("str", 1, 32),
    "board": ("str", 1, 16),
    "uplink": ("str", 1, 16),
    "interval_s": ("int", 60, 86400),
    "send_every": ("int", 1, 96),
    "health_every": ("int", 1, 1000),
    "sensors": ("list", 0, len(SENSORS)),
    "soil_cal": ("dict", 0, 0),
    "soil_samples": ("int", 1, 64),
    "soil_raw": ("int", 0, 1),
    "soil_settle_ms": ("int", 0, 5000),
    "battery_ratio": ("num", 1.0, 20.0),
    "low_batt_v": ("num", 2.5, 4.5),
    "critical_batt_v": ("num", 2.5, 4.5),
    "low_batt_factor": ("int", 1, 24),
    "rain_mm_per_tip": ("num", 0.01, 10.0),
    "wind_ms_per_hz": ("num", 0.01, 10.0),
    "wind_window_ms": ("int", 500, 10000),
    "probe": ("dict", 0, 0),
    "probe_every": ("int", 1, 96),
    "thresholds": ("dict", 0, 0),
    "wifi_ssid": ("str", 0, 32),
    "static_ip": ("str", 0, 18),
    "gateway_ip": ("str", 0, 15),
    "mqtt_host": ("str", 0, 64),
    "mqtt_port": ("int", 1, 65535),
    "espnow_peer": ("str", 0, 12),
    "espnow_channel": ("int", 1, 14),
    "wdt_ms": ("int", 5000, 120000),
    "max_awake_ms": ("int", 2000, 110000),
    "link_timeout_ms": ("int", 500, 60000),
    "ack_wait_ms": ("int", 50, 10000),
    "spill_at": ("int", 1, 40),
    "buffer_max": ("int", 10, 20000),
    "fw_chunks": ("int", 0, 64),
}


class ConfigError(ValueError):
    """A config blob that must not be applied; the message says why."""


def config_key(node_key):
    return hmac_sha256(node_key, b"ruongso config v1")


def mqtt_password(node_key):
    """The node's MQTT password: first 32 hex digits of HMAC-SHA256(node key, "ruongso-mqtt-password"),
    so provisioning needs no second secret (the gateway's Mosquitto password file uses the same)."""
    return binascii.hexlify(hmac_sha256(node_key, b"ruongso-mqtt-password")).decode()[:32]


def _is_num(v):
    return (isinstance(v, int) or isinstance(v, float)) and not isinstance(v, bool)


def _check_cal(cal):
    model = cal.get("model")
    if model not in CAL_MODELS:
        raise ConfigError("soil_cal.model must be one of " + ", ".join(CAL_MODELS))
    if model == "two_point":
        for k in ("dry_uv", "wet_uv", "dry_vwc", "wet_vwc"):
            if not _is_num(cal.get(k)):
                raise ConfigError("soil_cal." + k + " must be a number")
        if cal["dry_uv"] == cal["wet_uv"]:
            raise ConfigError("soil_cal dry_uv and wet_uv must differ")
    elif model == "poly":
        coef = cal.get("coef")
        if not isinstance(coef, list) or not 1 <= len(coef) <= 6:
            raise ConfigError("soil_cal.coef must be a list of 1-6 numbers")
        for c in coef:
            if not _is_num(c):
                raise ConfigError("soil_cal.coef must be a list of 1-6 numbers")
    else:
        pts = cal.get("points")
        if not isinstance(pts, list) or not 2 <= len(pts) <= 16:
            raise ConfigError("soil_cal.points must list 2-16 [uv, vwc] pairs")
        last = None
        for p in pts:
            if not isinstance(p, list) or len(p) != 2 or not _is_num(p[0]) or not _is_num(p[1]):
                raise ConfigError("soil_cal.points must list 2-16 [uv, vwc] pairs")
            if last is not None and p[0] <= last:
                raise ConfigError("soil_cal.points must be sorted by uv, strictly increasing")
            last = p[0]


def validate(body):
    """Raise ConfigError unless ``body`` is a well-formed config body."""
    if not isinstance(body, dict):
        raise ConfigError("config body must be a JSON object")
    for k in ("node_id", "version"):
        if k not in body:
            raise ConfigError("config lacks " + k)
    for k in body:
        spec = SCHEMA.get(k)
        if spec is None:
            raise ConfigError("unknown config key " + k)
        kind, lo, hi = spec
        v = body[k]
        if kind == "int":
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                raise ConfigError(k + " must be an integer in " + str(lo) + ".." + str(hi))
        elif kind == "num":
            if not _is_num(v) or not lo <= v <= hi:
                raise ConfigError(k + " must be a number in " + str(lo) + ".." + str(hi))
        elif kind == "str":
            if not isinstance(v, str) or not lo <= len(v) <= hi:
                raise ConfigError(k + " must be a string of " + str(lo) + ".." + str(hi) + " chars")
        elif kind == "list":
            if not isinstance(v, list) or not lo <= len(v) <= hi:
                raise ConfigError(k + " must be a list")
        elif not isinstance(v, dict):
            raise ConfigError(k + " must be an object")
    if body.get("uplink", "wifi") not in UPLINKS:
        raise ConfigError("uplink must be one of " + ", ".join(UPLINKS))
    if body.get("board", "esp32") not in BOARDS:
        raise ConfigError("board must be one of " + ", ".join(BOARDS))
    for s in body.get("sensors", []):
        if s not in SENSORS:
            raise ConfigError("unknown sensor " + str(s))
    if "soil_cal" in body:
        _check_cal(body["soil_cal"])
    probe = body.get("probe", {})
    if "map" in probe and probe["map"] not in PROBE_MAPS:
        raise ConfigError("probe.map must be one of " + ", ".join(PROBE_MAPS))
    for name in body.get("thresholds", {}):
        lim = body["thresholds"][name]
        if not isinstance(lim, list) or len(lim) != 2 or not _is_num(lim[0]) or not _is_num(lim[1]):
            raise ConfigError("thresholds." + name + " must be [low, high]")
    peer = body.get("espnow_peer", "")
    if peer and (len(peer) != 12 or peer.strip("0123456789abcdef") != ""):
        raise ConfigError("espnow_peer must be 12 lowercase hex digits")
    lo_v = body.get("low_batt_v", DEFAULTS["low_batt_v"])
    if body.get("critical_batt_v", DEFAULTS["critical_batt_v"]) > lo_v:
        raise ConfigError("critical_batt_v must not exceed low_batt_v")


def sign(node_key, body):
    """Validated blob (bytes) for ``body``, signed with the node's key."""
    validate(body)
    raw = json.dumps(body).encode()
    if b"\n" in raw:
        raise ConfigError("body JSON must be one line")
    blob = raw + b"\n" + binascii.hexlify(hmac_sha256(config_key(node_key), raw))
    if len(blob) > MAX_BLOB:
        raise ConfigError("config too large")
    return blob


def parse(node_key, blob):
    """Body of a blob whose signature and schema check out; ConfigError otherwise."""
    blob = bytes(blob)
    if len(blob) > MAX_BLOB:
        raise ConfigError("config too large")
    cut = blob.rfind(b"\n")
    if cut < 0 or len(blob) - cut - 1 != SIG_HEX_LEN:
        raise ConfigError("config is not signed")
    raw = blob[:cut]
    try:
        sig = binascii.unhexlify(blob[cut + 1:])
    except ValueError:
        raise ConfigError("config signature is not hex") from None
    if not equal(hmac_sha256(config_key(node_key), raw), sig):
        raise ConfigError("bad config signature")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ConfigError("config body is not JSON") from None
    validate(body)
    return body


def accept(node_key, blob, node_id, current_version):
    """Body to apply, or ConfigError: bad signature/schema, other node, or not newer."""
    body = parse(node_key, blob)
    if body["node_id"] != node_id:
        raise ConfigError("config is for another node")
    if body["version"] <= current_version:
        raise ConfigError("config version is not newer")
    return body


def effective(body):
    """Defaults overlaid with ``body``; nested objects are merged one level deep."""
    out = {}
    for k in DEFAULTS:
        out[k] = DEFAULTS[k]
    for k in body:
        v = body[k]
        d = DEFAULTS.get(k)
        if isinstance(v, dict) and isinstance(d, dict) and k != "soil_cal":
            merged = {}
            for kk in d:
                merged[kk] = d[kk]
            for kk in v:
                merged[kk] = v[kk]
            v = merged
        out[k] = v
    return out
