"""When a sensor node counts as offline, low on battery or weakly linked: one definition for the
gateway's fleet list, the farmer's home, the officer map, the audit checklist and the technician's
fleet screen, so that no two of them disagree about the same node."""

from typing import cast

from firmware.lib.nodeconfig import DEFAULTS

ONLINE_WINDOW_S = 3 * 3600  # offline after three missed 15-minute cycles plus slack
BATTERY_LOW_V = 3.45  # about 10 % left on an 18650 under the node's light load
BATTERY_EMPTY_V = cast(float, DEFAULTS["critical_batt_v"])  # the node stops sampling below it
RSSI_WEAK_DBM = -90
