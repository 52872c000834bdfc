"""Firmware update bundles (shared: node on MicroPython, gateway and ``farm node bundle`` on CPython).

A bundle is two things:

* the **payload**: the application files (``.mpy``/``.py`` of ``firmware/node``, ``lib``,
  ``drivers``) concatenated in manifest order;
* the **signed manifest**, text like a signed config (``nodeconfig``)::

      <body: one line of JSON>\\n<HMAC-SHA256 over DOMAIN + body, 64 lowercase hex digits>

  body = {"format": 1, "version": 7, "board": "esp32", "min_batt_v": 3.7, "size": 41234,
          "sha256": "<hex of the whole payload>", "chunk": 1024,
          "hashes": "<first 8 bytes of SHA-256 of each chunk, hex, concatenated>",
          "files": [["app.mpy", 5120], ...], "trial_boots": 3}

Why HMAC-SHA256 with a per-cooperative key and not Ed25519: MicroPython's ESP32 port ships
``hashlib.sha256`` but no elliptic-curve code (``cryptolib`` is AES only), and a pure-Python Ed25519
verify needs big-integer point arithmetic that takes seconds of awake CPU and tens of KB of heap
per signature on an ESP32. HMAC reuses ``hmac256`` (RFC 2104), which every node already runs for
its frame MIC. The cost: a node holds the cooperative's firmware key, so a node taken from the field
and read out could sign bundles for that cooperative (not for another one): docs/firmware-updates.md.

Each chunk is checked on arrival against its hash in the signed manifest (a corrupted chunk is
refused and fetched again), and the whole payload against ``sha256`` before anything is installed.
"""

import binascii
import hashlib
import json

try:  # on the node, /lib modules import flat; on CPython they live in the firmware.lib package
    from hmac256 import equal, hmac_sha256
except ImportError:
    from firmware.lib.hmac256 import equal, hmac_sha256

FORMAT = 1
DOMAIN = b"ruongso firmware v1\n"  # a config or frame signature can never pass as a bundle's
SIG_HEX_LEN = 64
CHUNK = 1024  # bytes per chunk: one MQTT message, small enough for the node's heap
CHUNK_HASH_HEX = 16  # 8 bytes of SHA-256 per chunk: a corrupt chunk passes with p = 2^-64
MAX_SIZE = 512 * 1024  # the application files are ~100 KB as .py; the flash FS is ~1.4 MB (4 MB board)
MAX_MANIFEST = 12288
BOARDS = ("esp32", "esp32s3")
MIN_BATT_RANGE = (3.3, 4.2)  # LiPo/Li-ion cell: critical_batt_v .. full charge (nodeconfig DEFAULTS)
TRIAL_BOOTS = 3  # boots the new version gets to complete one send cycle before it is rolled back


class BundleError(ValueError):
    pass


def sign_body(key, body):
    return binascii.hexlify(hmac_sha256(key, DOMAIN + body))


def chunk_hash(data):
    return binascii.hexlify(hashlib.sha256(data).digest()[: CHUNK_HASH_HEX // 2]).decode()


def valid_name(name):
    """A flat file name: letters, digits, ``_`` and one ``.py``/``.mpy`` suffix (no path, no ``..``)."""
    if not 4 <= len(name) <= 40 or not (name.endswith(".py") or name.endswith(".mpy")):
        return False
    stem = name[: name.rfind(".")]
    for ch in stem:
        if not (ch == "_" or "a" <= ch <= "z" or "A" <= ch <= "Z" or "0" <= ch <= "9"):
            return False
    return len(stem) > 0


def make(key, files, version, board, min_batt_v, chunk=CHUNK, trial_boots=TRIAL_BOOTS):
    """(signed manifest, payload) for ``files`` = [(name, bytes), ...]; raises BundleError."""
    payload = b"".join([data for _, data in files])
    hashes = "".join([chunk_hash(payload[i:i + chunk]) for i in range(0, len(payload), chunk)])
    body = {
        "format": FORMAT,
        "version": version,
        "board": board,
        "min_batt_v": min_batt_v,
        "size": len(payload),
        "sha256": binascii.hexlify(hashlib.sha256(payload).digest()).decode(),
        "chunk": chunk,
        "hashes": hashes,
        "files": [[name, len(data)] for name, data in files],
        "trial_boots": trial_boots,
    }
    check(body)
    raw = json.dumps(body).encode()
    return raw + b"\n" + sign_body(key, raw), payload


def _int(body, name, low, high):
    v = body.get(name)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise BundleError(name + " out of range")
    return v


def check(body):
    """Schema checks of a manifest body; raises BundleError with the reason."""
    if not isinstance(body, dict):
        raise BundleError("manifest is not an object")
    _int(body, "format", FORMAT, FORMAT)
    _int(body, "version", 1, 0xFFFFFFFF)
    _int(body, "trial_boots", 1, 20)
    size = _int(body, "size", 1, MAX_SIZE)
    _int(body, "chunk", 128, 4096)
    if body.get("board") not in BOARDS:
        raise BundleError("unknown board")
    v = body.get("min_batt_v")
    low, high = MIN_BATT_RANGE
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not low <= v <= high:
        raise BundleError("min_batt_v out of range")
    digest = body.get("sha256")
    if not isinstance(digest, str) or len(digest) != 64:
        raise BundleError("sha256 missing")
    hashes = body.get("hashes")
    if not isinstance(hashes, str) or len(hashes) != chunk_count(body) * CHUNK_HASH_HEX:
        raise BundleError("chunk hashes do not match the size")
    files = body.get("files")
    if not isinstance(files, list) or not files:
        raise BundleError("no files")
    total = 0
    for item in files:
        if not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], str):
            raise BundleError("bad file entry")
        if not valid_name(item[0]) or not isinstance(item[1], int) or item[1] < 0:
            raise BundleError("bad file name or size")
        total += item[1]
    if total != size:
        raise BundleError("file sizes do not add up to the payload size")
    return body


def chunk_count(body):
    return (body["size"] + body["chunk"] - 1) // body["chunk"]


def accept(key, blob, board):
    """The manifest body if the signature verifies and it is for ``board``; raises BundleError."""
    if not isinstance(blob, (bytes, bytearray)) or len(blob) > MAX_MANIFEST:
        raise BundleError("manifest size out of range")
    cut = blob.rfind(b"\n")
    if cut < 0 or len(blob) - cut - 1 != SIG_HEX_LEN:
        raise BundleError("manifest is not signed")
    raw = bytes(blob[:cut])
    if not equal(sign_body(key, raw), bytes(blob[cut + 1:])):
        raise BundleError("bad signature")
    try:
        body = json.loads(raw)
    except ValueError:
        raise BundleError("manifest is not JSON") from None
    check(body)
    if body["board"] != board:
        raise BundleError("bundle is for another board")
    return body


def chunk_ok(body, index, data):
    """True if ``data`` is chunk ``index`` of this bundle (length and hash from the signed manifest)."""
    count = chunk_count(body)
    if not 0 <= index < count:
        return False
    want = body["chunk"] if index < count - 1 else body["size"] - body["chunk"] * (count - 1)
    if len(data) != want:
        return False
    h = body["hashes"][index * CHUNK_HASH_HEX:(index + 1) * CHUNK_HASH_HEX]
    return equal(chunk_hash(data).encode(), h.encode())


FILE_MAGIC = b"RSFW1 "


def to_file(manifest, payload):
    """One file a technician uploads: ``RSFW1 <manifest length>\\n<manifest><payload>``."""
    return FILE_MAGIC + str(len(manifest)).encode() + b"\n" + manifest + payload


def from_file(data):
    """(manifest, payload) of a bundle file; raises BundleError if it is not one."""
    if not data.startswith(FILE_MAGIC):
        raise BundleError("not a bundle file")
    cut = data.find(b"\n")
    try:
        n = int(data[len(FILE_MAGIC):cut])
    except ValueError:
        raise BundleError("not a bundle file") from None
    if cut < 0 or not 0 < n <= MAX_MANIFEST or len(data) < cut + 1 + n:
        raise BundleError("bundle file is truncated")
    return data[cut + 1:cut + 1 + n], data[cut + 1 + n:]


def unsigned_body(manifest):
    """The manifest body without checking the signature (the server, which holds no key)."""
    cut = manifest.rfind(b"\n")
    try:
        body = json.loads(manifest[:cut]) if cut > 0 else None
    except ValueError:
        raise BundleError("manifest is not JSON") from None
    return check(body)


def payload_ok(body, payload):
    if len(payload) != body["size"]:
        return False
    digest = binascii.hexlify(hashlib.sha256(payload).digest()).decode()
    return digest == body["sha256"]
