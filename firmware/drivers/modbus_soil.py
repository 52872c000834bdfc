"""RS485 Modbus-RTU "7-in-1" soil probe (moisture, temperature, EC, pH, N, P, K).

    probe = SoilProbe(UART(2, 4800, tx=17, rx=16), de=Pin(18, Pin.OUT), addr=1, regmap="generic")
    probe.read()  # -> [(CH_SOIL_VWC, 0.312, 0), (CH_SOIL_TEMP, 24.5, 0), (CH_SOIL_EC, 520, 0), ...]

Modbus-RTU (Modbus over Serial Line V1.02): function 0x03 "read holding registers", CRC-16/MODBUS
(poly 0xA001 reflected, init 0xFFFF, low byte first). Two register families exist (vendor sheets):
- ``generic`` (ComWinTop/Renke style, DFRobot SEN0601): 0x0000 moisture x0.1 %, 0x0001 temperature
  int16 x0.1 degC, 0x0002 EC uS/cm, 0x0003 pH x0.1, 0x0004..6 N, P, K; default 4800 Bd.
- ``jxct`` (JXCT JXBS-3001 manual v2.0): 0x0006 pH x0.01, 0x0012 moisture x0.1 %, 0x0013
  temperature int16 x0.1, 0x0015 EC, 0x001E..0x0020 N, P, K; default 9600 Bd.
The probes estimate N, P, K from conductivity, so they are sent on the ``index`` channels: trends
within one field, not mg/kg truth.

MicroPython's ESP32 UART has no RS485 direction mode (machine_uart.c), so DE/RE is a GPIO: high,
write, ``UART.flush()`` (waits for the shift register, ESP32 since v1.20), one character time, low.
A timeout, bad CRC or exception reply gives a status code on every channel, never a value.
"""

import struct
import time

import framecodec as fc

_IDS = fc.CHANNEL_IDS  # channel ids come from the wire format's one table
CH_VWC, CH_TEMP, CH_EC, CH_PH = _IDS["soil_vwc"], _IDS["soil_temp"], _IDS["soil_ec"], _IDS["soil_ph"]
CH_N, CH_P, CH_K = _IDS["soil_n"], _IDS["soil_p"], _IDS["soil_k"]

# name -> (first register, count, ((offset, channel, scale, signed), ...)); value = raw * scale
MAPS = {
    "generic": (0x0000, 7, (
        (0, CH_VWC, 0.001, False),
        (1, CH_TEMP, 0.1, True),
        (2, CH_EC, 1, False),
        (3, CH_PH, 0.1, False),
        (4, CH_N, 1, False),
        (5, CH_P, 1, False),
        (6, CH_K, 1, False),
    )),
    "jxct": (0x0006, 27, (
        (12, CH_VWC, 0.001, False),
        (13, CH_TEMP, 0.1, True),
        (15, CH_EC, 1, False),
        (0, CH_PH, 0.01, False),
        (24, CH_N, 1, False),
        (25, CH_P, 1, False),
        (26, CH_K, 1, False),
    )),
}


def crc16_modbus(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def read_request(addr, start, count):
    frame = struct.pack(">BBHH", addr, 0x03, start, count)
    return frame + struct.pack("<H", crc16_modbus(frame))


class ProbeError(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


class SoilProbe:
    def __init__(self, uart, de=None, addr=1, regmap="generic", baud=4800, timeout_ms=500, with_vwc=True):
        self.uart = uart
        self.de = de
        self.addr = addr
        self.map = MAPS[regmap]
        self.timeout_ms = timeout_ms
        self.with_vwc = with_vwc
        self._char_us = 11 * 1000000 // baud + 1  # 8N1 with start/stop bits rounded up to 11

    def transact(self, start, count):
        """Register values (tuple of u16) or ProbeError(status)."""
        while self.uart.any():
            self.uart.read()  # drop noise left from the probe's power-up
        if self.de is not None:
            self.de.value(1)
        try:
            self.uart.write(read_request(self.addr, start, count))
            self.uart.flush()
            time.sleep_us(self._char_us)
        finally:
            if self.de is not None:
                self.de.value(0)
        want = 5 + 2 * count
        buf = bytearray()
        t0 = time.ticks_ms()
        while len(buf) < want:
            if time.ticks_diff(time.ticks_ms(), t0) > self.timeout_ms:
                raise ProbeError(fc.STATUS_TIMEOUT if len(buf) < 5 else fc.STATUS_FAULT)
            n = self.uart.any()
            if n:
                buf.extend(self.uart.read(min(n, want - len(buf))))
                if len(buf) >= 5 and buf[1] & 0x80:
                    want = 5  # exception response: addr, 0x83, code, CRC
            else:
                time.sleep_ms(2)
        if crc16_modbus(buf[:-2]) != buf[-2] | (buf[-1] << 8):
            raise ProbeError(fc.STATUS_CRC)
        if buf[0] != self.addr or buf[1] != 0x03 or buf[2] != 2 * count:
            raise ProbeError(fc.STATUS_FAULT)
        return struct.unpack(">" + "H" * count, buf[3:3 + 2 * count])

    def read(self):
        start, count, fields = self.map
        try:
            regs = self.transact(start, count)
            status = fc.STATUS_OK
        except ProbeError as e:
            regs, status = None, e.status
        except OSError:
            regs, status = None, fc.STATUS_FAULT
        out = []
        for offset, cid, scale, signed in fields:
            if cid == CH_VWC and not self.with_vwc:
                continue
            if regs is None:
                out.append((cid, None, status))
                continue
            raw = regs[offset]
            if signed and raw >= 0x8000:
                raw -= 0x10000
            out.append((cid, raw * scale, fc.STATUS_OK))
        return out
