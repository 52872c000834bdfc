# Fake ``network``: ``net["up"]`` decides whether an association succeeds; it takes
# ``net["connect_s"]`` seconds of virtual time either way.
import fakeclock

STA_IF = 0
AP_IF = 1
net = {"up": True, "connect_s": 1.0, "rssi": -67, "channel": None, "active": False}


class WLAN:
    IF_STA = 0
    IF_AP = 1

    def __init__(self, interface=0):
        self._t_ok = None

    def active(self, flag=None):
        if flag is not None:
            net["active"] = flag
        return net["active"]

    def config(self, *args, **kw):
        if "channel" in kw:
            net["channel"] = kw["channel"]
        if args == ("mac",):
            return b"\x24\x6f\x28\xaa\xbb\xcc"

    def ipconfig(self, **kw):
        pass

    def connect(self, ssid, key=None, bssid=None):
        self._t_ok = fakeclock.clock.t + net["connect_s"]

    def isconnected(self):
        return net["up"] and self._t_ok is not None and fakeclock.clock.t >= self._t_ok - 1e-6

    def status(self, what=None):
        if what == "rssi":
            return net["rssi"]
        return 1010

    def disconnect(self):
        self._t_ok = None
