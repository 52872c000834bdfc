"""Bytes on air and modelled battery life for a full soil+weather reading.

    python bench/firmware_airtime.py [--json]

1. Frame size: the framecodec frame (incl. 4-byte MIC) vs a compact JSON encoding of the same reading.
2. LoRa time on air (Semtech formula; BW 125 kHz, CR 4/5, explicit header, CRC, preamble 8) for both.
3. Battery life on a 3000 mAh 18650 at 15-minute intervals per uplink (firmware/tools/power.py model).
Goals: frame <= 40 bytes; >= 12 months on ESP-NOW or LoRa SF7-9.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import describe_machine
from firmware.lib import framecodec as fc
from firmware.tools import power

KEY = bytes(range(16))
READING = [(1, 0.3125, 0), (2, 24.5, 0), (3, 31.25, 0), (4, 78.5, 0), (5, 2.4, 0), (6, 1.35, 0)]
READING.append((7, 3.912, 0))
UPLINKS: list[tuple[str, dict[str, Any]]] = [
    ("Wi-Fi static IP + MQTT", {"uplink": "wifi"}),
    ("Wi-Fi DHCP + MQTT", {"uplink": "wifi", "wifi_mode": "dhcp"}),
    ("ESP-NOW (acked)", {"uplink": "espnow"}),
    ("LoRa SX1262 14 dBm SF7", {"uplink": "lora", "sf": 7}),
    ("LoRa SX1262 14 dBm SF9", {"uplink": "lora", "sf": 9}),
    ("LoRa SX1276 20 dBm SF9", {"uplink": "lora", "sf": 9, "radio": "sx1276", "tx_dbm": 20}),
]


def measure() -> dict[str, object]:
    frame = fc.encode(KEY, 4097, 1, 12, READING)
    as_json = json.dumps(
        {"node": 4097, "counter": 1, "age": 12, **{fc.CHANNELS[c][0]: v for c, v, _ in READING}},
        separators=(",", ":"),
    ).encode()
    sizes = {"frame_bytes": len(frame), "json_bytes": len(as_json)}
    toa = {
        f"SF{sf}": {
            "frame_ms": round(power.lora_time_on_air_ms(len(frame), sf), 1),
            "json_ms": round(power.lora_time_on_air_ms(len(as_json), sf), 1),
        }
        for sf in range(7, 13)
    }
    life: dict[str, dict[str, float]] = {}
    for name, spec in UPLINKS:
        kw = {k: v for k, v in spec.items() if k != "uplink"}
        soil = power.budget(spec["uplink"], 900, payload=len(frame), **kw)
        weather = power.budget(
            spec["uplink"],
            900,
            sensors=("sht4x", "wind", "rain", "battery"),
            rain_mm_per_year=1800,
            payload=len(frame),
            **kw,
        )
        life[name] = {
            "soil_cycle_mC": round(soil.charge_per_cycle_mC, 1),
            "soil_days": round(soil.battery_days),
            "soil_months": round(soil.battery_days / 30.44, 1),
            "weather_days": round(weather.battery_days),
            "weather_months": round(weather.battery_days / 30.44, 1),
        }
    return {
        "sizes": sizes,
        "json_example": as_json.decode(),
        "time_on_air": toa,
        "battery_15min_3000mAh": life,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    r = measure()
    if args.json:
        print(json.dumps(r, indent=1))
        return 0
    s = r["sizes"]
    assert isinstance(s, dict)
    print(f"machine: {describe_machine()}, {platform.platform()}")
    print(f"frame {s['frame_bytes']} B (goal <= 40) vs compact JSON {s['json_bytes']} B: {r['json_example']}")
    print("\nLoRa time on air, BW125 CR4/5 preamble 8 (ms):  frame   JSON")
    toa = r["time_on_air"]
    assert isinstance(toa, dict)
    for sf, v in toa.items():
        print(f"  {sf:<5} {v['frame_ms']:>8} {v['json_ms']:>8}")
    print("\n3000 mAh 18650, 15 min interval    cycle mC  soil node        weather node (rain 1800 mm/y)")
    life = r["battery_15min_3000mAh"]
    assert isinstance(life, dict)
    for name, v in life.items():
        print(
            f"  {name:<30} {v['soil_cycle_mC']:>8}  {v['soil_days']:>4} d ({v['soil_months']:>4} mo)"
            f"  {v['weather_days']:>4} d ({v['weather_months']:>4} mo)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
