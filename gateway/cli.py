"""``farm gateway ...``: run the gateway, generate the broker config, show node health offline."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli.args import host_port
from gateway.mosquitto import write_broker_files


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gateway", help="run and inspect the farm gateway")
    gsub = p.add_subparsers(dest="gateway_cmd", required=True)

    run = gsub.add_parser(
        "run",
        help="receive node frames (MQTT, serial bridge) and forward them to the server",
        description="Verify, store and forward node frames; run local rules; serve a status page. "
        "Kiểm tra, lưu và chuyển tiếp dữ liệu nút; chạy luật tưới tại chỗ; trang trạng thái.",
    )
    run.add_argument("--data-dir", type=Path, default=Path("var/gateway"), help="outbox, key and rule cache")
    run.add_argument("--server", required=True, help="server base URL, e.g. http://127.0.0.1:8000")
    run.add_argument(
        "--token-env", default="RUONGSO_GATEWAY_TOKEN", help="environment variable with the token"
    )
    run.add_argument("--mqtt", type=host_port, default=("127.0.0.1", 1883), help="broker HOST:PORT")
    run.add_argument("--no-mqtt", action="store_true", help="serial bridge only")
    run.add_argument("--mqtt-user", default="gateway")
    run.add_argument("--mqtt-password-env", default="RUONGSO_MQTT_PASSWORD")
    run.add_argument("--serial", help="bridge serial device, e.g. /dev/serial/by-id/usb-...; none by default")
    run.add_argument("--serial-baud", type=int, default=115200)
    run.add_argument("--status-port", type=int, default=8090, help="local status page on 127.0.0.1 (0: off)")
    run.add_argument("--outbox-max-mb", type=float, default=1024, help="outbox bound; full -> no acks")
    run.add_argument("--valves", default="", help="valve wiring, e.g. 'v1=gpio17,v2=gpio27:low'")
    run.add_argument("--broker-dir", type=Path, help="regenerate this broker's passwd/acl when keys change")
    run.add_argument("--broker-pid-file", type=Path, default=Path("/run/mosquitto/mosquitto.pid"))
    run.add_argument("--broker-user", help="user the broker runs as (owner of its passwd file)")
    run.add_argument("--key-refresh-s", type=float, default=300.0)
    run.add_argument("--health-push-s", type=float, default=60.0)
    run.add_argument("--log-format", choices=("kv", "json"), default="kv")
    run.set_defaults(func=_run)

    status = gsub.add_parser("status", help="node health from the local gateway, no internet needed")
    status.add_argument("--data-dir", type=Path, default=Path("var/gateway"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)

    conf = gsub.add_parser("mosquitto-config", help="write mosquitto.conf, passwd and acl for the nodes")
    conf.add_argument("--keys", type=Path, required=True, help="node key cache (node-keys.json)")
    conf.add_argument("--out", type=Path, required=True)
    conf.add_argument("--listen", type=host_port, default=("127.0.0.1", 1883))
    conf.add_argument("--gateway-password-env", default="RUONGSO_MQTT_PASSWORD")
    conf.add_argument(
        "--persistence-dir", type=Path, help="keep queued QoS 1 messages across broker restarts"
    )
    conf.add_argument("--run-as", help="user the broker drops to (Debian: mosquitto)")
    conf.set_defaults(func=_mosquitto_config)


def _secret(env: str) -> str:
    value = os.environ.get(env)
    if not value:
        sys.exit(f"error: set the environment variable {env}")
    return value


def _run(args: argparse.Namespace) -> int:
    from gateway.actuators import parse_valves
    from gateway.logfmt import setup_logging
    from gateway.service import BrokerSync, Gateway, GatewayConfig

    setup_logging(args.log_format)
    mqtt_password = None if args.no_mqtt else _secret(args.mqtt_password_env)
    broker = None
    if args.broker_dir is not None and mqtt_password is not None:
        broker = BrokerSync(
            args.broker_dir, args.broker_pid_file, args.mqtt_user, mqtt_password, args.broker_user
        )
    config = GatewayConfig(
        args.data_dir,
        args.server,
        _secret(args.token_env),
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

        mqtt_intake = MqttIntake(gw.processor, args.mqtt[0], args.mqtt[1], args.mqtt_user, mqtt_password)
        intakes.append(mqtt_intake.run)
        gw.extra_health["mqtt"] = lambda: {
            "connected": mqtt_intake.connected.is_set(),
            "received": mqtt_intake.received,
            "oversized": mqtt_intake.oversized,
        }
    if args.serial:
        from gateway.serial_bridge import SerialIntake

        serial_intake = SerialIntake(gw.processor, args.serial, args.serial_baud)
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
        sys.exit(f"error: no health file at {path}: is the gateway running with this --data-dir?")
    health: dict[str, Any] = json.loads(path.read_text())
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
            print(f"      - {r['vi']} / {r['en']}")
    alerts = health.get("alerts", [])
    if alerts:
        print()
        print("alerts / cảnh báo:")
        for a in alerts[-5:]:
            print(f"  {_ago(a['at'], now)} ago: {a['message_vi']} / {a['message_en']}")
    return 0


def _mosquitto_config(args: argparse.Namespace) -> int:
    cache = json.loads(args.keys.read_text())
    nodes = {int(n["node_id"]): bytes.fromhex(n["key"]) for n in cache["nodes"]}
    conf = write_broker_files(
        args.out, args.listen[0], args.listen[1], "gateway", _secret(args.gateway_password_env), nodes,
        persistence_dir=args.persistence_dir, run_as=args.run_as,
    )  # fmt: skip
    print(f"wrote {conf}")
    return 0
