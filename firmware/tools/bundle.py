"""``farm node bundle``: build a signed firmware update bundle from this repository.

farm node bundle --version 7 --out fw-7.fwb                      # key from $FARM_FW_KEY (64 hex)
farm node bundle --version 7 --min-batt 3.8 --mpy --json --out fw-7.fwb

The bundle holds the application files of ``firmware/`` (node, lib, drivers), flattened into one
slot directory on the node, and a manifest signed with the cooperative's firmware key
(``firmware.lib.fwbundle``). ``main.py``, ``boot.py`` and ``fwboot.py`` are never in a bundle: they
choose the slot and roll back, so an update cannot break them (docs/firmware-updates.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from pathlib import Path

from cli.args import bounded_float, bounded_int, env_name
from cli.errors import CommandError, UsageError
from firmware.lib import fwbundle
from firmware.tools import deploy as dep

BOOT_FILES = ("main.py", "boot.py", "fwboot.py")
KEY_ENV = "FARM_FW_KEY"


def cooperative_key(env: str) -> bytes:
    """The 32-byte cooperative firmware key, hex, from the environment (never a command argument,
    which other users could read in the process list)."""
    text = os.environ.get(env, "").strip()
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise UsageError(f"set {env} to the cooperative's firmware key: 64 hex digits")
    return bytes.fromhex(text)


def app_files() -> list[tuple[Path, str]]:
    """(source, flat name) of every application file that travels in a bundle."""
    fw = dep.ROOT / "firmware"
    out: list[tuple[Path, str]] = []
    for folder in ("lib", "drivers", "node"):
        for src in sorted((fw / folder).glob("*.py")):
            if src.name != "__init__.py" and src.name not in BOOT_FILES:
                out.append((src, src.name))
    return out


def build(key: bytes, version: int, board: str, min_batt_v: float, mpy: bool) -> tuple[bytes, bytes]:
    files = app_files()
    with tempfile.TemporaryDirectory() as tmp:
        if mpy:
            try:
                files = dep.compile_mpy(files, Path(tmp), dep.find_tool("mpy-cross"))
            except dep.ToolMissing as e:
                raise CommandError(str(e)) from None
        contents = [(name, src.read_bytes()) for src, name in files]
    try:
        return fwbundle.make(key, contents, version, board, min_batt_v)
    except fwbundle.BundleError as e:
        raise UsageError(str(e)) from None


def cmd_bundle(args: argparse.Namespace) -> int:
    key = cooperative_key(args.key_env)
    manifest, payload = build(key, args.version, args.board, args.min_batt, args.mpy)
    data = fwbundle.to_file(manifest, payload)
    args.out.write_bytes(data)
    body = fwbundle.unsigned_body(manifest)
    chunks = fwbundle.chunk_count(body)
    if args.json:
        print(
            json.dumps(
                {
                    "version": args.version,
                    "board": args.board,
                    "min_batt_v": args.min_batt,
                    "files": len(body["files"]),
                    "size": body["size"],
                    "chunks": chunks,
                    "sha256": body["sha256"],
                    "out": str(args.out),
                }
            )
        )
    else:
        print(
            f"bundle version {args.version} for {args.board}: {len(body['files'])} files, "
            f"{body['size']} bytes in {chunks} chunks -> {args.out}"
        )
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bundle",
        help="build a signed firmware update bundle",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--version",
        type=bounded_int(1, 0xFFFFFFFF),
        required=True,
        help="bundle version, a whole number above the one the nodes run",
    )
    p.add_argument("--board", choices=fwbundle.BOARDS, default="esp32", help="target board")
    p.add_argument(
        "--min-batt",
        type=bounded_float(*fwbundle.MIN_BATT_RANGE, unit="V"),
        default=3.7,
        help="install only at or above this battery voltage (default 3.7 V)",
    )
    p.add_argument("--mpy", action="store_true", help="precompile with mpy-cross (smaller, faster boot)")
    p.add_argument(
        "--key-env",
        type=env_name,
        default=KEY_ENV,
        help=f"environment variable holding the key (default {KEY_ENV})",
    )
    p.add_argument("--out", type=Path, required=True, help="bundle file to write, e.g. fw-7.fwb")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_bundle)
