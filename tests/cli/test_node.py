"""``farm node config|pinout|power-budget|flash|deploy`` through the installed script."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.farmrun import clean_env, farm, farm_script, ok, ok_json, one_line_error


def test_config_writes_a_signed_config_the_power_budget_reads(tmp_path: Path) -> None:
    out = tmp_path / "nodes" / "4097"
    env = clean_env(FARM_WIFI_PSK="wifi-key-1234", FARM_MQTT_PASSWORD="broker-pass-1234")
    args = ["--node-id", "4097", "--out", str(out), "--wifi-ssid", "farm-net", "--interval", "10m", "--json"]
    result = ok_json(farm("node", "config", *args, cwd=tmp_path, env=env))
    assert result["node_id"] == 4097 and result["version"] == 1
    config, secrets = Path(result["config"]), Path(result["secrets"])
    assert config == out / "config.json" and config.is_file() and secrets.is_file()
    assert json.loads(secrets.read_text())["node_key"]  # the key the gateway must be told
    budget = ok_json(farm("node", "power-budget", "--config", str(out), "--json", cwd=tmp_path))
    assert budget["interval_s"] == 600  # read back from the signed config
    assert budget["battery_days"] > 0 and budget["charge_per_cycle_mC"] > 0


def test_power_budget_defaults(tmp_path: Path) -> None:
    budget = ok_json(
        farm("node", "power-budget", "--uplink", "espnow", "--interval", "15m", "--json", cwd=tmp_path)
    )
    assert budget["uplink"] == "espnow" and budget["interval_s"] == 900
    assert set(budget["breakdown_mC"]) >= {"boot", "sensors", "radio"}
    text = ok(farm("node", "power-budget", cwd=tmp_path))
    assert "battery life:" in text and "days" in text


def test_pinout_agrees_with_the_firmware_and_prints_json(tmp_path: Path) -> None:
    assert "agree" in ok(farm("node", "pinout", "--check", cwd=tmp_path))
    signals = ok_json(farm("node", "pinout", "--board", "esp32", "--format", "json", cwd=tmp_path))
    assert isinstance(signals, dict) and "sensor_power" in signals


def test_flash_dry_run_prints_the_esptool_commands(tmp_path: Path) -> None:
    image = tmp_path / "micropython.bin"
    image.write_bytes(b"\0" * 64)
    out = ok(farm("node", "flash", "/dev/ttyUSB0", "--image", str(image), "--dry-run", cwd=tmp_path))
    assert "write_flash" in out or "write-flash" in out
    assert str(image) in out


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["config", "--node-id", "0", "--out", "x"], ["--node-id", "1-4294967295"]),
        (["config", "--node-id", "7", "--out", "x", "--sensors", "soil,laser"], ["laser"]),
        (["config", "--node-id", "7", "--out", "x", "--static-ip", "10.0.0.300/24"], ["--static-ip"]),
        (["config", "--node-id", "7", "--out", "x", "--uplink", "espnow"], ["--espnow-peer"]),
        (["config", "--node-id", "7", "--out", "x", "--wifi-psk-env", "not a name"], ["--wifi-psk-env"]),
        (["power-budget", "--interval", "5s"], ["--interval", "60 s"]),
        (["power-budget", "--config", "no/such/dir"], ["--config", "no/such/dir"]),
        (["power-budget", "--uplink", "lora", "--sf", "13"], ["--sf", "7-12"]),
        (["pinout", "--board", "esp8266"], ["esp8266", "esp32"]),
        (["flash", "/dev/ttyUSB0", "--image", "missing.bin"], ["--image", "missing.bin"]),
        (["deploy", "not a port", "--dry-run"], ["serial port"]),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    one_line_error(farm("node", *args, cwd=tmp_path), *needles)
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``farm node pinout | head -1``: the reader goes away; no traceback, the shell's SIGPIPE status."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: deterministic EPIPE
    try:
        proc = subprocess.run(
            [farm_script(), "node", "pinout", "--format", "markdown"], cwd=tmp_path, env=clean_env(),
            stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""


def _installed(printed: str, tool: str) -> str:
    """The program a dry run names: an absolute path to the project's installed ``tool``."""
    program = printed.split()[0]
    assert Path(program).is_absolute() and Path(program).name.startswith(tool), printed
    return program


def test_deploy_dry_run_names_the_installed_mpremote_which_runs(tmp_path: Path) -> None:
    """After the README's setup (requirements.lock), ``farm node deploy`` finds mpremote even from a
    shell whose PATH lacks the virtual environment."""
    env = clean_env(FARM_WIFI_PSK="wifi-key-1234", FARM_MQTT_PASSWORD="broker-pass-1234")
    env["PATH"] = "/usr/bin:/bin"
    out = tmp_path / "node-4097"
    ok(farm("node", "config", "--node-id", "4097", "--out", str(out), "--wifi-ssid", "farm-net",
            cwd=tmp_path, env=env))  # fmt: skip
    printed = ok(farm("node", "deploy", "/dev/ttyUSB0", "--config-dir", str(out), "--dry-run",
                      cwd=tmp_path, env=env))  # fmt: skip
    program = _installed(printed, "mpremote")
    assert "connect /dev/ttyUSB0" in printed and f"{out / 'secrets.json'} :secrets.json" in printed
    version = subprocess.run([program, "version"], capture_output=True, text=True, timeout=60, check=False)
    assert version.returncode == 0 and "mpremote" in version.stdout, version.stderr


def test_flash_dry_run_names_the_installed_esptool_which_runs(tmp_path: Path) -> None:
    image = tmp_path / "ESP32_GENERIC-v1.27.0.bin"
    image.write_bytes(b"\0" * 64)
    env = clean_env()
    env["PATH"] = "/usr/bin:/bin"
    printed = ok(farm("node", "flash", "/dev/ttyUSB0", "--image", str(image), "--erase", "--dry-run",
                      cwd=tmp_path, env=env))  # fmt: skip
    erase, write = printed.strip().splitlines()
    program = _installed(erase, "esptool")
    assert erase.endswith("--chip esp32 --port /dev/ttyUSB0 erase-flash")
    assert write.endswith(f"write-flash 0x1000 {image}")
    version = subprocess.run([program, "version"], capture_output=True, text=True, timeout=60, check=False)
    assert version.returncode == 0 and "esptool" in version.stdout.lower(), version.stderr
