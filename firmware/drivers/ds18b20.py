"""DS18B20 soil-temperature probe over 1-Wire, wrapping micropython-lib ``ds18x20``.

    ds = DS18B20(ds18x20.DS18X20(onewire.OneWire(Pin(27))))
    ds.start()      # starts the conversion; do other sensors meanwhile
    ds.read()       # waits out the rest of the 750 ms, -> [(CH_SOIL_TEMP, 24.5, STATUS_OK)]

Maxim DS18B20 datasheet: 12-bit conversion takes up to 750 ms; the scratchpad reads 85.0 degC after
power-up until a conversion completes, so 85.0 is reported as a fault. micropython-lib's
``read_scratch`` raises ``Exception("CRC error")`` on a bad scratchpad CRC and ``onewire`` raises
``OneWireError`` (an OSError subclass on older releases) when no device answers the reset pulse.
"""

import time

import framecodec as fc

CH_SOIL_TEMP = fc.CHANNEL_IDS["soil_temp"]
CONVERT_MS = 750
POWER_ON_VALUE = 85.0


class DS18B20:
    def __init__(self, ds, rom=None, channel=CH_SOIL_TEMP):
        self.ds = ds
        self.rom = rom
        self.channel = channel
        self._t0 = None
        self._status = fc.STATUS_OK

    def start(self):
        self._t0 = None
        try:
            if self.rom is None:
                roms = self.ds.scan()
                if not roms:
                    self._status = fc.STATUS_ABSENT
                    return
                self.rom = roms[0]
            self.ds.convert_temp()
        except Exception:
            self._status = fc.STATUS_ABSENT
            return
        self._status = fc.STATUS_OK
        self._t0 = time.ticks_ms()

    def read(self):
        if self._t0 is None:
            if self._status == fc.STATUS_OK:
                self.start()
            if self._t0 is None:
                return [(self.channel, None, self._status)]
        left = CONVERT_MS - time.ticks_diff(time.ticks_ms(), self._t0)
        if left > 0:
            time.sleep_ms(left)
        self._t0 = None
        try:
            t = self.ds.read_temp(self.rom)
        except Exception as e:
            status = fc.STATUS_CRC if "CRC" in str(e) else fc.STATUS_FAULT
            return [(self.channel, None, status)]
        if t is None or t == POWER_ON_VALUE:
            return [(self.channel, None, fc.STATUS_FAULT)]
        if not -55.0 <= t <= 125.0:
            return [(self.channel, None, fc.STATUS_OUT_OF_RANGE)]
        return [(self.channel, t, fc.STATUS_OK)]
