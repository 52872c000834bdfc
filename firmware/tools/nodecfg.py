"""Generate a node's signed config and its secrets file (what ``farm node config`` writes).

Output directory layout (copied to the node's flash root by ``farm node deploy``):
    secrets.json   node id, 16-byte node key (hex), Wi-Fi PSK, MQTT password — keep it private;
                   the gateway needs the same node id + key to verify frames
                   and, when ``$FARM_FW_KEY`` is set, the cooperative's firmware key that
                   update bundles are checked with (``firmware.lib.fwbundle``)
    config.json    signed, versioned config blob (``firmware.lib.nodeconfig``)
Running it again for the same directory keeps the key and bumps the version by one.
"""

from __future__ import annotations

import json
import os
import secrets as pysecrets
from pathlib import Path
from typing import Any

from firmware.lib import nodeconfig

FW_KEY_ENV = "FARM_FW_KEY"  # the same variable ``farm node bundle`` signs with


def parse_cal(text: str) -> dict[str, Any]:
    """``two_point:DRY_UV,WET_UV,DRY_VWC,WET_VWC`` | ``poly:C0,C1,...`` | ``piecewise:UV=VWC,UV=VWC,...``."""
    model, sep, rest = text.partition(":")
    try:
        if model == "two_point" and sep:
            dry_uv, wet_uv, dry_vwc, wet_vwc = (float(x) for x in rest.split(","))
            return {
                "model": model,
                "dry_uv": int(dry_uv),
                "wet_uv": int(wet_uv),
                "dry_vwc": dry_vwc,
                "wet_vwc": wet_vwc,
            }
        if model == "poly" and sep:
            return {"model": model, "coef": [float(x) for x in rest.split(",")]}
        if model == "piecewise" and sep:
            pts = [p.split("=") for p in rest.split(",")]
            return {"model": model, "points": [[int(float(a)), float(b)] for a, b in pts]}
    except ValueError:
        pass
    raise ValueError(
        "expected two_point:DRY_UV,WET_UV,DRY_VWC,WET_VWC or poly:C0,C1,... or piecewise:UV=VWC,UV=VWC,..."
        f", got {text!r}"
    )


def write_counter_start(outdir: Path, start: int) -> Path:
    """state.json that makes a (replacement) node's first frame counter ``start``."""
    path = outdir / "state.json"
    path.write_text(json.dumps({"reserved_until": start, "clock": 0, "dropped": 0}), encoding="utf-8")
    return path


def generate(
    outdir: Path,
    node_id: int,
    settings: dict[str, Any],
    wifi_psk: str = "",
    mqtt_password: str = "",
    key: bytes | None = None,
) -> tuple[dict[str, Any], Path, Path]:
    """Write secrets.json and config.json; return (body, secrets path, config path)."""
    outdir.mkdir(parents=True, exist_ok=True)
    sec_path = outdir / "secrets.json"
    cfg_path = outdir / "config.json"
    version = 1
    old: dict[str, Any] = {}
    if sec_path.exists():
        old = json.loads(sec_path.read_text(encoding="utf-8"))
        if old.get("node_id") != node_id:
            raise ValueError(f"{sec_path} belongs to node {old.get('node_id')}, not {node_id}")
        if key is None:
            key = bytes.fromhex(old["node_key"])
        if cfg_path.exists():
            try:
                version = nodeconfig.parse(key, cfg_path.read_bytes())["version"] + 1
            except nodeconfig.ConfigError:
                version = 1
    if key is None:
        key = pysecrets.token_bytes(16)
    body: dict[str, Any] = {"node_id": node_id, "version": version}
    body.update(settings)
    try:
        blob = nodeconfig.sign(key, body)
    except nodeconfig.ConfigError as e:
        raise ValueError(str(e)) from e
    sec = {
        "node_id": node_id,
        "node_key": key.hex(),
        "wifi_psk": wifi_psk or old.get("wifi_psk", ""),
        "mqtt_password": mqtt_password or old.get("mqtt_password", ""),
    }
    fw_key = os.environ.get(FW_KEY_ENV, "").strip().lower() or old.get("fw_key", "")
    if fw_key:
        if len(fw_key) != 64 or any(c not in "0123456789abcdef" for c in fw_key):
            raise ValueError(f"{FW_KEY_ENV} must be the cooperative's firmware key: 64 hex digits")
        sec["fw_key"] = fw_key
    tmp = sec_path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(sec, f, indent=1)
    tmp.replace(sec_path)
    cfg_path.write_bytes(blob)
    return body, sec_path, cfg_path
