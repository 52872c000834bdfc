"""The photo classifier, loaded once per process (thread-safe); None when it cannot be loaded."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, Any] = {}
EXTENSION = "ruongso.diagnoser"  # tests put a stand-in here
CROP_NAMES = {"maize": "corn", "sweet_corn": "corn"}  # registry crop -> classifier crop


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
    return CROP_NAMES.get(crop, crop)


def combine(dx: Any, each: list[Any]) -> Any:
    """Several photos of one plant -> one answer (the classifier's own rule when it has one)."""
    if hasattr(dx, "combine"):
        return dx.combine(each)
    from vision.diagnose import combine as vision_combine

    return vision_combine(each, dx.labels.names)
