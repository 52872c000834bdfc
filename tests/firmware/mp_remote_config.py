# Remote config over MQTT: a newer signed config is applied and acknowledged in the next frame
# (channel config_version + FLAG_CONFIG_ACK); a bad, unsigned, foreign or old one is ignored.
import sys

sys.path.append("/fakes")
import framecodec as fc
import harness as h
import topics

gw = h.setup({"sensors": ["soil", "battery"]})
broker = h.fakebroker.broker
topic = topics.config_topic("demo", h.NODE).encode()


def last_frame():
    return fc.decode(broker.published[-1][1])


def config_on_disk():
    with open(h.ROOT + "/config.json", "rb") as f:
        return h.nodeconfig.parse(h.KEY, f.read())["version"]


body = {}
for k in h.BASE:
    body[k] = h.BASE[k]
body["sensors"] = ["soil", "battery"]
body["version"] = 2
body["interval_s"] = 600
broker.retained[topic] = h.nodeconfig.sign(h.KEY, body)
node = h.cycle()
assert node.cfg["version"] == 2 and config_on_disk() == 2
assert 580000 < h.machine.hw["slept"][-1] <= 600000  # the new interval applies at once
node = h.cycle()
_, flags, _, _, _, readings = last_frame()
assert flags & fc.FLAG_CONFIG_ACK and (18, 2, 0) in readings, (flags, readings)
node = h.cycle()
_, flags, _, _, _, readings = last_frame()
assert not flags & fc.FLAG_CONFIG_ACK and all(r[0] != 18 for r in readings)  # acked once

body["version"] = 3
body["interval_s"] = 60
for bad in (
    h.nodeconfig.sign(b"wrong key 123456", body),  # forged
    h.nodeconfig.sign(h.KEY, body).split(b"\n")[0],  # unsigned
    b"\xff\x00garbage",
):
    broker.retained[topic] = bad
    node = h.cycle()
    assert node.cfg["version"] == 2 and node.cfg["interval_s"] == 600 and config_on_disk() == 2
    assert not last_frame()[1] & fc.FLAG_CONFIG_ACK
body["version"] = 1  # a replayed old config
broker.retained[topic] = h.nodeconfig.sign(h.KEY, body)
node = h.cycle()
assert node.cfg["version"] == 2

# A corrupted config.json on flash: the node boots from config.bak instead of stopping.
with open(h.ROOT + "/config.json", "wb") as f:
    f.write(b"{broken")
node = h.cycle()
assert node.cfg["version"] == 1 and node.counter is not None
print("remote config ok")
