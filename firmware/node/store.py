"""Unsent readings and the frame counter, kept across deep sleep, watchdog resets and power loss.

Two tiers:
- RTC slow memory (``machine.RTC().memory()``, 2048 bytes on ESP32, MicroPython docs machine.RTC):
  survives deep sleep, soft/hard and watchdog resets, is lost on power-on and brownout. It holds the
  live counter, the rain-tip count and the newest unsent readings.
- A flash file (``buf.bin`` on the LittleFS partition): the RTC records are spilled there once
  ``spill_at`` of them wait (or they no longer fit), so a power loss costs at most ``spill_at - 1``
  unsent readings. It is capped at ``buffer_max`` records; the oldest go first if it overflows.

Each record keeps the frame as encoded at sample time (age 0) and the node-clock time it was
sampled; the sender re-encodes it with the current age, so the counter never changes.

Counter: counters are reserved in blocks of ``block`` in ``state.json`` *before* use. After a power
loss the node resumes at the end of the last reserved block, so a counter is never reused; the
cost is a gap of up to ``block`` numbers, which the gateway accepts (counters only need to grow).
Flash sees one small write per block (every ~25 h at 15 min), not one per frame.
"""

import json
import os
import struct

from serialframe import crc16_ccitt

MAGIC = b"RS"
LAYOUT = 1
RTC_SIZE = 2048
BLOCK = 100
_HDR = ">2sBBIIIIHBBbBB"
HDR_LEN = struct.calcsize(_HDR)
_REC = ">BI"
REC_LEN = struct.calcsize(_REC)

FLAG_CFG_ACK = 0x01  # a config was applied; acknowledge its version in the next frame
FLAG_RAIN_STUCK = 0x02  # the rain reed reads closed: its wake source is off


def counter_of(frame):
    return struct.unpack_from(">I", frame, 5)[0]


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


class Store:
    def __init__(self, rtc, path="/data", rtc_size=RTC_SIZE, block=BLOCK, buffer_max=2000, spill_at=8):
        self.rtc = rtc
        self.path = path
        self.rtc_size = rtc_size
        self.block = block
        self.buffer_max = buffer_max
        self.spill_at = spill_at
        self.records = []
        self.flags = 0
        self.next_counter = 1
        self.reserved_until = 1
        self.rain_tips = 0
        self.next_due = 0
        self.cycles = 0
        self.fail_streak = 0
        self.wdt_resets = 0
        self.last_rssi = 0  # 0 = no link seen yet
        self.rain_pin = 255  # GPIO of the rain gauge for the tip-wake fast path; 255 = none
        self.saved_clock = 0
        self.dropped = 0

    # ---- RTC memory -------------------------------------------------------------------------
    def _pack(self):
        out = bytearray(struct.pack(
            _HDR, MAGIC, LAYOUT, self.flags, self.next_counter, self.reserved_until, self.rain_tips,
            self.next_due, self.cycles & 0xFFFF, min(self.fail_streak, 255), min(self.wdt_resets, 255),
            max(-128, min(127, self.last_rssi)), self.rain_pin, len(self.records)))
        for t, frame in self.records:
            out.extend(struct.pack(_REC, len(frame), t))
            out.extend(frame)
        out.extend(struct.pack(">H", crc16_ccitt(out)))
        return out

    def load_rtc(self):
        """Parse RTC memory; False (and nothing changed) if it is empty or damaged."""
        data = self.rtc.memory()
        if len(data) < HDR_LEN + 2 or data[:2] != MAGIC:
            return False
        if crc16_ccitt(data[:-2]) != struct.unpack(">H", data[-2:])[0]:
            return False
        head = struct.unpack_from(_HDR, data, 0)
        (_, layout, flags, nxt, res, tips, due, cycles, fails, wdts, rssi, rpin, n) = head
        if layout != LAYOUT:
            return False
        records = []
        pos = HDR_LEN
        for _ in range(n):
            ln, t = struct.unpack_from(_REC, data, pos)
            pos += REC_LEN
            records.append((t, bytes(data[pos:pos + ln])))
            pos += ln
        self.flags, self.next_counter, self.reserved_until = flags, nxt, res
        self.rain_tips, self.next_due, self.cycles = tips, due, cycles
        self.fail_streak, self.wdt_resets, self.last_rssi = fails, wdts, rssi
        self.rain_pin = rpin
        self.records = records
        return True

    def save(self, now):
        """Persist to RTC memory; spill to flash first if the RTC tier is full enough."""
        if self.records and (len(self.records) >= self.spill_at or len(self._pack()) > self.rtc_size):
            self.spill(now)
        self.rtc.memory(self._pack())

    # ---- flash ------------------------------------------------------------------------------
    def _state_file(self):
        return self.path + "/state.json"

    def _buf_file(self):
        return self.path + "/buf.bin"

    def _mkdir(self):
        try:
            os.mkdir(self.path)
        except OSError:
            pass  # exists

    def _write_state(self, now):
        self._mkdir()
        tmp = self._state_file() + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"reserved_until": self.reserved_until, "clock": now, "dropped": self.dropped}, f)
        os.rename(tmp, self._state_file())

    def _read_state(self):
        try:
            with open(self._state_file()) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def restore(self, deep_sleep_wake=True):
        """Load after any reset: "rtc" if RTC memory was intact, else "flash" (power was lost).

        After a reset that was not a deep-sleep wake (WDT, reset button, a redeploy) the flash
        reservation is also read: if it is ahead (a ``--counter-start`` written by the tools),
        counting jumps past it.
        """
        if self.load_rtc():
            if not deep_sleep_wake:
                floor = self._read_state().get("reserved_until", 0)
                if floor > self.reserved_until:
                    self.next_counter = max(self.next_counter, floor)
                    self.reserved_until = self.next_counter
            return "rtc"
        st = self._read_state()
        self.next_counter = max(1, st.get("reserved_until", 1))
        self.reserved_until = self.next_counter  # reserve a fresh block before the first use
        self.saved_clock = st.get("clock", 0)
        self.dropped = st.get("dropped", 0)
        self.records = []
        return "flash"

    def take_counter(self, now):
        """Next frame counter; writes a new reservation to flash when the block is used up."""
        if self.next_counter >= self.reserved_until:
            self.reserved_until = self.next_counter + self.block
            self._write_state(now)
        c = self.next_counter
        self.next_counter += 1
        return c

    def _scan(self, visit):
        """Call ``visit(t, frame)`` per flash record, oldest first, until it returns True."""
        try:
            f = open(self._buf_file(), "rb")
        except OSError:
            return
        try:
            while True:
                head = f.read(REC_LEN)
                if len(head) < REC_LEN:
                    return
                ln, t = struct.unpack(_REC, head)
                frame = f.read(ln)
                if len(frame) < ln or visit(t, frame):
                    return  # a torn tail from a reset during append is ignored
        finally:
            f.close()

    def flash_count(self):
        n = [0]

        def visit(t, frame):
            n[0] += 1

        self._scan(visit)
        return n[0]

    def _rewrite_flash(self, keep, now):
        tmp = self._buf_file() + ".tmp"
        out = open(tmp, "wb")

        def visit(t, frame):
            if keep(counter_of(frame)):
                out.write(struct.pack(_REC, len(frame), t))
                out.write(frame)

        try:
            self._scan(visit)
        finally:
            out.close()
        os.rename(tmp, self._buf_file())

    def spill(self, now):
        """Move every RTC record to the end of the flash file (oldest stay first)."""
        self._mkdir()
        with open(self._buf_file(), "ab") as f:
            for t, frame in self.records:
                f.write(struct.pack(_REC, len(frame), t))
                f.write(frame)
        self.records = []
        excess = self.flash_count() - self.buffer_max
        if excess > 0:
            seen = [0, 0]

            def visit(t, frame):
                seen[1] = counter_of(frame)
                seen[0] += 1
                return seen[0] > excess

            self._scan(visit)  # seen[1]: counter of the oldest record to keep
            self._rewrite_flash(lambda c: c >= seen[1], now)
            self.dropped += excess
        self._write_state(now)

    def push(self, sample_time, frame):
        """Buffer a freshly encoded frame (age 0); ``save`` makes it durable."""
        self.records.append((sample_time, bytes(frame)))

    # ---- sending ----------------------------------------------------------------------------
    def pending(self, limit):
        """Up to ``limit`` unsent (sample_time, frame) records, oldest first, no counter twice."""
        out = []
        seen = set()

        def visit(t, frame):
            if len(out) >= limit:
                return True
            seen.add(counter_of(frame))
            out.append((t, frame))

        self._scan(visit)
        for t, frame in self.records:
            if len(out) >= limit:
                break
            if counter_of(frame) not in seen:
                out.append((t, frame))
        return out

    def remove(self, counters, now):
        """Forget every record whose counter the gateway acknowledged."""
        if not counters:
            return
        self.records = [r for r in self.records if counter_of(r[1]) not in counters]
        if _exists(self._buf_file()):
            hit = [False]

            def visit(t, frame):
                hit[0] = counter_of(frame) in counters
                return hit[0]

            self._scan(visit)
            if hit[0]:
                self._rewrite_flash(lambda c: c not in counters, now)

    def backlog(self):
        return self.flash_count() + len(self.records)
