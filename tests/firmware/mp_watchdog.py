# A watchdog reset in the middle of sending loses nothing and never reuses a counter; a power
# loss keeps what was spilled to flash and resumes counting past the reserved block.
import sys

sys.path.append("/fakes")
import harness as h

machine = h.machine
gw = h.setup({"sensors": ["soil", "battery"], "spill_at": 8})
broker = h.fakebroker.broker
sampled = h.SAMPLED
run = h.cycle


# Build a backlog of 5 readings with the link down.
h.network.net["up"] = False
for _ in range(5):
    run()
h.network.net["up"] = True

# The radio hangs after 3 frames left the node (the gateway stored and acked them, but the acks
# never reached the node): the WDT resets the chip mid-cycle.
real_publish = broker.publish
count = [0]


def hanging_publish(client, topic, msg):
    count[0] += 1
    if count[0] > 3:
        raise machine.WatchdogReset()
    real_publish(client, topic, msg)


broker.publish = hanging_publish
fired = False
for _ in range(4):  # after 3 failed links the node retries every 4th cycle
    try:
        run()
    except machine.WatchdogReset:
        fired = True
        break
assert fired, "expected the watchdog to fire"
broker.publish = real_publish
assert len(gw.order) == 3
h.clock.t += 1

# Reboot with reset cause WDT: RTC memory is intact, the 3 stored frames are re-sent and re-acked
# (duplicates, not stored twice), the rest is delivered, and the counter continues.
node = run(machine.WDT_RESET)
assert node.store.wdt_resets == 1
for _ in range(4):  # still backing off after the failed links
    if node.store.backlog() == 0:
        break
    node = run()
assert node.store.backlog() == 0, node.store.backlog()
assert gw.duplicates == 3, gw.duplicates
assert [k[1] for k in gw.order] == sorted(sampled), (gw.order, sorted(sampled))
for k in gw.order:
    assert gw.sample_time(k) == sampled[k[1]]

# Power loss during an outage: 10 readings wait; 8 were spilled to flash, 2 were only in RTC
# memory (lost with the power, as documented). Counters after the power-on never repeat.
h.network.net["up"] = False
before = len(sampled)
for _ in range(10):
    run()
h.network.net["up"] = True
machine.hw["rtc_mem"] = b""  # brownout / battery swap: RTC slow memory is gone
h.clock.t = 5000.0  # ... and the RTC restarted near the epoch
highest = max(sampled)
node = run(machine.PWRON_RESET)
first_after = (node.counter, node.sampled_at)
assert node.counter > highest, (node.counter, highest)
assert node.counter >= 101, node.counter  # resumed at the end of the reserved block
for _ in range(4):
    if node.store.backlog() == 0:
        break
    node = run()
got = [k[1] for k in gw.order]
assert len(got) == len(set(got))
assert got == sorted(got)
lost = [c for c in sampled if c not in got]
assert len(lost) == 2 and len(sampled) == before + 11, (lost, len(sampled))
# the clock was set forward to the last flash checkpoint: new readings sort after every kept one
assert first_after[1] > max(sampled[c] for c in got if c < first_after[0])
for k in gw.order:
    # sample times survive the power loss: the clock was restored from flash (outage not counted)
    assert gw.sample_time(k) <= sampled[k[1]] + 1
# The soil sensor hangs while being read: the WDT resets before a counter was taken. Nothing is
# lost that was buffered, and the next reading takes the next counter.
before = node.store.next_counter
machine.hw["adc"][h.PINS["soil_adc"]] = lambda: (_ for _ in ()).throw(machine.WatchdogReset())
try:
    run()
    raise AssertionError("expected the watchdog to fire")
except machine.WatchdogReset:
    pass
h.set_sensors()
node = run(machine.WDT_RESET)
assert node.counter == before and node.store.backlog() == 0, (node.counter, before)
assert gw.reused == 0

# A redeploy with --counter-start (state.json ahead) and a hard reset: RTC memory is intact, yet
# counting jumps to the new start.
with open(h.ROOT + "/data/state.json", "w") as f:
    f.write('{"reserved_until": 90000, "clock": 0, "dropped": 0}')
node = run(machine.HARD_RESET)
assert node.counter == 90000, node.counter
print("watchdog ok: counters", got[0], "..", got[-1], "lost on power loss:", lost)
