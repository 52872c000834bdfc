"""``farm ... --help`` for every subcommand: it runs, and every option says what it is and its default.

The list of subcommands is read from the parser itself, so a subcommand added later is checked
without anyone remembering to add it here; the expected minimum below catches one that disappears.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cli.main import COMPONENTS, build_parser
from cli.parser import HelpFormatter
from tests.cli.farmrun import farm, ok

EXPECTED = {
    ("demo",),
    ("server",),
    ("gateway", "run"),
    ("gateway", "status"),
    ("gateway", "mosquitto-config"),
    ("node", "config"),
    ("node", "flash"),
    ("node", "deploy"),
    ("node", "power-budget"),
    ("node", "pinout"),
    ("vision", "train"),
    ("diagnose",),
    ("advise", "et0"),
    ("advise", "irrigation"),
    ("advise", "disease"),
}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every parser of the tree by its command path, groups ("farm node") included."""
    out = {path: parser}
    for name, child in _subparsers(parser).items():
        out.update(commands(child, (*path, name)))
    return out


ALL = commands(build_parser(everything=True))
LEAVES = sorted(path for path, p in ALL.items() if not _subparsers(p))


def test_every_expected_subcommand_is_registered() -> None:
    assert set(LEAVES) >= EXPECTED, f"missing: {EXPECTED - set(LEAVES)}"
    assert {path[0] for path in LEAVES} == set(COMPONENTS)


def test_every_subcommand_has_a_handler() -> None:
    no_handler = [" ".join(path) for path in LEAVES if ALL[path].get_default("func") is None]
    assert not no_handler, f"set_defaults(func=...) missing for: {no_handler}"


OPTION = re.compile(r"^  (-\S.*?|[A-Z_]+|\{.*?\})(?:\s{2,}(\S.*))?$")


def option_help(text: str) -> dict[str, str]:
    """Option (or positional) invocation -> its help text, from an argparse --help page."""
    entries: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        match = OPTION.match(line)
        if match:
            current = match.group(1)
            entries[current] = match.group(2) or ""
        elif current is not None and line.startswith(" " * 8) and line.strip():
            entries[current] = f"{entries[current]} {line.strip()}".strip()
        else:
            current = None
    return entries


def test_option_help_parser_sees_a_missing_help() -> None:
    page = (
        "options:\n  -h, --help  show this help\n  --model-dir MODEL_DIR\n"
        "  --epochs EPOCHS  epochs (default: 12)\n"
    )
    assert option_help(page) == {
        "-h, --help": "show this help",
        "--model-dir MODEL_DIR": "",
        "--epochs EPOCHS": "epochs (default: 12)",
    }


@pytest.mark.parametrize("path", [pytest.param(p, id=" ".join(p)) for p in LEAVES])
def test_help_page_gives_every_option_a_help_line(path: tuple[str, ...], tmp_path: Path) -> None:
    page = ok(farm(*path, "--help", cwd=tmp_path))
    assert page.startswith(f"usage: farm {' '.join(path)}")
    entries = option_help(page)
    expected = [a for a in ALL[path]._actions if a.option_strings]
    assert len([k for k in entries if k.startswith("-")]) == len(expected), entries
    empty = [name for name, text in entries.items() if not text]
    assert not empty, f"options without a help line: {empty}"


def _help_text(action: argparse.Action) -> str:
    return HelpFormatter("farm")._get_help_string(action) or ""


@pytest.mark.parametrize("path", [pytest.param(p, id=" ".join(p)) for p in LEAVES])
def test_every_optional_value_states_its_default(path: tuple[str, ...]) -> None:
    """An option that takes a value and may be left out says what happens then: "(default: ...)",
    or, for one that only some actions need, that those require it."""
    silent = [
        action.option_strings[0]
        for action in ALL[path]._actions
        if action.option_strings
        and action.nargs != 0
        and not action.required
        and not {"default", "required"} & set(re.findall(r"[a-z]+", _help_text(action).lower()))
    ]
    assert not silent, f"{' '.join(path)}: no default stated for {silent}"


def test_defaults_read_as_the_user_types_them(tmp_path: Path) -> None:
    page = ok(farm("node", "config", "--help", cwd=tmp_path))
    assert "(default: soil,ds18b20,sht4x,battery)" in " ".join(page.split())
    assert "(default: None)" not in page and "(default: False)" not in page
    gateway = " ".join(ok(farm("gateway", "run", "--help", cwd=tmp_path)).split())
    assert "(default: 127.0.0.1:1883)" in gateway


def test_server_help_lists_every_role(tmp_path: Path) -> None:
    from server.auth.roles import Role

    page = " ".join(ok(farm("server", "--help", cwd=tmp_path)).split())
    role_help = page[page.index("--role ROLE") :]
    assert all(role.value in role_help for role in Role), role_help
