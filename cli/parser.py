"""The argument parser every ``farm`` subcommand inherits: one-line errors and defaults in ``--help``.

``add_subparsers`` builds sub-parsers of its parent's class, so setting this class on the top-level
parser gives every component the same behaviour without each one having to ask for it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Append "(default: X)" where it reads well.

    argparse's own version prints "(default: None)" and "(default: False)", which tell a farmer or a
    technician nothing. Here an option whose absence needs words says so in its help text ("default:
    estimated from Tmin"); flags and help that already mentions its default are left alone.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or "default" in text.lower()
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or action.nargs == 0
            or not (action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE))
        ):
            return text
        shown = _show(default).replace("%", "%%")  # argparse %-formats the help text
        return f"{text} (default: {shown})"


def _show(value: Any) -> str:
    """A default as the user would type it."""
    if isinstance(value, list | tuple):
        return ",".join(_show(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"  # 300, not 300.0
    return str(value)


class FarmArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and whose help shows defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        # The innermost parser's value wins, so a handler's error can be prefixed with its command.
        self.set_defaults(farm_prog=self.prog)

    def error(self, message: str) -> NoReturn:
        """Exit 2 with ``PROG: error: MESSAGE (see PROG --help)`` instead of the usage block."""
        line = " ".join(message.split())
        sys.stderr.write(f"{self.prog}: error: {line} (see '{self.prog} --help')\n")
        sys.exit(2)
