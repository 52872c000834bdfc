"""Power budget of a sensor node: charge per wake cycle and battery life, from cited figures.

Pure model, no I/O. Every figure lives in ``FIGURES`` with its source; the arithmetic is the
per-cycle energy model (boot + sensors + radio per wake, plus the sleep floor and the cell's
self-discharge per day).

The radio part is what the firmware really does, not only the send (issue 17: the first model was
15-28 % optimistic at 15 min): after sending, the node **waits for the gateway's durable ack**
(``firmware/node/app.py``: ``link.poll(ack_wait_ms)``) with its receiver on; on Wi-Fi every wake
makes **MQTT round trips** beyond glenn20's measured connect/publish/disconnect (three QoS 1
SUBSCRIBE/SUBACK and one PUBLISH/PUBACK per frame, ``firmware/node/link_wifi.py``); a share of
wakes are **failed connection attempts** that burn the whole ``link_timeout_ms`` or ``ack_wait_ms``;
and a LoRa node must keep a **receive window** open for the ack.

Firmware exists for Wi-Fi + MQTT (``link_wifi``) and ESP-NOW via a serial bridge (``link_espnow``).
**There is no LoRa firmware**: the LoRa rows are a model of the micropython-lib ``lora`` drivers
with an app-level ack, for choosing hardware, not a measured or shipped link.
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

# ---- terms the first model left out (issue 17) -------------------------------------------------
FIGURES.update(
    {
        "wifi_rx_ma": Figure(
            100, "mA", "ESP32 datasheet RF power consumption: RX/listen 95-100 mA (upper value used)"
        ),
        "wifi_session_ma": Figure(
            141,
            "mA",
            "glenn20 (PPK2): static IP + MQTT connect/publish/disconnect 109 mC in 774 ms = 141 mA average",
        ),
        "wifi_connect_ma": Figure(
            136, "mA", "glenn20 (PPK2): Wi-Fi connect with static IP 100 mC in 734 ms = 136 mA average"
        ),
        "mqtt_rtt_ms": Figure(
            20,
            "ms",
            "glenn20: MQTT adds ~40 ms on a LAN for TCP handshake + CONNECT/CONNACK (MQTT 3.1.1 s3.1-3.2), "
            "i.e. 2 round trips: 20 ms each",
        ),
        "mqtt_subscribes": Figure(
            3,
            "round trips",
            "firmware/node/link_wifi.py subscribes cmd/ack, cmd/config and cmd/fw at QoS 1 on every wake; "
            "each SUBSCRIBE waits for its SUBACK (MQTT 3.1.1 s3.8-3.9)",
        ),
        "gateway_ack_ms": Figure(
            50,
            "ms",
            "assumption: the gateway acks a frame only after its SQLite synchronous=FULL commit "
            "(docs/gateway.md); ~50 ms on a Raspberry Pi SD card — measure with the node's ack timer",
        ),
        "bridge_baud": Figure(
            115200, "baud", "gateway --serial-baud default (gateway/cli.py); UART 8N1 = 10 bits per byte"
        ),
        "ack_wait_ms": Figure(1500, "ms", "firmware/lib/nodeconfig.py default ack_wait_ms"),
        "link_timeout_ms": Figure(8000, "ms", "firmware/lib/nodeconfig.py default link_timeout_ms"),
        "link_fail_fraction": Figure(
            0.05,
            "1",
            "assumption: 1 wake in 20 finds the AP, bridge or gateway unreachable (rural power and link "
            "outages); read the real share from the nodes' fail streaks and RSSI health channel",
        ),
        "espnow_absent_mc": Figure(
            12.1, "mC", "glenn20: ESP-NOW send to an absent peer (MAC retries) 15.4 mC minus 3.3 mC boot"
        ),
        "lora_ack_turnaround_ms": Figure(
            25, "ms", "micropython-lib lora/examples/reliable_delivery: the receiver acks 25 ms after RX"
        ),
        "lora_ack_bytes": Figure(
            11, "B", "firmware/lib/linkproto.py ack: 1 type byte + up to 10 ASCII counter digits"
        ),
        "sx1262_rx_ma": Figure(
            4.6,
            "mA",
            "SX1261/2 datasheet RX current, DC-DC, 125 kHz, Rx Boosted off (project reference: 4.6-5.3 mA, "
            "unverified on a module)",
        ),
        "sx1276_rx_ma": Figure(
            10.8,
            "mA",
            "SX1276 datasheet IDDR_L, LnaBoost off, 125 kHz (measured 10.8-12.6 mA: meshtastic #948)",
        ),
    }
)
LORA_RX_MA = {"sx1262": "sx1262_rx_ma", "sx1276": "sx1276_rx_ma"}
ESPNOW_FRAME_OVERHEAD = 10  # serialframe MSG_FRAME: type 1 + MAC 6 + RSSI 1 + CRC 2 around the frame
ESPNOW_ACK_DOWN_BYTES = 20  # MSG_DOWN: type 1 + MAC 6 + ack (<= 11) + CRC 2

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


def ack_wait_mc(
    uplink: str, frames: int = 1, payload: int = FULL_READING_BYTES, sf: int = 9, radio: str = "sx1262"
) -> float:
    """Charge of waiting for the gateway's durable acks of ``frames`` frames, receiver on.

    Wi-Fi: the gateway's commit plus the ack's trip through the broker (one round trip) per frame,
    radio listening. ESP-NOW: the frame and the ack cross the bridge's UART (8N1) and the gateway
    commits, radio listening. LoRa: the receive window stays open for the gateway's turnaround,
    its commit and the ack's time on air, radio RX plus the MCU idling."""
    if uplink == "wifi":
        wait_ms = frames * (fig("gateway_ack_ms") + fig("mqtt_rtt_ms"))
        return wait_ms * fig("wifi_rx_ma") / 1000
    if uplink == "espnow":
        uart_bytes = payload + ESPNOW_FRAME_OVERHEAD + ESPNOW_ACK_DOWN_BYTES
        wait_ms = frames * (uart_bytes * 10 / fig("bridge_baud") * 1000 + fig("gateway_ack_ms"))
        return wait_ms * fig("wifi_rx_ma") / 1000
    if uplink == "lora":
        ack_toa = lora_time_on_air_ms(int(fig("lora_ack_bytes")), sf)
        window_ms = frames * (fig("lora_ack_turnaround_ms") + fig("gateway_ack_ms") + ack_toa)
        return window_ms * (fig(LORA_RX_MA[radio]) + fig("mcu_idle_ma")) / 1000
    raise ValueError(f"uplink must be one of {UPLINKS}")


def mqtt_round_trips_mc(frames: int = 1) -> float:
    """Wi-Fi only: the QoS 1 round trips glenn20's QoS 0 measurement did not include."""
    trips = fig("mqtt_subscribes") + frames  # SUBACKs + one PUBACK per frame
    return trips * fig("mqtt_rtt_ms") * fig("wifi_session_ma") / 1000


def failed_attempt_mc(uplink: str, radio: str = "sx1262") -> float:
    """Charge of one wake whose link fails: what the firmware spends before giving up.

    Wi-Fi: association never completes, the node tries for ``link_timeout_ms``. ESP-NOW: the bridge
    is absent, the MAC retries (glenn20). LoRa: no ack comes, the receive window stays open for
    ``ack_wait_ms``."""
    if uplink == "wifi":
        return fig("link_timeout_ms") * fig("wifi_connect_ma") / 1000
    if uplink == "espnow":
        return fig("espnow_absent_mc")
    if uplink == "lora":
        return fig("ack_wait_ms") * (fig(LORA_RX_MA[radio]) + fig("mcu_idle_ma")) / 1000
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
    link_fail_fraction: float | None = None,
    firmware_terms: bool = True,
) -> Budget:
    """Charge per cycle and battery life for one node configuration.

    ``firmware_terms`` adds what the firmware does around the send (ack wait, MQTT round trips,
    failed attempts, LoRa receive window); False gives the first, send-only model for comparison.
    ``link_fail_fraction`` defaults to the cited assumption (``FIGURES``)."""
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
    fail = fig("link_fail_fraction") if link_fail_fraction is None else link_fail_fraction
    if not 0.0 <= fail <= 1.0:
        raise ValueError("link_fail_fraction must be between 0 and 1")
    if firmware_terms:
        if uplink != "lora":  # a failed Wi-Fi/ESP-NOW wake spends ``failed_links`` instead of a session;
            parts["radio"] *= 1.0 - fail  # a LoRa node transmits anyway and then listens in vain
        ok_share = (1.0 - fail) / send_every  # sessions that reach the gateway, per wake
        wait_key = "lora_rx_window" if uplink == "lora" else "ack_wait"
        parts[wait_key] = ack_wait_mc(uplink, send_every, payload, sf, radio) * ok_share
        if uplink == "wifi":
            parts["mqtt_round_trips"] = mqtt_round_trips_mc(send_every) * ok_share
        parts["failed_links"] = failed_attempt_mc(uplink, radio) * fail / send_every
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
    if firmware_terms:
        notes.append(f"failed links: {fail:.0%} of send attempts (assumption unless given)")
    if uplink == "lora":
        toa = lora_time_on_air_ms(payload, sf)
        notes.append(f"LoRa {radio} {tx_dbm} dBm SF{sf}/125 kHz, {payload} B: {toa:.1f} ms on air")
        notes.append("no LoRa firmware exists: modelled only (Wi-Fi and ESP-NOW have firmware)")
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
