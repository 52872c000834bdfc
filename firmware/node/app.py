"""The wake cycle: restore, sample, encode, buffer, send, sleep.

    node = hw.build()          # from /secrets.json, /config.json, /pinout.json
    ms = node.run()            # one cycle, guarded by the watchdog
    node.sleep(ms)             # never returns on the device

Order of a cycle (every step has a timeout; the WDT, created first, resets a hung step):
1. restore state: RTC memory after deep sleep / WDT / soft reset; flash after power-on or brownout
   (``machine.reset_cause()``: brownout is reported as PWRON_RESET on ESP32, modmachine.c);
2. battery first: below ``critical_batt_v`` only the battery is recorded and the radio stays off;
   below ``low_batt_v`` the RS485 probe is skipped and the interval is stretched;
3. sample every sensor (power-gated), assign the next counter, encode with age 0, buffer, save;
4. if a send is due: open the link, send the backlog oldest-first re-encoded with its current age,
   collect acks and a config, remove acked readings, apply a newer valid config;
5. save state and deep-sleep for the rest of the interval.
"""

import json
import os
import time

import framecodec as fc
import linkproto as lp
import machine
import nodeconfig
from store import FLAG_CFG_ACK, FLAG_RAIN_STUCK

CH_BATTERY = fc.CHANNEL_IDS["battery"]
CH_RSSI = fc.CHANNEL_IDS["rssi"]
CH_CONFIG = fc.CHANNEL_IDS["config_version"]
MAX_SEND = 96  # frames per cycle; a long backlog drains over a few cycles
BACKOFF_AFTER = 3  # consecutive failed links before trying only every BACKOFF_EVERY cycles
BACKOFF_EVERY = 4


def log(*args):
    print("[node]", *args)


class Node:
    def __init__(self, cfg, node_id, key, store, sensors=(), battery=None, rain=None, link=None,
                 power=None, probe=None, root="", fw=None):
        self.cfg = cfg
        self.node_id = node_id
        self.key = key
        self.store = store
        self.sensors = sensors
        self.battery = battery
        self.rain = rain
        self.link = link
        self.power = power
        self.probe = probe
        self.root = root
        self.fw = fw  # updater.Updater when the node holds the cooperative's firmware key
        self.volts = None
        self.wdt = None
        self.counter = None
        self.sampled_at = None
        self.low = False
        self.critical = False

    # ---- one cycle --------------------------------------------------------------------------
    def run(self):
        """Run one wake cycle and return the milliseconds to sleep."""
        t0 = time.ticks_ms()
        cfg = self.cfg
        self.wdt = machine.WDT(timeout=cfg["wdt_ms"])
        cause = machine.reset_cause()
        st = self.store
        tier = st.restore(cause == machine.DEEPSLEEP_RESET)
        if cause == machine.WDT_RESET:
            st.wdt_resets += 1
        if tier == "flash" and time.time() < st.saved_clock:
            set_clock(st.saved_clock + 1)  # keep sample times monotonic across a power loss
        log("reset", cause, "restored from", tier, "counter", st.next_counter)
        woke = time.time()
        if self.rain is not None:
            st.rain_pin = self.rain.gpio
            self.rain.arm()
        readings, flags = self.sample()
        if self.rain is not None:
            self.rain.awake_tips = 0  # counted in this reading
        now = time.time()
        self.sampled_at = now
        self.counter = st.take_counter(now)
        frame = fc.encode(self.key, self.node_id, self.counter, 0, readings, flags)
        st.push(now, frame)
        st.rain_tips = 0
        st.flags &= ~FLAG_CFG_ACK
        st.cycles = (st.cycles + 1) & 0xFFFF
        st.save(now)
        self.wdt.feed()
        if self.send_due(readings):
            self.deliver(time.ticks_add(t0, cfg["max_awake_ms"]))
        cfg = self.cfg  # a config applied during this cycle takes effect for this sleep
        interval = cfg["interval_s"]
        if self.low:
            interval *= cfg["low_batt_factor"]
        st.next_due = woke + interval  # the timer wake below lands here too
        st.save(time.time())
        return max(1000, interval * 1000 - time.ticks_diff(time.ticks_ms(), t0))

    def sample(self):
        cfg = self.cfg
        st = self.store
        readings = []
        flags = 0
        volts = None
        if self.battery is not None:
            batt = self.battery.read()
            readings.extend(batt)
            volts = batt[0][1]
        self.volts = volts
        self.low = volts is not None and volts < cfg["low_batt_v"]
        self.critical = volts is not None and volts < cfg["critical_batt_v"]
        if self.low:
            flags |= fc.FLAG_LOW_BATTERY
        if not self.critical:
            readings.extend(self.read_sensors())
        if self.rain is not None:
            stuck = self.rain.stuck() and st.flags & FLAG_RAIN_STUCK
            readings.extend(self.rain.read(st.rain_tips, stuck))
        if (st.cycles + 1) % cfg["health_every"] == 0:
            if st.last_rssi:
                readings.append((CH_RSSI, st.last_rssi, fc.STATUS_OK))
            else:
                readings.append((CH_RSSI, None, fc.STATUS_TIMEOUT if st.fail_streak else fc.STATUS_ABSENT))
        if st.flags & FLAG_CFG_ACK:
            readings.append((CH_CONFIG, cfg["version"], fc.STATUS_OK))
            flags |= fc.FLAG_CONFIG_ACK
        readings.sort(key=lambda r: r[0])
        return readings, flags

    def read_sensors(self):
        cfg = self.cfg
        out = []
        if self.power is not None:
            self.power.value(1)
            time.sleep_ms(cfg["soil_settle_ms"])
        try:
            for s in self.sensors:
                if hasattr(s, "start"):
                    s.start()  # e.g. DS18B20 conversion runs while the others are read
            for s in self.sensors:
                out.extend(s.read())
                self.wdt.feed()
        finally:
            if self.power is not None:
                self.power.value(0)
        if self.probe is not None and not self.low and self.store.cycles % cfg["probe_every"] == 0:
            out.extend(self.probe.read())
            self.wdt.feed()
        return out

    def send_due(self, readings):
        st = self.store
        cfg = self.cfg
        if self.link is None or self.critical:
            return False
        if st.fail_streak >= BACKOFF_AFTER and st.cycles % BACKOFF_EVERY:
            return False
        if st.cycles % cfg["send_every"] == 0:
            return True
        for cid, value, _status in readings:
            lim = cfg["thresholds"].get(fc.CHANNELS[cid][0])
            if lim is not None and value is not None and not lim[0] <= value <= lim[1]:
                return True
        return False

    # ---- link -------------------------------------------------------------------------------
    def reencode(self, sample_time, frame):
        """The stored frame with its current sample age; the counter and readings stay the same."""
        _, flags, _, counter, _, readings = fc.decode(frame)
        if counter != self.counter:
            flags |= fc.FLAG_BUFFERED
        age = max(0, time.time() - sample_time)
        return counter, fc.encode(self.key, self.node_id, counter, age, readings, flags)

    def deliver(self, deadline):
        st = self.store
        link = self.link
        cfg = self.cfg
        ok = False
        sent = []
        try:
            if link.open(cfg["link_timeout_ms"]):
                self.wdt.feed()
                for sample_time, frame in st.pending(MAX_SEND):
                    if time.ticks_diff(deadline, time.ticks_ms()) <= 0:
                        break
                    counter, out = self.reencode(sample_time, frame)
                    if not link.send(out):
                        break
                    sent.append(counter)
                    self.wdt.feed()
                    if link.STOP_AND_WAIT:
                        link.poll(cfg["ack_wait_ms"], sent)
                        if len(lp.acked(sent, link.acks)) < len(sent):
                            break  # not acked: keep it (and the rest) for the next cycle
                if not link.STOP_AND_WAIT:
                    link.poll(cfg["ack_wait_ms"], sent)
                self.wdt.feed()
                acked = set(lp.acked(sent, link.acks))  # each ack names exactly one stored frame
                st.remove(acked, time.time())
                ok = bool(acked) or not sent
                rssi = link.rssi()
                if rssi is not None:
                    st.last_rssi = rssi
                if link.config_blob is not None:
                    self.apply_config(link.config_blob)
                if self.fw is not None:
                    self.wdt.feed()
                    self.fw.after_send(link, bool(acked), self.volts, self.low,
                                       self.cfg["fw_chunks"], deadline)
                log("sent", len(sent), "acked", len(acked), "backlog", st.backlog())
        except OSError as e:
            log("link error", e)
        finally:
            try:
                link.close()
            except OSError:
                pass
        if self.fw is not None:
            self.wdt.feed()
            self.fw.finish()  # a verified bundle is written with the radio off
        if ok:
            st.fail_streak = 0
        else:
            st.fail_streak += 1
            st.last_rssi = 0

    def apply_config(self, blob):
        """Apply a signed config if it is valid and newer; keep the running one otherwise."""
        try:
            body = nodeconfig.accept(self.key, blob, self.node_id, self.cfg["version"])
        except nodeconfig.ConfigError as e:
            if str(e) != "config version is not newer":
                log("config rejected:", e)
            return False
        path = self.root + "/config.json"
        with open(path + ".new", "wb") as f:
            f.write(blob)
        try:
            os.rename(path, self.root + "/config.bak")
        except OSError:
            pass
        os.rename(path + ".new", path)
        self.cfg = nodeconfig.effective(body)
        self.store.flags |= FLAG_CFG_ACK
        log("config", body["version"], "applied")
        return True

    # ---- sleep ------------------------------------------------------------------------------
    def sleep(self, ms):
        """Power down the sensors, arm the rain wake, deep-sleep. Does not return on a device."""
        if self.power is not None:
            self.power.value(0)
            hold(self.power)
        if self.rain is not None:
            self.rain.disarm()
            self.store.rain_tips += self.rain.awake_tips  # tips seen while the radio was busy
            self.rain.awake_tips = 0
            if self.rain.stuck():
                self.store.flags |= FLAG_RAIN_STUCK
                log("rain reed stuck closed: tip wake off")
            else:
                self.store.flags &= ~FLAG_RAIN_STUCK
                arm_rain_wake(self.rain.pin)
            self.store.save(time.time())
        machine.deepsleep(ms)


def set_clock(t):
    """Set the RTC to ``t`` seconds since the port's epoch (machine.RTC.datetime tuple order)."""
    y, mo, d, h, mi, s, wd, _ = time.localtime(t)
    machine.RTC().datetime((y, mo, d, wd, h, mi, s, 0))


def hold(pin):
    try:
        import esp32

        pin.init(hold=True)
        esp32.gpio_deep_sleep_hold(True)  # keep non-RTC pins latched too (esp32 module docs)
    except (ImportError, AttributeError, TypeError, ValueError):
        pass


def arm_rain_wake(pin):
    import esp32

    esp32.wake_on_ext0(pin=pin, level=esp32.WAKEUP_ALL_LOW)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def main():
    try:
        import hw

        node = hw.build()
    except Exception as e:  # no usable config: sleep and retry rather than drain the battery
        log("setup failed:", e)
        machine.deepsleep(600000)
    try:
        ms = node.run()
    except Exception as e:  # a bug must not keep the node awake; what was saved stays saved
        log("cycle failed:", e)
        ms = node.cfg["interval_s"] * 1000
    node.sleep(ms)
