"""What waits at the gateway for sleeping nodes: signed configs and firmware update bundles.

A node is reachable only in the seconds after it sends, so everything for it is a **retained**
MQTT message that the broker hands over the moment the node subscribes (``firmware/lib/topics``):

* ``farm/<farm>/node/<id>/cmd/config``  the node's latest signed config (``nodeconfig``);
* ``farm/<farm>/node/<id>/cmd/fw``      the signed manifest of the bundle this node should run
  (an empty retained message withdraws it);
* ``farm/<farm>/fw/<version>/<index>``  the bundle's chunks, shared by the farm's nodes.

The server says what each node should get (``GET /api/v1/gateway/updates``); the gateway keeps
the bundles on disk (``<data dir>/downlink/<version>.fwb``), so delivery continues while the
server is unreachable. ``<farm>`` is the segment the node itself publishes under, learnt from its
frames. Nodes answer with a MIC'd status (``linkproto.status_payload``) after each send cycle;
the latest one goes into the fleet report the server reads.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from firmware.lib import fwbundle, nodeconfig
from firmware.lib import linkproto as lp
from firmware.lib.linkproto import espnow_config_chunks, parse_status
from firmware.lib.topics import config_topic, fw_chunk_topic, fw_offer_topic
from gateway.keys import NodeKeys

log = logging.getLogger("gateway.downlink")


class Downlink:
    def __init__(self, data_dir: Path, keys: NodeKeys) -> None:
        self.dir = data_dir / "downlink"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.keys = keys
        self.changed = threading.Event()  # set when the retained set must be published again
        self._lock = threading.Lock()
        self.configs: dict[int, str] = {}
        self.targets: dict[int, int] = {}
        self.farms: dict[int, str] = {}
        self.status: dict[int, dict[str, Any]] = {}
        try:
            doc = json.loads((self.dir / "state.json").read_text())
            self.configs = {int(k): str(v) for k, v in doc.get("configs", {}).items()}
            self.targets = {int(k): int(v) for k, v in doc.get("targets", {}).items()}
            self.farms = {int(k): str(v) for k, v in doc.get("farms", {}).items()}
            self.status = {int(k): v for k, v in doc.get("status", {}).items()}
        except (OSError, ValueError, AttributeError):
            pass
        self.changed.set()

    def _save(self) -> None:
        doc = {
            "configs": self.configs,
            "targets": self.targets,
            "farms": self.farms,
            "status": self.status,
        }
        tmp = self.dir / "state.tmp"
        tmp.write_text(json.dumps(doc))
        os.replace(tmp, self.dir / "state.json")

    # -- from the server -----------------------------------------------------------------------
    def bundle_path(self, version: int) -> Path:
        return self.dir / f"{int(version)}.fwb"

    def bundle(self, version: int) -> tuple[bytes, bytes] | None:
        """(manifest, payload) of a kept bundle that is whole, else None."""
        try:
            manifest, payload = fwbundle.from_file(self.bundle_path(version).read_bytes())
            body = fwbundle.unsigned_body(manifest)
        except (OSError, fwbundle.BundleError):
            return None
        if body["version"] != version or not fwbundle.payload_ok(body, payload):
            return None
        return manifest, payload

    def keep_bundle(self, version: int, data: bytes) -> bool:
        """Store a bundle file from the server if it is whole (the node checks the signature)."""
        try:
            manifest, payload = fwbundle.from_file(data)
            body = fwbundle.unsigned_body(manifest)
        except fwbundle.BundleError as exc:
            log.error("event=bundle_refused version=%d error=%r", version, str(exc))
            return False
        if body["version"] != version or not fwbundle.payload_ok(body, payload):
            log.error("event=bundle_refused version=%d error='payload does not match manifest'", version)
            return False
        tmp = self.bundle_path(version).with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, self.bundle_path(version))
        return True

    def update(self, doc: dict[str, Any], fetch: Callable[[int], bytes]) -> bool:
        """Adopt the server's answer; fetch bundles not kept yet. Returns True when anything changed."""
        configs = {int(k): str(v) for k, v in (doc.get("configs") or {}).items() if v}
        firmware = doc.get("firmware") or {}
        targets = {int(k): int(v) for k, v in (firmware.get("targets") or {}).items()}
        for version in sorted(set(targets.values())):
            if self.bundle(version) is None and not self.keep_bundle(version, fetch(version)):
                targets = {n: v for n, v in targets.items() if v != version}
        with self._lock:
            if configs == self.configs and targets == self.targets:
                return False
            self.configs, self.targets = configs, targets
            self._save()
        for stale in self.dir.glob("*.fwb"):
            if stale.stem.isdigit() and int(stale.stem) not in set(targets.values()):
                stale.unlink(missing_ok=True)
        self.changed.set()
        log.info("event=downlink_updated configs=%d fw_targets=%d", len(configs), len(targets))
        return True

    # -- from the nodes ------------------------------------------------------------------------
    def learn_farm(self, node_id: int, farm: str) -> None:
        with self._lock:
            if self.farms.get(node_id) == farm:
                return
            self.farms[node_id] = farm
            self._save()
        self.changed.set()

    def on_status(self, node_id: int, payload: bytes) -> bool:
        info = self.keys.get(node_id)
        parsed = None if info is None else parse_status(info.key, payload)
        if parsed is None:
            log.warning("event=status_refused node=%d", node_id)
            return False
        version, state, got, total, detail = parsed
        with self._lock:
            self.status[node_id] = {
                "fw_version": version,
                "fw_state": state,
                "fw_got": got,
                "fw_total": total,
                "fw_detail": detail,
                "fw_seen": int(time.time()),
            }
            self._save()
        return True

    def report(self, node_id: int) -> dict[str, Any]:
        """The node's firmware fields for the fleet report (None where the node never said)."""
        st = self.status.get(node_id, {})
        version = st.get("fw_version")
        return {
            "firmware": None if version is None else f"v{version}",  # the fleet screen's column
            "fw_version": version,
            "fw_state": st.get("fw_state"),
            "fw_progress": [st.get("fw_got"), st.get("fw_total")] if st else None,
            "fw_detail": st.get("fw_detail"),
            "fw_seen": st.get("fw_seen"),
            "fw_target": self.targets.get(node_id),
        }

    def espnow_config(self, node_id: int, reported: int | None) -> list[bytes]:
        """ESP-NOW payloads of the node's signed config, when it runs an older version (the bridge
        sends them right after the node's ack, while its radio still listens: ``link_espnow``)."""
        blob = self.configs.get(node_id)
        info = self.keys.get(node_id)
        if blob is None or info is None:
            return []
        try:
            version = nodeconfig.parse(info.key, blob.encode())["version"]
        except nodeconfig.ConfigError:
            return []  # not for this node's key: the node would refuse it anyway
        if reported is not None and int(reported) >= version:
            return []
        return list(espnow_config_chunks(blob.encode()))

    def espnow_notice(self, node_id: int) -> list[bytes]:
        """The offer notice for an ESP-NOW node targeted with a kept bundle it does not run yet."""
        version = self.targets.get(node_id)
        if version is None or self.status.get(node_id, {}).get("fw_version") == version:
            return []
        return [lp.espnow_fw_notice(version)] if self.bundle(version) is not None else []

    def espnow_answer(self, msg: bytes) -> list[bytes]:
        """ESP-NOW payloads answering a node's request through the bridge (``linkproto``): its
        offer's manifest, one chunk, or nothing (a status is taken, a request not targeted ignored)."""
        req = lp.parse_request(msg)
        if req is None:
            return []
        kind, node_id, arg, index = req
        if kind == lp.ESPNOW_STATUS:
            self.on_status(node_id, bytes(arg) if isinstance(arg, bytes) else b"")
            return []
        if self.targets.get(node_id) != arg or not isinstance(arg, int):
            return []  # not what this node is offered (withdrawn since, or another node's)
        kept = self.bundle(arg)
        if kept is None:
            return []
        if kind == lp.ESPNOW_OFFER_REQ:
            return espnow_config_chunks(kept[0], lp.ESPNOW_MANIFEST)
        body = fwbundle.unsigned_body(kept[0])
        if index is None or index >= fwbundle.chunk_count(body):
            return []
        step = body["chunk"]
        return lp.espnow_chunk_pieces(index, kept[1][index * step : (index + 1) * step])

    # -- what the broker should hold -----------------------------------------------------------
    def retained(self) -> dict[str, bytes]:
        """topic → payload of every retained message the nodes should find now."""
        self.changed.clear()
        out: dict[str, bytes] = {}
        with self._lock:
            farms, configs, targets = dict(self.farms), dict(self.configs), dict(self.targets)
        for node_id, farm in farms.items():
            if node_id in configs:
                out[config_topic(farm, node_id)] = configs[node_id].encode()
            version = targets.get(node_id)
            kept = None if version is None else self.bundle(version)
            out[fw_offer_topic(farm, node_id)] = b"" if kept is None else kept[0]
            if kept is not None:
                body = fwbundle.unsigned_body(kept[0])
                step = body["chunk"]
                for i in range(fwbundle.chunk_count(body)):
                    out[fw_chunk_topic(farm, version, i)] = kept[1][i * step : (i + 1) * step]
        return out
