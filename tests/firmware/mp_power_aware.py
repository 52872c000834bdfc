# Power-aware behaviour: low battery stretches the interval and skips the RS485 probe; critical
# battery records the battery only and keeps the radio off; batching with threshold overrides.
import sys

sys.path.append("/fakes")
import framecodec as fc
import harness as h

machine = h.machine
broker = h.fakebroker.broker
gw = h.setup(
    {
        "sensors": ["soil", "battery", "probe"],
        "low_batt_v": 3.5,
        "critical_batt_v": 3.3,
        "low_batt_factor": 4,
        "probe": {"warmup_ms": 100},
    }
)
probe_requests = []


def probe(req):
    probe_requests.append(req)
    body = bytes([1, 3, 14]) + bytes(14)
    crc = h.modbus_soil.crc16_modbus(body)
    return body + bytes([crc & 0xFF, crc >> 8])


machine.hw["uart"] = probe
h.cycle()
assert len(probe_requests) == 1 and machine.hw["pins"][h.PINS["probe_power"]] == 0
_, flags, _, _, _, readings = fc.decode(broker.published[-1][1])
assert flags == 0 and (8, 0, 0) in readings  # probe EC channel present
assert 880000 < machine.hw["slept"][-1] <= 900000

h.set_sensors(batt_uv=1720000)  # 3.44 V: low
h.cycle()
_, flags, _, _, _, readings = fc.decode(broker.published[-1][1])
assert flags & fc.FLAG_LOW_BATTERY and len(probe_requests) == 1, (flags, len(probe_requests))
assert not [r for r in readings if 8 <= r[0] <= 12], readings  # no probe channels (EC..K)
assert machine.hw["slept"][-1] > 3500000  # 4 x 15 min

h.set_sensors(batt_uv=1600000)  # 3.2 V: critical
sent = len(broker.published)
node = h.cycle()
assert len(broker.published) == sent  # radio stays off
assert node.store.backlog() == 1
_, flags, _, _, _, readings = fc.decode(node.store.records[-1][1])
assert [r[0] for r in readings] == [7] and flags & fc.FLAG_LOW_BATTERY, readings

h.set_sensors()  # the sun came out: the held reading goes with the next one
node = h.cycle()
assert node.store.backlog() == 0 and len(broker.published) == sent + 2

# Batching: send every 4th reading, unless soil moisture leaves its band.
gw = h.setup({"sensors": ["soil", "battery"], "send_every": 4, "thresholds": {"soil_vwc": [0.2, 0.45]}})
for _ in range(4):
    h.cycle()
assert len(broker.published) == 4 and len(gw.order) == 4  # sent together on the 4th cycle
h.set_sensors(soil_uv=2300000)  # dry: VWC 0.0625 < 0.2
h.cycle()
assert len(gw.order) == 5

# A rain reed stuck closed: the tip fast path sleeps on the timer only; the reading reports FAULT.
gw = h.setup()
node = h.cycle()
machine.hw["pins"][h.PINS["rain"]] = 0
machine.hw["reset_cause"] = machine.DEEPSLEEP_RESET
machine.hw["wake"] = machine.EXT0_WAKE
import esp32

esp32.wake["ext0"] = None
h.clock.t = node.store.next_due - 300  # the tip comes mid-interval
try:
    h.tipwake.run()
except machine.DeepSleep:
    pass
assert esp32.wake["ext0"] is None
h.clock.t = node.store.next_due
node = h.cycle()
readings = gw.stored[gw.order[-1]][3]
assert (5, None, fc.STATUS_FAULT) in readings, readings
print("power-aware ok")
