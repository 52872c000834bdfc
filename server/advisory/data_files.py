"""Load the package's versioned JSON data files (crops, pesticides, checklist, messages).

One loader, cached, so every module reads the same definition of a crop or a product.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Parse ``server/advisory/data/<name>.json`` (cached; treat the result as read-only)."""
    text = (
        resources.files("server.advisory")
        .joinpath("data")
        .joinpath(f"{name}.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)
