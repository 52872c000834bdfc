# Sensor drivers against fake buses: values when the bus is healthy, status codes otherwise.
import struct
import sys

sys.path.append("/fakes")
import framecodec as fc
import harness as h

machine = h.machine
modbus_soil = h.modbus_soil


def close(a, b, eps=1e-6):
    return abs(a - b) < eps


# ---- Modbus-RTU 7-in-1 probe --------------------------------------------------------------------
assert modbus_soil.crc16_modbus(b"\x01\x03\x00\x00\x00\x03") == 0xCB05  # frame 01 03 00 00 00 03 05 CB
assert modbus_soil.read_request(1, 0, 7) == bytes.fromhex("0103000000070408")


def reply(addr, regs, corrupt=False):
    body = bytes([addr, 3, 2 * len(regs)]) + struct.pack(">" + "H" * len(regs), *regs)
    crc = modbus_soil.crc16_modbus(body)
    out = body + struct.pack("<H", crc)
    if corrupt:
        out = out[:-1] + bytes([out[-1] ^ 0xFF])
    return out


de = machine.Pin(18, machine.Pin.OUT, value=0)
uart = machine.UART(2, 4800)
generic = [312, 0xFF06, 520, 65, 41, 17, 88]  # 31.2 %, -25.0 degC, 520 uS/cm, pH 6.5, N P K
requests = []


def device(req):
    requests.append(req)
    return reply(1, generic)


machine.hw["uart"] = device
probe = modbus_soil.SoilProbe(uart, de, addr=1, regmap="generic")
got = probe.read()
assert requests[-1] == modbus_soil.read_request(1, 0, 7)
assert machine.hw["pins"][18] == 0  # transmitter released after the request
want = [(1, 0.312), (2, -25.0), (8, 520), (9, 6.5), (10, 41), (11, 17), (12, 88)]
for (cid, value, status), (wcid, wvalue) in zip(got, want):
    assert cid == wcid and status == fc.STATUS_OK and close(value, wvalue), got

jx = [0] * 27
jx[0], jx[12], jx[13], jx[15], jx[24], jx[25], jx[26] = 655, 287, 301, 1250, 30, 12, 140
machine.hw["uart"] = lambda req: reply(1, jx)
got = modbus_soil.SoilProbe(uart, de, regmap="jxct", baud=9600, with_vwc=False).read()
assert [g[0] for g in got] == [2, 8, 9, 10, 11, 12], got  # no VWC when a capacitive sensor is fitted
assert close(got[0][1], 30.1) and got[1][1] == 1250 and close(got[2][1], 6.55), got

machine.hw["uart"] = lambda req: reply(1, generic, corrupt=True)
got = probe.read()
assert len(got) == 7 and all(g[1] is None and g[2] == fc.STATUS_CRC for g in got), got

machine.hw["uart"] = lambda req: b""  # probe unpowered or cable cut
t0 = h.clock.ticks_ms()
got = probe.read()
assert all(g[1] is None and g[2] == fc.STATUS_TIMEOUT for g in got), got
assert h.clock.ticks_ms() - t0 < 1000  # gave up after timeout_ms

exc = bytes([1, 0x83, 2])
machine.hw["uart"] = lambda req: exc + struct.pack("<H", modbus_soil.crc16_modbus(exc))
assert all(g[2] == fc.STATUS_FAULT for g in probe.read())
machine.hw["uart"] = lambda req: reply(7, generic)  # another probe answered
assert all(g[2] == fc.STATUS_FAULT for g in probe.read())
frame = fc.encode(h.KEY, 42, 100, 0, probe.read())
assert all(r[1] is None for r in fc.decode(frame)[5])  # a failed probe never sends a zero

# ---- SHT3x / SHT4x -------------------------------------------------------------------------------
assert h.sht.crc8(b"\xbe\xef") == 0x92  # Sensirion datasheet example
bus = machine.I2C(0)
machine.hw["i2c"] = {0x44: h.FakeSHT4x(28554, 44302)}
got = h.sht.SHT4x(bus).read()
assert got[0][2] == 0 and close(round(got[0][1], 2), 31.25) and close(round(got[1][1], 2), 78.5), got
assert machine.hw["i2c"][0x44].cmd == b"\xfd"
machine.hw["i2c"] = {0x44: h.FakeSHT4x(28554, 44302, bad_crc=True)}
assert h.sht.SHT4x(bus).read() == [(3, None, fc.STATUS_CRC), (4, None, fc.STATUS_CRC)]
machine.hw["i2c"] = {0x44: h.FakeSHT4x(0x6666, 0x8000)}
got = h.sht.SHT3x(bus).read()
assert machine.hw["i2c"][0x44].cmd == b"\x24\x00"
assert close(got[0][1], -45 + 175 * 0x6666 / 65535) and close(got[1][1], 100 * 0x8000 / 65535), got
machine.hw["i2c"] = {0x44: h.FakeSHT4x(0x6666, 0x8000, bad_crc=True)}
assert [g[2] for g in h.sht.SHT3x(bus).read()] == [fc.STATUS_CRC, fc.STATUS_CRC]
machine.hw["i2c"] = {}
assert [g[2] for g in h.sht.SHT3x(bus).read()] == [fc.STATUS_ABSENT, fc.STATUS_ABSENT]

# ---- DS18B20 -----------------------------------------------------------------------------------
import ds18x20

ds = h.ds18b20.DS18B20(ds18x20.DS18X20(None))
for temp, want in (
    (24.5, (2, 24.5, 0)),
    (85.0, (2, None, fc.STATUS_FAULT)),
    ("crc", (2, None, fc.STATUS_CRC)),
    ("absent", (2, None, fc.STATUS_ABSENT)),
):
    ds18x20.sensor["temp"] = temp
    ds.rom = None
    ds.start()
    assert ds.read() == [want], (temp, ds.read())

# ---- capacitive soil: three calibration models, faults ------------------------------------------
adc = machine.ADC(machine.Pin(36))
two = {"model": "two_point", "dry_uv": 2500000, "wet_uv": 900000, "dry_vwc": 0.0, "wet_vwc": 0.5}
samples = [1500000, 1500000, 3000000, 1490000, 1510000, 100, 1500000, 1500000, 1500000]
seq = list(samples)
machine.hw["adc"][36] = lambda: seq.pop(0)
power = machine.Pin(26, machine.Pin.OUT, value=0)
s = h.soil.CapacitiveSoil(adc, two, power=power, raw=True)
assert s.read() == [(1, 0.3125, 0), (14, 1500, 0)]  # median rejects the two spikes
assert machine.hw["pins"][26] == 0
poly = {"model": "poly", "coef": [0.9, -0.3]}  # vwc = 0.9 - 0.3 V
assert close(h.soil.vwc_from_uv(2000000, poly), 0.3)
pw = {"model": "piecewise", "points": [[1000000, 0.45], [1600000, 0.30], [2400000, 0.05]]}
assert close(h.soil.vwc_from_uv(1300000, pw), 0.375) and close(h.soil.vwc_from_uv(2000000, pw), 0.175)
machine.hw["adc"][36] = 50000  # unplugged: reads near 0 V
assert h.soil.CapacitiveSoil(adc, two).read() == [(1, None, fc.STATUS_FAULT)]
machine.hw["adc"][36] = 300000  # 0.3 V: far wetter than the calibration allows
assert h.soil.CapacitiveSoil(adc, two).read() == [(1, None, fc.STATUS_OUT_OF_RANGE)]

# ---- battery, wind, rain -------------------------------------------------------------------------
machine.hw["adc"][39] = 1956000
assert h.battery.Battery(machine.ADC(machine.Pin(39))).read() == [(7, 3.912, 0)]
machine.hw["adc"][39] = 0
assert h.battery.Battery(machine.ADC(machine.Pin(39))).read() == [(7, None, fc.STATUS_FAULT)]
machine.hw["wind_pulses"] = 9
an = h.pulses.Anemometer(machine.Counter(0), None, 0.45, 3000)
assert an.read() == [(6, 1.35, 0)]
pin = machine.Pin(35, machine.Pin.IN)
an = h.pulses.Anemometer(None, pin, 0.667, 2000)


done = [False]


def spin():  # 4 reed closures during the window, one of them a bounce 1 ms after the last
    handler = machine.hw["irqs"].get(35)
    if handler is not None and not done[0]:
        done[0] = True
        for dt in (0.1, 0.2, 0.001, 0.3, 0.2):
            h.clock.advance(dt)
            handler(pin)


h.clock.on_sleep = spin
got = an.read()
h.clock.on_sleep = None
assert close(got[0][1], 4 * 1000 / 2000 * 0.667), got
rain = h.pulses.RainGauge(machine.Pin(33, machine.Pin.IN), 0.2794)
assert close(rain.read(10)[0][1], 2.794)
assert rain.read(3, stuck=True) == [(5, None, fc.STATUS_FAULT)]
print("drivers ok")
