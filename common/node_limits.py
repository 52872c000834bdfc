"""When a sensor node counts as offline, low on battery or weakly linked: ONE verdict (``verdict``)
for the gateway's fleet list, the farmer's home, the officer map, the audit checklist and the
technician's fleet screen, so that no two of them disagree about the same node.

Each screen keeps its own words and urgency, but reads online/offline, battery and link from here;
``tests/server/test_node_verdict.py`` asks every screen about the same node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from firmware.lib.nodeconfig import DEFAULTS

#: A node that stretched its interval for a low battery sends every 900 s × 4 = 1 h
#: (``interval_s`` × ``low_batt_factor`` in the node config); three such cycles missed = offline.
MISSED_CYCLES = 3
ONLINE_WINDOW_S = MISSED_CYCLES * cast(int, DEFAULTS["interval_s"]) * cast(int, DEFAULTS["low_batt_factor"])
BATTERY_LOW_V = 3.45  # about 10 % left on an 18650 under the node's light load
BATTERY_EMPTY_V = cast(float, DEFAULTS["critical_batt_v"])  # the node stops sampling below it
RSSI_WEAK_DBM = -90  # ESP32 Wi-Fi: below about -90 dBm frames start to be lost (Espressif RF guide)

ONLINE, OFFLINE, NEVER_SEEN = "online", "offline", "never_seen"
OK, LOW, EMPTY, WEAK, UNKNOWN = "ok", "low", "empty", "weak", "unknown"


@dataclass(frozen=True)
class NodeVerdict:
    """What every screen says about a node's liveness, battery and radio link."""

    presence: str  # online | offline | never_seen
    battery: str  # ok | low | empty | unknown
    link: str  # ok | weak | unknown

    @property
    def online(self) -> bool:
        return self.presence == ONLINE

    @property
    def battery_low(self) -> bool:
        """Low or empty: the battery needs a visit."""
        return self.battery in (LOW, EMPTY)

    def as_json(self) -> dict[str, Any]:
        return {"presence": self.presence, "battery": self.battery, "link": self.link}


def verdict(age_s: float | None, battery_v: float | None, rssi_dbm: float | None) -> NodeVerdict:
    """The verdict from the age of the node's newest frame (None: never heard), its last battery
    voltage and its last RSSI (either None when not reported)."""
    presence = NEVER_SEEN if age_s is None else ONLINE if age_s <= ONLINE_WINDOW_S else OFFLINE
    if battery_v is None:
        battery = UNKNOWN
    elif battery_v < BATTERY_EMPTY_V:
        battery = EMPTY
    elif battery_v < BATTERY_LOW_V:
        battery = LOW
    else:
        battery = OK
    link = UNKNOWN if rssi_dbm is None else (WEAK if rssi_dbm < RSSI_WEAK_DBM else OK)
    return NodeVerdict(presence, battery, link)


def verdict_of(time_s: int | None, values: dict[str, float] | None, now: int) -> NodeVerdict:
    """``verdict`` from a node's latest frame (its time and values), as the server stores it."""
    vals = values or {}
    return verdict(None if time_s is None else now - time_s, vals.get("battery"), vals.get("rssi"))
