"""Argument types shared by subcommands: each validates and says clearly what it expected.

Checking at parse time means a wrong value is reported by argparse as one line naming the option
(``argument --interval: ...``), before any work starts or any file is written.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def checked(convert: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse type from a domain parser whose ValueError message already says what it expected."""

    def parse(text: str) -> T:
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def host_port(text: str) -> tuple[str, int]:
    """``HOST:PORT`` with a port 1-65535."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def port_number(text: str) -> int:
    """A TCP port; 0 asks the system for any free one."""
    if not text.isdigit() or not 0 <= int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a TCP port 0-65535, got {text!r}")
    return int(text)


def finite_float(text: str) -> float:
    """A float that is a real measurement: ``nan`` and ``inf`` parse as floats but are not."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def bounded_float(low: float, high: float, unit: str = "") -> Callable[[str], float]:
    """argparse type: a finite float in [low, high]; the error names the range and unit."""

    def parse(text: str) -> float:
        value = finite_float(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value:g} is outside [{low:g}, {high:g}] {unit}".rstrip())
        return value

    return parse


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """argparse type: an integer in [low, high]."""

    def parse(text: str) -> int:
        digits = text.strip().removeprefix("-")
        if not digits.isascii() or not digits.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"expected an integer {low}-{high}, got {text!r}")
        return int(text)

    return parse


def existing_file(text: str) -> Path:
    """A path to a readable regular file."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    return path


def existing_dir(text: str) -> Path:
    """A path to an existing directory."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {text!r}")
    return path


def env_name(text: str) -> str:
    """The name of an environment variable (the secret itself never goes on the command line)."""
    if not text or not text.replace("_", "a").isalnum() or text[0].isdigit() or not text.isascii():
        raise argparse.ArgumentTypeError(f"expected an environment variable name, got {text!r}")
    return text


def existing_path(text: str) -> Path:
    """A path to an existing file or directory."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file or directory: {text!r}")
    return path


def ipv4_address(text: str) -> str:
    """A dotted IPv4 address such as ``192.168.4.1``."""
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an IPv4 address like 192.168.4.1, got {text!r}") from None
    return text


def ipv4_interface(text: str) -> str:
    """An IPv4 address with its prefix length 8-30, such as ``192.168.4.21/24``."""
    address, sep, prefix = text.partition("/")
    try:
        ipaddress.IPv4Address(address)
        ok = bool(sep) and prefix.isdigit() and 8 <= int(prefix) <= 30
    except ValueError:
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"expected an address like 192.168.4.21/24, got {text!r}")
    return text


def mac_address(text: str) -> str:
    """A MAC address in any usual spelling, returned as 12 lower-case hex digits."""
    mac = text.lower().replace(":", "").replace("-", "")
    if len(mac) != 12 or any(c not in "0123456789abcdef" for c in mac):
        raise argparse.ArgumentTypeError(f"expected a MAC like 24:6f:28:aa:bb:cc, got {text!r}")
    return mac
