# Fake ``espnow``: instances register by MAC; ``send`` queues the message at the peer and then
# calls ``air["pump"]`` (set by a test) so a bridge/gateway can answer synchronously.
import fakeclock

air = {"radios": {}, "pump": None, "up": True, "next_mac": b"\x24\x6f\x28\x00\x00\x01"}


class ESPNow:
    def __init__(self):
        self.mac = air.pop("next_mac", None) or b"\x24\x6f\x28\x00\x00\x02"
        air["radios"][self.mac] = self
        self.queue = []
        self.peers = []
        self.peers_table = {}

    def active(self, flag=None):
        return True

    def config(self, **kw):
        pass

    def add_peer(self, mac, *args, **kw):
        if mac in self.peers:
            raise OSError(-12395, "ESP_ERR_ESPNOW_EXIST")
        self.peers.append(bytes(mac))

    def del_peer(self, mac):
        self.peers.remove(bytes(mac))

    def send(self, mac, msg, sync=True):
        peer = air["radios"].get(bytes(mac))
        if peer is None or not air["up"]:
            fakeclock.clock.sleep_ms(20)  # MAC retries
            return False
        peer.queue.append((self.mac, bytes(msg)))
        peer.peers_table[self.mac] = [-58, fakeclock.clock.ticks_ms()]
        if air["pump"] is not None:
            air["pump"]()
        return True

    def recv(self, timeout_ms=None):
        if not self.queue and air["pump"] is not None:
            air["pump"]()
        if not self.queue:
            if timeout_ms:
                fakeclock.clock.sleep_ms(timeout_ms)
            return None, None
        return self.queue.pop(0)

    def any(self):
        return bool(self.queue)
