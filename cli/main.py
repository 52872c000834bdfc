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
import os
import select
import sys
from collections.abc import Callable, Sequence

from cli.errors import exit_code_for, one_line
from cli.parser import FarmArgumentParser

# Command -> module whose ``register(subparsers)`` adds it. Only the module of the command being run is
# imported, so ``farm gateway run`` on the farm's Raspberry Pi never loads the photo model's numpy and
# OpenCV; ``farm``, ``farm --help`` or an unknown command load them all. A component whose optional
# parts are absent from this checkout is skipped.
COMPONENTS: dict[str, str] = {
    "demo": "demo.cli",
    "server": "cli.server",
    "gateway": "gateway.cli",
    "node": "firmware.tools.cli",
    "vision": "vision.cli",
    "diagnose": "vision.cli",
    "advise": "server.advisory.cli",
    "officer": "server.officer.cli",
}


def _modules(argv: Sequence[str] | None) -> list[str]:
    """The component modules needed to parse ``argv``: the named command's, else all of them."""
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    if words and words[0] in COMPONENTS:
        return [COMPONENTS[words[0]]]
    return list(dict.fromkeys(COMPONENTS.values()))


def build_parser(argv: Sequence[str] | None = None, *, everything: bool = False) -> argparse.ArgumentParser:
    """The ``farm`` parser with the subcommands ``argv`` needs (``everything``: all present ones)."""
    parser = FarmArgumentParser(
        prog="farm",
        description="Ruộng Số — field-to-export farm monitoring (nodes, gateway, server, advice). "
        "Every subcommand has --help.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _modules([]) if everything else _modules(argv):
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
    args = build_parser(argv).parse_args(argv)
    handler: Callable[[argparse.Namespace], int | None] | None = getattr(args, "func", None)
    if handler is None:  # a component broke the convention: that is a bug, not the user's input
        raise RuntimeError(f"{args.farm_prog}: the subcommand registered no handler (set_defaults(func=))")
    try:
        result = handler(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        if not _stdout_closed():
            raise  # a socket or pipe of the command's own work: a bug or a real failure
        return 141  # the reader went away (``farm ... | head``): what the shell reports for SIGPIPE
    except Exception as exc:
        code = exit_code_for(exc)
        if code is None:
            raise  # a bug: keep the traceback
        print(f"{args.farm_prog}: error: {one_line(exc)}", file=sys.stderr)
        return code
    return int(result or 0)


def _stdout_closed() -> bool:
    """True when stdout is a pipe whose reader has gone (poll reports an error on its write end);
    stdout is then pointed at /dev/null so the interpreter's last flush prints no second error."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    if not any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0)):
        return False
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    return True


if __name__ == "__main__":
    sys.exit(main())
