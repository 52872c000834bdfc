"""``farm gateway status|mosquitto-config|run`` through the installed script.

The health file is written by the real gateway code (not a hand-made document), so a change of its
format that ``farm gateway status`` does not follow fails here.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from gateway.rules import Alert
from gateway.service import Gateway, GatewayConfig
from tests.cli.farmrun import clean_env, farm, ok, ok_json, one_line_error

NODE_KEY = "00112233445566778899aabbccddeeff"


@pytest.fixture
def gateway_dir(tmp_path: Path) -> Path:
    """A gateway data folder: one registered node never heard from, one local-rule alert."""
    data = tmp_path / "gw"
    data.mkdir()
    keys = {"nodes": [{"node_id": 4097, "key": NODE_KEY, "farm_id": 1, "field_id": 2}]}
    (data / "node-keys.json").write_text(json.dumps(keys), encoding="utf-8")
    gateway = Gateway(GatewayConfig(data, "http://127.0.0.1:9", "token"))
    # An alert made with the rule engine's own type: a change of its fields must show up here too.
    gateway.rules.alerts.append(
        Alert("soil-dry", int(time.time()) - 60, 0.12, "k", {}, {"vi": "Đất khô", "en": "Soil dry"})
    )
    gateway.write_health()
    gateway.outbox.close()
    return data


def test_status_lists_the_node_that_needs_a_visit(gateway_dir: Path, tmp_path: Path) -> None:
    health = ok_json(farm("gateway", "status", "--data-dir", str(gateway_dir), "--json", cwd=tmp_path))
    assert health["queue_depth"] == 0
    assert [v["node_id"] for v in health["needs_visit"]] == [4097]
    text = ok(farm("gateway", "status", "--data-dir", str(gateway_dir), cwd=tmp_path))
    assert "queue depth / hàng đợi: 0 frames" in text
    assert "needs a visit / cần đến kiểm tra: 1" in text and "node / nút 4097" in text
    assert "alerts / cảnh báo:" in text and "Đất khô / Soil dry" in text


def test_status_without_a_health_file_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = farm("gateway", "status", "--data-dir", str(tmp_path / "empty"), cwd=tmp_path)
    one_line_error(proc, "no health file", "--data-dir")


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="Debian package mosquitto not installed")
def test_mosquitto_config_writes_conf_passwd_and_acl(gateway_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "broker"
    env = clean_env(RUONGSO_MQTT_PASSWORD="gateway-secret-1")
    args = ["--keys", str(gateway_dir / "node-keys.json"), "--out", str(out), "--listen", "127.0.0.1:18830"]
    assert ok(farm("gateway", "mosquitto-config", *args, cwd=tmp_path, env=env)).startswith("wrote ")
    conf = (out / "mosquitto.conf").read_text()
    assert "listener 18830 127.0.0.1" in conf
    acl = (out / "acl").read_text()
    assert "topic write farm/+/node/4097/up" in acl
    passwd = (out / "passwd").read_text()
    assert "gateway:" in passwd and "gateway-secret-1" not in passwd  # hashed, never in clear


@pytest.mark.parametrize(
    ("keys", "needles"),
    [
        ('{"nodes": [{"node_id": 7, "key": "zz"}]}', ["nodes[0].key", "hex"]),
        ('{"nodes": [{"node_id": -1, "key": "00"}]}', ["nodes[0].node_id"]),
        ("[1, 2", ["cannot read --keys"]),
    ],
)
def test_mosquitto_config_bad_key_file_is_one_line_exit_2(
    tmp_path: Path, keys: str, needles: list[str]
) -> None:
    path = tmp_path / "node-keys.json"
    path.write_text(keys, encoding="utf-8")
    env = clean_env(RUONGSO_MQTT_PASSWORD="gateway-secret-1")
    proc = farm(
        "gateway",
        "mosquitto-config",
        "--keys",
        str(path),
        "--out",
        str(tmp_path / "b"),
        cwd=tmp_path,
        env=env,
    )
    one_line_error(proc, *needles)
    assert not (tmp_path / "b").exists()


def test_mosquitto_config_without_the_password_is_one_line_exit_2(gateway_dir: Path, tmp_path: Path) -> None:
    args = ["--keys", str(gateway_dir / "node-keys.json"), "--out", str(tmp_path / "b")]
    one_line_error(farm("gateway", "mosquitto-config", *args, cwd=tmp_path), "RUONGSO_MQTT_PASSWORD")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--server", "ftp://example"], ["--server"]),
        (["--server", "http://127.0.0.1:9", "--mqtt", "localhost"], ["--mqtt", "HOST:PORT"]),
        (["--server", "http://127.0.0.1:9", "--valves", "v1=pin17"], ["--valves", "gpio"]),
        (["--server", "http://127.0.0.1:9", "--outbox-max-mb", "-5"], ["--outbox-max-mb"]),
        (["--server", "http://127.0.0.1:9", "--status-port", "70000"], ["--status-port"]),
        (["--server", "http://127.0.0.1:9", "--broker-dir", "no/such/dir"], ["--broker-dir", "no/such/dir"]),
        (["--server", "http://127.0.0.1:9"], ["RUONGSO_GATEWAY_TOKEN"]),  # the token is not set
    ],
)
def test_run_refuses_bad_input_before_starting(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    proc = farm("gateway", "run", "--data-dir", str(tmp_path / "gw"), *args, cwd=tmp_path, timeout=20)
    one_line_error(proc, *needles)
    assert not (tmp_path / "gw").exists()  # nothing started, nothing written
