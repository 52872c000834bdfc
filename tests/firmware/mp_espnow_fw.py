# Firmware update of an ESP-NOW node through the real bridge code, under the real interpreter: the
# gateway announces the bundle ahead of the ack; the node asks for the manifest and then for each
# chunk it lacks; a damaged piece makes its chunk fail the manifest's hash, and the chunk is asked
# for again at the next wake; a verified bundle is installed into slot A and put on trial. The
# gateway side uses the shared linkproto functions the real gateway's Downlink answers with.
import binascii
import json
import struct
import sys

sys.path.append("/fakes")
import espnow
import fwbundle
import harness as h
import linkproto as lp
import serialframe as sf
from bridge import Bridge

sys.path.append("/firmware/node")
import fwboot
import updater

h.fakeclock.install(updater)
FW_KEY = bytes(range(32, 64))
BRIDGE_MAC = b"\x24\x6f\x28\xbb\xbb\xbb"
espnow.air["radios"] = {}
espnow.air["next_mac"] = BRIDGE_MAC
bridge_radio = espnow.ESPNow()
serial_up = bytearray()
bridge = Bridge(bridge_radio, serial_up.extend, channel=6)
APP = b"V = 3\n" * 700  # 4200 bytes: 5 chunks
manifest, payload = fwbundle.make(FW_KEY, [("app.py", APP)], 3, "esp32", 3.5)
gw = h.setup(
    {
        "sensors": ["soil", "battery"],
        "uplink": "espnow",
        "espnow_channel": 6,
        "espnow_peer": binascii.hexlify(BRIDGE_MAC).decode(),
        "fw_chunks": 2,
    }
)
with open(h.ROOT + "/secrets.json") as f:
    sec = json.load(f)
sec["fw_key"] = h.hexs(FW_KEY)
with open(h.ROOT + "/secrets.json", "w") as f:
    json.dump(sec, f)
dec = sf.Decoder()
state = {"statuses": [], "asked": [], "damage": None, "order": []}


def gateway_serial():
    """The gateway: notice ahead of each ack, answers to the node's requests, statuses verified."""
    data = bytes(serial_up)
    serial_up[:] = b""
    down = []
    for mtype, body in dec.feed(data):
        if mtype != sf.MSG_FRAME:
            continue
        mac, _rssi, msg = sf.unpack_frame_up(body)
        req = lp.parse_request(msg)
        if req is not None:
            kind, node_id, arg, index = req
            assert node_id == h.NODE
            if kind == lp.ESPNOW_STATUS:
                state["statuses"].append(lp.parse_status(h.KEY, arg))
            elif kind == lp.ESPNOW_OFFER_REQ:
                down += lp.espnow_config_chunks(manifest, lp.ESPNOW_MANIFEST)
            else:
                state["asked"].append(index)
                pieces = lp.espnow_chunk_pieces(index, payload[index * 1024:(index + 1) * 1024])
                if state["damage"] == index:
                    state["damage"] = None
                    p = pieces[1]
                    pieces[1] = p[:-1] + bytes([p[-1] ^ 0x01])
                down += pieces
            continue
        counter = gw.receive(msg)
        if counter is not None:
            down.append(lp.espnow_fw_notice(3))
            down.append(lp.espnow_ack(counter))
    out = bytearray()
    for m in down:
        state["order"].append(m[0])
        out.extend(sf.encode(sf.MSG_DOWN, sf.pack_down(mac, m)))
    if out:
        bridge.from_serial(bytes(out))


def pump():
    while bridge_radio.queue:
        mac, msg = bridge_radio.queue.pop(0)
        bridge.from_radio(mac, msg)
        gateway_serial()


espnow.air["pump"] = pump


def downloaded():
    try:
        with open(h.ROOT + "/fw/dl.bin", "rb") as f:
            return len(f.read())
    except OSError:
        return 0


# wake 1: chunk 0 arrives whole, a piece of chunk 1 is damaged on the air: refused, not written
state["damage"] = 1
node = h.cycle()
assert node.store.backlog() == 0  # the frame was acked: the notice ahead of it did not get in the way
assert state["asked"] == [0, 1], state["asked"]
assert downloaded() == 1024
assert state["statuses"][-1] == (0, "refused", 1, 5, "chunk1"), state["statuses"]
# wake 2: it asks for chunk 1 again, then chunk 2 (2 chunks a wake)
h.cycle()
assert state["asked"][2:] == [1, 2], state["asked"]
assert state["statuses"][-1] == (0, "fetch", 3, 5, "v3"), state["statuses"]
# wake 3: the bridge is off the air: nothing is lost, the download stays where it was
espnow.air["up"] = False
h.cycle()
espnow.air["up"] = True
assert downloaded() == 3 * 1024
# wake 4: chunks 3 and 4, the whole verifies, the battery is enough: installed into slot A, on trial
h.cycle()
assert state["asked"][4:] == [3, 4], state["asked"]
st = fwboot.load(h.ROOT)
assert st["running"] == 3 and st["trial"] == 1 and st["slot"] == fwboot.SLOTS[0], st
with open(h.ROOT + "/" + fwboot.SLOTS[0] + "/app.py", "rb") as f:
    assert f.read() == APP
assert state["statuses"][-1][1] == "ready", state["statuses"]  # reported before the install
# the notice always travelled ahead of its ack (a node stops listening right after its ack)
order = state["order"]
for i, kind in enumerate(order):
    if kind == lp.ESPNOW_NOTICE:
        assert order[i + 1] == lp.ESPNOW_ACK
assert struct.unpack(">I", lp.espnow_fw_notice(3)[1:])[0] == 3
print("espnow firmware ok")
