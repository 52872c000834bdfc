"""The gateway's own texts (rule alerts, "needs a visit" reasons) as message keys with parameters.

Templates live in ``gateway/messages.json`` and are rendered for every language of
``common.language.LANGS`` with that language's number format, so the Pi at the farm words its
alerts offline and a new language is a data change (the server's catalogue is out of reach here:
the gateway imports only ``common``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from common.language import LANGS, Lang, load_catalogue, render

CATALOGUE = Path(__file__).with_name("messages.json")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """key -> {lang: template}, read once."""
    return load_catalogue(CATALOGUE)


def text(key: str, **params: Any) -> dict[Lang, str]:
    """Message ``key`` rendered in every language: ``{lang: text}``."""
    return render(catalogue()[key], params)


def of_alert(alert: dict[str, Any]) -> list[str]:
    """A health file alert's text in each language of ``LANGS``, in order; health files written
    before alerts became keys carry ``message_vi``/``message_en`` and still read."""
    message = alert.get("message") or {}
    return [str(message.get(lang) or alert.get(f"message_{lang}") or "") for lang in LANGS]


def of_reason(reason: dict[str, Any]) -> list[str]:
    """A health file reason's text in each language of ``LANGS``, in order."""
    return [str(reason.get(lang) or "") for lang in LANGS]
