# The modules shared with the CPython gateway (serialframe, nodeconfig, linkproto) give the same
# bytes under MicroPython as the committed vectors generated under CPython.
import binascii
import json

import linkproto as lp
import nodeconfig as nc
import serialframe as sf
import topics

with open("/fwvectors/link.json") as f:
    v = json.load(f)
assert sf.crc16_ccitt(b"123456789") == v["crc16_ccitt_123456789"] == 0x29B1
for case in v["serial"]:
    payload = binascii.unhexlify(case["payload"])
    wire = sf.encode(case["type"], payload)
    assert binascii.hexlify(wire).decode() == case["wire"], case["name"]
    dec = sf.Decoder()
    # byte-by-byte, after line noise, and a damaged copy that must be dropped, not delivered
    damaged = bytearray(wire)
    damaged[3] ^= 0x10
    got = []
    for b in b"\x01\x02\x00" + bytes(damaged) + wire:
        got.extend(dec.feed(bytes([b])))
    assert got == [(case["type"], payload)], case["name"]
    assert dec.errors == 2, dec.errors
mac, rssi, frame = sf.unpack_frame_up(binascii.unhexlify(v["serial"][0]["payload"]))
assert rssi == -58 and len(mac) == 6 and frame[0] == 0x10

key = binascii.unhexlify(v["config"]["key"])
blob = v["config"]["blob"].encode()
body = nc.accept(key, blob, 4097, 1)
assert body["interval_s"] == 600 and body["soil_cal"]["points"][1] == [2400000, 0.05]
assert nc.mqtt_password(key) == "685d3c119a786c49e906a7378fa1b975"
cfg = nc.effective(body)
assert cfg["interval_s"] == 600 and cfg["probe"]["baud"] == 4800 and cfg["soil_cal"]["model"] == "piecewise"


def rejected(blob, node=4097, version=1, k=key):
    try:
        nc.accept(k, blob, node, version)
    except nc.ConfigError as e:
        return str(e)
    return None


assert rejected(blob, version=2) == "config version is not newer"
assert rejected(blob, node=4098) == "config is for another node"
assert rejected(blob, k=b"x" * 16) == "bad config signature"
assert rejected(blob.replace(b"600", b"601")) == "bad config signature"
assert rejected(blob.split(b"\n")[0]) == "config is not signed"
bad = nc.sign(key, {"node_id": 4097, "version": 3})
assert rejected(bad[:-64] + b"zz" * 32) == "config signature is not hex"
for body, why in (
    ({"node_id": 4097, "version": 3, "interval_s": 5}, "interval_s"),
    ({"node_id": 4097, "version": 3, "uplink": "lora"}, "uplink"),
    ({"node_id": 4097, "version": 3, "wifi_password": "x"}, "unknown config key"),
    ({"node_id": 4097}, "config lacks version"),
):
    try:
        nc.sign(key, body)
        raise AssertionError("accepted " + why)
    except nc.ConfigError as e:
        assert why in str(e), (why, str(e))

assert lp.ack_payload(v["ack"]["counter"]).decode() == v["ack"]["payload"]
assert topics.ack_topic(topics.up_topic("demo", 4097)) == v["ack"]["topic"]
assert lp.acked([5, 6, 9], [6, 9]) == [6, 9] and lp.acked([5, 6], []) == []
assert lp.acked([5, 6, 9], [9]) == [9]  # an ack never covers older frames
for junk in (b"", b"-1", b"12a", b"4294967296", b"00000000001"):
    assert lp.parse_ack(junk) is None, junk
chunks = lp.espnow_config_chunks(blob * 3)
assert all(len(c) <= lp.ESPNOW_MAX for c in chunks) and len(chunks) == 3
asm = lp.ConfigAssembler()
assert asm.add(chunks[2]) is None and asm.add(chunks[0]) is None  # any order
assert asm.add(chunks[1]) == blob * 3
print("shared link modules ok")
