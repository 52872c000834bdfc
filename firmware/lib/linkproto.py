"""Ack and ESP-NOW conventions shared by node, bridge and gateway (MicroPython and CPython).

MQTT topics and the node's MQTT username are in ``topics`` (``farm/<farm>/node/<id>/up``,
``.../cmd/ack``, ``.../cmd/config``, user ``node-<id>``).

Ack: the payload is the counter, in ASCII decimal, of ONE frame from that node that the gateway
has made durable (stored, or found already stored: a repeated counter is re-acked, never stored
twice). The gateway acks every frame on its own and the node deletes exactly the counters acked.
An ack never covers older frames: a gateway that refused frame 8 (outbox full, storage error) and
then stored frame 9 must not make the node forget frame 8, which exists nowhere else.

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
