"""What the web apps call a crop or a disease, taken from the tables that define them.

The crop table (``data/crops.json``) and the disease vocabulary (``data/diseases.json``) are the one
home of those names; the apps' string catalogues get ``crop_<key>`` and ``disease_<key>`` from here
when they are served, so no catalogue keeps a second copy that could drift (a crop added to the table
is named on every screen at once, in every language the table has).
"""

from __future__ import annotations

from common import language
from server.advisory import kc
from server.advisory.disease import vocabulary


def _sentence_case(text: str) -> str:
    """Names stand alone on the screens (a card's crop line, a risk headline): first letter up."""
    return text[:1].upper() + text[1:]


def catalogue_words(lang: str) -> dict[str, str]:
    """``crop_<key>`` and ``disease_<key>`` in ``lang`` (Vietnamese where the table lacks ``lang``)."""
    words = {}
    for crop in kc.crops().values():
        words[f"crop_{crop.key}"] = _sentence_case(language.words(crop.names, lang))
    for disease in vocabulary.diseases().values():
        words[f"disease_{disease.key}"] = _sentence_case(language.words(disease.names, lang))
    return words
