"""``farm``: one entry point; each component registers its own subcommands.

The convention every component follows (``register(subparsers)`` in its ``cli`` module):

- each runnable subcommand sets ``func`` with ``parser.set_defaults(func=handler)``; the handler takes
  the parsed ``argparse.Namespace`` and returns the exit status;
- values are checked at parse time with argument types (``cli.args``) where one value decides;
- a check that needs several values or a file raises ``cli.errors.UsageError`` (or the domain's own
  validation error, see ``cli.errors.INPUT_ERRORS``): this module prints one line and exits 2;
- every option has a help text; the parser adds its default (``cli.parser.HelpFormatter``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from cli.errors import exit_code_for, one_line
from cli.parser import FarmArgumentParser

# Modules exposing ``register(subparsers)``; a component whose optional parts are absent is skipped.
COMPONENTS = (
    "demo.cli",
    "server.cli",
    "gateway.cli",
    "firmware.tools.cli",
    "vision.cli",
    "server.advisory.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The ``farm`` parser with every present component's subcommands."""
    parser = FarmArgumentParser(
        prog="farm",
        description="Ruộng Số — field-to-export farm monitoring (nodes, gateway, server, advice). "
        "Every subcommand has --help.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMPONENTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # component not present in this checkout
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; expected errors become one line on stderr and an exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] | None = getattr(args, "func", None)
    if handler is None:  # a component broke the convention: that is a bug, not the user's input
        raise RuntimeError(f"{args.farm_prog}: the subcommand registered no handler (set_defaults(func=))")
    try:
        result = handler(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except Exception as exc:
        code = exit_code_for(exc)
        if code is None:
            raise  # a bug: keep the traceback
        print(f"{args.farm_prog}: error: {one_line(exc)}", file=sys.stderr)
        return code
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
