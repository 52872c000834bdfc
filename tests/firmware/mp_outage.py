# A link outage of N cycles, then recovery: every reading arrives exactly once, oldest first,
# with its original sample time; readings that waited carry FLAG_BUFFERED.
import sys

sys.path.append("/fakes")
import framecodec as fc
import harness as h

gw = h.setup({"sensors": ["soil", "battery"], "spill_at": 8})
broker = h.fakebroker.broker
sampled = {}

# 3 good cycles, then the gateway's Wi-Fi is gone for 30 cycles (7.5 h): RTC memory fills,
# spills to flash every 8 readings, and the node backs off to one connection try per 4 cycles.
for i in range(33):
    h.network.net["up"] = i < 3
    node = h.cycle()
    sampled[node.counter] = node.sampled_at
assert len(gw.order) == 3, gw.order
assert node.store.flash_count() >= 24, node.store.flash_count()
assert node.store.fail_streak >= 3
tries = [1 for t, _ in broker.published]
assert len(tries) == 3  # nothing was published while the link was down

# Recovery: the backlog drains oldest-first within the cycle deadline; keep cycling until empty.
h.network.net["up"] = True
for _ in range(6):
    node = h.cycle()
    sampled[node.counter] = node.sampled_at
    if node.store.backlog() == 0:
        break
assert node.store.backlog() == 0, node.store.backlog()

counters = [k[1] for k in gw.order]
assert counters == sorted(counters), counters  # delivered in order
assert sorted(counters) == sorted(sampled), (counters, sorted(sampled))  # every reading, once
assert gw.duplicates == 0 and gw.reused == 0, gw.duplicates
for k in gw.order:
    assert gw.sample_time(k) == sampled[k[1]], (k, gw.sample_time(k), sampled[k[1]])
    flags = gw.stored[k][2]
    delayed = gw.stored[k][1] > 60
    assert bool(flags & fc.FLAG_BUFFERED) == delayed, (k, flags, gw.stored[k][1])
print("outage ok:", len(counters), "readings delivered")
