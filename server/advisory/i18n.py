"""Advisory texts as message keys with parameters, rendered in every language of ``LANGS``.

The templates live in ``data/messages.json`` (key -> {lang: template}); the languages and how
each writes numbers and dates live in ``common.language``. No caller names a language: a
``Text`` is read with ``get(lang)``, sent to the app with ``as_json()`` (``{"key", "vi", "en"}``,
one entry per language), so adding a language touches data, not this module or its callers.
A parameter that is itself a word (a disease, a market, a risk level) is passed as a ``Text`` or
a ``{lang: text}`` mapping and rendered per language too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from common.language import LANGS, Lang, Num, format_number, plain, render, words
from server.advisory import data_files

__all__ = ["LANGS", "Lang", "Num", "Text", "format_number", "level_text", "message", "text_of"]


@dataclass(frozen=True)
class Text:
    """A text in every language of ``LANGS`` plus the key and parameters it was rendered from."""

    key: str
    texts: Mapping[Lang, str]
    params: dict[str, Any] = field(default_factory=dict)

    def get(self, lang: Lang) -> str:
        """The text in ``lang`` (the default language's while ``lang`` has none)."""
        return words(self.texts, lang)

    def as_json(self) -> dict[str, str]:
        """``{"key": ..., "<lang>": ...}`` for each language: the shape the web apps read."""
        return {"key": self.key} | {lang: self.get(lang) for lang in LANGS}


def _catalogue() -> dict[str, dict[str, str]]:
    messages: dict[str, dict[str, str]] = data_files.load("messages")["messages"]
    return messages


def text_of(key: str, texts: Mapping[str, Any]) -> Text:
    """A ``Text`` for a table's own ``{lang: text}`` entry (a checklist item, a crop stage...)."""
    return Text(key, {lang: words(texts, lang) for lang in LANGS})


def level_text(level: str) -> Text:
    """Name of a risk level (none/low/moderate/high/unknown), a word for ``message`` parameters."""
    levels: dict[str, dict[str, str]] = data_files.load("messages")["levels"]
    return text_of(f"level.{level}", levels[level])


def _param(value: Any) -> Any:
    return dict(value.texts) if isinstance(value, Text) else value


def message(key: str, **params: Any) -> Text:
    """Render message ``key`` in every language: ints get no decimals, floats one, ``Num`` its
    own, dates the language's order, ``Text`` and ``{lang: text}`` parameters their language."""
    values = {name: _param(v) for name, v in params.items()}
    stored = {name: (v.key if isinstance(v, Text) else plain(v)) for name, v in params.items()}
    return Text(key=key, texts=render(_catalogue()[key], values), params=stored)
