# Fake ``umqtt.simple`` talking to the in-process ``fakebroker.broker``.
import fakebroker


class _Sock:
    def settimeout(self, t):
        pass

    def setblocking(self, flag):
        pass


class MQTTException(Exception):
    pass


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None):
        self.client_id = client_id
        self.user = user
        self.password = password
        self.cb = None
        self.sock = None
        self.inbox = []
        self.subs = []

    def set_callback(self, f):
        self.cb = f

    def connect(self, clean_session=True, timeout=None):
        fakebroker.broker.connect(self)
        self.sock = _Sock()
        return 0

    def subscribe(self, topic, qos=0):
        self.subs.append(bytes(topic))
        fakebroker.broker.subscribe(self, bytes(topic))

    def publish(self, topic, msg, retain=False, qos=0):
        fakebroker.broker.publish(self, bytes(topic), bytes(msg))

    def check_msg(self):
        if not self.inbox:
            return None
        topic, msg = self.inbox.pop(0)
        self.cb(topic, msg)
        return topic

    def disconnect(self):
        fakebroker.broker.disconnect(self)
