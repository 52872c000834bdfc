# Fake ``esp32`` module: records the wake configuration.
WAKEUP_ALL_LOW = 0
WAKEUP_ANY_HIGH = 1
wake = {"ext0": None, "hold": False}


def wake_on_ext0(pin, level):
    wake["ext0"] = (pin.id, level)


def gpio_deep_sleep_hold(flag):
    wake["hold"] = flag
