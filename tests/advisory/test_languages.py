"""Languages are a parameter: every language of ``LANGS`` has every text, and adding one is data.

The first tests fail when a message catalogue (the server's and the gateway's) or a data table
(crops, diseases, pesticides, VietGAP checklist, fertilisers, soils) lacks a text in one of the
languages, or when a language's template asks for other parameters than the default language's.
The last ones add a made-up language the way a translator would (its code, its number format, its
texts) and check that the server's messages, compliance findings and the gateway's alerts speak it
without a change to any module.
"""

from __future__ import annotations

import copy
import io
import json
import re
import sys
import tokenize
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from common import language
from common.language import FORMATS, LANGS, Format, format_date, format_number
from gateway import fleet, rules
from gateway import texts as gateway_texts
from server.advisory import data_files, i18n
from server.advisory.compliance.diary import SprayEntry
from server.advisory.compliance.rules import check_entry
from server.officer import alerts

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "server" / "advisory" / "data"
CATALOGUES = [DATA / "messages.json", ROOT / "gateway" / "messages.json"]
TABLES = sorted(p for p in DATA.glob("*.json") if p.name != "messages.json")
PLACEHOLDER = re.compile(r"{(\w+)}")
FAKE = "xx"  # a made-up language code
FAKE_FORMAT = Format(thousands="\u202f", decimal=",", date="%d.%m.%Y")


def language_texts(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``{lang: text}`` mapping in a JSON document: a dict whose default-language entry is a
    string (a message template, a crop's names, a checklist item's text...)."""
    if isinstance(node, dict):
        if isinstance(node.get(language.DEFAULT), str):
            yield where, node
        for key, value in node.items():
            yield from language_texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from language_texts(value, f"{where}[{i}]")


def missing(path: Path, langs: tuple[str, ...]) -> list[str]:
    """``file.place: lang`` for every text of ``path`` that has nothing in one of ``langs``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}{where}: {lang}"
        for where, texts in language_texts(doc)
        for lang in langs
        if not str(texts.get(lang) or "").strip() and str(texts[language.DEFAULT]).strip()
    ]


@pytest.mark.parametrize("path", CATALOGUES + TABLES, ids=lambda p: p.name)
def test_every_language_has_every_text(path: Path) -> None:
    assert any(True for _ in language_texts(json.loads(path.read_text(encoding="utf-8")))), path
    assert missing(path, LANGS) == []


def test_the_check_names_each_text_a_new_language_still_lacks() -> None:
    gaps = missing(DATA / "crops.json", (*LANGS, FAKE))
    assert gaps and all(g.endswith(f": {FAKE}") for g in gaps)
    assert ".crops.rice.names: xx" in {g.removeprefix("crops.json") for g in gaps}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.name)
def test_every_language_of_a_message_takes_the_same_parameters(path: Path) -> None:
    messages = json.loads(path.read_text(encoding="utf-8"))["messages"]
    for key, templates in messages.items():
        wanted = set(PLACEHOLDER.findall(templates[language.DEFAULT]))
        for lang in LANGS:
            assert set(PLACEHOLDER.findall(templates[lang])) == wanted, (key, lang)


def test_every_language_writes_numbers_and_dates_its_own_way() -> None:
    assert LANGS[0] == "vi" and language.DEFAULT == "vi"
    assert set(LANGS) <= set(FORMATS)
    assert format_number(1234.5, 1, "vi") == "1.234,5" and format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(-0.04, 1, "vi") == "0,0" and format_number(3.456, 2, "vi") == "3,46"
    assert (
        format_date(date(2026, 3, 11), "vi") == "11/03/2026"
        and format_date(date(2026, 3, 11), "en") == "2026-03-11"
    )


def test_one_number_format_serves_server_and_gateway() -> None:
    """The gateway's visit reasons and the server's advice write 5.0 hours the same way."""
    assert i18n.format_number is format_number
    reason = fleet.reasons_for(
        fleet.node_report(7, {"accepted": 100, "last_seen": 1_000, "battery": 4.0}, None, 1_000 + 5 * 3600)
    )[0]
    assert reason.get("vi") == "Mất liên lạc 5,0 giờ" and reason.get("en") == "No data for 5.0 h"
    assert set(reason.as_json()) >= {"code", "key", "params", *LANGS}


def test_words_are_parameters_rendered_per_language() -> None:
    """A market or a "banned/removed" kind is a word of its own message, never a Vietnamese string
    pasted into the English text."""
    entry = SprayEntry("e1", "F1", "rice", date(2026, 3, 1), actives=("fipronil",))
    banned = next(f for f in check_entry(entry, "EU") if f.code == "banned_in_vietnam")
    assert (
        banned.text.get("vi")
        == "Hoạt chất fipronil bị loại khỏi danh mục được phép ở Việt Nam theo 501/QĐ-BNN-BVTV."
    )
    assert (
        banned.text.get("en") == "fipronil is removed from the permitted list in Vietnam by 501/QĐ-BNN-BVTV."
    )
    jp = SprayEntry("e2", "F1", "rice", date(2026, 3, 1), actives=("azoxystrobin",))
    texts = [f.text.as_json() for f in check_entry(jp, "JP")]
    assert any("Nhật Bản" in t["vi"] and "Japan" in t["en"] for t in texts), texts


def _all_langs(monkeypatch: pytest.MonkeyPatch, langs: tuple[str, ...]) -> None:
    """Set ``LANGS`` in ``common.language`` and wherever a module bound that same tuple by name."""
    real = language.LANGS
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "LANGS", None) is real:
            monkeypatch.setattr(module, "LANGS", langs)


def _with_fake(doc: dict[str, Any], word: str) -> dict[str, Any]:
    """A copy of a catalogue or table where every text also has the made-up language."""
    fake = copy.deepcopy(doc)
    for _where, texts in language_texts(fake):
        texts[FAKE] = f"[{word}] " + str(texts.get("en") or texts[language.DEFAULT])
    return fake


@pytest.fixture
def fake_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new language as a translator adds it: its code, its formats, its texts. No module edited."""
    real_load = data_files.load
    faked = {name: _with_fake(real_load(name), FAKE) for name in ("messages", "pesticides")}
    monkeypatch.setattr(data_files, "load", lambda name: faked.get(name) or real_load(name))
    gateway_catalogue = {"messages": _with_fake({"messages": gateway_texts.catalogue()}, FAKE)["messages"]}
    monkeypatch.setattr(gateway_texts, "catalogue", lambda: gateway_catalogue["messages"])
    monkeypatch.setitem(FORMATS, FAKE, FAKE_FORMAT)
    _all_langs(monkeypatch, (*LANGS, FAKE))


@pytest.mark.usefixtures("fake_language")
def test_a_new_language_is_data_only_for_server_messages() -> None:
    text = i18n.message("irrigation.irrigate", depth_mm=1234.5, volume_m3=20.7, area_m2=500)
    assert set(text.as_json()) == {"key", *LANGS, FAKE}
    assert text.get(FAKE).startswith("[xx] Irrigate 1\u202f234,5 mm") and "500 m²" in text.get(FAKE)
    assert text.get("vi").startswith("Nên tưới 1.234,5 mm")  # the others are untouched
    risk = i18n.message(
        "disease.level", disease={"vi": "Đạo ôn", FAKE: "Xblast"}, level=i18n.level_text("high"), score=13.0
    )
    assert risk.get(FAKE) == "[xx] Xblast: [xx] high risk (score 13,0)."
    late = i18n.message("compliance.phi_not_elapsed", days_left=3, earliest_harvest=date(2026, 3, 11))
    assert "11.03.2026" in late.get(FAKE) and "11/03/2026" in late.get("vi")
    entry = SprayEntry("e1", "F1", "rice", date(2026, 3, 1), actives=("fipronil",))
    findings = check_entry(entry, "JP")
    assert findings and all(f.text.get(FAKE).startswith("[xx] ") for f in findings)
    words = alerts.render("alert_disease", {"vi": "Thăm đồng", "disease": "rice_blast"})
    message, title = words["message"], words["title"]
    assert message is not None and message[FAKE] == "Thăm đồng"  # the officer wrote only Vietnamese
    assert title is not None and title[FAKE].startswith("[xx] ")


@pytest.mark.usefixtures("fake_language")
def test_a_new_language_is_data_only_for_gateway_alerts() -> None:
    rule = rules.Rule("r1", field_id=1, valve="v1")
    alert = rules.refill_alert(rule, 1_000, 0.2123, 2.0)
    assert (
        alert.message[FAKE]
        == "[xx] Soil moisture 0,21 below refill point 0,25 for 2,0 h[xx] ; opening valve v1 for 20 min"
    )
    assert alert.message["vi"].startswith(
        "Độ ẩm đất 0,21 dưới ngưỡng tưới 0,25 đã 2,0 giờ; mở van v1 20 phút"
    )
    assert gateway_texts.of_alert(alert.as_json())[-1] == alert.message[FAKE]


def _names_a_language(path: Path) -> list[str]:
    """Code (not docstrings or comments) that names a language: a ``"vi"`` literal or a ``*_en`` name."""
    hits = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for tok in tokens:
        literal = tok.type == tokenize.STRING and tok.string.strip("\"'") in LANGS
        suffixed = tok.type == tokenize.NAME and any(tok.string.endswith(f"_{lang}") for lang in LANGS)
        if literal or suffixed:
            hits.append(f"{path.relative_to(ROOT)}:{tok.start[0]}: {tok.string}")
    return hits


# Places that still name languages on purpose, and why.
NAMED_ON_PURPOSE = {
    "common/language.py": "the one list of languages and their formats",
    "server/farm/lot_report.py": "the printed lot report's fixed two-column layout (Vietnamese, English)",
    "server/farm/diagnosis.py": "vision/ words its reasons as (Vietnamese, English) pairs",
    "server/advisory/compliance/catalogue.py": "an active's canonical (English, INN) name",
}


def test_no_other_module_of_server_gateway_or_common_names_a_language() -> None:
    files = [p for folder in ("server", "gateway", "common") for p in sorted((ROOT / folder).rglob("*.py"))]
    hits = [
        h for p in files if str(p.relative_to(ROOT)) not in NAMED_ON_PURPOSE for h in _names_a_language(p)
    ]
    assert hits == []
