"""Wi-Fi + MQTT uplink (``umqtt.simple``, frozen into the ESP32 firmware since MicroPython 1.20).

Publishes frames QoS 1 on ``farm/<farm>/node/<id>/up``, listens on ``cmd/ack`` for the gateway's
durable acks, on ``cmd/config`` for the retained signed config and on ``cmd/fw`` for the retained
firmware offer (``topics``; ack and status: ``linkproto``). Firmware chunks are retained messages
too: ``fetch`` subscribes to one chunk's topic and waits for it (``updater``).
The MQTT password is the one the gateway derives from the node key (``nodeconfig.mqtt_password``).

Wake-time savers (MicroPython network.WLAN docs; energy figures from glenn20's ESP32 measurements:
DHCP connect ~1.6 s / 204 mC vs static IP ~0.73 s / 100 mC): static IP via ``ipconfig`` (1.24+,
falls back to ``ifconfig``), few ``reconnects`` and our own deadline, and the radio off before sleep.
"""

import time

import linkproto as lp
import network
import topics


class WifiMqtt:
    STOP_AND_WAIT = False  # one ordered TCP session: send the backlog, then collect the acks

    def __init__(self, cfg, node_id, psk, mqtt_password):
        self.cfg = cfg
        self.node_id = node_id
        self.psk = psk
        self.password = mqtt_password
        self.wlan = None
        self.client = None
        self.acks = []
        self.config_blob = None
        self.fw_offer = None  # None: no retained offer seen; b"": the offer was withdrawn
        self._chunk_topic = None
        self._chunk = None
        self._rssi = None
        up = topics.up_topic(cfg["farm_id"], node_id)
        self._up_topic = up.encode()
        self._ack_topic = topics.ack_topic(up).encode()
        self._cfg_topic = topics.config_topic(cfg["farm_id"], node_id).encode()
        self._fw_topic = topics.fw_offer_topic(cfg["farm_id"], node_id).encode()
        self._status_topic = topics.status_topic(cfg["farm_id"], node_id).encode()

    def _on_msg(self, topic, msg):
        if topic == self._ack_topic:
            c = lp.parse_ack(msg)
            if c is not None:
                self.acks.append(c)
        elif topic == self._cfg_topic and msg:
            self.config_blob = bytes(msg)
        elif topic == self._fw_topic:
            self.fw_offer = bytes(msg)
        elif topic == self._chunk_topic:
            self._chunk = bytes(msg)

    def _static_ip(self):
        cfg = self.cfg
        if not cfg["static_ip"]:
            return
        try:
            self.wlan.ipconfig(addr4=cfg["static_ip"], gw4=cfg["gateway_ip"])
        except (AttributeError, TypeError):
            ip, bits = cfg["static_ip"].split("/")
            mask = (0xFFFFFFFF << (32 - int(bits))) & 0xFFFFFFFF
            netmask = ".".join([str((mask >> s) & 0xFF) for s in (24, 16, 8, 0)])
            gw = cfg["gateway_ip"]
            self.wlan.ifconfig((ip, netmask, gw, gw))

    def open(self, timeout_ms):
        from umqtt.simple import MQTTClient

        cfg = self.cfg
        self.wlan = network.WLAN(network.STA_IF)
        self.wlan.active(True)
        try:
            self.wlan.config(reconnects=2)
        except (ValueError, TypeError):
            pass
        self._static_ip()
        t0 = time.ticks_ms()
        self.wlan.connect(cfg["wifi_ssid"], self.psk)
        while not self.wlan.isconnected():
            if time.ticks_diff(time.ticks_ms(), t0) > timeout_ms:
                return False
            time.sleep_ms(50)
        try:
            self._rssi = self.wlan.status("rssi")
        except (ValueError, OSError):
            self._rssi = None
        name = topics.mqtt_username(self.node_id)
        self.client = MQTTClient(
            name, cfg["mqtt_host"], port=cfg["mqtt_port"], user=name, password=self.password, keepalive=60
        )
        self.client.set_callback(self._on_msg)
        left = max(500, timeout_ms - time.ticks_diff(time.ticks_ms(), t0))
        try:
            self.client.connect(timeout=left / 1000)
        except TypeError:  # umqtt.simple before 1.4 has no timeout argument
            self.client.connect()
        self.client.subscribe(self._ack_topic, qos=1)
        self.client.subscribe(self._cfg_topic, qos=1)
        self.client.subscribe(self._fw_topic, qos=1)
        return True

    def send(self, frame):
        try:
            self.client.sock.settimeout(self.cfg["link_timeout_ms"] / 1000)  # check_msg clears it
            self.client.publish(self._up_topic, frame, qos=1)
            return True
        except OSError:
            return False

    def poll(self, wait_ms, sent):
        """Collect acks (and a retained config) until every sent frame is acked or time is up."""
        t0 = time.ticks_ms()
        while time.ticks_diff(time.ticks_ms(), t0) < wait_ms:
            if self.client.check_msg() is None:
                if len(lp.acked(sent, self.acks)) == len(sent):
                    return  # the retained config, if any, arrived right after subscribing
                time.sleep_ms(10)

    def fetch(self, topic, wait_ms):
        """One retained firmware chunk, or None if it did not arrive within ``wait_ms``."""
        self._chunk_topic = topic.encode()
        self._chunk = None
        self.client.subscribe(self._chunk_topic, qos=0)
        t0 = time.ticks_ms()
        while self._chunk is None and time.ticks_diff(time.ticks_ms(), t0) < wait_ms:
            if self.client.check_msg() is None:
                time.sleep_ms(5)
        return self._chunk

    def publish_status(self, payload):
        try:
            self.client.publish(self._status_topic, payload, qos=0)
        except OSError:
            pass

    def rssi(self):
        return self._rssi

    def close(self):
        try:
            if self.client is not None:
                self.client.disconnect()
        finally:
            self.client = None
            if self.wlan is not None:
                self.wlan.disconnect()
                self.wlan.active(False)  # radio off before deep sleep (espnow docs, sleep modes)
