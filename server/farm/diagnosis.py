"""The photo classifier behind the app: loaded once per process, its answer stored as a message key.

``diagnoser()`` is None when the model cannot be loaded (every photo then waits for an officer).
An answer is stored as ``message_key`` (the classifier's reason code) with parameters, never as
rendered Vietnamese/English text, so a new language or a better wording reaches old answers too;
``message()`` renders it: a disease name from the one disease vocabulary, the classifier's own
retake/abstain wording otherwise.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app

from common.language import LANGS, render, words
from server.advisory import data_files
from server.advisory.disease import vocabulary

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {}
EXTENSION = "ruongso.diagnoser"  # tests put a stand-in here
UNAVAILABLE = "model_unavailable"
# Reasons the server itself gives are ``diagnosis.<reason>`` in data/messages.json; the
# classifier's own reasons and wording live in vision/, as (Vietnamese, English) pairs.
SERVER_REASONS = (UNAVAILABLE,)
FALLBACK = "diagnosis.fallback"
VISION_PAIR = ("vi", "en")  # the order of vision.diagnose.REASONS' pairs


def diagnoser() -> Any | None:
    if EXTENSION in current_app.extensions:
        return current_app.extensions[EXTENSION]
    with _lock:
        if "dx" not in _state:
            try:
                from vision.diagnose import Diagnoser

                _state["dx"] = Diagnoser.load()
            except Exception as exc:  # model file missing or runtime absent: every photo goes to an officer
                log.warning("photo classifier unavailable: %s", exc)
                _state["dx"] = None
        return _state["dx"]


def classifier_crop(crop: str) -> str:
    """The classifier's crop for a registry crop (maize -> corn), from the disease vocabulary."""
    return vocabulary.classifier_crop(crop)


def combine(dx: Any, each: list[Any]) -> Any:
    """Several photos of one plant -> one answer (the classifier's own rule when it has one)."""
    if hasattr(dx, "combine"):
        return dx.combine(each)
    from vision.diagnose import combine as vision_combine

    return vision_combine(each, dx.labels.names)


def classify(images: list[bytes], crop: str) -> dict[str, Any]:
    """The classifier's answer for photos of one plant on a field of ``crop``.

    Returns the classifier's own record (label, confidence, abstained, reason, ``top3`` ...)
    without its rendered texts, plus ``message_key``/``message_params`` for ``message()``.
    """
    dx = diagnoser()
    params: dict[str, Any] = {"crop": classifier_crop(crop)}
    if dx is None:
        result: dict[str, Any] = {"label": None, "confidence": 0.0, "abstained": True, "reason": UNAVAILABLE}
    else:
        each = [dx.diagnose(data, crop=classifier_crop(crop)) for data in images]
        result = dict((each[0] if len(each) == 1 else combine(dx, each)).to_dict())
    for text in [k for k in result if k.startswith("message_")]:  # the classifier's rendered texts
        result.pop(text)
    if result.get("label"):
        params["label"] = result["label"]
    return result | {"message_key": str(result["reason"]), "message_params": params}


def _reason_templates(key: str) -> dict[str, str]:
    catalogue: dict[str, dict[str, str]] = data_files.load("messages")["messages"]
    if key in SERVER_REASONS:
        return catalogue[f"diagnosis.{key}"]
    try:
        from vision.diagnose import REASONS
    except ImportError:  # the classifier's package is not installed: its reasons cannot be worded
        return catalogue[FALLBACK]
    pair = REASONS.get(key)
    return dict(zip(VISION_PAIR, pair, strict=True)) if pair else catalogue[FALLBACK]


def message(key: str, params: dict[str, Any] | None = None) -> dict[str, str]:
    """Render a stored answer in every language (``{"vi": ..., "en": ...}``); a template may name
    the crop as ``{crop}`` or, as the classifier's do, ``{crop_<lang>}``."""
    params = params or {}
    if key == "ok":
        names = vocabulary.label_name(params.get("label"))
        label = str(params.get("label") or "")
        return {lang: words(names, lang) for lang in LANGS} if names else {lang: label for lang in LANGS}
    crop = vocabulary.crop_names(str(params.get("crop") or ""))
    templates = _reason_templates(key)
    values = {"crop": crop} | {f"crop_{lang}": words(crop, lang) for lang in LANGS}
    try:
        return render(templates, values)
    except (KeyError, IndexError):
        return {lang: words(templates, lang) for lang in LANGS}
