"""Sensirion SHT3x and SHT4x air temperature / humidity over I2C, CRC-checked.

    sht = SHT4x(I2C(0, scl=Pin(22), sda=Pin(21)))
    sht.read()  # -> [(CH_AIR_TEMP, 31.25, 0), (CH_AIR_RH, 78.5, 0)]

Each 16-bit word is followed by a CRC-8 (polynomial 0x31, init 0xFF, no reflection), per the
SHT3x-DIS datasheet §4.12 and the SHT4x datasheet §4.4. A bad CRC reports STATUS_CRC on both
channels; a sensor that does not answer reports STATUS_ABSENT; an I2C timeout STATUS_TIMEOUT.
"""

import time

import framecodec as fc

CH_AIR_TEMP = fc.CHANNEL_IDS["air_temp"]
CH_AIR_RH = fc.CHANNEL_IDS["air_rh"]
ADDR = 0x44
ETIMEDOUT = (110, 116)  # MicroPython uses the newlib/lwIP numbers for ETIMEDOUT


def crc8(data, start=0, end=2):
    crc = 0xFF
    for i in range(start, end):
        crc ^= data[i]
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


class _SHT:
    CMD = b""
    WAIT_MS = 0

    def __init__(self, i2c, addr=ADDR):
        self.i2c = i2c
        self.addr = addr
        self._buf = bytearray(6)

    def _raw(self):
        self.i2c.writeto(self.addr, self.CMD)
        time.sleep_ms(self.WAIT_MS)
        self.i2c.readfrom_into(self.addr, self._buf)
        b = self._buf
        if crc8(b, 0, 2) != b[2] or crc8(b, 3, 5) != b[5]:
            return None
        return (b[0] << 8) | b[1], (b[3] << 8) | b[4]

    def _convert(self, st, srh):
        raise NotImplementedError

    def read(self):
        status = fc.STATUS_OK
        try:
            raw = self._raw()
            if raw is None:
                status = fc.STATUS_CRC
        except OSError as e:
            status = fc.STATUS_TIMEOUT if e.args and e.args[0] in ETIMEDOUT else fc.STATUS_ABSENT
        if status != fc.STATUS_OK:
            return [(CH_AIR_TEMP, None, status), (CH_AIR_RH, None, status)]
        t, rh = self._convert(raw[0], raw[1])
        return [(CH_AIR_TEMP, t, fc.STATUS_OK), (CH_AIR_RH, rh, fc.STATUS_OK)]


class SHT3x(_SHT):
    CMD = b"\x24\x00"  # single shot, high repeatability, no clock stretching (datasheet table 9)
    WAIT_MS = 16  # max measurement duration 15.5 ms at high repeatability (datasheet table 4)

    def _convert(self, st, srh):
        return -45 + 175 * st / 65535, 100 * srh / 65535


class SHT4x(_SHT):
    CMD = b"\xfd"  # measure T & RH with high precision (datasheet §4.5)
    WAIT_MS = 10  # max 8.3 ms at high precision (datasheet table 3)

    def _convert(self, st, srh):
        rh = -6 + 125 * srh / 65535
        return -45 + 175 * st / 65535, min(max(rh, 0.0), 100.0)
