"""``cli.main``: which errors become one line and an exit status, and which keep their traceback.

In-process, with a small fake component, because the point is the rule itself: an error the user
can fix is one line (exit 2, or 1 when the work failed); anything else is a bug and must propagate.
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Callable, Iterator

import pytest

from cli import main as farm_main
from cli.errors import CommandError, UsageError
from cli.parser import FarmArgumentParser, HelpFormatter
from server.advisory.errors import AdvisoryInputError
from server.advisory.kc import UnknownCrop


@pytest.fixture
def component(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[BaseException | None], None]]:
    """``farm boom run`` whose handler raises the given exception (or returns 0)."""
    raised: list[BaseException | None] = [None]

    def handler(args: argparse.Namespace) -> int:
        if raised[0] is not None:
            raise raised[0]
        return 0

    def register(sub: argparse._SubParsersAction) -> None:
        group = sub.add_parser("boom", help="a test component").add_subparsers(dest="boom_cmd", required=True)
        group.add_parser("run", help="run it").set_defaults(func=handler)
        sub.add_parser("nohandler", help="forgot set_defaults(func=...)")

    module = types.ModuleType("tests_cli_fake_component")
    module.register = register  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(farm_main, "COMPONENTS", {"boom": module.__name__, "nohandler": module.__name__})

    def set_raised(exc: BaseException | None) -> None:
        raised[0] = exc

    yield set_raised


@pytest.mark.parametrize(
    ("exc", "code", "line"),
    [
        (UsageError("--tmax must be >= --tmin"), 2, "farm boom run: error: --tmax must be >= --tmin"),
        (CommandError("esptool not found"), 1, "farm boom run: error: esptool not found"),
        (
            AdvisoryInputError("sunshine_h=17 exceeds\ndaylength"),
            2,
            "farm boom run: error: sunshine_h=17 exceeds daylength",
        ),
        (UnknownCrop("unknown crop 'durian'"), 2, "farm boom run: error: unknown crop 'durian'"),
    ],
)
def test_expected_errors_become_one_line_and_an_exit_status(
    component: Callable[[BaseException | None], None],
    capsys: pytest.CaptureFixture[str],
    exc: BaseException,
    code: int,
    line: str,
) -> None:
    component(exc)
    assert farm_main.main(["boom", "run"]) == code
    assert capsys.readouterr().err == line + "\n"


# A BrokenPipeError while stdout is fine comes from the command's own socket or pipe: not hidden.
@pytest.mark.parametrize(
    "bug",
    [
        ZeroDivisionError("division by zero"),
        KeyError("field"),
        ValueError("bug"),
        BrokenPipeError(32, "socket"),
    ],
)
def test_a_bug_keeps_its_traceback(component: Callable[[BaseException | None], None], bug: Exception) -> None:
    component(bug)
    with pytest.raises(type(bug)):
        farm_main.main(["boom", "run"])


def test_success_returns_0(component: Callable[[BaseException | None], None]) -> None:
    component(None)
    assert farm_main.main(["boom", "run"]) == 0


def test_a_subcommand_without_handler_is_a_bug_not_an_attribute_error(
    component: Callable[[BaseException | None], None],
) -> None:
    with pytest.raises(RuntimeError, match="set_defaults"):
        farm_main.main(["nohandler"])


def test_parse_errors_are_one_line_exit_2(
    component: Callable[[BaseException | None], None], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        farm_main.main(["boom", "walk"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(
        "farm boom: error: argument boom_cmd: invalid choice: 'walk'"
    )


def test_only_the_named_component_is_imported() -> None:
    assert farm_main._modules(["advise", "et0", "--help"]) == ["server.advisory.cli"]
    assert farm_main._modules(["--help"]) == list(dict.fromkeys(farm_main.COMPONENTS.values()))
    assert farm_main._modules(["no-such-command"]) == list(dict.fromkeys(farm_main.COMPONENTS.values()))


def _help(**kwargs: object) -> str:
    parser = FarmArgumentParser(prog="t")
    parser.add_argument("--x", **kwargs)  # type: ignore[arg-type]
    action = parser._actions[-1]
    return HelpFormatter("t")._get_help_string(action) or ""


def test_help_formatter_shows_defaults_only_where_they_read_well() -> None:
    assert _help(default=3, help="count") == "count (default: 3)"
    assert _help(default=300.0, help="seconds") == "seconds (default: 300)"
    assert _help(default=["a", "b"], help="list") == "list (default: a,b)"
    assert _help(default="5%", help="share") == "share (default: 5%%)"  # escaped for argparse's %-format
    assert _help(default=None, help="optional") == "optional"
    assert _help(action="store_true", help="flag") == "flag"
    assert _help(default=2, help="height (default: 2 m)") == "height (default: 2 m)"
