"""``farm node …``: configure, flash, deploy and plan sensor nodes.

farm node config --node-id 4097 --out nodes/4097 --uplink espnow --espnow-peer 246f28aabbcc
farm node flash /dev/ttyUSB0 --image ESP32_GENERIC-v1.27.0.bin --erase
farm node deploy /dev/ttyUSB0 --config-dir nodes/4097 --mpy
farm node power-budget --uplink lora --interval 15m --json
farm node pinout --board esp32 --format svg > wiring.svg
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from firmware.lib import nodeconfig
from firmware.tools import deploy as dep
from firmware.tools import nodecfg, pinout, power


def _interval(text: str) -> int:
    try:
        return power.parse_interval(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def _port(text: str) -> str:
    try:
        return dep.check_port(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def _node_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 0xFFFFFFFF:
        raise argparse.ArgumentTypeError(f"expected a node id 1-4294967295, got {text!r}")
    return int(text)


def _mac(text: str) -> str:
    mac = text.lower().replace(":", "").replace("-", "")
    if not re.fullmatch(r"[0-9a-f]{12}", mac):
        raise argparse.ArgumentTypeError(f"expected a MAC like 24:6f:28:aa:bb:cc, got {text!r}")
    return mac


def _sensors(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in names if s not in nodeconfig.SENSORS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown sensor(s) {bad}; choose from {', '.join(nodeconfig.SENSORS)}"
        )
    return names


def _farm_id(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", text):
        raise argparse.ArgumentTypeError(f"expected 1-32 letters, digits, '-' or '_', got {text!r}")
    return text


def _cal(text: str) -> dict[str, Any]:
    try:
        return nodecfg.parse_cal(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def _cidr(text: str) -> str:
    if (
        not re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}/\d{1,2}", text)
        or any(int(p) > 255 for p in text.split("/")[0].split("."))
        or not 8 <= int(text.split("/")[1]) <= 30
    ):
        raise argparse.ArgumentTypeError(f"expected an address like 192.168.4.21/24, got {text!r}")
    return text


def _ip(text: str) -> str:
    if not re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}", text) or any(int(p) > 255 for p in text.split(".")):
        raise argparse.ArgumentTypeError(f"expected an IPv4 address, got {text!r}")
    return text


def _positive(lo: int, hi: int) -> Any:
    def conv(text: str) -> int:
        if not text.isdigit() or not lo <= int(text) <= hi:
            raise argparse.ArgumentTypeError(f"expected an integer {lo}-{hi}, got {text!r}")
        return int(text)

    return conv


def _fail(cmd: str, msg: str, code: int = 2) -> int:
    print(f"farm node {cmd}: error: {msg}", file=sys.stderr)
    return code


# ---- handlers ------------------------------------------------------------------------------------
def cmd_config(args: argparse.Namespace) -> int:
    settings: dict[str, Any] = {
        "farm_id": args.farm_id,
        "board": args.board,
        "uplink": args.uplink,
        "interval_s": args.interval,
        "sensors": args.sensors,
    }
    optional = {
        "soil_cal": args.soil_cal,
        "wifi_ssid": args.wifi_ssid,
        "mqtt_host": args.mqtt_host,
        "static_ip": args.static_ip,
        "gateway_ip": args.gateway_ip,
        "espnow_peer": args.espnow_peer,
        "espnow_channel": args.espnow_channel,
        "send_every": args.send_every,
    }
    settings.update({k: v for k, v in optional.items() if v is not None})
    if args.uplink == "espnow" and not args.espnow_peer:
        return _fail("config", "--uplink espnow needs --espnow-peer (the bridge's MAC)")
    if args.uplink == "wifi" and not args.wifi_ssid:
        return _fail("config", "--uplink wifi needs --wifi-ssid")
    if bool(args.static_ip) != bool(args.gateway_ip):
        return _fail("config", "--static-ip and --gateway-ip go together")
    try:
        body, sec, cfg = nodecfg.generate(
            args.out,
            args.node_id,
            settings,
            os.environ.get(args.wifi_psk_env, ""),
            os.environ.get(args.mqtt_password_env, ""),
        )
    except ValueError as e:
        return _fail("config", str(e))
    if args.counter_start is not None:
        nodecfg.write_counter_start(args.out, args.counter_start)
    if args.json:
        print(
            json.dumps(
                {"node_id": args.node_id, "version": body["version"], "config": str(cfg), "secrets": str(sec)}
            )
        )
    else:
        print(
            f"node {args.node_id}: config version {body['version']} -> {cfg}; secrets -> {sec} (keep private;"
        )
        print("register the node id and key from secrets.json on the gateway)")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    try:
        cmd = dep.deploy(
            args.port, args.config_dir, args.mpy, args.dry_run, "bridge" if args.bridge else "node"
        )
    except ValueError as e:
        return _fail("deploy", str(e))
    except dep.ToolMissing as e:
        return _fail("deploy", str(e), 1)
    except subprocess.CalledProcessError as e:
        return _fail("deploy", f"{e.cmd[0]} failed with exit status {e.returncode}", 1)
    if args.dry_run:
        print(" ".join(cmd))
    return 0


def cmd_flash(args: argparse.Namespace) -> int:
    try:
        cmds = dep.flash(args.port, args.image, args.chip, args.erase, args.dry_run)
    except ValueError as e:
        return _fail("flash", str(e))
    except dep.ToolMissing as e:
        return _fail("flash", str(e), 1)
    except subprocess.CalledProcessError as e:
        return _fail("flash", f"esptool failed with exit status {e.returncode}; hold BOOT, tap RST, retry", 1)
    if args.dry_run:
        for c in cmds:
            print(" ".join(c))
    return 0


def _load_config(path: Path) -> dict[str, Any]:
    """Effective node config from a config dir or file; verified when secrets.json is beside it."""
    cfg_file = path / "config.json" if path.is_dir() else path
    blob = cfg_file.read_bytes()
    sec = cfg_file.parent / "secrets.json"
    if sec.exists():
        key = bytes.fromhex(json.loads(sec.read_text(encoding="utf-8"))["node_key"])
        return nodeconfig.effective(nodeconfig.parse(key, blob))
    body = json.loads(blob.split(b"\n")[0])
    nodeconfig.validate(body)
    return nodeconfig.effective(body)


def cmd_power(args: argparse.Namespace) -> int:
    cfg: dict[str, Any] = dict(nodeconfig.DEFAULTS)
    if args.config is not None:
        try:
            cfg = _load_config(args.config)
        except (OSError, ValueError) as e:
            return _fail("power-budget", f"cannot read node config {args.config}: {e}")
    uplink = args.uplink or cfg["uplink"]
    interval = args.interval or cfg["interval_s"]
    try:
        b = power.budget(
            uplink,
            interval,
            sensors=tuple(cfg["sensors"]),
            send_every=cfg["send_every"],
            probe_every=cfg["probe_every"],
            wifi_mode=args.wifi_mode,
            sf=args.sf,
            radio=args.radio,
            tx_dbm=args.tx_dbm,
            battery_mah=args.battery_mah,
            rain_mm_per_year=args.rain_mm_year,
            rain_mm_per_tip=cfg["rain_mm_per_tip"],
        )
    except ValueError as e:
        return _fail("power-budget", str(e))
    d = b.as_dict()
    parts: dict[str, float] = b.breakdown_mC
    if args.json:
        print(json.dumps(d))
        return 0
    print(
        f"uplink {uplink}, every {interval} s: {d['charge_per_cycle_mC']} mC per cycle "
        f"({', '.join(f'{k} {v}' for k, v in parts.items())})"
    )
    print(f"battery life: {d['battery_days']} days ({d['battery_months']} months)")
    for n in b.notes:
        print("  " + n)
    return 0


def cmd_pinout(args: argparse.Namespace) -> int:
    data = pinout.load()
    problems = pinout.check(data, pinout.firmware_signals())
    if args.check or problems:
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 1
        if args.check:
            print("pinout.json and firmware agree")
            return 0
    if args.render is not None:
        if not args.render.is_dir():
            return _fail("pinout", f"{args.render} is not a directory")
        for written in pinout.render_all(data, args.render):
            print(written)
        return 0
    if args.board not in data["boards"]:
        return _fail("pinout", f"unknown board {args.board!r}; pinout.json has {', '.join(data['boards'])}")
    if args.format == "json":
        print(json.dumps(data["boards"][args.board]["signals"], indent=1))
    elif args.format == "markdown":
        print(pinout.render_markdown(data), end="")
    elif args.format == "svg":
        print(pinout.render_svg(data, args.board), end="")
    else:
        print(pinout.render_text(data, args.board), end="")
    return 0


# ---- wiring --------------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:
    node = subparsers.add_parser(
        "node",
        help="sensor nodes: config, flash, deploy, power budget, pinout",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = node.add_subparsers(dest="node_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("config", help="generate a node's signed config and secrets file")
    p.add_argument("--node-id", type=_node_id, required=True)
    p.add_argument("--out", type=Path, required=True, help="directory for config.json and secrets.json")
    p.add_argument("--farm-id", type=_farm_id, default="demo", help="MQTT topic segment farm/<farm_id>/...")
    p.add_argument("--board", choices=nodeconfig.BOARDS, default="esp32")
    p.add_argument("--uplink", choices=nodeconfig.UPLINKS, default="wifi")
    p.add_argument("--interval", type=_interval, default=900, help="e.g. 15m, 900s, 1h")
    p.add_argument(
        "--sensors",
        type=_sensors,
        default=["soil", "ds18b20", "sht4x", "battery"],
        help="comma list from: " + ", ".join(nodeconfig.SENSORS),
    )
    p.add_argument(
        "--soil-cal",
        type=_cal,
        help="two_point:DRY_UV,WET_UV,DRY_VWC,WET_VWC | poly:C0,C1.. | piecewise:UV=VWC,..",
    )
    p.add_argument("--send-every", type=_positive(1, 96), help="transmit every N readings")
    p.add_argument("--wifi-ssid")
    p.add_argument(
        "--wifi-psk-env", default="FARM_WIFI_PSK", help="environment variable holding the Wi-Fi key"
    )
    p.add_argument("--mqtt-password-env", default="FARM_MQTT_PASSWORD")
    p.add_argument("--mqtt-host", type=_ip)
    p.add_argument("--static-ip", type=_cidr, help="e.g. 192.168.4.21/24 (saves ~0.9 s of Wi-Fi per wake)")
    p.add_argument("--gateway-ip", type=_ip)
    p.add_argument("--espnow-peer", type=_mac, help="the bridge ESP32's MAC")
    p.add_argument("--espnow-channel", type=_positive(1, 13))
    p.add_argument(
        "--counter-start",
        type=_positive(1, 0xFFFFFF00),
        help="first frame counter (replacement board keeping an id: above the gateway's last counter)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("flash", help="write the MicroPython image with esptool")
    p.add_argument("port", type=_port)
    p.add_argument("--image", type=Path, required=True, help="MicroPython .bin for the board")
    p.add_argument("--chip", choices=sorted(dep.FLASH_OFFSETS), default="esp32")
    p.add_argument("--erase", action="store_true", help="erase the whole flash first (new boards)")
    p.add_argument("--dry-run", action="store_true", help="print the esptool commands only")
    p.set_defaults(func=cmd_flash)

    p = sub.add_parser("deploy", help="copy firmware, pin map and the node's config with mpremote")
    p.add_argument("port", type=_port)
    p.add_argument("--config-dir", type=Path, default=Path("."), help="output of 'farm node config'")
    p.add_argument("--mpy", action="store_true", help="precompile with mpy-cross (faster wake)")
    p.add_argument("--bridge", action="store_true", help="deploy the ESP-NOW bridge firmware instead")
    p.add_argument("--dry-run", action="store_true", help="print the mpremote command only")
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("power-budget", help="charge per cycle and battery life")
    p.add_argument("--uplink", choices=power.UPLINKS)
    p.add_argument("--interval", type=_interval)
    p.add_argument("--config", type=Path, help="node config dir or config.json (interval, sensors, batching)")
    p.add_argument("--wifi-mode", choices=("static", "dhcp"), default="static")
    p.add_argument("--sf", type=_positive(7, 12), default=9, help="LoRa spreading factor")
    p.add_argument("--radio", choices=("sx1262", "sx1276"), default="sx1262")
    p.add_argument("--tx-dbm", type=_positive(2, 22), default=14)
    p.add_argument("--battery-mah", type=_positive(100, 100000))
    p.add_argument("--rain-mm-year", type=_positive(0, 10000), default=0, help="count rain-tip wakes too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_power)

    p = sub.add_parser("pinout", help="show, check or render the pin map")
    p.add_argument("--board", default="esp32")
    p.add_argument("--format", choices=("text", "markdown", "svg", "json"), default="text")
    p.add_argument("--render", type=Path, help="write pinout.md and wiring-<board>.svg into this directory")
    p.add_argument("--check", action="store_true", help="exit 1 if firmware and pinout.json disagree")
    p.set_defaults(func=cmd_pinout)
