"""``farm node bundle`` through the installed command, the bundle format's checks on CPython (the
same module the node runs), and the update cost model behind docs/benchmarks-firmware.md."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from firmware.lib import fwbundle
from firmware.tools import fwpower, power

FARM = Path(sys.executable).parent / "farm"
KEY = bytes(range(200, 232))


def farm(*args: str, key: str | None = KEY.hex()) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FARM_FW_KEY"}
    if key is not None:
        env["FARM_FW_KEY"] = key
    return subprocess.run([str(FARM), *args], env=env, capture_output=True, text=True, timeout=120)


def test_bundle_command_builds_a_bundle_the_node_accepts(tmp_path: Path) -> None:
    out = tmp_path / "fw-7.fwb"
    run = farm("node", "bundle", "--version", "7", "--min-batt", "3.8", "--json", "--out", str(out))
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    manifest, payload = fwbundle.from_file(out.read_bytes())
    body = fwbundle.accept(KEY, manifest, "esp32")
    assert (
        body["version"] == 7 and body["min_batt_v"] == 3.8 and summary["chunks"] == fwbundle.chunk_count(body)
    )
    names = [n for n, _ in body["files"]]
    assert "app.py" in names and "updater.py" in names and "framecodec.py" in names
    assert not {"main.py", "boot.py", "fwboot.py"} & set(names)  # the boot path is never replaced
    assert fwbundle.payload_ok(body, payload)
    step = body["chunk"]
    assert all(
        fwbundle.chunk_ok(body, i, payload[i * step : (i + 1) * step]) for i in range(summary["chunks"])
    )
    with pytest.raises(fwbundle.BundleError, match="bad signature"):
        fwbundle.accept(bytes(32), manifest, "esp32")
    with pytest.raises(fwbundle.BundleError, match="another board"):
        fwbundle.accept(KEY, manifest, "esp32s3")
    bad = bytearray(payload[:step])
    bad[10] ^= 1
    assert not fwbundle.chunk_ok(body, 0, bytes(bad))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--version", "0"), "--version"),
        (("--version", "3", "--min-batt", "4.5"), "--min-batt"),
        (("--version", "3", "--board", "esp8266"), "--board"),
    ],
)
def test_bundle_command_refuses_bad_values_in_one_line(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    run = farm("node", "bundle", *args, "--out", str(tmp_path / "x.fwb"))
    assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.fwb").exists()


def test_bundle_command_refuses_a_short_key(tmp_path: Path) -> None:
    run = farm("node", "bundle", "--version", "3", "--out", str(tmp_path / "x.fwb"), key="abcd")
    assert run.returncode == 2 and "64 hex digits" in run.stderr


def test_manifest_refuses_paths_and_sizes_that_do_not_add_up() -> None:
    for name in ("../main.py", "lib/app.py", "app.txt", ".py"):
        with pytest.raises(fwbundle.BundleError):
            fwbundle.make(KEY, [(name, b"x = 1\n")], 2, "esp32", 3.7)
    manifest, _ = fwbundle.make(KEY, [("app.py", b"x = 1\n")], 2, "esp32", 3.7)
    body = fwbundle.unsigned_body(manifest)
    body["files"] = [["app.py", 99]]
    with pytest.raises(fwbundle.BundleError, match="add up"):
        fwbundle.check(body)


def test_update_cost_follows_the_chunk_budget_and_the_power_model() -> None:
    cost = fwpower.update_cost(39000, chunks_per_wake=8, interval_s=900)
    assert cost.chunks == math.ceil(39000 / fwbundle.CHUNK) == 39
    assert cost.wakes == 5 and cost.hours_at_interval == 1.25
    assert cost.total_mC == pytest.approx(cost.fetch_mC + cost.install_mC)
    # a chunk costs less than a whole send cycle, and more than the MQTT round trip alone
    rtt = power.fig("mqtt_rtt_ms") * power.fig("wifi_session_ma") / 1000
    assert rtt < cost.per_chunk_mC < power.budget("wifi", 900).charge_per_cycle_mC
    daily = power.budget("wifi", 900).daily_C * 1000
    assert cost.battery_days == pytest.approx(cost.total_mC / daily)
    assert fwpower.update_cost(39000, chunks_per_wake=16).wakes == 3
    assert fwpower.update_cost(39000, send_every=4).wakes == 20  # chunks travel in send cycles only
