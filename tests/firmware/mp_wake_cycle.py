# A full wake cycle on fake hardware reproduces the shared "full soil+weather reading" vector.
import json
import sys

sys.path.append("/fakes")
import harness as h

with open("/vectors/frames.json") as f:
    vector = next(v for v in json.load(f)["valid"] if v["name"] == "full soil+weather reading")

# the shared vector is a frame without the raw soil channel (mp_soil_raw.py covers the default)
gw = h.setup({"link_timeout_ms": 15000, "soil_raw": 0})
h.network.net["connect_s"] = 12.0  # association takes 12 s: the frame leaves with age 12
pins = h.PINS
fired = [0]


def tip_during_wind_window():
    # 12 bucket tips (0.2 mm each) arrive while the node is awake; the IRQ counts them
    handler = h.machine.hw["irqs"].get(pins["rain"])
    while handler is not None and fired[0] < 12:
        fired[0] += 1
        h.clock.advance(0.15)
        handler(None)


h.clock.on_sleep = tip_during_wind_window
node = h.cycle()
h.clock.on_sleep = None
assert fired[0] == 12, fired
published = h.fakebroker.broker.published
assert len(published) == 1, published
topic, frame = published[0]
assert topic == b"farm/demo/node/4097/up", topic
assert h.hexs(frame) == vector["frame"], h.hexs(frame) + " != " + vector["frame"]
assert len(frame) == 38
# the gateway acked it, so nothing is left in the buffer, and the next wake is one interval later
assert node.store.backlog() == 0
assert h.machine.hw["wdt_timeout"] == 30000
slept = h.machine.hw["slept"][-1]
assert 880000 < slept < 900000, slept
# sensor power is off and the rain gauge arms the ext0 wake for the sleep
assert h.machine.hw["pins"][pins["sensor_power"]] == 0
import esp32

assert esp32.wake["ext0"] == (pins["rain"], esp32.WAKEUP_ALL_LOW), esp32.wake

# Second cycle, after a rain tip woke the node twice during the sleep (fast path, no radio).
h.clock.t = node.store.next_due - 600
for _ in range(2):
    h.machine.hw["reset_cause"] = h.machine.DEEPSLEEP_RESET
    h.machine.hw["wake"] = h.machine.EXT0_WAKE
    try:
        h.tipwake.run()
        raise AssertionError("tip wake did not go back to sleep")
    except h.machine.DeepSleep as e:
        assert 590000 <= e.args[0] <= 600000, e.args
h.clock.t = node.store.next_due
h.network.net["connect_s"] = 1.0
node = h.cycle()
_, flags, nid, counter, age, readings = h.fakebroker.fc.decode(h.fakebroker.broker.published[-1][1])
assert counter == 2 and flags == 0 and age in (1, 2), (counter, flags, age)
assert (5, 0.4, 0) in readings, readings
print("wake cycle ok")
