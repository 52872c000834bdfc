"""What a firmware update costs a node: wakes, charge and days of battery (issue 20).

Pure model on top of ``power`` (same figures for the Wi-Fi session current, the MQTT round trip and
the node's daily charge); the few figures of its own are here with their sources. A chunk is one
retained MQTT message the node subscribes to while its Wi-Fi session is open
(``firmware/node/updater.py``), so the radio current runs for the whole chunk: the SUBSCRIBE round
trip, the transfer, and the flash writes of the chunk and of the saved progress. The install
(SHA-256 over the payload, files copied into the other slot) runs after the link is closed, at
the CPU's current.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from firmware.lib import fwbundle
from firmware.tools import power
from firmware.tools.power import Figure

UPDATE_FIGURES: dict[str, Figure] = {
    "wifi_throughput_kbps": Figure(
        1000,
        "kbit/s",
        "assumption: MicroPython socket reads on ESP32 station, well below the PHY rate; "
        "measure with a chunk timer on a node",
    ),
    "flash_write_ms_per_kb": Figure(
        14,
        "ms/KB",
        "Winbond W25Q32JV datasheet typ.: page program 0.4-0.7 ms per 256 B + 4 KB sector "
        "erase 45 ms, i.e. 4 x 0.7 + 45 / 4 = 14 ms per KB written",
    ),
    "progress_save_ms": Figure(
        20, "ms", "assumption: LittleFS commit of the small progress file (/fw/offer.json) per chunk"
    ),
    "flash_read_ms_per_kb": Figure(1, "ms/KB", "assumption: SPI flash read at 40 MHz plus LittleFS overhead"),
    "sha256_ms_per_kb": Figure(
        0.5, "ms/KB", "assumption: ESP-IDF mbedTLS SHA-256 with the ESP32's hardware SHA accelerator"
    ),
    "cpu_active_ma": Figure(40, "mA", "ESP32 datasheet: CPU active at 80-160 MHz, radio off, 30-50 mA"),
}


def ufig(name: str) -> float:
    return UPDATE_FIGURES[name].value


@dataclass(frozen=True)
class UpdateCost:
    bundle_bytes: int
    chunks: int
    chunks_per_wake: int
    wakes: int
    hours_at_interval: float
    per_chunk_mC: float
    fetch_mC: float
    install_mC: float
    total_mC: float
    battery_days: float  # the update's charge in days of the node's normal consumption

    def as_dict(self) -> dict[str, float | int]:
        out = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}
        out["battery_days"] = round(self.battery_days, 4)
        return out


def per_chunk_mc(chunk: int = fwbundle.CHUNK) -> float:
    transfer_ms = chunk * 8 / ufig("wifi_throughput_kbps")
    flash_ms = chunk / 1024 * ufig("flash_write_ms_per_kb") + ufig("progress_save_ms")
    return (power.fig("mqtt_rtt_ms") + transfer_ms + flash_ms) * power.fig("wifi_session_ma") / 1000


def install_mc(bundle_bytes: int) -> float:
    kb = bundle_bytes / 1024
    ms = kb * (2 * ufig("flash_read_ms_per_kb") + ufig("sha256_ms_per_kb") + ufig("flash_write_ms_per_kb"))
    return ms * ufig("cpu_active_ma") / 1000


def update_cost(
    bundle_bytes: int, chunks_per_wake: int = 8, interval_s: int = 900, send_every: int = 1
) -> UpdateCost:
    """Wakes and charge to fetch and install a bundle of ``bundle_bytes`` on a Wi-Fi node."""
    if bundle_bytes <= 0 or chunks_per_wake <= 0:
        raise ValueError("bundle size and chunks per wake must be positive")
    chunks = math.ceil(bundle_bytes / fwbundle.CHUNK)
    wakes = math.ceil(chunks / chunks_per_wake) * send_every  # chunks travel only in send cycles
    fetch = chunks * per_chunk_mc()
    install = install_mc(bundle_bytes)
    daily_mc = power.budget("wifi", interval_s, send_every=send_every).daily_C * 1000
    total = fetch + install
    return UpdateCost(
        bundle_bytes,
        chunks,
        chunks_per_wake,
        wakes,
        wakes * interval_s / 3600,
        per_chunk_mc(),
        fetch,
        install,
        total,
        total / daily_mc,
    )


def main() -> None:
    """Print the table of docs/benchmarks-firmware.md: the bundles ``farm node bundle`` builds now."""
    import json

    from firmware.tools.bundle import build

    key = bytes(32)  # the size does not depend on the key
    rows = {
        label: fwbundle.unsigned_body(build(key, 1, "esp32", 3.7, mpy)[0])["size"]
        for label, mpy in (("py", False), ("mpy", True))
    }
    for label, size in rows.items():
        for per_wake in (8, 16):
            print(json.dumps({"bundle": label} | update_cost(size, per_wake).as_dict()))


if __name__ == "__main__":
    main()
