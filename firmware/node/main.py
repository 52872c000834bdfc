# Ruộng Số sensor node: one wake cycle per boot (see app.py). A rain-gauge tip wake takes the
# short path in tipwake.py and goes straight back to sleep.
import machine

EXT0_WAKE = getattr(machine, "EXT0_WAKE", 2)  # ESP-IDF ESP_SLEEP_WAKEUP_EXT0
if machine.reset_cause() == machine.DEEPSLEEP_RESET and machine.wake_reason() == EXT0_WAKE:
    import tipwake

    tipwake.run()

import app  # noqa: E402

app.main()
