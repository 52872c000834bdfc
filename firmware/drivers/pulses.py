"""Tipping-bucket rain gauge and cup anemometer (reed switches to GND, pull-ups on the board).

Rain is counted across deep sleep: the gauge's GPIO is an ext0 wake source (``esp32.wake_on_ext0``,
RTC-capable pins only, MicroPython docs ``esp32`` module); each tip wakes the chip, the boot fast path
adds one to a counter in RTC memory (``machine.RTC().memory()``) and sleeps again until the next
cycle. The ESP32 PCNT is a digital peripheral and stops in deep sleep (ESP-IDF sleep-modes guide),
so it cannot do this job; the ULP could (micropython-esp32-ulp) at the cost of a custom program.
A tip costs one boot (~27 mC); 1800 mm/year of rain at 0.2 mm/tip is ~9000 tips, ~68 mAh/year.

Wind is measured only while awake, over ``window_ms``: with ``machine.Counter`` (PCNT, MicroPython
>= 1.26) when present, else a debounced ``Pin.irq`` count. SparkFun/Argent kit: 2.4 km/h per Hz,
i.e. 0.667 (m/s)/Hz. The PCNT glitch filter tops out at 12.8 us, far below reed bounce, so an RC
filter (10 kOhm / 100 nF) on the board does the debouncing.
"""

import time

import framecodec as fc

CH_RAIN = fc.CHANNEL_IDS["rain"]
CH_WIND = fc.CHANNEL_IDS["wind_speed"]
DEBOUNCE_MS = 5  # anemometer reed bounce window
TIP_MIN_MS = 100  # a bucket cannot tip more than ~10 times a second


class RainGauge:
    def __init__(self, pin, mm_per_tip=0.2794, gpio=255):
        self.pin = pin
        self.gpio = gpio  # GPIO number, remembered in RTC memory for the tip-wake fast path
        self.mm_per_tip = mm_per_tip
        self.awake_tips = 0
        self._last = 0

    def _irq(self, _pin):
        now = time.ticks_ms()
        if time.ticks_diff(now, self._last) >= TIP_MIN_MS:
            self.awake_tips += 1
            self._last = now

    def arm(self):
        """Count tips while the node is awake (the wake fast path counts them while asleep)."""
        self.pin.irq(handler=self._irq, trigger=self.pin.IRQ_FALLING)

    def disarm(self):
        self.pin.irq(handler=None)

    def stuck(self):
        """True when the reed reads closed: the ext0 wake would fire at once, so it must stay off."""
        return self.pin.value() == 0

    def read(self, tips, stuck=False):
        if stuck:
            return [(CH_RAIN, None, fc.STATUS_FAULT)]
        return [(CH_RAIN, (tips + self.awake_tips) * self.mm_per_tip, fc.STATUS_OK)]


class Anemometer:
    def __init__(self, counter=None, pin=None, ms_per_hz=0.667, window_ms=3000):
        self.counter = counter
        self.pin = pin
        self.ms_per_hz = ms_per_hz
        self.window_ms = window_ms
        self._n = 0
        self._last = 0

    def _irq(self, _pin):
        now = time.ticks_ms()
        if time.ticks_diff(now, self._last) >= DEBOUNCE_MS:
            self._n += 1
            self._last = now

    def pulses(self):
        if self.counter is not None:
            self.counter.value(0)
            time.sleep_ms(self.window_ms)
            return self.counter.value()
        self._n = 0
        self.pin.irq(handler=self._irq, trigger=self.pin.IRQ_FALLING)
        try:
            time.sleep_ms(self.window_ms)
        finally:
            self.pin.irq(handler=None)
        return self._n

    def read(self):
        try:
            n = self.pulses()
        except OSError:
            return [(CH_WIND, None, fc.STATUS_FAULT)]
        return [(CH_WIND, n * 1000 / self.window_ms * self.ms_per_hz, fc.STATUS_OK)]
