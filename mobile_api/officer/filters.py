"""Query filters shared by the officer's map, outbreak view and report: crop, commune, cooperative, dates."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta

from flask import request

from common.timezone import local_midnight
from mobile_api.officer.access import Scope
from server.pagination import id_arg
from server.registry.models import Farm, Field

DEFAULT_DAYS = 14
MAX_DAYS = 366


@dataclass(frozen=True)
class Filters:
    crop: str | None
    commune: int | None
    cooperative: int | None
    since: int
    until: int

    def farm_ok(self, farm: Farm) -> bool:
        return (self.commune is None or farm.commune_id == self.commune) and (
            self.cooperative is None or farm.cooperative_id == self.cooperative
        )

    def field_ok(self, field: Field) -> bool:
        return self.crop is None or field.crop == self.crop


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse() -> Filters:
    """From the query string; ``days`` (last N days) or ``from``/``to`` (YYYY-MM-DD, local days)."""
    now = int(time.time())
    days = min(max(request.args.get("days", DEFAULT_DAYS, type=int) or DEFAULT_DAYS, 1), MAX_DAYS)
    since, until = now - days * 86400, now
    start, end = _day(request.args.get("from")), _day(request.args.get("to"))
    if start:
        since = local_midnight(start)  # local days (common.timezone)
    if end:
        until = local_midnight(end + timedelta(days=1)) - 1
    return Filters(
        request.args.get("crop") or None,
        id_arg("commune"),
        id_arg("cooperative"),
        since,
        until,
    )


def options(s: Scope) -> dict[str, list[dict[str, object]]]:
    """What the filter menus offer: only values inside the officer's communes."""
    crops = sorted({fl.crop for f in s.farms for fl in f.fields})
    coops = {f.cooperative.id: f.cooperative.name for f in s.farms if f.cooperative is not None}
    return {
        "crops": [{"value": c} for c in crops],
        "communes": [{"value": i, "name": n} for i, n in sorted(s.areas.items(), key=lambda kv: kv[1])],
        "cooperatives": [{"value": i, "name": n} for i, n in sorted(coops.items())],
    }
