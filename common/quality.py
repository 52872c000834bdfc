"""Quality flags (a bitmask per channel) that the gateway sets and the server stores beside a value.

A flagged value is kept, not dropped: the officer and technician screens show it greyed, and the
advisories skip it. The gateway writes these bits and the server reads them, so they live here,
in the one package both may import.
"""

QUALITY_OUT_OF_RANGE = 1  # outside the channel's physical range (see common.channels)
QUALITY_STUCK = 2  # the same value for too many cycles: a stuck or disconnected probe
QUALITY_SENSOR_FAULT = 4  # the node itself reported the sensor as failed


def is_flagged(quality: int) -> bool:
    """Whether a value with this bitmask is a flagged value: kept and shown, but never trusted.

    The one definition both stores' rollups, the advice and the screens follow: any bit set means
    the value stays out of hourly and daily means, sums, minima and maxima (issue 16: 1.7e308 made
    the means Infinity). Unknown future bits count as flags too, so a newer gateway errs on the safe side.
    """
    return quality != 0
