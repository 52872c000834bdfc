"""The errors a ``farm`` subcommand may end with, and which of them are the user's input.

A user who types a wrong value should read one line that names it, not a traceback; a bug in the
code should still show its traceback, or nobody can fix it. So ``cli.main`` turns only these into a
one-line message and an exit status:

- :class:`UsageError` (exit 2): a handler found a bad argument that argparse alone cannot see,
  e.g. ``--tmax`` below ``--tmin``, a missing environment variable, a malformed input file;
- :class:`CommandError` (exit 1): the input was fine but the work could not be done, e.g. a tool
  that is not installed or a device that did not answer;
- the project's own validation errors listed in :data:`INPUT_ERRORS` (exit 2), raised by the domain
  code a handler calls, so a handler need not catch and rephrase each one.

Any other exception is a bug and propagates with its traceback.
"""

from __future__ import annotations

import sys


class CommandError(Exception):
    """The command could not do its work; the message is one line that says why and what to do."""

    exit_code = 1


class UsageError(CommandError):
    """An argument or input file the user gave is wrong; the message names it."""

    exit_code = 2


# "module:Class" of the validation errors the domain packages raise for bad input. They are looked up
# in ``sys.modules`` only when an exception is handled: a module that was never imported cannot have
# raised one, and the command line does not have to import every package to know its errors.
INPUT_ERRORS = (
    "server.advisory.errors:AdvisoryInputError",
    "server.advisory.kc:UnknownCrop",
    "firmware.lib.nodeconfig:ConfigError",
    "vision.preprocess:ImageError",
    "server.officer.boundaries:BoundaryError",
)


def input_error_types() -> tuple[type[BaseException], ...]:
    """The classes of :data:`INPUT_ERRORS` whose modules are loaded."""
    found: list[type[BaseException]] = []
    for spec in INPUT_ERRORS:
        module_name, _, class_name = spec.partition(":")
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.append(cls)
    return tuple(found)


def exit_code_for(exc: BaseException) -> int | None:
    """Exit status for an expected error, or None for a bug (which must keep its traceback)."""
    if isinstance(exc, CommandError):
        return exc.exit_code
    if isinstance(exc, input_error_types()):
        return 2
    return None


def one_line(exc: BaseException) -> str:
    """The error's message on one line (a KeyError's message without the quotes repr adds)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__
