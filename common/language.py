"""The languages the platform speaks, and how each writes numbers and dates: one home for both.

Every text the server or the gateway builds is a message key plus parameters, rendered for each
language of ``LANGS`` from a catalogue file (``{"key": {"vi": "...", "en": "..."}}``). Adding a
language is therefore a data change: its code here, its number/date conventions in ``FORMATS``,
and its texts in the catalogues and tables (a test fails while one is missing).

Parameters are rendered per language before substitution: ``int`` with no decimals, ``float``
with one, ``Num`` with the decimals it asks for, ``date`` in the language's date order, a mapping
``{lang: text}`` (a word such as a disease or market name, or a nested message) as that
language's text; anything else as ``str``. Lives in ``common`` because the gateway renders its own
alerts and visit reasons with it, offline, without the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

Lang = str  # a code of LANGS; a plain str so a new language needs no type change

LANGS: tuple[Lang, ...] = ("vi", "en")  # Vietnamese first: the default and every fallback
DEFAULT: Lang = LANGS[0]


@dataclass(frozen=True)
class Format:
    """How one language writes numbers and dates."""

    thousands: str
    decimal: str
    date: str  # strftime pattern


FORMATS: dict[Lang, Format] = {
    "vi": Format(thousands=".", decimal=",", date="%d/%m/%Y"),  # 1.234,5 · 11/03/2026
    "en": Format(thousands=",", decimal=".", date="%Y-%m-%d"),  # 1,234.5 · 2026-03-11
}


def _format(lang: Lang) -> Format:
    return FORMATS.get(lang) or FORMATS[DEFAULT]


@dataclass(frozen=True)
class Num:
    """A number parameter with its own count of decimals (plain floats get one)."""

    value: float
    decimals: int = 1


def format_number(value: float, decimals: int = 1, lang: Lang = DEFAULT) -> str:
    """``value`` with ``decimals`` decimals and the language's separators; -0 is printed as 0.

    ``format_number(1234.5, 1, "vi") == "1.234,5"``, ``format_number(1234.5, 1, "en") == "1,234.5"``.
    """
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    fmt = _format(lang)
    return text.replace(",", "\x00").replace(".", fmt.decimal).replace("\x00", fmt.thousands)


def format_date(day: date, lang: Lang = DEFAULT) -> str:
    """``day`` in the language's usual order (Vietnamese day/month/year, English ISO)."""
    return day.strftime(_format(lang).date)


def words(texts: Mapping[str, Any], lang: Lang) -> str:
    """The ``lang`` text of a ``{lang: text}`` mapping, falling back to the default language, so a
    word a table has not translated yet still shows (the data test reports it)."""
    found = texts.get(lang)
    return str(found if found not in (None, "") else texts.get(DEFAULT) or "")


def render_param(value: Any, lang: Lang) -> str:
    """One parameter as ``lang`` writes it (see the module docstring for the rules)."""
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, int):
        return format_number(value, 0, lang)
    if isinstance(value, float):
        return format_number(value, 1, lang)
    if isinstance(value, Num):
        return format_number(value.value, value.decimals, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, Mapping):
        return words(value, lang)
    return str(value)


def render(templates: Mapping[str, str], params: Mapping[str, Any]) -> dict[Lang, str]:
    """Every language of ``LANGS``: its template (the default language's when missing) filled with
    the parameters rendered for that language."""
    out: dict[Lang, str] = {}
    for lang in LANGS:
        template = templates.get(lang) or templates[DEFAULT]
        out[lang] = template.format(**{name: render_param(v, lang) for name, v in params.items()})
    return out


def plain(value: Any) -> Any:
    """A parameter as JSON can store it (dates as ISO text, ``Num`` as its value, words as is)."""
    if isinstance(value, Num):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def load_catalogue(path: Path) -> dict[str, dict[str, str]]:
    """The ``messages`` of a catalogue file: key -> {lang: template}."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    messages: dict[str, dict[str, str]] = doc["messages"]
    return messages
