"""Commands that put MicroPython and the node firmware on a board (``esptool``, ``mpremote``).

Both tools run as subprocesses; they are pinned in ``requirements.lock`` (issue 18), so the
environment the README's setup makes has them next to the ``farm`` script, where ``find_tool`` looks
first (a shell need not have activated the virtual environment). Nothing is downloaded at run time.
The MicroPython image (``ESP32_GENERIC-*.bin`` / ``ESP32_GENERIC_S3-*.bin`` from
micropython.org) is a file the technician already has.

Device layout written by ``deploy``:
    /main.py /boot.py /app.py /store.py /hw.py /link_*.py /tipwake.py   (firmware/node)
    /lib/framecodec, hmac256, serialframe, nodeconfig, linkproto, topics (firmware/lib)
    /lib/soil, battery, ds18b20, sht, modbus_soil, pulses                 (firmware/drivers)
    /pinout.json (hardware/pinout.json), /config.json, /secrets.json     (farm node config)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# esptool write offsets from MicroPython ports/esp32/boards/*/board.json "deploy" notes
FLASH_OFFSETS = {"esp32": "0x1000", "esp32s3": "0x0"}
PORT_RE = re.compile(r"^(/dev/[\w./-]+|COM\d+|[auc][0-3]|auto|id:\S+|port:\S+|rfc2217://\S+)$")
KEEP_SOURCE = ("main.py", "boot.py")  # MicroPython only runs these as .py


class ToolMissing(RuntimeError):
    """A required external program is not installed."""


def check_port(port: str) -> str:
    if not PORT_RE.match(port):
        raise ValueError(f"expected a serial port like /dev/ttyUSB0, COM3, u0 or a0, got {port!r}")
    return port


def find_tool(*names: str) -> str:
    """The installed program: first beside the running interpreter (the project's environment),
    then on PATH. ``--dry-run`` resolves it too, so a dry run proves the tool is there."""
    here = str(Path(sys.executable).parent)
    for n in names:
        path = shutil.which(n, path=here) or shutil.which(n)
        if path:
            return path
    raise ToolMissing(f"{names[0]} not found: install it with 'pip install {names[0]}'")


def plan_files(config_dir: Path, board_role: str = "node") -> list[tuple[Path, str]]:
    """(local file, device path) for every file a node (or bridge) needs."""
    files = firmware_files(board_role)
    if board_role == "bridge":
        return files
    for name in ("config.json", "secrets.json"):
        p = config_dir / name
        if not p.is_file():
            raise ValueError(f"{p} missing: run 'farm node config' first")
        files.append((p, name))
    state = config_dir / "state.json"  # only with 'farm node config --counter-start'
    if state.is_file():
        files.append((state, "data/state.json"))
    return files


def firmware_files(board_role: str = "node") -> list[tuple[Path, str]]:
    """The files every board of ``board_role`` gets, without the node's own config and key: also what
    the technician's browser writes over Web Serial (mobile_api/technician/device_api.py)."""
    files: list[tuple[Path, str]] = []
    fw = ROOT / "firmware"
    for src in sorted((fw / "lib").glob("*.py")):
        if src.name != "__init__.py":
            files.append((src, "lib/" + src.name))
    if board_role == "bridge":
        for src in sorted((fw / "bridge").glob("*.py")):
            files.append((src, src.name))
        return [
            f
            for f in files
            if f[1] in ("lib/serialframe.py", "lib/linkproto.py") or not f[1].startswith("lib/")
        ]
    for src in sorted((fw / "drivers").glob("*.py")):
        files.append((src, "lib/" + src.name))
    for src in sorted((fw / "node").glob("*.py")):
        files.append((src, src.name))
    files.append((ROOT / "hardware" / "pinout.json", "pinout.json"))
    return files


def compile_mpy(files: list[tuple[Path, str]], staging: Path, mpy_cross: str) -> list[tuple[Path, str]]:
    """Precompile .py to .mpy (smaller, no compile step at every wake); main.py/boot.py stay .py."""
    out: list[tuple[Path, str]] = []
    for src, dest in files:
        if src.suffix != ".py" or dest in KEEP_SOURCE:
            out.append((src, dest))
            continue
        target = staging / (dest[:-3] + ".mpy")
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([mpy_cross, "-o", str(target), str(src)], check=True, capture_output=True)
        out.append((target, dest[:-3] + ".mpy"))
    return out


def mpremote_command(mpremote: str, port: str, files: list[tuple[Path, str]]) -> list[str]:
    """One chained mpremote invocation: make /lib, copy every file, reset."""
    mkdirs = "import os\nfor d in ('lib', 'data'):\n try:\n  os.mkdir(d)\n except OSError:\n  pass"
    cmd = [mpremote, "connect", port, "exec", mkdirs]
    for src, dest in files:
        cmd += ["+", "fs", "cp", str(src), ":" + dest]
    cmd += ["+", "reset"]
    return cmd


def deploy(
    port: str, config_dir: Path, mpy: bool = False, dry_run: bool = False, role: str = "node"
) -> list[str]:
    check_port(port)
    files = plan_files(config_dir, role)
    mpremote = find_tool("mpremote")
    with tempfile.TemporaryDirectory() as tmp:
        if mpy:
            mpy_cross = find_tool("mpy-cross")
            files = files if dry_run else compile_mpy(files, Path(tmp), mpy_cross)
        cmd = mpremote_command(mpremote, port, files)
        if not dry_run:
            subprocess.run(cmd, check=True)
    return cmd


def flash_command(
    port: str, image: Path, chip: str, erase: bool = False, baud: int = 460800, esptool: str = "esptool"
) -> list[list[str]]:
    """esptool v5 spelling (v4 accepts it too, with a warning): erase-flash, write-flash."""
    if chip not in FLASH_OFFSETS:
        raise ValueError(f"chip must be one of {sorted(FLASH_OFFSETS)}")
    cmds = []
    if erase:
        cmds.append([esptool, "--chip", chip, "--port", port, "erase-flash"])
    cmds.append(
        [
            esptool,
            "--chip",
            chip,
            "--port",
            port,
            "--baud",
            str(baud),
            "write-flash",
            FLASH_OFFSETS[chip],
            str(image),
        ]
    )
    return cmds


def flash(port: str, image: Path, chip: str, erase: bool = False, dry_run: bool = False) -> list[list[str]]:
    check_port(port)
    if not image.is_file():
        raise ValueError(f"MicroPython image {image} not found (download it beforehand from micropython.org)")
    esptool = find_tool("esptool", "esptool.py")
    cmds = flash_command(port, image, chip, erase, esptool=esptool)
    if not dry_run:
        for c in cmds:
            subprocess.run(c, check=True)
    return cmds
