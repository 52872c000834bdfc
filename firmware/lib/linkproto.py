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
    bridge -> node   b"A" + ack_payload(counter)            one ack
                     b"C" + bytes([index, count]) + chunk    one piece of a signed config blob
"""

ESPNOW_ACK = 0x41  # "A"
ESPNOW_CONFIG = 0x43  # "C"
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


def espnow_config_chunks(blob):
    """Split a signed config blob into ESP-NOW payloads (at most 255 chunks)."""
    count = (len(blob) + CONFIG_CHUNK - 1) // CONFIG_CHUNK
    if count == 0 or count > 255:
        raise ValueError("config blob size out of range")
    out = []
    for i in range(count):
        out.append(bytes([ESPNOW_CONFIG, i, count]) + blob[i * CONFIG_CHUNK:(i + 1) * CONFIG_CHUNK])
    return out


class ConfigAssembler:
    """Collects ``espnow_config_chunks`` pieces; ``add`` returns the whole blob once complete."""

    def __init__(self):
        self._parts = {}
        self._count = 0

    def add(self, payload):
        if len(payload) < 4 or payload[0] != ESPNOW_CONFIG:
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
