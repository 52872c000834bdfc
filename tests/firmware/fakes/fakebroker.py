# In-process MQTT broker plus a minimal gateway that stores frames by counter and acks them,
# following the rules in docs/firmware.md (verify MIC, store once, re-ack duplicates).
import fakeclock
import framecodec as fc
import linkproto as lp
import topics


class Gateway:
    def __init__(self, keys):
        self.keys = keys  # node id -> key
        self.stored = {}  # (node, counter) -> (arrival time, age, flags, readings)
        self.order = []  # (node, counter) in storage order
        self.duplicates = 0
        self.reused = 0  # same counter, different readings: a counter reuse, must stay 0
        self.rejected = 0
        self.ack_enabled = True

    def receive(self, frame):
        """Store a frame; return the counter to ack, or None."""
        node = fc.peek_node(frame)
        key = self.keys.get(node)
        if key is None or not fc.verify(key, frame):
            self.rejected += 1
            return None
        _, flags, node, counter, age, readings = fc.decode(frame)
        k = (node, counter)
        if k in self.stored:
            self.duplicates += 1
            if self.stored[k][3] != readings:
                self.reused += 1
        else:
            self.stored[k] = (fakeclock.clock.time(), age, flags, readings)
            self.order.append(k)
        return counter if self.ack_enabled else None

    def sample_time(self, k):
        arrival, age, _, _ = self.stored[k]
        return arrival - age


class Broker:
    def __init__(self):
        self.up = True
        self.clients = []
        self.subs = []
        self.retained = {}
        self.gateway = None
        self.farm = "demo"
        self.published = []

    def connect(self, client):
        if not self.up:
            raise OSError(113)  # EHOSTUNREACH
        self.clients.append(client)

    def disconnect(self, client):
        if client in self.clients:
            self.clients.remove(client)
        self.subs = [s for s in self.subs if s[0] is not client]

    def subscribe(self, client, topic):
        self.subs.append((client, topic))
        if topic in self.retained:
            client.inbox.append((topic, self.retained[topic]))

    def deliver(self, topic, msg):
        for client, t in self.subs:
            if t == topic:
                client.inbox.append((topic, msg))

    def publish(self, client, topic, msg):
        if not self.up:
            raise OSError(104)  # ECONNRESET
        self.published.append((topic, msg))
        parts = topic.decode().split("/")
        if len(parts) == 5 and parts[4] == "up" and self.gateway is not None:
            counter = self.gateway.receive(msg)
            if counter is not None:
                self.deliver(topics.ack_topic(topic.decode()).encode(), lp.ack_payload(counter))


broker = Broker()
