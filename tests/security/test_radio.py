"""Radio / MQTT attacks on the gateway: replays, tampered MICs, wrong keys, counters far ahead,
unknown nodes, a node on another node's topic. All refused and counted; the real node's counter
window never moves for an attacker."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from firmware.lib import framecodec as fc
from firmware.lib.topics import ack_topic, mqtt_username, up_topic
from gateway.intake import FrameProcessor, RawFrame, Verdict
from gateway.keys import NodeKeys
from gateway.mosquitto import node_mqtt_password
from gateway.mqtt import MqttIntake
from gateway.outbox import Outbox, OutboxFull
from tests.services import Service, start_mosquitto

A, B = 4097, 4098
KA, KB = bytes(range(16)), bytes(range(16, 32))
READ = [(fc.CHANNEL_IDS["soil_vwc"], 0.3, fc.STATUS_OK)]


def processor(tmp_path: Path) -> FrameProcessor:
    keys = NodeKeys(tmp_path / "keys.json")
    keys.update(
        {
            "nodes": [
                {"node_id": A, "key": KA.hex(), "farm_id": 1, "field_id": 1},
                {"node_id": B, "key": KB.hex(), "farm_id": 1, "field_id": 2},
            ]
        }
    )
    return FrameProcessor(Outbox(tmp_path / "outbox.sqlite"), keys)


def raw(frame: bytes, claimed: int | None = None) -> RawFrame:
    return RawFrame(frame, time.time(), claimed)


def test_attacks_are_refused_counted_and_never_move_the_window(tmp_path: Path) -> None:
    p = processor(tmp_path)
    good = [fc.encode(KA, A, c, 0, READ) for c in (1, 2, 3)]
    assert [r.verdict for r in p.process([raw(f, A) for f in good])] == [Verdict.ACCEPTED] * 3
    tampered = bytearray(fc.encode(KA, A, 4, 0, READ))
    tampered[-1] ^= 0x80
    body_flip = bytearray(fc.encode(KA, A, 5, 0, READ))
    body_flip[14] ^= 0x01
    attacks = {
        "replay": (good[1], A, Verdict.DUPLICATE),
        "replay_reencoded_age": (fc.encode(KA, A, 2, 99, READ), A, Verdict.DUPLICATE),
        "tampered_mic": (bytes(tampered), A, Verdict.FORGED),
        "tampered_body": (bytes(body_flip), A, Verdict.FORGED),
        "wrong_key_far_ahead": (fc.encode(KB, A, 0xFFFFFFF0, 0, READ), A, Verdict.FORGED),
        "wrong_key_next": (fc.encode(os.urandom(16), A, 4, 0, READ), A, Verdict.FORGED),
        "b_frame_on_a_topic": (fc.encode(KB, B, 7, 0, READ), A, Verdict.FORGED),
        "unknown_node": (fc.encode(KA, 999_999, 1, 0, READ), None, Verdict.UNKNOWN_NODE),
        "too_short": (b"\x10\x00", A, Verdict.MALFORMED),
        "oversized": (fc.encode(KA, A, 6, 0, READ) + b"\x00" * 200, A, Verdict.OVERSIZED),
    }
    for name, (frame, claimed, want) in attacks.items():
        got = p.process([raw(frame, claimed)])[0].verdict
        assert got is want, (name, got)
    assert p.last_counter(A) == 3 and p.last_counter(B) is None
    st = p.state(A)
    assert (st["accepted"], st["duplicates"]) == (3, 2)
    assert st["forged"] >= 4 and p.unknown_node_frames == 1
    assert p.outbox.depth() == 3
    # the real node carries on exactly where it was, also after a restart from disk
    assert p.process([raw(fc.encode(KA, A, 4, 0, READ), A)])[0].verdict is Verdict.ACCEPTED
    p2 = FrameProcessor(p.outbox, p.keys)
    assert p2.last_counter(A) == 4
    assert p2.process([raw(good[0], A)])[0].verdict is Verdict.DUPLICATE


def test_a_genuine_counter_far_ahead_is_accepted_and_older_replays_stay_refused(tmp_path: Path) -> None:
    p = processor(tmp_path)
    p.process([raw(fc.encode(KA, A, c, 0, READ), A) for c in (1, 2)])
    assert p.process([raw(fc.encode(KA, A, 1_000_000, 0, READ), A)])[0].verdict is Verdict.ACCEPTED
    for c in (1, 2, 1_000_000):
        assert p.process([raw(fc.encode(KA, A, c, 5, READ), A)])[0].verdict is Verdict.DUPLICATE


def test_replaying_a_flood_of_captured_frames_stores_each_once(tmp_path: Path) -> None:
    p = processor(tmp_path)
    captured = [fc.encode(KA, A, c, 0, READ) for c in range(1, 51)]
    for _ in range(5):
        p.process([raw(f, A) for f in captured])
    assert p.outbox.depth() == 50 and p.state(A)["duplicates"] == 200


def test_full_outbox_raises_outbox_full(tmp_path: Path) -> None:
    ob = Outbox(tmp_path / "o.sqlite", 64 * 1024)
    with pytest.raises(OutboxFull):
        for i in range(10_000):
            ob.commit_batch([(A, i, 1, 1, b"x" * 30, None)], [(A, i, b"\x00" * 8)])


# -- over the real broker ----------------------------------------------------------------------
@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Service]:
    svc = start_mosquitto(tmp_path / "mosq", {A: KA, B: KB}, gateway_password="gw-secret")
    yield svc
    svc.stop()


def client(port: int, user: str, password: str, on_msg: Callable[[bytes], None] | None = None) -> mqtt.Client:
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{user}-{os.urandom(3).hex()}")
    c.username_pw_set(user, password)
    if on_msg is not None:
        c.on_message = lambda _c, _u, m: on_msg(bytes(m.payload))
    return c


def wait(pred: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out: {what}")


@pytest.mark.services
def test_mqtt_attacks_against_the_real_broker_and_gateway_intake(broker: Service, tmp_path: Path) -> None:
    p = processor(tmp_path)
    intake = MqttIntake(p, "127.0.0.1", broker.port, "gateway", "gw-secret")
    stop = threading.Event()
    t = threading.Thread(target=intake.run, args=(stop,), daemon=True)
    t.start()
    acks_b: list[bytes] = []
    stolen_acks: list[bytes] = []
    node_a = client(broker.port, mqtt_username(A), node_mqtt_password(KA))
    node_b = client(broker.port, mqtt_username(B), node_mqtt_password(KB), acks_b.append)
    try:
        wait(intake.connected.is_set, "gateway connected")
        node_b.connect("127.0.0.1", broker.port)
        node_b.loop_start()
        node_b.subscribe(ack_topic(up_topic(1, B)), qos=1)
        node_a.on_message = lambda _c, _u, m: stolen_acks.append(bytes(m.payload))
        node_a.connect("127.0.0.1", broker.port)
        node_a.loop_start()
        node_a.subscribe(ack_topic(up_topic(1, B)), qos=1)  # eavesdrop on B's acks: ACL read denies
        wait(lambda: node_a.is_connected() and node_b.is_connected(), "nodes connected")
        time.sleep(0.3)

        def attack(topic: str, payload: bytes) -> None:
            """The broker may drop the attacker's connection: that is a refusal too."""
            if not node_a.is_connected():
                node_a.reconnect()
                wait(node_a.is_connected, "attacker reconnected")
            with contextlib.suppress(RuntimeError, ValueError):
                node_a.publish(topic, payload, qos=1).wait_for_publish(5)

        node_b.publish(up_topic(1, B), fc.encode(KB, B, 10, 0, READ), qos=1).wait_for_publish(5)
        wait(lambda: acks_b == [b"10"], "B acked")
        # A publishes on B's topic (ACL: never delivered), and B's captured frame on its own topic
        attack(up_topic(1, B), fc.encode(KB, B, 11, 0, READ))
        attack(up_topic(1, A), fc.encode(KB, B, 12, 0, READ))
        attack(up_topic(1, A), fc.encode(KA, A, 0xFFFFFFFF, 0, READ)[:-1] + b"\x00")
        attack(up_topic(1, A), b"\xff" * 1000)
        wait(lambda: intake.oversized == 1 and p.state(B)["forged"] >= 1, "attacks processed")
        # a wrong password never gets a session
        intruder = client(broker.port, mqtt_username(B), "not-the-password")
        refused: list[bool] = []
        intruder.on_connect = lambda _c, _u, _f, rc, _p: refused.append(rc.is_failure)
        intruder.connect("127.0.0.1", broker.port)
        intruder.loop_start()
        wait(lambda: refused == [True], "wrong password refused")
        intruder.loop_stop()
        intruder.disconnect()
        # B carries on where it was: counter 11 (published by A on B's topic) never arrived
        node_b.publish(up_topic(1, B), fc.encode(KB, B, 11, 0, READ), qos=1).wait_for_publish(5)
        wait(lambda: acks_b == [b"10", b"11"], "B's next frame accepted")
        assert p.last_counter(B) == 11 and p.last_counter(A) is None
        assert p.state(B)["accepted"] == 2 and stolen_acks == []
    finally:
        for c in (node_a, node_b):
            c.loop_stop()
            c.disconnect()
        stop.set()
        t.join(5)
