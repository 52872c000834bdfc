"""Capacitive soil-moisture sensor (the common "v1.2/v2.0" 555 board) on an ESP32 ADC.

    sensor = CapacitiveSoil(ADC(Pin(36), atten=ADC.ATTN_11DB), cal, power=Pin(26, Pin.OUT))
    sensor.read()  # -> [(CH_SOIL_VWC, 0.31, STATUS_OK)]

``ADC.read_uv()`` returns eFuse-calibrated microvolts (MicroPython docs, machine.ADC; ESP32 port
since v1.19). With 11 dB attenuation the ESP32 ADC is linear only from about 150 mV to 2450 mV
(MicroPython ESP32 quick reference, ADC section), so readings outside that are a fault, not soil.
Use ADC1 pins: ADC2 is unusable while Wi-Fi is on (ESP-IDF ADC documentation).

Calibration (per node, from the signed config; the sensor output falls as the soil gets wetter):
- ``two_point``: linear between (dry_uv, dry_vwc) and (wet_uv, wet_vwc) — field calibration with
  an oven-dried and a saturated sample of the same soil;
- ``poly``: vwc = c0 + c1*V + c2*V^2 ... with V in volts (soil-specific fit, e.g. from a lab);
- ``piecewise``: linear interpolation through [uv, vwc] points sorted by uv.
"""

import time

import framecodec as fc

CH_VWC = fc.CHANNEL_IDS["soil_vwc"]
CH_RAW = fc.CHANNEL_IDS["soil_raw"]
MIN_UV = 150000
MAX_UV = 2450000
VWC_MIN = -0.05  # below this (or above VWC_MAX) the calibration does not describe this soil
VWC_MAX = 0.65


def median(values):
    s = sorted(values)
    return s[len(s) // 2]


def vwc_from_uv(uv, cal):
    """Volumetric water content (m3/m3) for a reading in microvolts, per calibration ``cal``."""
    model = cal["model"]
    if model == "two_point":
        span = cal["wet_uv"] - cal["dry_uv"]
        return cal["dry_vwc"] + (uv - cal["dry_uv"]) * (cal["wet_vwc"] - cal["dry_vwc"]) / span
    if model == "poly":
        v = uv / 1000000
        out = 0.0
        p = 1.0
        for c in cal["coef"]:
            out += c * p
            p *= v
        return out
    pts = cal["points"]
    i = 1
    while i < len(pts) - 1 and uv > pts[i][0]:
        i += 1
    (x0, y0), (x1, y1) = pts[i - 1], pts[i]
    return y0 + (uv - x0) * (y1 - y0) / (x1 - x0)


class CapacitiveSoil:
    def __init__(self, adc, cal, power=None, samples=9, settle_ms=200, raw=False):
        self.adc = adc
        self.cal = cal
        self.power = power
        self.samples = samples
        self.settle_ms = settle_ms
        self.raw = raw
        self._buf = [0] * samples

    def sample_uv(self):
        """Median of ``samples`` ADC readings: rejects the spikes a 555 oscillator board produces."""
        if self.power is not None:
            self.power.value(1)
            time.sleep_ms(self.settle_ms)
        try:
            for i in range(self.samples):
                self._buf[i] = self.adc.read_uv()
        finally:
            if self.power is not None:
                self.power.value(0)
        return median(self._buf)

    def read(self):
        try:
            uv = self.sample_uv()
        except OSError:
            return [(CH_VWC, None, fc.STATUS_FAULT)]
        out = []
        if uv < MIN_UV or uv > MAX_UV:
            out.append((CH_VWC, None, fc.STATUS_FAULT))  # open wire, short, or unpowered board
        else:
            vwc = vwc_from_uv(uv, self.cal)
            if vwc < VWC_MIN or vwc > VWC_MAX:
                out.append((CH_VWC, None, fc.STATUS_OUT_OF_RANGE))
            else:
                out.append((CH_VWC, min(max(vwc, 0.0), 0.6), fc.STATUS_OK))
        if self.raw:
            out.append((CH_RAW, uv // 1000, fc.STATUS_OK))
        return out
