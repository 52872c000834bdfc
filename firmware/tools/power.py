"""Power budget of a sensor node: charge per wake cycle and battery life, from cited figures.

Pure model, no I/O. Every figure lives in ``FIGURES`` with its source; the arithmetic is the
per-cycle energy model (boot + sensors + radio per wake, plus the sleep floor and the cell's
self-discharge per day).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

MC_PER_MAH = 3.6  # 1 mAh = 3.6 C = 3600 mC


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str
    source: str


FIGURES: dict[str, Figure] = {
    "battery_mah": Figure(
        3000, "mAh", "18650 Li-ion cell, nominal capacity (e.g. Samsung INR18650-30Q datasheet)"
    ),
    "usable_fraction": Figure(0.85, "1", "assumption: LDO dropout, cold, ageing; typical Li-ion practice"),
    "self_discharge_per_month": Figure(
        0.02, "1/month", "typical Li-ion figure, unverified for our cell; worse at 35-45 degC in an enclosure"
    ),
    "sleep_ua": Figure(
        20,
        "uA",
        "ESP32 deep sleep 10 uA (ESP32 datasheet, RTC timer + RTC memory) + low-Iq LDO + 1 MOhm divider",
    ),
    "boot_mc": Figure(
        27,
        "mC",
        "glenn20/upy-esp32-experiments (PPK2): bootloader 70 ms/3.3 mC + stock _boot.py->main.py 23.6 mC",
    ),
    "sensors_mc": Figure(
        30, "mC", "assumption: ~0.75 s at 40 mA (ADC soil, DS18B20 12-bit 750 ms, I2C T/RH)"
    ),
    "wind_window_mc": Figure(75, "mC", "assumption: 3 s anemometer window at 25 mA CPU idle"),
    "probe_mc": Figure(
        170, "mC", "assumption: RS485 7-in-1 probe ~30 mA at 12 V for 1.5 s through a boost; measure"
    ),
    "rain_tip_mc": Figure(27, "mC", "one ext0 wake per bucket tip = one boot (glenn20 boot figure)"),
    "wifi_static_mc": Figure(
        105,
        "mC",
        "glenn20: Wi-Fi static IP + umqtt.simple connect/publish/disconnect 774 ms/109 mC, minus boot",
    ),
    "wifi_dhcp_mc": Figure(209, "mC", "glenn20: Wi-Fi DHCP connect 1626 ms/204 mC + MQTT ~5 mC"),
    "espnow_mc": Figure(4.4, "mC", "glenn20: ESP-NOW acked send cycle 119 ms/7.7 mC, minus 3.3 mC boot"),
    "espnow_per_extra_frame_mc": Figure(
        0.4, "mC", "assumption: ~4 ms extra radio-on time per extra frame at 100 mA"
    ),
    "mcu_idle_ma": Figure(25, "mA", "ESP32 modem-sleep at 80 MHz 20-31 mA (ESP32 datasheet)"),
    "lora_setup_mc": Figure(0.6, "mC", "assumption: SPI configure + TCXO start"),
    "sx1262_tx_14dbm_ma": Figure(
        45, "mA", "SX1261/2 datasheet 'optimal' PA setting at +14 dBm; 45 mA measured (Lambda62)"
    ),
    "sx1262_tx_22dbm_ma": Figure(118, "mA", "Semtech AN 'Recommendations for Best Performance' (+22 dBm)"),
    "sx1276_tx_17dbm_ma": Figure(87, "mA", "HopeRF RFM95/96 datasheet, PA_BOOST +17 dBm typ."),
    "sx1276_tx_20dbm_ma": Figure(120, "mA", "SX1276 datasheet, PA_BOOST +20 dBm"),
}

LORA_TX_MA = {
    ("sx1262", 14): "sx1262_tx_14dbm_ma",
    ("sx1262", 22): "sx1262_tx_22dbm_ma",
    ("sx1276", 17): "sx1276_tx_17dbm_ma",
    ("sx1276", 20): "sx1276_tx_20dbm_ma",
}
UPLINKS = ("wifi", "espnow", "lora")
FULL_READING_BYTES = 38  # framecodec: header 13 + 7 channels x 3 + MIC 4


def fig(name: str) -> float:
    return FIGURES[name].value


def lora_time_on_air_ms(
    payload: int,
    sf: int,
    bw_hz: int = 125000,
    cr: int = 1,
    preamble: int = 8,
    explicit_header: bool = True,
    crc: bool = True,
    ldro: bool | None = None,
) -> float:
    """Semtech formula (SX1276 datasheet §4.1.1.6, SX1261/2 datasheet §6.1.4). ``cr``: 1..4 = 4/5..4/8."""
    if not 6 <= sf <= 12 or not 1 <= cr <= 4 or payload < 0:
        raise ValueError("sf must be 6-12, cr 1-4, payload >= 0")
    t_sym = (2**sf) / bw_hz * 1000
    de = 1 if (t_sym >= 16 if ldro is None else ldro) else 0
    ih = 0 if explicit_header else 1
    num = 8 * payload - 4 * sf + 28 + 16 * int(crc) - 20 * ih
    n_payload = 8 + max(math.ceil(num / (4 * (sf - 2 * de))) * (cr + 4), 0)
    return (preamble + 4.25) * t_sym + n_payload * t_sym


@dataclass
class Budget:
    uplink: str
    interval_s: int
    charge_per_cycle_mC: float
    breakdown_mC: dict[str, float]
    daily_C: float
    battery_days: float
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "uplink": self.uplink,
            "interval_s": self.interval_s,
            "charge_per_cycle_mC": round(self.charge_per_cycle_mC, 2),
            "breakdown_mC": {k: round(v, 2) for k, v in self.breakdown_mC.items()},
            "daily_C": round(self.daily_C, 3),
            "battery_days": round(self.battery_days, 1),
            "battery_months": round(self.battery_days / 30.44, 1),
            "notes": self.notes,
        }


def radio_mc(
    uplink: str,
    frames: int = 1,
    payload: int = FULL_READING_BYTES,
    wifi_mode: str = "static",
    sf: int = 9,
    radio: str = "sx1262",
    tx_dbm: int = 14,
) -> float:
    """Charge of one link session that sends ``frames`` frames."""
    if uplink == "wifi":
        return fig("wifi_static_mc" if wifi_mode == "static" else "wifi_dhcp_mc")
    if uplink == "espnow":
        return fig("espnow_mc") + (frames - 1) * fig("espnow_per_extra_frame_mc")
    if uplink == "lora":
        key = LORA_TX_MA.get((radio, tx_dbm))
        if key is None:
            raise ValueError(f"no cited TX current for {radio} at {tx_dbm} dBm; known: {sorted(LORA_TX_MA)}")
        toa = lora_time_on_air_ms(payload, sf) * frames
        return toa * (fig(key) + fig("mcu_idle_ma")) / 1000 + fig("lora_setup_mc")
    raise ValueError(f"uplink must be one of {UPLINKS}")


def budget(
    uplink: str,
    interval_s: int,
    *,
    sensors: tuple[str, ...] = ("soil", "ds18b20", "sht4x", "battery"),
    send_every: int = 1,
    probe_every: int = 1,
    wifi_mode: str = "static",
    sf: int = 9,
    radio: str = "sx1262",
    tx_dbm: int = 14,
    battery_mah: float | None = None,
    rain_mm_per_year: float = 0.0,
    rain_mm_per_tip: float = 0.2794,
    payload: int = FULL_READING_BYTES,
) -> Budget:
    """Charge per cycle and battery life for one node configuration."""
    if interval_s < 60:
        raise ValueError("interval must be at least 60 s")
    if send_every < 1 or probe_every < 1:
        raise ValueError("send_every and probe_every must be >= 1")
    parts = {"boot": fig("boot_mc"), "sensors": fig("sensors_mc")}
    if "wind" in sensors:
        parts["wind_window"] = fig("wind_window_mc")
    if "probe" in sensors:
        parts["rs485_probe"] = fig("probe_mc") / probe_every
    parts["radio"] = radio_mc(uplink, send_every, payload, wifi_mode, sf, radio, tx_dbm) / send_every
    cycle = sum(parts.values())
    cycles_per_day = 86400 / interval_s
    cap = fig("battery_mah") if battery_mah is None else battery_mah
    sleep_c = fig("sleep_ua") * 86400 / 1e6
    self_c = cap * fig("self_discharge_per_month") / 30 * MC_PER_MAH
    rain_c = 0.0
    if rain_mm_per_year > 0:
        rain_c = rain_mm_per_year / rain_mm_per_tip / 365 * fig("rain_tip_mc") / 1000
    daily = cycles_per_day * cycle / 1000 + sleep_c + self_c + rain_c
    usable = cap * fig("usable_fraction") * MC_PER_MAH
    notes = [
        f"usable {usable:.0f} C of {cap:.0f} mAh; per day: cycles {cycles_per_day * cycle / 1000:.2f} C, "
        f"sleep {sleep_c:.2f} C, self-discharge {self_c:.2f} C"
        + (f", rain tips {rain_c:.2f} C" if rain_c else "")
    ]
    if uplink == "lora":
        toa = lora_time_on_air_ms(payload, sf)
        notes.append(f"LoRa {radio} {tx_dbm} dBm SF{sf}/125 kHz, {payload} B: {toa:.1f} ms on air")
    return Budget(uplink, interval_s, cycle, parts, daily, usable / daily, notes)


def parse_interval(text: str) -> int:
    """'15m', '900', '900s', '1h' -> seconds."""
    t = text.strip().lower()
    mult = {"s": 1, "m": 60, "h": 3600}
    if t and t[-1] in mult:
        num, unit = t[:-1], mult[t[-1]]
    else:
        num, unit = t, 1
    if not num.isdigit() or int(num) * unit < 60 or int(num) * unit > 86400:
        raise ValueError(f"expected an interval like 15m, 900s or 1h between 60 s and 24 h, got {text!r}")
    return int(num) * unit
