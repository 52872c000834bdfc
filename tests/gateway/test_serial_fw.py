"""Firmware updates for ESP-NOW nodes through the bridge (issue 20): the node's own link, updater and
boot code, the bridge firmware's own ``Bridge``, a pseudo-terminal and the real gateway serial intake
with its downlink store. The gateway announces the bundle ahead of the node's ack; the node asks for
the manifest and then for exactly the chunk it lacks, so a transfer cut short resumes at the next
wake, a damaged chunk is refused by the node's check against the signed manifest and asked for
again, the battery gate holds, and the node's MIC'd status reaches the gateway's fleet report.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from firmware.lib import fwbundle, linkproto
from gateway.downlink import Downlink
from gateway.intake import FrameProcessor
from gateway.keys import NodeKeys
from gateway.outbox import Outbox
from gateway.serial_bridge import SerialIntake
from tests.gateway.bridgesim import PtyBridge, wait_for
from tests.gateway.espnownode import BRIDGE_MAC, Air, EspNowNode, SimBridge

NODE, KEY, MAC = 4097, bytes([7]) * 16, bytes.fromhex("246f28000009")
FW_KEY = bytes(range(100, 132))  # the cooperative's firmware key
VERSION = 5
APP = b"# v5\n" + b"".join(b"X%d = %d\n" % (i, i * i) for i in range(1150))  # ~16 KB: 16 chunks


class Rig:
    def __init__(self, tmp: Path, bundle: bytes) -> None:
        keys = NodeKeys(tmp / "keys.json")
        keys.update({"nodes": [{"node_id": NODE, "key": KEY.hex()}]})
        self.downlink = Downlink(tmp, keys)
        doc = {"configs": {}, "firmware": {"targets": {str(NODE): VERSION}}}
        assert self.downlink.update(doc, lambda v: bundle)
        self.processor = FrameProcessor(Outbox(tmp / "outbox.sqlite"), keys)
        self.pty = PtyBridge(tmp / "ttyBridge")
        self.intake = SerialIntake(
            self.processor, str(self.pty.link), min_backoff_s=0.05, max_backoff_s=0.2, downlink=self.downlink
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.intake.run, args=(self.stop,), daemon=True)
        self.thread.start()
        wait_for(self.intake.connected.is_set, what="serial port open")
        self.air = Air()
        self.bridge = SimBridge(self.air, self.pty.master)
        self.node = EspNowNode(tmp / "node", self.air, MAC, NODE, KEY, FW_KEY)

    def wake(self) -> dict[str, Any]:
        seen = self.downlink.status.get(NODE, {}).get("fw_seen")
        self.downlink.status.get(NODE, {}).pop("fw_seen", None)
        st = self.node.wake()
        wait_for(lambda: self.downlink.status.get(NODE, {}).get("fw_seen") is not None, 10, "node status")
        assert seen is None or self.downlink.status[NODE]["fw_seen"] >= seen
        return st

    def report(self) -> dict[str, Any]:
        return self.downlink.report(NODE)

    def close(self) -> None:
        self.bridge.stop.set()
        self.stop.set()
        self.thread.join(5)
        self.pty.close()
        self.processor.outbox.close()


def bundle_file(key: bytes) -> bytes:
    manifest, payload = fwbundle.make(key, [("app.py", APP)], VERSION, "esp32", 3.7)
    return fwbundle.to_file(manifest, payload)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path, bundle_file(FW_KEY))
    yield r
    r.close()


def chunk_index(msg: bytes) -> int | None:
    return struct.unpack(">H", msg[1:3])[0] if msg[:1] == bytes([linkproto.ESPNOW_CHUNK]) else None


def spoil_once(index: int) -> Callable[[bytes, bytes], bytes | None]:
    done: list[bool] = []

    def spoil(src: bytes, msg: bytes) -> bytes | None:
        if src == BRIDGE_MAC and chunk_index(msg) == index and not done:
            done.append(True)
            return msg[:-1] + bytes([msg[-1] ^ 0x01])  # one bit flipped on the air
        return msg

    return spoil


def test_an_espnow_node_fetches_checks_resumes_and_installs_a_bundle_through_the_bridge(rig: Rig) -> None:
    total = fwbundle.chunk_count(fwbundle.unsigned_body(fwbundle.from_file(bundle_file(FW_KEY))[0]))
    assert total == 16
    # wake 1: chunk 3 is damaged on the air: the node keeps 0-2, refuses 3 and stops for this wake
    rig.air.spoil = spoil_once(3)
    rig.wake()
    assert rig.node.last_acked  # the frame's ack still arrived after the offer notice
    assert rig.node.downloaded() == 3 * fwbundle.CHUNK
    assert rig.report()["fw_state"] == "refused" and rig.report()["fw_detail"] == "chunk3"
    # wake 2: it asks for chunk 3 again and takes its 8 chunks for this wake
    rig.air.spoil = None
    rig.wake()
    assert rig.report()["fw_progress"] == [11, total] and rig.report()["fw_state"] == "fetch"
    # wake 3: the link fails after chunk 12 (every piece of chunk 13 on is lost): resumable
    rig.air.spoil = lambda src, msg: None if (chunk_index(msg) or 0) >= 13 else msg
    rig.wake()
    assert rig.report()["fw_progress"] == [13, total]
    # wake 4: the rest arrives and verifies, but the battery is below the bundle's 3,7 V
    rig.air.spoil = None
    rig.node.battery_v = 3.6
    st = rig.wake()
    assert rig.report()["fw_progress"] == [total, total]
    assert (rig.report()["fw_state"], rig.report()["fw_detail"]) == ("ready", "battery")
    assert st["running"] == 0 and not st["trial"]
    # wake 5: charged: installed into slot A after the link closed, on trial from the next boot
    rig.node.battery_v = 3.95
    st = rig.wake()
    assert st["running"] == VERSION and st["trial"] and st["slot"] == "slot_a"
    assert (Path(rig.node.root) / "slot_a" / "app.py").read_bytes() == APP
    # wake 6: the new version boots, completes a send cycle and is confirmed
    st = rig.wake()
    assert rig.node.last_acked and not st["trial"] and st["running"] == VERSION
    report = rig.report()
    assert report["fw_version"] == VERSION and report["fw_state"] == "run" and report["firmware"] == "v5"
    assert rig.downlink.espnow_notice(NODE) == []  # it runs the target: no more notices on air


def test_a_bundle_signed_with_another_key_is_refused_before_any_chunk(tmp_path: Path) -> None:
    rig = Rig(tmp_path, bundle_file(bytes(32)))
    try:
        rig.wake()
        assert rig.node.last_acked and rig.node.downloaded() == 0
        assert (rig.report()["fw_state"], rig.report()["fw_detail"]) == ("refused", "bad")
    finally:
        rig.close()


def test_requests_for_a_version_not_offered_get_no_answer(rig: Rig) -> None:
    assert rig.downlink.espnow_answer(linkproto.espnow_request(linkproto.ESPNOW_OFFER_REQ, NODE, 4)) == []
    assert rig.downlink.espnow_answer(linkproto.espnow_request(linkproto.ESPNOW_CHUNK_REQ, 4098, 5, 0)) == []
    assert rig.downlink.espnow_answer(linkproto.espnow_request(linkproto.ESPNOW_CHUNK_REQ, NODE, 5, 99)) == []
    pieces = rig.downlink.espnow_answer(linkproto.espnow_request(linkproto.ESPNOW_CHUNK_REQ, NODE, 5, 0))
    assert len(pieces) == 5 and all(len(p) <= linkproto.ESPNOW_MAX for p in pieces)
    asm = linkproto.ChunkAssembler()
    whole = [w for w in (asm.add(p) for p in pieces) if w is not None]
    assert whole == [(0, APP[: fwbundle.CHUNK])]
    forged = linkproto.espnow_request(linkproto.ESPNOW_STATUS, NODE, b"9 run 0/0 - 00000000")
    assert rig.downlink.espnow_answer(forged) == [] and NODE not in rig.downlink.status  # bad MIC
