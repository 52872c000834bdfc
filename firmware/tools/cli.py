"""``farm node …``: configure, flash, deploy and plan sensor nodes.

farm node config --node-id 4097 --out nodes/4097 --uplink espnow --espnow-peer 246f28aabbcc
farm node flash /dev/ttyUSB0 --image ESP32_GENERIC-v1.27.0.bin --erase
farm node deploy /dev/ttyUSB0 --config-dir nodes/4097 --mpy
farm node power-budget --uplink lora --interval 15m --json
farm node pinout --board esp32 --format svg > wiring.svg

Bad values are refused before anything is written or flashed (a wrong node in a rice field costs a
trip): handlers raise ``cli.errors.UsageError`` (exit 2) or ``CommandError`` (exit 1, tool missing).
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

from cli.args import bounded_int, checked, env_name, existing_path, ipv4_address, ipv4_interface, mac_address
from cli.errors import CommandError, UsageError
from firmware.lib import nodeconfig
from firmware.tools import bundle, nodecfg, pinout, power
from firmware.tools import deploy as dep

_interval = checked(power.parse_interval)
_port = checked(dep.check_port)
_cal = checked(nodecfg.parse_cal)
_node_id = bounded_int(1, 0xFFFFFFFF)


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
        raise UsageError("--uplink espnow needs --espnow-peer (the bridge's MAC)")
    if args.uplink == "wifi" and not args.wifi_ssid:
        raise UsageError("--uplink wifi needs --wifi-ssid")
    if bool(args.static_ip) != bool(args.gateway_ip):
        raise UsageError("--static-ip and --gateway-ip go together")
    try:
        body, sec, cfg = nodecfg.generate(
            args.out,
            args.node_id,
            settings,
            os.environ.get(args.wifi_psk_env, ""),
            os.environ.get(args.mqtt_password_env, ""),
        )
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.counter_start is not None:
        nodecfg.write_counter_start(args.out, args.counter_start)
    result = {"node_id": args.node_id, "version": body["version"], "config": str(cfg), "secrets": str(sec)}
    if args.json:
        print(json.dumps(result))
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
        raise UsageError(str(e)) from None
    except dep.ToolMissing as e:
        raise CommandError(str(e)) from None
    except subprocess.CalledProcessError as e:
        raise CommandError(f"{e.cmd[0]} failed with exit status {e.returncode}") from None
    if args.dry_run:
        print(" ".join(cmd))
    return 0


def cmd_flash(args: argparse.Namespace) -> int:
    try:
        cmds = dep.flash(args.port, args.image, args.chip, args.erase, args.dry_run)
    except ValueError as e:
        raise UsageError(str(e)) from None
    except dep.ToolMissing as e:
        raise CommandError(str(e)) from None
    except subprocess.CalledProcessError as e:
        raise CommandError(
            f"esptool failed with exit status {e.returncode}; hold BOOT, tap RST, retry"
        ) from None
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
        except (OSError, ValueError, KeyError) as e:
            raise UsageError(f"cannot read node config {args.config}: {e}") from None
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
        raise UsageError(str(e)) from None
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
            raise UsageError(f"--render {args.render} is not a directory")
        for written in pinout.render_all(data, args.render):
            print(written)
        return 0
    if args.board not in data["boards"]:
        raise UsageError(f"unknown board {args.board!r}; pinout.json has {', '.join(data['boards'])}")
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
    """Add ``farm node config|flash|deploy|power-budget|pinout|bundle``."""
    node = subparsers.add_parser(
        "node",
        help="sensor nodes: config, flash, deploy, power budget, pinout, update bundles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = node.add_subparsers(dest="node_command", required=True, metavar="SUBCOMMAND")
    _add_config(sub)
    _add_flash_deploy(sub)
    _add_power_pinout(sub)
    bundle.add_parser(sub)


def _add_config(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config",
        help="generate a node's signed config and secrets file",
        description="Write config.json (signed with the node key) and secrets.json for one node; "
        "Wi-Fi key and broker password come from environment variables.",
    )
    p.add_argument("--node-id", type=_node_id, required=True, help="node id, 1-4294967295 (required)")
    p.add_argument(
        "--out", type=Path, required=True, help="directory for config.json and secrets.json (required)"
    )
    p.add_argument("--farm-id", type=_farm_id, default="demo", help="MQTT topic segment farm/<farm_id>/...")
    p.add_argument("--board", choices=nodeconfig.BOARDS, default="esp32", help="ESP32 board type")
    p.add_argument("--uplink", choices=nodeconfig.UPLINKS, default="wifi", help="how the node sends")
    p.add_argument(
        "--interval", type=_interval, default="15m", help="time between readings, e.g. 15m, 900s, 1h"
    )
    p.add_argument(
        "--sensors",
        type=_sensors,
        default="soil,ds18b20,sht4x,battery",
        help="comma list from: " + ", ".join(nodeconfig.SENSORS),
    )
    p.add_argument(
        "--soil-cal",
        type=_cal,
        help="soil probe calibration: two_point:DRY_UV,WET_UV,DRY_VWC,WET_VWC | poly:C0,C1.. | "
        "piecewise:UV=VWC,.. (default: the firmware's generic two_point curve)",
    )
    p.add_argument(
        "--send-every",
        type=bounded_int(1, 96),
        help=f"transmit every N readings, 1-96 (default: {nodeconfig.DEFAULTS['send_every']})",
    )
    p.add_argument("--wifi-ssid", help="Wi-Fi network name; needed with --uplink wifi (default: none)")
    p.add_argument(
        "--wifi-psk-env",
        type=env_name,
        default="FARM_WIFI_PSK",
        help="environment variable holding the Wi-Fi key",
    )
    p.add_argument(
        "--mqtt-password-env",
        type=env_name,
        default="FARM_MQTT_PASSWORD",
        help="environment variable holding the node's broker password",
    )
    p.add_argument(
        "--mqtt-host",
        type=ipv4_address,
        help=f"gateway broker IPv4 address (default: {nodeconfig.DEFAULTS['mqtt_host']})",
    )
    p.add_argument(
        "--static-ip",
        type=ipv4_interface,
        help="e.g. 192.168.4.21/24, saves ~0.9 s of Wi-Fi per wake; needs --gateway-ip (default: DHCP)",
    )
    p.add_argument(
        "--gateway-ip", type=ipv4_address, help="gateway IPv4 address with --static-ip (default: none)"
    )
    p.add_argument(
        "--espnow-peer",
        type=mac_address,
        help="the bridge ESP32's MAC; needed with --uplink espnow (default: none)",
    )
    p.add_argument(
        "--espnow-channel",
        type=bounded_int(1, 13),
        help=f"Wi-Fi channel 1-13 for ESP-NOW (default: {nodeconfig.DEFAULTS['espnow_channel']})",
    )
    p.add_argument(
        "--counter-start",
        type=bounded_int(1, 0xFFFFFF00),
        help="first frame counter, for a replacement board keeping an id: above the gateway's last "
        "counter (default: none, the node starts at 1)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_config)


def _add_flash_deploy(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "flash",
        help="write the MicroPython image with esptool",
        description="Write a MicroPython image to a board over USB serial with esptool.",
    )
    p.add_argument("port", type=_port, help="serial port, e.g. /dev/ttyUSB0, COM3, u0")
    p.add_argument(
        "--image", type=existing_path, required=True, help="MicroPython .bin for the board (required)"
    )
    p.add_argument("--chip", choices=sorted(dep.FLASH_OFFSETS), default="esp32", help="chip family")
    p.add_argument("--erase", action="store_true", help="erase the whole flash first (new boards)")
    p.add_argument("--dry-run", action="store_true", help="print the esptool commands only")
    p.set_defaults(func=cmd_flash)

    p = sub.add_parser(
        "deploy",
        help="copy firmware, pin map and the node's config with mpremote",
        description="Copy the firmware, the pin map and a node's config to a board with mpremote.",
    )
    p.add_argument("port", type=_port, help="serial port, e.g. /dev/ttyUSB0, COM3, u0")
    p.add_argument("--config-dir", type=Path, default=Path("."), help="output folder of 'farm node config'")
    p.add_argument("--mpy", action="store_true", help="precompile with mpy-cross (faster wake)")
    p.add_argument("--bridge", action="store_true", help="deploy the ESP-NOW bridge firmware instead")
    p.add_argument("--dry-run", action="store_true", help="print the mpremote command only")
    p.set_defaults(func=cmd_deploy)


def _add_power_pinout(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "power-budget",
        help="charge per cycle and battery life",
        description="Charge per wake cycle and battery life of a node, from its config or the defaults.",
    )
    p.add_argument(
        "--uplink", choices=power.UPLINKS, help="radio used to send (default: the config's, else wifi)"
    )
    p.add_argument(
        "--interval",
        type=_interval,
        help="time between readings, e.g. 15m (default: the config's, else 15m)",
    )
    p.add_argument(
        "--config",
        type=existing_path,
        help="node config dir or config.json for interval, sensors and batching (default: none, "
        "the firmware defaults)",
    )
    p.add_argument(
        "--wifi-mode",
        choices=("static", "dhcp"),
        default="static",
        help="Wi-Fi addressing (DHCP wakes longer)",
    )
    p.add_argument("--sf", type=bounded_int(7, 12), default=9, help="LoRa spreading factor, 7-12")
    p.add_argument("--radio", choices=("sx1262", "sx1276"), default="sx1262", help="LoRa radio chip")
    p.add_argument("--tx-dbm", type=bounded_int(2, 22), default=14, help="transmit power, dBm, 2-22")
    p.add_argument(
        "--battery-mah",
        type=bounded_int(100, 100000),
        help=f"battery capacity, mAh (default: {power.fig('battery_mah'):g}, an 18650 cell)",
    )
    p.add_argument(
        "--rain-mm-year",
        type=bounded_int(0, 10000),
        default=0,
        help="yearly rain, mm, to count rain-gauge tip wakes too",
    )
    p.add_argument("--json", action="store_true", help="print the budget as JSON")
    p.set_defaults(func=cmd_power)

    p = sub.add_parser(
        "pinout",
        help="show, check or render the pin map",
        description="The single-source pin map (hardware/pinout.json): show it, check the firmware "
        "against it, or render the wiring documents.",
    )
    p.add_argument("--board", default="esp32", help="board in pinout.json, e.g. esp32, esp32s3")
    p.add_argument(
        "--format", choices=("text", "markdown", "svg", "json"), default="text", help="output format"
    )
    p.add_argument(
        "--render",
        type=Path,
        help="write pinout.md and wiring-<board>.svg into this directory (default: none, print only)",
    )
    p.add_argument("--check", action="store_true", help="exit 1 if firmware and pinout.json disagree")
    p.set_defaults(func=cmd_pinout)
