"""Quality flags (a bitmask per channel) that the gateway sets and the server stores beside a value.

A flagged value is kept, not dropped: the officer and technician screens show it greyed, and the
advisories skip it. The gateway writes these bits and the server reads them, so they live here,
in the one package both may import.
"""

QUALITY_OUT_OF_RANGE = 1  # outside the channel's physical range (see common.channels)
QUALITY_STUCK = 2  # the same value for too many cycles: a stuck or disconnected probe
QUALITY_SENSOR_FAULT = 4  # the node itself reported the sensor as failed
