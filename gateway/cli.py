"""``farm gateway ...``: run the gateway, generate the broker config, show node health offline.

Every value is checked when the command line is parsed, so a typo in a systemd unit fails at once
with one line naming the option, not minutes later inside a thread. Secrets are never arguments:
options name the environment variables that hold them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cli.args import (
    bounded_float,
    bounded_int,
    env_name,
    existing_dir,
    existing_file,
    host_port,
    port_number,
)
from cli.errors import CommandError, UsageError
from gateway import texts
from gateway.mosquitto import write_broker_files


def _server_url(text: str) -> str:
    """argparse type: an http(s) base URL with a host."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"expected a URL like https://server.example or http://HOST:PORT, got {text!r}"
        )
    try:
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}") from None
    return text.rstrip("/")


def _valve_spec(text: str) -> str:
    """argparse type: ``NAME=gpioN[:low],...``, checked now and parsed again when the gateway starts."""
    from gateway.actuators import parse_valves

    try:
        parse_valves(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``farm gateway run|status|mosquitto-config``."""
    p = sub.add_parser(
        "gateway",
        help="run and inspect the farm gateway",
        description="The farm gateway: MQTT and serial intake, durable outbox, forwarding; "
        "node health offline.",
    )
    gsub = p.add_subparsers(dest="gateway_cmd", required=True, metavar="SUBCOMMAND")

    run = gsub.add_parser(
        "run",
        help="receive node frames (MQTT, serial bridge) and forward them to the server",
        description="Verify, store and forward node frames; run local rules; serve a status page. "
        "Kiểm tra, lưu và chuyển tiếp dữ liệu nút; chạy luật tưới tại chỗ; trang trạng thái.",
    )
    run.add_argument("--data-dir", type=Path, default=Path("var/gateway"), help="outbox, key and rule cache")
    run.add_argument(
        "--server",
        required=True,
        type=_server_url,
        help="server base URL, e.g. http://127.0.0.1:8000 (required)",
    )
    run.add_argument(
        "--token-env",
        type=env_name,
        default="RUONGSO_GATEWAY_TOKEN",
        help="environment variable holding the gateway's API token",
    )
    run.add_argument("--mqtt", type=host_port, default="127.0.0.1:1883", help="local broker HOST:PORT")
    run.add_argument("--no-mqtt", action="store_true", help="serial bridge only, no broker")
    run.add_argument("--mqtt-user", default="gateway", help="the gateway's broker user name")
    run.add_argument(
        "--mqtt-password-env",
        type=env_name,
        default="RUONGSO_MQTT_PASSWORD",
        help="environment variable holding the gateway's broker password",
    )
    run.add_argument(
        "--serial",
        help="ESP-NOW bridge serial device, e.g. /dev/serial/by-id/usb-... (default: none, no bridge)",
    )
    run.add_argument(
        "--serial-baud", type=bounded_int(1200, 4_000_000), default=115200, help="bridge serial speed, baud"
    )
    run.add_argument(
        "--status-port", type=port_number, default=8090, help="local status page on 127.0.0.1, 0: off"
    )
    run.add_argument(
        "--outbox-max-mb",
        type=bounded_float(0, 1_000_000, "MB"),
        default=1024,
        help="outbox bound in MB; when full, nodes get no acks and keep their data; 0: unbounded",
    )
    run.add_argument(
        "--valves",
        type=_valve_spec,
        default="",
        help="valve wiring, e.g. 'v1=gpio17,v2=gpio27:low' (default: none wired)",
    )
    run.add_argument(
        "--broker-dir",
        type=existing_dir,
        help="regenerate this broker's passwd/acl when node keys change (default: none, left alone)",
    )
    run.add_argument(
        "--broker-pid-file",
        type=Path,
        default=Path("/run/mosquitto/mosquitto.pid"),
        help="pid file of the broker to signal after regenerating its files",
    )
    run.add_argument(
        "--broker-user",
        help="user the broker runs as, owner of its passwd file (default: none, unchanged)",
    )
    run.add_argument(
        "--key-refresh-s",
        type=bounded_float(1, 86400, "s"),
        default=300.0,
        help="seconds between fetches of node keys from the server",
    )
    run.add_argument(
        "--health-push-s",
        type=bounded_float(0, 86400, "s"),
        default=60.0,
        help="seconds between node-health reports to the server, 0: off",
    )
    run.add_argument("--log-format", choices=("kv", "json"), default="kv", help="log line format")
    run.set_defaults(func=_run)

    status = gsub.add_parser(
        "status",
        help="node health from the local gateway, no internet needed",
        description="Node health and outbox state from the gateway's health file; works offline.",
    )
    status.add_argument(
        "--data-dir",
        type=Path,
        default=Path("var/gateway"),
        help="the gateway's --data-dir (holds health.json)",
    )
    status.add_argument("--json", action="store_true", help="print the health document as JSON")
    status.set_defaults(func=_status)

    conf = gsub.add_parser(
        "mosquitto-config",
        help="write mosquitto.conf, passwd and acl for the nodes",
        description="Write the local broker's mosquitto.conf, passwd (hashed) and per-node ACL from the "
        "node key cache; the gateway password is read from an environment variable.",
    )
    conf.add_argument(
        "--keys", type=existing_file, required=True, help="node key cache, node-keys.json (required)"
    )
    conf.add_argument("--out", type=Path, required=True, help="directory to write the three files (required)")
    conf.add_argument("--listen", type=host_port, default="127.0.0.1:1883", help="broker listener HOST:PORT")
    conf.add_argument(
        "--gateway-password-env",
        type=env_name,
        default="RUONGSO_MQTT_PASSWORD",
        help="environment variable holding the gateway's broker password",
    )
    conf.add_argument(
        "--persistence-dir",
        type=Path,
        help="keep queued QoS 1 messages across broker restarts here (default: none, not kept)",
    )
    conf.add_argument(
        "--run-as", help="user the broker drops to, Debian: mosquitto (default: none, the unit's user)"
    )
    conf.set_defaults(func=_mosquitto_config)


def _secret(env: str) -> str:
    value = os.environ.get(env)
    if not value:
        raise UsageError(f"set the environment variable {env}")
    return value


def _run(args: argparse.Namespace) -> int:
    from gateway.actuators import parse_valves
    from gateway.logfmt import setup_logging
    from gateway.service import BrokerSync, Gateway, GatewayConfig

    token = _secret(args.token_env)  # both secrets before any thread starts: a missing one is exit 2
    mqtt_password = None if args.no_mqtt else _secret(args.mqtt_password_env)
    setup_logging(args.log_format)
    broker = None
    if args.broker_dir is not None and mqtt_password is not None:
        broker = BrokerSync(
            args.broker_dir, args.broker_pid_file, args.mqtt_user, mqtt_password, args.broker_user
        )
    config = GatewayConfig(
        args.data_dir,
        args.server,
        token,
        key_refresh_s=args.key_refresh_s,
        outbox_max_bytes=int(args.outbox_max_mb * 1024 * 1024) if args.outbox_max_mb > 0 else None,
        health_push_s=args.health_push_s,
        valves=parse_valves(args.valves),
        broker=broker,
    )
    gw = Gateway(config)
    intakes: list[Callable[[threading.Event], None]] = []
    if mqtt_password is not None:
        from gateway.mqtt import MqttIntake

        mqtt_intake = MqttIntake(
            gw.processor, args.mqtt[0], args.mqtt[1], args.mqtt_user, mqtt_password, gw.downlink
        )
        intakes.append(mqtt_intake.run)
        gw.extra_health["mqtt"] = lambda: {
            "connected": mqtt_intake.connected.is_set(),
            "received": mqtt_intake.received,
            "oversized": mqtt_intake.oversized,
        }
    if args.serial:
        from gateway.serial_bridge import SerialIntake

        serial_intake = SerialIntake(gw.processor, args.serial, args.serial_baud, downlink=gw.downlink)
        intakes.append(serial_intake.run)
        gw.extra_health["serial"] = lambda: dict(serial_intake.stats.__dict__)
    status_server = None
    if args.status_port:
        from gateway.status_page import StatusServer

        status_server = StatusServer(gw.health, "127.0.0.1", args.status_port)
        status_server.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    gw.start(intakes)
    done.wait()
    if status_server is not None:
        status_server.stop()
    gw.shutdown()
    return 0


def _ago(ts: float | None, now: float) -> str:
    if ts is None:
        return "—"
    s = int(now - ts)
    return f"{s // 3600} h {s % 3600 // 60} min"


def _status(args: argparse.Namespace) -> int:
    path = args.data_dir / "health.json"
    if not path.exists():
        raise UsageError(f"no health file at {path}: is the gateway running with this --data-dir?")
    try:
        health: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    if args.json:
        print(json.dumps(health, indent=1, ensure_ascii=False))
        return 0
    now = time.time()
    written = health.get("time")
    print(f"health file / tệp trạng thái: {_ago(written, now)} ago / trước")
    print(f"queue depth / hàng đợi: {health['queue_depth']} frames / khung")
    used, cap = health.get("outbox_bytes", 0), health.get("outbox_max_bytes")
    alarm = "  ALARM / CẢNH BÁO: outbox nearly full / hàng đợi sắp đầy" if health.get("outbox_alarm") else ""
    print(
        f"outbox / dung lượng: {used / 1e6:.1f} MB"
        + (f" of / trên {cap / 1e6:.0f} MB" if cap else "")
        + alarm
    )
    print(f"last upload / lần gửi cuối: {_ago(health.get('last_upload'), now)} ago / trước")
    if health.get("last_error"):
        print(f"last error / lỗi gần nhất: {health['last_error']}")
    visits = health.get("needs_visit", [])
    print()
    print(f"needs a visit / cần đến kiểm tra: {len(visits)}")
    for v in visits:
        print(f"  [{v['severity']}] node / nút {v['node_id']}")
        for r in v["reasons"]:
            print(f"      - {' / '.join(texts.of_reason(r))}")
    alerts = health.get("alerts", [])
    if alerts:
        print()
        print("alerts / cảnh báo:")
        for a in alerts[-5:]:
            print(f"  {_ago(a['at'], now)} ago: {' / '.join(texts.of_alert(a))}")
    return 0


def _node_keys(path: Path) -> dict[int, bytes]:
    """node id -> key from the gateway's key cache, each entry checked."""
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read --keys {path}: {exc}") from None
    nodes: dict[int, bytes] = {}
    entries = cache.get("nodes") if isinstance(cache, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f'--keys {path}: expected {{"nodes": [{{"node_id": N, "key": HEX}}, ...]}}')
    for i, entry in enumerate(entries):
        node_id = entry.get("node_id") if isinstance(entry, dict) else None
        key = entry.get("key") if isinstance(entry, dict) else None
        if isinstance(node_id, bool) or not isinstance(node_id, int) or not 0 < node_id <= 0xFFFFFFFF:
            raise UsageError(f"--keys {path}: nodes[{i}].node_id must be an integer 1-4294967295")
        try:
            nodes[node_id] = bytes.fromhex(key) if isinstance(key, str) and key else b""
        except ValueError:
            nodes[node_id] = b""
        if not nodes[node_id]:
            raise UsageError(f"--keys {path}: nodes[{i}].key must be the node key in hex")
    return nodes


def _mosquitto_config(args: argparse.Namespace) -> int:
    nodes = _node_keys(args.keys)
    password = _secret(args.gateway_password_env)
    if shutil.which("mosquitto_passwd") is None:
        raise CommandError("mosquitto_passwd not found: install Debian's 'mosquitto' package")
    conf = write_broker_files(
        args.out, args.listen[0], args.listen[1], "gateway", password, nodes,
        persistence_dir=args.persistence_dir, run_as=args.run_as,
    )  # fmt: skip
    print(f"wrote {conf}")
    return 0
