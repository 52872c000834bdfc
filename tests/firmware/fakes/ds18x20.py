# Fake micropython-lib ``ds18x20``: ``sensor["temp"]`` is a number, "crc" or "absent".
sensor = {"temp": 24.5, "roms": [b"\x28\x01\x02\x03\x04\x05\x06\x07"]}


class DS18X20:
    def __init__(self, ow):
        self.ow = ow

    def scan(self):
        return [] if sensor["temp"] == "absent" else list(sensor["roms"])

    def convert_temp(self):
        if sensor["temp"] == "absent":
            import onewire

            raise onewire.OneWireError()

    def read_temp(self, rom):
        t = sensor["temp"]
        if t == "crc":
            raise Exception("CRC error")
        return t
