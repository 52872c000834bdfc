"""The gateway's store for sleeping nodes, without a broker: what it keeps, refuses and publishes, and
that it survives a restart with the server unreachable."""

from __future__ import annotations

from pathlib import Path

from firmware.lib import fwbundle
from firmware.lib.linkproto import status_payload
from firmware.lib.topics import config_topic, fw_chunk_topic, fw_offer_topic
from gateway.downlink import Downlink
from gateway.keys import NodeKeys

KEYS = {4097: bytes([1]) * 16, 4098: bytes([2]) * 16}
FW_KEY = bytes(range(32))


def downlink(tmp: Path) -> Downlink:
    keys = NodeKeys(tmp / "node-keys.json")
    keys.update({"nodes": [{"node_id": n, "key": k.hex()} for n, k in KEYS.items()]})
    return Downlink(tmp, keys)


def bundle(version: int) -> bytes:
    manifest, payload = fwbundle.make(FW_KEY, [("app.py", bytes(range(256)) * 10)], version, "esp32", 3.7)
    return fwbundle.to_file(manifest, payload)


def test_keeps_whole_bundles_and_publishes_offers_chunks_and_configs(tmp_path: Path) -> None:
    d = downlink(tmp_path)
    fetched: list[int] = []

    def fetch(version: int) -> bytes:
        fetched.append(version)
        data = bundle(version)
        return data[:-1] + bytes([data[-1] ^ 1]) if version == 9 else data  # v9 arrives damaged

    doc = {"configs": {"4097": "signed-config"}, "firmware": {"targets": {"4097": 2, "4098": 9}}}
    assert d.update(doc, fetch)
    assert d.targets == {4097: 2} and fetched == [2, 9]  # the damaged one is not kept nor offered
    assert not d.update(doc, fetch) and fetched == [2, 9, 9]  # the kept one is not fetched again
    assert d.retained() == {}  # no frame yet: the farm segment each node speaks under is unknown
    d.learn_farm(4097, "hoa-binh")
    d.learn_farm(4098, "hoa-binh")
    out = d.retained()
    manifest, payload = fwbundle.from_file(bundle(2))
    assert out[config_topic("hoa-binh", 4097)] == b"signed-config"
    assert out[fw_offer_topic("hoa-binh", 4097)] == manifest and out[fw_offer_topic("hoa-binh", 4098)] == b""
    assert b"".join(out[fw_chunk_topic("hoa-binh", 2, i)] for i in range(3)) == payload
    assert fw_chunk_topic("hoa-binh", 2, 3) not in out and not d.changed.is_set()

    assert d.update({"configs": {}, "firmware": {"targets": {}}}, fetch)  # rollout stopped
    assert not list(tmp_path.glob("downlink/*.fwb"))  # bundles nobody is offered are removed
    assert d.retained()[fw_offer_topic("hoa-binh", 4097)] == b""


def test_status_needs_the_nodes_mic_and_survives_a_restart(tmp_path: Path) -> None:
    d = downlink(tmp_path)
    assert d.report(4097)["firmware"] is None
    assert not d.on_status(4097, status_payload(KEYS[4098], 3, "run", 0, 0))  # another node's key
    assert not d.on_status(4099, status_payload(KEYS[4097], 3, "run", 0, 0))  # unknown node
    assert d.on_status(4097, status_payload(KEYS[4097], 2, "fetch", 12, 40, "v3"))
    d.learn_farm(4097, "1")
    again = downlink(tmp_path)  # the gateway restarts while the server is unreachable
    r = again.report(4097)
    assert (r["firmware"], r["fw_state"], r["fw_progress"], r["fw_detail"]) == ("v2", "fetch", [12, 40], "v3")
    assert again.farms == {4097: "1"}
