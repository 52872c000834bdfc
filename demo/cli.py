"""``farm demo``: the whole chain on embedded defaults, no external service."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.args import port_number


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than zero")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run a demo cooperative in Vĩnh Phúc through the real chain")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=port_number, default=8080, help="web page port (0: any free port)")
    p.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="registry, time series, outbox")
    p.add_argument("--history-days", type=_positive, default=3.0, help="days of buffered history to replay")
    p.add_argument("--interval", type=_positive, default=10.0, help="seconds between live samples")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from demo.run import run_demo

    return run_demo(args.data_dir, args.host, args.port, args.history_days, args.interval)
