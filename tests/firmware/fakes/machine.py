# Fake ``machine`` for host tests: state lives in ``hw`` so a simulated reset keeps RTC memory.
import fakeclock

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5
EXT0_WAKE = PIN_WAKE = 2
EXT1_WAKE = 3
TIMER_WAKE = 4

hw = {
    "reset_cause": PWRON_RESET,
    "wake": 0,
    "rtc_mem": b"",
    "adc": {},
    "pins": {},
    "irqs": {},
    "i2c": {},
    "uart": None,
    "wind_pulses": 0,
    "wdt_timeout": None,
    "feeds": 0,
    "slept": [],
}


class DeepSleep(BaseException):
    """Raised by deepsleep(): on hardware it never returns."""


class WatchdogReset(BaseException):
    """Raise from a fake device to simulate the WDT firing mid-cycle."""


def reset_cause():
    return hw["reset_cause"]


def wake_reason():
    return hw["wake"]


def deepsleep(ms=0):
    hw["slept"].append(ms)
    raise DeepSleep(ms)


def lightsleep(ms=0):
    fakeclock.clock.sleep_ms(ms)


class WDT:
    def __init__(self, id=0, timeout=5000):
        hw["wdt_timeout"] = timeout

    def feed(self):
        hw["feeds"] += 1


class RTC:
    def memory(self, data=None):
        if data is None:
            return hw["rtc_mem"]
        if len(data) > 2048:
            raise ValueError("RTC memory is 2048 bytes")
        hw["rtc_mem"] = bytes(data)

    def datetime(self, dt=None):
        if dt is not None:
            import time

            y, mo, d, wd, h, mi, s, _ = dt
            fakeclock.clock.t = time.mktime((y, mo, d, h, mi, s, wd, 0))
        return None


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_UP = 2
    PULL_DOWN = 1
    IRQ_FALLING = 2
    IRQ_RISING = 1

    def __init__(self, id, mode=-1, pull=-1, value=None, hold=None):
        self.id = id
        if value is not None:
            hw["pins"][id] = value
        elif id not in hw["pins"]:
            hw["pins"][id] = 1

    def init(self, *args, **kw):
        pass

    def value(self, v=None):
        if v is None:
            return hw["pins"].get(self.id, 1)
        hw["pins"][self.id] = v

    def irq(self, handler=None, trigger=None, wake=None):
        hw["irqs"][self.id] = handler


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3

    def __init__(self, pin, atten=None):
        self.pin = pin.id

    def read_uv(self):
        v = hw["adc"].get(self.pin, 0)
        return v() if callable(v) else v


class I2C:
    def __init__(self, id=0, scl=None, sda=None, freq=400000, timeout=50000):
        pass

    def _dev(self, addr):
        dev = hw["i2c"].get(addr)
        if dev is None:
            raise OSError(19)  # ENODEV: nobody acked the address
        return dev

    def writeto(self, addr, buf, stop=True):
        self._dev(addr).write(bytes(buf))
        return len(buf)

    def readfrom_into(self, addr, buf, stop=True):
        data = self._dev(addr).read(len(buf))
        for i in range(len(buf)):
            buf[i] = data[i]


SoftI2C = I2C


class UART:
    def __init__(self, id, baudrate=9600, tx=None, rx=None, timeout=0, **kw):
        self._rx = bytearray()

    def write(self, data):
        dev = hw["uart"]
        if dev is not None:
            self._rx.extend(dev(bytes(data)))
        return len(data)

    def flush(self):
        pass

    def any(self):
        return len(self._rx)

    def read(self, n=-1):
        if not self._rx:
            return None
        if n < 0:
            n = len(self._rx)
        out = bytes(self._rx[:n])
        self._rx = self._rx[n:]
        return out


class Counter:
    RISING = 1
    FALLING = 2

    def __init__(self, id, src=None, edge=RISING, filter_ns=0):
        pass

    def value(self, v=None):
        out = hw["wind_pulses"]
        if v is not None:
            pass  # the fake pulse total is "since reset" for one window
        return out
