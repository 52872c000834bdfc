"""``farm demo``: the whole chain on embedded defaults, no external service."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.args import bounded_float, port_number


def _host(text: str) -> str:
    """argparse type: an address or host name to listen on (no scheme, no port)."""
    if not text or any(c in text for c in " /:@") or not text.isascii():
        raise argparse.ArgumentTypeError(f"expected an address such as 127.0.0.1 or 0.0.0.0, got {text!r}")
    return text


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``farm demo``."""
    p = sub.add_parser(
        "demo",
        help="run a demo cooperative in Vĩnh Phúc through the real chain",
        description="A demo cooperative (3 farms, 8 fields, 12 simulated nodes) whose frames go through "
        "the real gateway and server; prints the address to open and the sign-ins. Ctrl+C stops it.",
    )
    p.add_argument("--host", type=_host, default="127.0.0.1", help="address the web page listens on")
    p.add_argument("--port", type=port_number, default=8080, help="web page port, 0: any free port")
    p.add_argument(
        "--data-dir", type=Path, default=Path("var/demo"), help="folder for registry, time series and outbox"
    )
    p.add_argument(
        "--history-days",
        type=bounded_float(0.01, 60, "days"),
        default=3.0,
        help="days of buffered history the nodes replay at start",
    )
    p.add_argument(
        "--interval",
        type=bounded_float(1, 3600, "s"),
        default=10.0,
        help="seconds between live samples of every node",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from demo.run import run_demo

    return run_demo(args.data_dir, args.host, args.port, args.history_days, args.interval)
