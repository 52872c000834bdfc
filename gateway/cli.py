"""``farm gateway ...``: run the gateway, generate the broker config, show node health offline."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from cli.args import host_port
from gateway.mosquitto import write_broker_files
from gateway.service import Gateway, GatewayConfig


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gateway", help="run and inspect the farm gateway")
    gsub = p.add_subparsers(dest="gateway_cmd", required=True)

    run = gsub.add_parser("run", help="receive node frames over MQTT and forward them to the server")
    run.add_argument("--data-dir", type=Path, default=Path("var/gateway"), help="outbox and key cache")
    run.add_argument("--server", required=True, help="server base URL, e.g. http://127.0.0.1:8000")
    run.add_argument(
        "--token-env", default="RUONGSO_GATEWAY_TOKEN", help="environment variable with the token"
    )
    run.add_argument("--mqtt", type=host_port, default=("127.0.0.1", 1883), help="broker HOST:PORT")
    run.add_argument("--mqtt-user", default="gateway")
    run.add_argument("--mqtt-password-env", default="RUONGSO_MQTT_PASSWORD")
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
    conf.set_defaults(func=_mosquitto_config)


def _secret(env: str) -> str:
    value = os.environ.get(env)
    if not value:
        sys.exit(f"error: set the environment variable {env}")
    return value


def _run(args: argparse.Namespace) -> int:
    from gateway.mqtt import MqttIntake

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    gw = Gateway(GatewayConfig(args.data_dir, args.server, _secret(args.token_env)))
    intake = MqttIntake(
        gw.processor, args.mqtt[0], args.mqtt[1], args.mqtt_user, _secret(args.mqtt_password_env)
    )
    gw.start([intake.run])
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(5):
            gw.write_health()
    except KeyboardInterrupt:
        pass
    gw.shutdown()
    return 0


def _status(args: argparse.Namespace) -> int:
    path = args.data_dir / "health.json"
    if not path.exists():
        sys.exit(f"error: no health file at {path}: is the gateway running with this --data-dir?")
    health = json.loads(path.read_text())
    if args.json:
        print(json.dumps(health, indent=1))
        return 0
    print(f"queue depth / hàng đợi: {health['queue_depth']}")
    print(f"last upload / lần gửi cuối: {health['last_upload']}")
    for node_id, st in health["nodes"].items():
        print(
            f"node {node_id}: accepted {st.get('accepted', 0)}, forged {st.get('forged', 0)}, "
            f"duplicates {st.get('duplicates', 0)}, gaps {st.get('gaps', 0)}, "
            f"battery {st.get('battery', '?')} V, "
            f"faults {','.join(st.get('faults', [])) or '-'}"
        )
    return 0


def _mosquitto_config(args: argparse.Namespace) -> int:
    cache = json.loads(args.keys.read_text())
    nodes = {int(n["node_id"]): bytes.fromhex(n["key"]) for n in cache["nodes"]}
    conf = write_broker_files(
        args.out, args.listen[0], args.listen[1], "gateway", _secret(args.gateway_password_env), nodes
    )
    print(f"wrote {conf}")
    return 0
