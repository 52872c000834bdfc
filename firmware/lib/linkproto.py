"""Ack and ESP-NOW conventions shared by node, bridge and gateway (MicroPython and CPython).

MQTT topics and the node's MQTT username are in ``topics`` (``farm/<farm>/node/<id>/up``,
``.../cmd/ack``, ``.../cmd/config``, user ``node-<id>``).

Ack: the payload is the counter, in ASCII decimal, of ONE frame from that node that the gateway
has made durable (stored, or found already stored: a repeated counter is re-acked, never stored
twice). The gateway acks every frame on its own and the node deletes exactly the counters acked.
An ack never covers older frames: a gateway that refused frame 8 (outbox full, storage error) and
then stored frame 9 must not make the node forget frame 8, which exists nowhere else.

Firmware status (MQTT ``.../status``, node -> gateway, once per send cycle; bundles and chunks:
``topics.fw_offer_topic`` / ``fw_chunk_topic``, format in ``fwbundle``)::

    b"<running version> <state> <chunks got>/<chunks total> <detail> <MIC: 8 hex>"

state is one of ``FW_STATES``; detail is one word (the refused or rolled-back version's reason,
``-`` when none). The MIC is HMAC-SHA256(node key, every byte before the last space), first 4 bytes,
like a frame's, so a status cannot be forged by another node of the farm.

ESP-NOW (node <-> bridge), first byte says what the payload is:
    node -> bridge   a framecodec frame as is (first byte 0x1?, the frame version nibble)
                     b"S" + node id u32 + status_payload(...)       firmware status, MIC'd
                     b"O" + node id u32 + version u32               "the manifest of this version"
                     b"W" + node id u32 + version u32 + index u16   "chunk index of this version"
    bridge -> node   b"A" + ack_payload(counter)            one ack
                     b"C" + bytes([index, count]) + chunk    one piece of a signed config blob
                     b"N" + version u32                      a bundle is offered to this node
                     b"M" + bytes([index, count]) + piece    one piece of the offer's signed manifest
                     b"F" + index u16 + bytes([part, parts]) + piece   one piece of a 1 KB chunk

The gateway sends config pieces and the offer notice *before* the ack they travel with: a node stops
listening a few ms after its last ack, and a 250-byte piece takes ~23 ms on the bridge's 115200-baud
serial line. Firmware moves as requests the node makes after its acks (``O``, ``W``), each answered
at once, so the node fetches exactly the chunk it lacks (resumable) and checks it against the signed
manifest as over MQTT. Node ids in requests only choose what to answer: manifest and chunks are the
ones the gateway offers the farm's nodes anyway; the status carries the node key's MIC.
"""

import struct

ESPNOW_ACK = 0x41  # "A"
ESPNOW_CONFIG = 0x43  # "C"
ESPNOW_NOTICE = 0x4E  # "N"
ESPNOW_MANIFEST = 0x4D  # "M"
ESPNOW_CHUNK = 0x46  # "F"
ESPNOW_STATUS = 0x53  # "S"
ESPNOW_OFFER_REQ = 0x4F  # "O"
ESPNOW_CHUNK_REQ = 0x57  # "W"
ESPNOW_UP_KINDS = (ESPNOW_STATUS, ESPNOW_OFFER_REQ, ESPNOW_CHUNK_REQ)
ESPNOW_MAX = 250  # ESP-NOW v1 payload limit (ESP-IDF esp_now_send, ESP_NOW_MAX_DATA_LEN)
CONFIG_CHUNK = ESPNOW_MAX - 3
MAX_COUNTER = 0xFFFFFFFF
# run: no update in progress; fetch: downloading; ready: verified, waiting for the battery;
# trial: new version running, not yet confirmed by a send cycle; refused: an offer or chunk failed
# its check; rolledback: the new version did not complete a send cycle and the old one runs again.
FW_STATES = ("run", "fetch", "ready", "trial", "refused", "rolledback")
FW_DETAIL_MAX = 24

try:  # on the node, /lib modules import flat; on CPython they live in the firmware.lib package
    from hmac256 import equal, hmac_sha256
except ImportError:
    from firmware.lib.hmac256 import equal, hmac_sha256


def ack_payload(counter):
    if not 0 <= counter <= MAX_COUNTER:
        raise ValueError("counter out of range")
    return str(int(counter)).encode()


def acked(sent, acks):
    """Counters in ``sent`` (this session) that have been acked, each by its own ack."""
    return [c for c in sent if c in acks]


def parse_ack(payload):
    """Counter from an ack payload, or None if it is not 1-10 ASCII digits within u32."""
    if not 1 <= len(payload) <= 10:
        return None
    value = 0
    for b in payload:
        if not 0x30 <= b <= 0x39:
            return None
        value = value * 10 + (b - 0x30)
    return value if value <= MAX_COUNTER else None


def espnow_ack(counter):
    return bytes([ESPNOW_ACK]) + ack_payload(counter)


def espnow_config_chunks(blob, kind=ESPNOW_CONFIG):
    """Split a signed config blob (or, with ``kind`` ESPNOW_MANIFEST, a bundle manifest) into ESP-NOW
    payloads (at most 255 chunks)."""
    count = (len(blob) + CONFIG_CHUNK - 1) // CONFIG_CHUNK
    if count == 0 or count > 255:
        raise ValueError("config blob size out of range")
    out = []
    for i in range(count):
        out.append(bytes([kind, i, count]) + blob[i * CONFIG_CHUNK:(i + 1) * CONFIG_CHUNK])
    return out


FW_PIECE = ESPNOW_MAX - 5  # chunk bytes per "F" payload: kind, index u16, part, parts


def espnow_fw_notice(version):
    return bytes([ESPNOW_NOTICE]) + struct.pack(">I", version)


def espnow_chunk_pieces(index, data):
    """One bundle chunk (``fwbundle.CHUNK`` bytes at most) as ESP-NOW payloads."""
    parts = (len(data) + FW_PIECE - 1) // FW_PIECE
    if not 0 <= index <= 0xFFFF or not 0 < parts <= 255:
        raise ValueError("chunk out of range")
    out = []
    for i in range(parts):
        head = bytes([ESPNOW_CHUNK]) + struct.pack(">HBB", index, i, parts)
        out.append(head + data[i * FW_PIECE:(i + 1) * FW_PIECE])
    return out


def espnow_request(kind, node_id, version, index=None):
    """A node's status (``kind`` S: ``version`` is the status payload), offer or chunk request."""
    body = version if kind == ESPNOW_STATUS else struct.pack(">I", version)
    if index is not None:
        body += struct.pack(">H", index)
    return bytes([kind]) + struct.pack(">I", node_id) + body


def parse_request(msg):
    """(kind, node id, version or status payload, index or None) of a node's request, else None."""
    if len(msg) < 5 or msg[0] not in ESPNOW_UP_KINDS:
        return None
    node_id = struct.unpack(">I", msg[1:5])[0]
    if msg[0] == ESPNOW_STATUS:
        return ESPNOW_STATUS, node_id, bytes(msg[5:]), None
    if msg[0] == ESPNOW_OFFER_REQ and len(msg) == 9:
        return ESPNOW_OFFER_REQ, node_id, struct.unpack(">I", msg[5:9])[0], None
    if msg[0] == ESPNOW_CHUNK_REQ and len(msg) == 11:
        version, index = struct.unpack(">IH", msg[5:11])
        return ESPNOW_CHUNK_REQ, node_id, version, index
    return None


class ChunkAssembler:
    """Collects ``espnow_chunk_pieces``; ``add`` returns (index, data) once a chunk is whole."""

    def __init__(self):
        self._key = None
        self._parts = {}

    def add(self, payload):
        if len(payload) < 6 or payload[0] != ESPNOW_CHUNK:
            return None
        index, part, parts = struct.unpack(">HBB", payload[1:5])
        if parts == 0 or part >= parts:
            return None
        if (index, parts) != self._key:  # another chunk: a half one before it is dropped
            self._key, self._parts = (index, parts), {}
        self._parts[part] = bytes(payload[5:])
        if len(self._parts) < parts:
            return None
        data = b"".join([self._parts[i] for i in range(parts)])
        self._key, self._parts = None, {}
        return index, data


class ConfigAssembler:
    """Collects ``espnow_config_chunks`` pieces of one ``kind``; ``add`` returns the whole blob once
    complete."""

    def __init__(self, kind=ESPNOW_CONFIG):
        self.kind = kind
        self._parts = {}
        self._count = 0

    def add(self, payload):
        if len(payload) < 4 or payload[0] != self.kind:
            return None
        index, count = payload[1], payload[2]
        if count == 0 or index >= count:
            return None
        if count != self._count:
            self._parts = {}
            self._count = count
        self._parts[index] = bytes(payload[3:])
        if len(self._parts) < count:
            return None
        blob = b"".join([self._parts[i] for i in range(count)])
        self._parts = {}
        self._count = 0
        return blob


def _status_mic(key, text):
    return "".join(["%02x" % b for b in hmac_sha256(key, text)[:4]]).encode()


def status_payload(key, version, state, got, total, detail="-"):
    """The signed status text a node publishes after its send cycle."""
    if state not in FW_STATES or not 0 <= version <= MAX_COUNTER or not 0 <= got <= total <= 4096:
        raise ValueError("status out of range")
    word = "".join([c for c in str(detail or "-") if c.isalpha() or c.isdigit() or c in "_-."])
    text = ("%d %s %d/%d %s" % (version, state, got, total, word[:FW_DETAIL_MAX] or "-")).encode()
    return text + b" " + _status_mic(key, text)


def parse_status(key, payload):
    """(version, state, got, total, detail) of a status whose MIC verifies, else None."""
    try:
        cut = payload.rfind(b" ")
        if cut < 0 or not equal(_status_mic(key, payload[:cut]), payload[cut + 1:]):
            return None
        version, state, progress, detail = payload[:cut].decode().split(" ")
        got, total = progress.split("/")
        out = (int(version), state, int(got), int(total), detail)
    except (ValueError, UnicodeError):
        return None
    if state not in FW_STATES or not 0 <= out[0] <= MAX_COUNTER or not 0 <= out[2] <= out[3] <= 4096:
        return None
    return out
