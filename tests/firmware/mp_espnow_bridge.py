# ESP-NOW uplink through the real bridge code: node -> bridge -> serial (COBS+CRC) -> gateway,
# acks and a chunked config back; an outage of the bridge loses nothing.
import binascii
import sys

sys.path.append("/fakes")
import espnow
import framecodec as fc
import harness as h
import linkproto as lp
import serialframe as sf
from bridge import Bridge

BRIDGE_MAC = b"\x24\x6f\x28\xbb\xbb\xbb"
espnow.air["radios"] = {}
espnow.air["next_mac"] = BRIDGE_MAC
bridge_radio = espnow.ESPNow()
serial_up = bytearray()
bridge = Bridge(bridge_radio, serial_up.extend, channel=6)
bridge.hello(BRIDGE_MAC)

gw = h.setup(
    {
        "sensors": ["soil", "battery"],
        "uplink": "espnow",
        "espnow_channel": 6,
        "espnow_peer": binascii.hexlify(BRIDGE_MAC).decode(),
    }
)
gw_decoder = sf.Decoder()
pending_config = [None]
seen = {"hello": 0, "sent_ok": 0}


def gateway_serial():
    """The gateway side: read bridge packets, store frames, answer acks (and a config)."""
    data = bytes(serial_up)
    serial_up[:] = b""
    down = bytearray()
    for mtype, payload in gw_decoder.feed(data):
        if mtype == sf.MSG_HELLO:
            seen["hello"] += 1
        elif mtype == sf.MSG_SENT:
            seen["sent_ok"] += payload[-1]
        elif mtype == sf.MSG_FRAME:
            mac, rssi, frame = sf.unpack_frame_up(payload)
            assert rssi == -58
            counter = gw.receive(frame)
            if counter is not None:
                down.extend(sf.encode(sf.MSG_DOWN, sf.pack_down(mac, lp.espnow_ack(counter))))
                if pending_config[0] is not None:
                    for chunk in lp.espnow_config_chunks(pending_config[0]):
                        down.extend(sf.encode(sf.MSG_DOWN, sf.pack_down(mac, chunk)))
    if down:
        bridge.from_serial(bytes(down))


drop = [0]  # frames the bridge loses after its radio acked them (e.g. rx buffer overflow)


def pump():
    while bridge_radio.queue:
        mac, msg = bridge_radio.queue.pop(0)
        if drop[0] and msg[0] >> 4 == fc.VERSION:
            drop[0] -= 1
            continue
        bridge.from_radio(mac, msg)
        gateway_serial()


espnow.air["pump"] = pump
node = h.cycle()
gateway_serial()
assert seen["hello"] == 1
assert len(gw.order) == 1 and node.store.backlog() == 0 and node.store.last_rssi == -58
assert h.network.net["channel"] == 6 and seen["sent_ok"] == 1

espnow.air["up"] = False  # bridge unplugged for 5 cycles
for _ in range(5):
    node = h.cycle()
espnow.air["up"] = True
drop[0] = 1  # the first frame of the backlog vanishes inside the bridge
for _ in range(4):
    node = h.cycle()
    if node.store.backlog() == 0:
        break
assert node.store.backlog() == 0
got = [k[1] for k in gw.order]
assert got == sorted(h.SAMPLED) and gw.duplicates == 0, (got, sorted(h.SAMPLED))
assert drop[0] == 0
for k in gw.order:
    assert gw.sample_time(k) == h.SAMPLED[k[1]]

body = {}
for k in h.BASE:
    body[k] = h.BASE[k]
body.update(
    {
        "sensors": ["soil", "battery"],
        "uplink": "espnow",
        "espnow_channel": 6,
        "espnow_peer": binascii.hexlify(BRIDGE_MAC).decode(),
        "version": 5,
        "thresholds": {"soil_vwc": [0.1, 0.45], "air_temp": [5.0, 42.0], "soil_temp": [5.0, 40.0]},
        "soil_cal": {"model": "piecewise", "points": [[900000, 0.5], [1700000, 0.3], [2500000, 0.0]]},
    }
)
pending_config[0] = h.nodeconfig.sign(h.KEY, body)
assert len(pending_config[0]) > lp.CONFIG_CHUNK  # needs more than one ESP-NOW packet
node = h.cycle()
assert node.cfg["version"] == 5
pending_config[0] = None
node = h.cycle()
arrival, age, flags, readings = gw.stored[gw.order[-1]]
assert flags & fc.FLAG_CONFIG_ACK and (18, 5, 0) in readings, (flags, readings)
print("espnow bridge ok")
