# Firmware update across wakes under the real interpreter: a bad signature is refused, an
# interrupted transfer resumes, a corrupted chunk is refused, the battery gate holds, the new version
# runs from its A/B slot and is confirmed by a send cycle, and a crashing version rolls back.
import sys

sys.path.append("/fakes")
import json
import os

import fwbundle
import harness as h
import linkproto as lp
import topics

sys.path.append("/firmware/node")
import fwboot
import updater

FW_KEY = bytes(range(32, 64))
BOOT_FILES = ("main.py", "boot.py", "fwboot.py", "__init__.py")
h.fakeclock.install(updater)


def app_files(replace=None):
    out = []
    for folder in ("/firmware/lib", "/firmware/drivers", "/firmware/node"):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and name not in BOOT_FILES:
                with open(folder + "/" + name, "rb") as f:
                    out.append((name, (replace or {}).get(name) or f.read()))
    return out


def start(fw_chunks):
    h.setup({"sensors": ["soil", "battery"], "fw_chunks": fw_chunks})
    with open(h.ROOT + "/secrets.json") as f:
        sec = json.load(f)
    sec["fw_key"] = h.hexs(FW_KEY)
    with open(h.ROOT + "/secrets.json", "w") as f:
        json.dump(sec, f)
    h.rmtree(h.ROOT + "/fw")
    for s in fwboot.SLOTS:
        h.rmtree(h.ROOT + "/" + s)


def offer(manifest, payload, skip=()):
    broker = h.fakebroker.broker
    broker.retained[topics.fw_offer_topic("demo", h.NODE).encode()] = manifest
    body = fwbundle.unsigned_body(manifest)
    for i in range(fwbundle.chunk_count(body)):
        t = topics.fw_chunk_topic("demo", body["version"], i).encode()
        if i in skip:
            broker.retained.pop(t, None)
        else:
            broker.retained[t] = payload[i * body["chunk"]:(i + 1) * body["chunk"]]
    return body


def status():
    for topic, msg in reversed(h.fakebroker.broker.published):
        if topic.endswith(b"/status"):
            return lp.parse_status(h.KEY, msg)
    return None


def downloaded():
    try:
        return os.stat(h.ROOT + "/fw/dl.bin")[6]
    except OSError:
        return 0


BUNDLE_MODULES = [n[: n.rfind(".")] for n, _ in app_files()]


def boot():
    """What main.py does at a timer wake: count the boot, pick the slot, import the app afresh."""
    st = fwboot.boot(h.ROOT)
    for name in BUNDLE_MODULES:
        sys.modules.pop(name, None)
    import hw

    import app
    import battery
    import link_wifi
    import soil
    import updater as upd

    h.fakeclock.install(app, hw, battery, link_wifi, soil, upd)
    h.hw = hw
    return st, app


# ---- a forged bundle is refused before a single chunk is fetched -----------------------------
start(16)
manifest, payload = fwbundle.make(FW_KEY, app_files(), 2, "esp32", 3.7)
forged, _ = fwbundle.make(b"not the cooperative key 32 bytes", app_files(), 2, "esp32", 3.7)
body = offer(forged, payload)
h.cycle()
assert status()[1] == "refused" and status()[4] == "bad", status()
assert downloaded() == 0 and fwboot.load(h.ROOT)["running"] == 0

# ---- an interrupted transfer resumes where it stopped ----------------------------------------
total = fwbundle.chunk_count(body)
assert total > 40, total
offer(manifest, payload, skip=range(20, total))  # the gateway's broker lost the rest for a while
h.cycle()
assert status()[1:4] == ("fetch", 16, total), status()  # the per-wake budget
h.cycle()
assert status()[1:4] == ("fetch", 20, total) and downloaded() == 20 * 1024, status()
h.cycle(cause=h.machine.PWRON_RESET)  # even a power cut keeps what was fetched
assert status()[2] == 20

# ---- a corrupted chunk is refused and fetched again --------------------------------------------
offer(manifest, payload)
broker = h.fakebroker.broker
bad = topics.fw_chunk_topic("demo", 2, 25).encode()
good = broker.retained[bad]
broker.retained[bad] = good[:100] + bytes([good[100] ^ 1]) + good[101:]
h.cycle()
assert status()[1:3] == ("refused", 25) and status()[4] == "chunk25", status()
assert downloaded() == 25 * 1024
broker.retained[bad] = good

# ---- the battery gate: everything verified, no install below the manifest's minimum --------------
h.set_sensors(batt_uv=1800000)  # 3.6 V: above low_batt_v (fetching goes on), below min_batt_v 3.7
wakes = 0
while status()[2] < total:
    h.cycle()
    wakes += 1
assert wakes == (total - 25 + 15) // 16, wakes
h.cycle()
assert status()[1] == "ready" and status()[4] == "battery", status()
assert fwboot.load(h.ROOT)["running"] == 0
h.set_sensors()  # 3.91 V after a sunny day
h.cycle()
st = fwboot.load(h.ROOT)
assert st["running"] == 2 and st["slot"] == "slot_a" and st["trial"] == 1, st
assert downloaded() == 0 and "app.py" in os.listdir(h.ROOT + "/slot_a")

# ---- the new version runs from its slot; its first send cycle confirms it ------------------------
st, app = boot()
assert app.__file__.startswith(h.ROOT + "/slot_a/"), app.__file__
h.cycle()
st = fwboot.load(h.ROOT)
assert st["trial"] == 0 and st["running"] == 2 and status()[:2] == (2, "run"), (st, status())

# ---- a version that crashes at every boot is rolled back after trial_boots boots -----------------
broken = app_files({"app.py": b"raise RuntimeError('broken build')\n"})
manifest3, payload3 = fwbundle.make(FW_KEY, broken, 3, "esp32", 3.7, trial_boots=2)
offer(manifest3, payload3)
while fwboot.load(h.ROOT)["running"] != 3:
    h.cycle()
assert fwboot.load(h.ROOT)["slot"] == "slot_b"
crashes = 0
for _ in range(5):
    try:
        st, app = boot()
        break
    except RuntimeError:
        crashes += 1  # main.py logs it and deep-sleeps; the boot counter decides
assert crashes == 2, crashes
st = fwboot.load(h.ROOT)
assert st["running"] == 2 and st["slot"] == "slot_a" and st["failed"] == [3] and st["last"] == "nosend", st
assert app.__file__.startswith(h.ROOT + "/slot_a/")
h.cycle()
# v3 is not fetched again, and the node says which version failed
assert status()[:2] == (2, "rolledback") and status()[4] == "v3" and downloaded() == 0, status()
print("firmware update ok")
