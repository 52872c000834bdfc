"""Leaf wetness per hour: from a wetness sensor when present, else estimated from RH.

Sensor rule: an hour is wet when the sensor reports >= 30 min of wetness in it (the "wet hour"
definition of the VIPS TOM-CAST implementation). Estimate without a sensor: constant RH
threshold, wet when RH >= 90 % (Sentelhas et al.: best of the simple models, fraction correct
0.87-0.92); an hour with measurable rain is also counted wet (project rule: rain wets the canopy).

The sensor's minutes come from the node's ``leaf_wetness`` channel (% of each sample interval wet,
``common.channels``): ``server/farm/fielddata.py`` turns an hour's mean into wet minutes (× 60/100),
so a measured hour always decides, and the RH estimate only fills hours without a sensor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.advisory.weather import HourlyRecord

#: Minutes of sensed wetness that make a wet hour (VIPS TOM-CAST).
SENSOR_WET_MINUTES = 30.0
#: RH threshold for an estimated wet hour (Sentelhas et al., NHRH model).
RH_WET_THRESHOLD = 90.0
#: Rain (mm) in an hour above which the hour counts as wet.
RAIN_WET_MM = 0.2


def hour_is_wet(record: HourlyRecord, rh_threshold: float = RH_WET_THRESHOLD) -> bool | None:
    """True/False, or None when neither a valid sensor value nor RH is available."""
    minutes = record.get("leaf_wetness_min")
    if minutes is not None:
        return minutes >= SENSOR_WET_MINUTES
    rain = record.get("rain_mm")
    if rain is not None and rain >= RAIN_WET_MM:
        return True
    rh = record.get("rh_pct")
    if rh is None:
        return None
    return rh >= rh_threshold


def wetness_source(record: HourlyRecord) -> str:
    """ "sensor" when the hour's wetness came from the leaf-wetness sensor, else "rh_estimate"."""
    return "sensor" if record.get("leaf_wetness_min") is not None else "rh_estimate"
