# Ruộng Số sensor node: one wake cycle per boot (see app.py). A rain-gauge tip wake takes the
# short path in tipwake.py and goes straight back to sleep. fwboot picks the firmware slot (A/B)
# first and counts the boots of a version on trial (docs/firmware-updates.md).
import fwboot
import machine

EXT0_WAKE = getattr(machine, "EXT0_WAKE", 2)  # ESP-IDF ESP_SLEEP_WAKEUP_EXT0
if machine.reset_cause() == machine.DEEPSLEEP_RESET and machine.wake_reason() == EXT0_WAKE:
    fwboot.boot(count=False)
    import tipwake

    tipwake.run()

fwboot.boot()
try:
    import app
except Exception as e:  # a broken slot: sleep; the boot counter rolls it back
    print("[node] import failed:", e)
    machine.deepsleep(60000)
app.main()
