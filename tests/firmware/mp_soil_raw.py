# The raw soil channel: a node with the default config sends the probe's output in mV (channel
# soil_raw) next to the calibrated water content, so a technician can calibrate from the app; a
# faulty probe still reports its raw value; a config with soil_raw 0 leaves the channel out.
import sys

sys.path.append("/fakes")
import framecodec as fc
import harness as h
import topics

RAW = fc.CHANNEL_IDS["soil_raw"]
VWC = fc.CHANNEL_IDS["soil_vwc"]

h.setup()  # full sensor set (soil, ds18b20, sht4x, rain, wind, battery), default config
broker = h.fakebroker.broker
h.set_sensors(soil_uv=2275000)
node = h.cycle()
assert node.cfg["soil_raw"] == 1
frame = broker.published[-1][1]
_, flags, nid, _, _, readings = fc.decode(frame)
assert (RAW, 2275.0, fc.STATUS_OK) in readings, readings
vwc = next(r for r in readings if r[0] == VWC)
assert vwc[2] == fc.STATUS_OK and abs(vwc[1] - 0.0703) < 0.0001, vwc  # two_point: (2.5-2.275)/1.6*0.5
# the largest frame of this node: 9 channels x 3 bytes + header 13 + MIC 4, far below the cap
assert len(frame) == 41 and len(frame) <= fc.MAX_FRAME_LEN, len(frame)
assert h.fakebroker.broker.gateway is not None and nid == h.NODE

# An unplugged probe (below the ADC's linear range): the water content is a fault, the raw value
# still says what the pin reads, which is what the technician needs to see.
h.set_sensors(soil_uv=60000)
h.cycle()
_, _, _, _, _, readings = fc.decode(broker.published[-1][1])
assert (VWC, None, fc.STATUS_FAULT) in readings and (RAW, 60.0, fc.STATUS_OK) in readings, readings

# A signed config with soil_raw 0 switches the channel off from the next sample on.
body = {}
for k in h.BASE:
    body[k] = h.BASE[k]
body["version"] = 2
body["soil_raw"] = 0
broker.retained[topics.config_topic("demo", h.NODE).encode()] = h.nodeconfig.sign(h.KEY, body)
h.set_sensors(soil_uv=1500000)
node = h.cycle()
assert node.cfg["version"] == 2 and node.cfg["soil_raw"] == 0
h.cycle()
_, _, _, _, _, readings = fc.decode(broker.published[-1][1])
assert [r for r in readings if r[0] == VWC] and not [r for r in readings if r[0] == RAW], readings

# The schema takes only 0 or 1.
for bad in (2, -1, "yes"):
    body["soil_raw"] = bad
    try:
        h.nodeconfig.validate(body)
        raise AssertionError("soil_raw %r accepted" % (bad,))
    except h.nodeconfig.ConfigError:
        pass
print("soil raw ok")
