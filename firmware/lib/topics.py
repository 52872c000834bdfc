"""MQTT topic layout shared by the node firmware and the gateway (MicroPython-compatible)."""

UP_SUBSCRIPTION = "farm/+/node/+/up"


def up_topic(farm_id, node_id):
    return "farm/" + str(farm_id) + "/node/" + str(node_id) + "/up"


def ack_topic(up):
    """The gateway acks on ``.../cmd/ack`` beside the node's ``.../up`` (payload: the counter of one
    stored frame, ``linkproto.ack_payload``)."""
    return up[: -len("up")] + "cmd/ack"


def config_topic(farm_id, node_id):
    return "farm/" + str(farm_id) + "/node/" + str(node_id) + "/cmd/config"


def fw_offer_topic(farm_id, node_id):
    """Retained signed bundle manifest the gateway offers this node (empty payload: no offer)."""
    return "farm/" + str(farm_id) + "/node/" + str(node_id) + "/cmd/fw"


def fw_chunk_topic(farm_id, version, index):
    """Retained chunk ``index`` of bundle ``version``, shared by every node of the farm."""
    return "farm/" + str(farm_id) + "/fw/" + str(version) + "/" + str(index)


def status_topic(farm_id, node_id):
    """The node's firmware status after each send cycle (``linkproto.status_payload``)."""
    return "farm/" + str(farm_id) + "/node/" + str(node_id) + "/status"


STATUS_SUBSCRIPTION = "farm/+/node/+/status"


def node_from_status_topic(topic):
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "farm" or parts[2] != "node" or parts[4] != "status":
        return None
    try:
        return int(parts[3])
    except ValueError:
        return None


def node_from_up_topic(topic):
    """Node id a topic claims, or None for a topic outside the layout."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "farm" or parts[2] != "node" or parts[4] != "up":
        return None
    try:
        return int(parts[3])
    except ValueError:
        return None


def mqtt_username(node_id):
    return "node-" + str(node_id)
