"""Builds the node from its files: /secrets.json, /config.json (signed), /pinout.json.

``pinout.json`` is the one pin map (``hardware/pinout.json`` in the repository); this module only
names the signals it needs (``SIGNALS``), and a repository test checks that every board in the pin
map provides them with suitable pins. Secrets (node key, Wi-Fi PSK, MQTT password) live only in
``secrets.json``, written by ``farm node config``; nothing secret is in code or in the config.
"""

import binascii
import json
import time

import nodeconfig
from machine import ADC, I2C, UART, Pin
from store import Store

# signal -> what the firmware needs from its pin: "adc" (ADC1, works with Wi-Fi on), "out",
# "in", "rtc_in" (ext0 wake capable), "io". Checked against hardware/pinout.json by the tests.
SIGNALS = {
    "sensor_power": "out",
    "soil_adc": "adc",
    "battery_adc": "adc",
    "onewire": "io",
    "i2c_sda": "io",
    "i2c_scl": "out",
    "rs485_tx": "out",
    "rs485_rx": "in",
    "rs485_de": "out",
    "probe_power": "out",
    "rain": "rtc_in",
    "wind": "in",
}
SENSOR_SIGNALS = {
    "soil": ("soil_adc", "sensor_power"),
    "ds18b20": ("onewire", "sensor_power"),
    "sht3x": ("i2c_sda", "i2c_scl", "sensor_power"),
    "sht4x": ("i2c_sda", "i2c_scl", "sensor_power"),
    "probe": ("rs485_tx", "rs485_rx", "rs485_de", "probe_power"),
    "rain": ("rain",),
    "wind": ("wind",),
    "battery": ("battery_adc",),
}


def read_json(path):
    with open(path) as f:
        return json.load(f)


def load_config(key, root, node_id):
    """Effective config from config.json, or config.bak if the current one does not verify."""
    last = None
    for name in ("/config.json", "/config.bak"):
        try:
            with open(root + name, "rb") as f:
                blob = f.read()
            body = nodeconfig.parse(key, blob)
            if body["node_id"] != node_id:
                raise nodeconfig.ConfigError("config is for another node")
        except (OSError, nodeconfig.ConfigError) as e:
            last = e
            continue
        if name != "/config.json":
            with open(root + "/config.json", "wb") as f:
                f.write(blob)  # repair, so the next update keeps a good config.bak
        return nodeconfig.effective(body)
    raise nodeconfig.ConfigError("no valid config: " + str(last))


def adc(gpio):
    return ADC(Pin(gpio), atten=ADC.ATTN_11DB)


def build_sensors(cfg, pins):
    """(sensors, battery, rain, probe, power) for the sensors named in the config."""
    names = cfg["sensors"]
    sensors = []
    battery = rain = probe = None
    power = Pin(pins["sensor_power"], Pin.OUT, value=0, hold=False)
    if "soil" in names:
        from soil import CapacitiveSoil

        sensors.append(CapacitiveSoil(adc(pins["soil_adc"]), cfg["soil_cal"],
                                      samples=cfg["soil_samples"], raw=cfg["soil_raw"] == 1))
    if "ds18b20" in names:
        import ds18x20
        import onewire
        from ds18b20 import DS18B20

        sensors.append(DS18B20(ds18x20.DS18X20(onewire.OneWire(Pin(pins["onewire"])))))
    if "sht3x" in names or "sht4x" in names:
        import sht

        bus = I2C(0, scl=Pin(pins["i2c_scl"]), sda=Pin(pins["i2c_sda"]), freq=100000, timeout=50000)
        sensors.append(sht.SHT4x(bus) if "sht4x" in names else sht.SHT3x(bus))
    if "wind" in names:
        from pulses import Anemometer

        counter = None
        try:
            from machine import Counter  # PCNT-backed, MicroPython >= 1.26

            counter = Counter(0, Pin(pins["wind"], Pin.IN), filter_ns=10000)
        except (ImportError, TypeError, ValueError):
            pass
        sensors.append(Anemometer(counter, Pin(pins["wind"], Pin.IN), cfg["wind_ms_per_hz"],
                                  cfg["wind_window_ms"]))
    if "battery" in names:
        from battery import Battery

        battery = Battery(adc(pins["battery_adc"]), cfg["battery_ratio"])
    if "rain" in names:
        from pulses import RainGauge

        rain = RainGauge(Pin(pins["rain"], Pin.IN), cfg["rain_mm_per_tip"], pins["rain"])
    if "probe" in names:
        from modbus_soil import SoilProbe

        p = cfg["probe"]
        uart = UART(2, p["baud"], tx=pins["rs485_tx"], rx=pins["rs485_rx"], timeout=p["timeout_ms"])
        de = Pin(pins["rs485_de"], Pin.OUT, value=0)
        sp = SoilProbe(uart, de, p["addr"], p["map"], p["baud"], p["timeout_ms"], "soil" not in names)
        probe = PoweredProbe(sp, Pin(pins["probe_power"], Pin.OUT, value=0, hold=False), p["warmup_ms"])
    return sensors, battery, rain, probe, power


class PoweredProbe:
    """Switches the probe's 12 V boost on for one read: the probe draws ~30 mA at 12 V."""

    def __init__(self, probe, power, warmup_ms):
        self.probe = probe
        self.power = power
        self.warmup_ms = warmup_ms

    def read(self):
        self.power.value(1)
        try:
            time.sleep_ms(self.warmup_ms)
            return self.probe.read()
        finally:
            self.power.value(0)


def build_link(cfg, node_id, secrets, key):
    if cfg["uplink"] == "espnow":
        from link_espnow import EspNowLink

        return EspNowLink(cfg)
    from link_wifi import WifiMqtt

    password = secrets.get("mqtt_password") or nodeconfig.mqtt_password(key)
    return WifiMqtt(cfg, node_id, secrets.get("wifi_psk", ""), password)


def build(root=""):
    import machine
    from app import Node

    secrets = read_json(root + "/secrets.json")
    node_id = secrets["node_id"]
    key = binascii.unhexlify(secrets["node_key"])
    cfg = load_config(key, root, node_id)
    pins = read_json(root + "/pinout.json")["boards"][cfg["board"]]["signals"]
    sensors, battery, rain, probe, power = build_sensors(cfg, pins)
    store = Store(machine.RTC(), root + "/data", buffer_max=cfg["buffer_max"], spill_at=cfg["spill_at"])
    link = build_link(cfg, node_id, secrets, key)
    fw = None
    if secrets.get("fw_key"):  # bundles over MQTT (Wi-Fi) or through the ESP-NOW bridge
        from updater import Updater

        fw = Updater(key, binascii.unhexlify(secrets["fw_key"]), cfg["board"], cfg["farm_id"], root,
                     cfg["send_every"])
    return Node(cfg, node_id, key, store, sensors, battery, rain, link, power, probe, root, fw)
