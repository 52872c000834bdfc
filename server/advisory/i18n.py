"""Bilingual (Vietnamese / English) text and number formatting for advisories.

Messages are looked up by key so the server and the app can re-render them; numbers are
formatted per language before substitution (Vietnamese: decimal comma, dot thousands,
e.g. "1.234,5 mm"; English: "1,234.5 mm").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from server.advisory import data_files

Lang = Literal["vi", "en"]


def format_number(value: float, decimals: int = 1, lang: Lang = "vi") -> str:
    """Format a number with the language's separators; -0 is printed as 0."""
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    if lang == "vi":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


@dataclass(frozen=True)
class Text:
    """A message in both languages plus the key and parameters it was rendered from."""

    key: str
    vi: str
    en: str
    params: dict[str, str | float | int] = field(default_factory=dict)

    def get(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.vi if lang == "vi" else self.en


def _catalogue() -> dict[str, dict[str, str]]:
    messages: dict[str, dict[str, str]] = data_files.load("messages")["messages"]
    return messages


def level_text(level: str, lang: Lang) -> str:
    """Name of a risk level (none/low/moderate/high/unknown) in ``lang``."""
    levels: dict[str, dict[str, str]] = data_files.load("messages")["levels"]
    return levels[level][lang]


def _render(template: str, params: dict[str, str | float | int], lang: Lang) -> str:
    rendered: dict[str, str] = {}
    for name, value in params.items():
        if isinstance(value, (bool, str)):
            rendered[name] = str(value)
        elif isinstance(value, int):
            rendered[name] = format_number(value, 0, lang)
        else:
            rendered[name] = format_number(value, 1, lang)
    return template.format(**rendered)


def message(key: str, **params: str | float | int) -> Text:
    """Render message ``key`` in both languages; floats get one decimal, ints none."""
    entry = _catalogue()[key]
    vi, en = entry["vi"], entry["en"]
    return Text(key=key, vi=_render(vi, params, "vi"), en=_render(en, params, "en"), params=dict(params))
