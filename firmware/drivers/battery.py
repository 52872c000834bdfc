"""Battery voltage through a resistor divider on an ADC1 pin.

    Battery(ADC(Pin(39), atten=ADC.ATTN_11DB), ratio=2.0).read()  # -> [(CH_BATTERY, 3.91, 0)]

A 2 x 1 MOhm divider (ratio 2.0) keeps a 4.2 V cell at 2.1 V, inside the 11 dB linear range
(150-2450 mV, MicroPython ESP32 quick reference), and draws ~2 uA. Put 100 nF from the tap to
ground: the ADC's sample capacitor cannot charge through 500 kOhm on its own (Espressif ESP32
hardware design guidelines, ADC section).
"""

import framecodec as fc
from soil import median

CH_BATTERY = fc.CHANNEL_IDS["battery"]
MIN_UV = 100000


class Battery:
    def __init__(self, adc, ratio=2.0, samples=5):
        self.adc = adc
        self.ratio = ratio
        self._buf = [0] * samples

    def volts(self):
        """Battery volts, or None if the divider reads as disconnected."""
        for i in range(len(self._buf)):
            self._buf[i] = self.adc.read_uv()
        uv = median(self._buf)
        if uv < MIN_UV:
            return None
        return uv * self.ratio / 1000000

    def read(self):
        try:
            v = self.volts()
        except OSError:
            v = None
        if v is None:
            return [(CH_BATTERY, None, fc.STATUS_FAULT)]
        return [(CH_BATTERY, v, fc.STATUS_OK)]
