# Shared set-up for the node tests: fake hardware, a node file system under /node, one cycle.
import sys

for _p in ("/fakes", "/firmware/node", "/firmware/drivers", "/firmware/bridge"):
    if _p not in sys.path:
        sys.path.append(_p)

import binascii  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

import app  # noqa: E402
import battery  # noqa: E402
import ds18b20  # noqa: E402
import ds18x20  # noqa: E402
import fakebroker  # noqa: E402
import fakeclock  # noqa: E402
import hw  # noqa: E402
import link_espnow  # noqa: E402
import link_wifi  # noqa: E402
import machine  # noqa: E402
import modbus_soil  # noqa: E402
import network  # noqa: E402
import nodeconfig  # noqa: E402
import pulses  # noqa: E402
import sht  # noqa: E402
import soil  # noqa: E402
import tipwake  # noqa: E402

fakeclock.install(app, soil, ds18b20, sht, pulses, modbus_soil, link_wifi, link_espnow, tipwake, hw, battery)
clock = fakeclock.clock

KEY = bytes(range(16))
NODE = 4097
ROOT = "/node"
BASE = {
    "node_id": NODE,
    "version": 1,
    "sensors": ["soil", "ds18b20", "sht4x", "rain", "wind", "battery"],
    "soil_cal": {"model": "two_point", "dry_uv": 2500000, "wet_uv": 900000, "dry_vwc": 0.0, "wet_vwc": 0.5},
    "wind_ms_per_hz": 0.45,
    "rain_mm_per_tip": 0.2,
    "wifi_ssid": "ruong-so",
}
PINS = None
SAMPLED = {}  # counter -> node-clock sample time, for every reading any cycle took


def crc8(a, b):
    return sht.crc8(bytes([a, b]))


class FakeSHT4x:
    def __init__(self, st, srh, bad_crc=False):
        self.st, self.srh, self.bad_crc = st, srh, bad_crc

    def write(self, cmd):
        self.cmd = cmd

    def read(self, n):
        t = [self.st >> 8, self.st & 0xFF]
        h = [self.srh >> 8, self.srh & 0xFF]
        out = bytearray(t)
        out.append(crc8(t[0], t[1]))
        out.extend(bytes(h))
        out.append(crc8(h[0], h[1]))
        out = bytes(out)
        if self.bad_crc:
            out = out[:5] + bytes([out[5] ^ 0x01])
        return out


def mkdirs(path):
    cur = ""
    for part in path.strip("/").split("/"):
        cur += "/" + part
        try:
            os.mkdir(cur)
        except OSError:
            pass


def rmtree(path):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for n in names:
        p = path + "/" + n
        if os.stat(p)[0] & 0x4000:
            rmtree(p)
        else:
            os.remove(p)
    os.rmdir(path)


def setup(overrides=None, fresh=True):
    """Write /node (secrets, signed config, pin map), reset fake hardware, set sensor values."""
    global PINS
    if fresh:
        SAMPLED.clear()
        rmtree(ROOT)
        machine.hw["rtc_mem"] = b""
        machine.hw["slept"] = []
    mkdirs(ROOT)
    body = {}
    for k in BASE:
        body[k] = BASE[k]
    for k in overrides or {}:
        body[k] = overrides[k]
    with open(ROOT + "/secrets.json", "w") as f:
        json.dump(
            {
                "node_id": NODE,
                "node_key": binascii.hexlify(KEY).decode(),
                "wifi_psk": "pw",
                "mqtt_password": "mq",
            },
            f,
        )
    with open(ROOT + "/config.json", "wb") as f:
        f.write(nodeconfig.sign(KEY, body))
    with open("/hardware/pinout.json") as f:
        pinout = f.read()
    with open(ROOT + "/pinout.json", "w") as f:
        f.write(pinout)
    PINS = json.loads(pinout)["boards"][body.get("board", "esp32")]["signals"]
    set_sensors()
    fakebroker.broker.__init__()
    fakebroker.broker.gateway = fakebroker.Gateway({NODE: KEY})
    network.net["up"] = True
    network.net["connect_s"] = 1.0
    return fakebroker.broker.gateway


def set_sensors(soil_uv=1500000, batt_uv=1956000, sht_raw=(28554, 44302), soil_t=24.5, wind=9):
    machine.hw["adc"][PINS["soil_adc"]] = soil_uv
    machine.hw["adc"][PINS["battery_adc"]] = batt_uv
    machine.hw["i2c"] = {0x44: FakeSHT4x(sht_raw[0], sht_raw[1])} if sht_raw else {}
    ds18x20.sensor["temp"] = soil_t
    machine.hw["wind_pulses"] = wind
    machine.hw["pins"][PINS["rain"]] = 1


def cycle(cause=None, sleep_after=True):
    """One boot: build the node from /node and run its cycle until it deep-sleeps."""
    if cause is None:
        cause = machine.DEEPSLEEP_RESET if machine.hw["rtc_mem"] else machine.PWRON_RESET
    machine.hw["reset_cause"] = cause
    machine.hw["wake"] = machine.TIMER_WAKE
    node = hw.build(ROOT)
    try:
        node.sleep(node.run())
    except machine.DeepSleep:
        if sleep_after:
            clock.sleep_ms(machine.hw["slept"][-1])
    finally:
        if node.counter is not None:
            SAMPLED[node.counter] = node.sampled_at
    return node


def hexs(b):
    return binascii.hexlify(b).decode()
