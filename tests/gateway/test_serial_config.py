"""ESP-NOW nodes get their signed config through the bridge (issue 18): over a real pty, the gateway
sends the config's ESP-NOW chunks ahead of the node's ack, while the node still listens, the node's own
assembler and ``nodeconfig.accept`` take it, and once the node acknowledges the version in its
``config_version`` channel the gateway stops sending it."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from firmware.lib import framecodec as fc
from firmware.lib import linkproto, nodeconfig
from firmware.lib import serialframe as sf
from gateway.downlink import Downlink
from gateway.intake import FrameProcessor
from gateway.keys import NodeKeys
from gateway.outbox import Outbox
from gateway.serial_bridge import SerialIntake
from tests.gateway.bridgesim import PtyBridge, wait_for

NODE, KEY, MAC = 4097, bytes([7]) * 16, bytes([0x24, 0x6F, 0x28, 0, 0, 9])


def down_messages(bridge: PtyBridge) -> list[bytes]:
    """Every MSG_DOWN payload for our node the gateway wrote since the last call."""
    out: list[bytes] = []
    while True:
        try:
            data = os.read(bridge.master, 65536)
        except (BlockingIOError, OSError):
            return out
        for mtype, payload in bridge.decoder.feed(data):
            if mtype == sf.MSG_DOWN:
                mac, msg = sf.unpack_down(payload)
                if mac == MAC:
                    out.append(msg)


def exchange(
    bridge: PtyBridge, counter: int, readings: list[tuple[int, float, int]], flags: int = 0
) -> list[bytes]:
    """Send one frame as the bridge would; return the gateway's MSG_DOWN answers for the node."""
    frame = fc.encode(KEY, NODE, counter, 0, readings, flags)
    bridge.write(sf.encode(sf.MSG_FRAME, sf.pack_frame_up(MAC, -60, frame)))
    got: list[bytes] = []

    def answered() -> bool:
        got.extend(down_messages(bridge))
        return bool(got)

    wait_for(answered, 10, "the gateway's answer")
    time.sleep(0.2)  # the config chunks are written in the same burst as the ack
    return got + down_messages(bridge)


def test_an_espnow_node_gets_its_config_with_its_ack_until_it_acknowledges_it(tmp_path: Path) -> None:
    keys = NodeKeys(tmp_path / "keys.json")
    keys.update({"nodes": [{"node_id": NODE, "key": KEY.hex()}]})
    downlink = Downlink(tmp_path, keys)
    blob = nodeconfig.sign(KEY, {
        "node_id": NODE, "version": 3, "uplink": "espnow", "espnow_peer": "246f28000001", "interval_s": 600,
        "thresholds": {"soil_vwc": [0.2, 0.45]},
        "soil_cal": {"model": "two_point", "dry_uv": 2450000, "wet_uv": 980000, "dry_vwc": 0.02,
                     "wet_vwc": 0.47},
    })  # fmt: skip
    downlink.update(
        {"configs": {str(NODE): bytes(blob).decode()}, "firmware": {"targets": {}}}, lambda v: b""
    )
    processor = FrameProcessor(Outbox(tmp_path / "outbox.sqlite"), keys)
    bridge = PtyBridge(tmp_path / "ttyBridge")
    intake = SerialIntake(
        processor, str(bridge.link), min_backoff_s=0.05, max_backoff_s=0.2, downlink=downlink
    )
    stop = threading.Event()
    thread = threading.Thread(target=intake.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_for(intake.connected.is_set, what="serial port open")
        battery = (fc.CHANNEL_IDS["battery"], 3.9, fc.STATUS_OK)
        msgs = exchange(bridge, 1, [battery])
        # the config before the ack: the node stops listening a few ms after its ack, while each
        # 250-byte piece takes ~23 ms on the bridge's serial line
        assert msgs[-1] == linkproto.espnow_ack(1) and linkproto.espnow_ack(1) not in msgs[:-1]
        assembler = linkproto.ConfigAssembler()
        whole = [b for b in (assembler.add(m) for m in msgs[:-1]) if b is not None]
        assert len(whole) == 1 and len(msgs) > 2  # more than one ESP-NOW payload: chunked
        body = nodeconfig.accept(KEY, whole[0], NODE, 1)  # what link_espnow + app.apply_config do
        assert body["version"] == 3 and body["interval_s"] == 600

        acked = [(fc.CHANNEL_IDS["config_version"], 3, fc.STATUS_OK), battery]
        msgs = exchange(bridge, 2, sorted(acked), fc.FLAG_CONFIG_ACK)
        assert msgs == [linkproto.espnow_ack(2)]  # acknowledged: no more config on air
    finally:
        stop.set()
        thread.join(5)
        bridge.close()
        processor.outbox.close()
