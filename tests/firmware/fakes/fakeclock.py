# A virtual clock standing in for MicroPython's ``time`` module in tests: sleeping advances it.
class Clock:
    def __init__(self, t=800000000.0):
        self.t = t  # wall clock (RTC): tests and RTC.datetime() may set it
        self.mono = 0.0  # ticks: only ever advance, like the real ticks_ms()
        self.on_sleep = None  # test hook: called once per sleep, e.g. to fire a pin interrupt

    def time(self):
        return int(self.t)

    def ticks_ms(self):
        return int(self.mono * 1000)

    def ticks_us(self):
        return int(self.mono * 1000000)

    def advance(self, s):
        self.t += s
        self.mono += s

    def ticks_diff(self, a, b):
        return a - b

    def ticks_add(self, a, b):
        return a + b

    def sleep_ms(self, ms):
        self.advance(ms / 1000)
        if self.on_sleep is not None:
            self.on_sleep()

    def sleep_us(self, us):
        self.advance(us / 1000000)

    def sleep(self, s):
        self.advance(s)

    def localtime(self, t=None):
        import time

        return time.localtime(int(self.t if t is None else t))


clock = Clock()


def install(*modules):
    """Point each module's ``time`` global at the virtual clock."""
    for m in modules:
        m.time = clock
