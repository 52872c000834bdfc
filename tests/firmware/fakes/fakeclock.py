# A virtual clock standing in for MicroPython's ``time`` module in tests: sleeping advances it.
class Clock:
    def __init__(self, t=800000000.0):
        self.t = t
        self.on_sleep = None  # test hook: called once per sleep, e.g. to fire a pin interrupt

    def time(self):
        return int(self.t)

    def ticks_ms(self):
        return int(self.t * 1000)

    def ticks_us(self):
        return int(self.t * 1000000)

    def ticks_diff(self, a, b):
        return a - b

    def ticks_add(self, a, b):
        return a + b

    def sleep_ms(self, ms):
        self.t += ms / 1000
        if self.on_sleep is not None:
            self.on_sleep()

    def sleep_us(self, us):
        self.t += us / 1000000

    def sleep(self, s):
        self.t += s

    def localtime(self, t=None):
        import time

        return time.localtime(int(self.t if t is None else t))


clock = Clock()


def install(*modules):
    """Point each module's ``time`` global at the virtual clock."""
    for m in modules:
        m.time = clock
