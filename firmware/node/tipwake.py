"""Boot fast path for a rain-gauge tip (ext0 wake): count it in RTC memory, go back to sleep.

Runs before anything heavy is imported: no config parsing, no sensors, no radio. The rain GPIO
was stored in RTC memory by the last full cycle. Returns only when the full cycle should run.
"""

import time

import machine
from store import FLAG_RAIN_STUCK, Store

RELEASE_MS = 300  # a bucket's reed closes for well under this (SparkFun weather-meter guide)


def run():
    machine.WDT(timeout=5000)
    st = Store(machine.RTC())
    if not st.load_rtc() or st.rain_pin == 255:
        return
    st.rain_tips += 1
    remaining = st.next_due - time.time()
    if remaining <= 1:
        st.rtc.memory(st._pack())
        return  # the full cycle is due anyway
    pin = machine.Pin(st.rain_pin, machine.Pin.IN)
    t0 = time.ticks_ms()
    while pin.value() == 0 and time.ticks_diff(time.ticks_ms(), t0) < RELEASE_MS:
        time.sleep_ms(5)
    if pin.value() == 0:
        st.flags |= FLAG_RAIN_STUCK  # level wake would fire at once: sleep on the timer only
    else:
        import esp32

        esp32.wake_on_ext0(pin=pin, level=esp32.WAKEUP_ALL_LOW)
    st.rtc.memory(st._pack())
    machine.deepsleep(remaining * 1000)
