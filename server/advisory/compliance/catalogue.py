"""Read-only view of ``data/pesticides.json`` (versioned; every fact carries its source)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common.language import LANGS
from server.advisory import data_files

MARKETS = ("VN", "EU", "US", "JP", "CN")


@dataclass(frozen=True)
class MarketStatus:
    """Approval of an active for a market: approved, not_approved or unknown."""

    status: str
    act: str | None
    verified: bool
    source: str


@dataclass(frozen=True)
class VietnamStatus:
    """Vietnamese legal status: permitted, removed (from the permitted list) or banned."""

    status: str
    decision: str | None
    signed: str | None
    use_until: str | None
    verified: bool
    source: str

    @property
    def prohibited(self) -> bool:
        """True for actives removed from the permitted list or in the banned annex."""
        return self.status in ("removed", "banned")


@dataclass(frozen=True)
class Phi:
    """A pre-harvest interval for a crop (or crop group, or all) and market ("ANY" = every market)."""

    days: int
    market: str
    crop: str | None
    crop_group: str | None
    source: str


@dataclass(frozen=True)
class Product:
    """A trade product sold in Vietnam and its active ingredients."""

    product_id: str
    trade_name: str
    actives: tuple[str, ...]
    targets: tuple[str, ...]
    crops: tuple[str, ...]
    phis: tuple[Phi, ...]
    verified: bool
    source: str


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = data_files.load("pesticides")
    return raw


def version() -> str:
    """Catalogue version, recorded with every decision that used it."""
    return str(_raw()["version"])


def normalise_active(name: str) -> str:
    """Catalogue key of an active ingredient name ("Chlorpyrifos Ethyl" -> "chlorpyrifos")."""
    key = " ".join(name.strip().casefold().split())
    aliases = {"chlorpyrifos ethyl": "chlorpyrifos", "chlorpyrifos-ethyl": "chlorpyrifos", "2,4 d": "2,4-d"}
    return aliases.get(key, key)


def known_active(name: str) -> bool:
    """True when the active is in the catalogue."""
    return normalise_active(name) in _raw()["actives"]


def active_name(name: str, lang: str = "en") -> str:
    """Display name of an active (the input itself when unknown)."""
    row = _raw()["actives"].get(normalise_active(name))
    return str(row["names"][lang]) if row else name


def active_names(name: str) -> dict[str, str]:
    """Display name of an active in every language the table has (the input itself when unknown)."""
    row = _raw()["actives"].get(normalise_active(name))
    return dict(row["names"]) if row else {g: name for g in LANGS}


def vietnam_status(active: str) -> VietnamStatus:
    """Vietnamese status of an active; unknown actives are reported as "unknown"."""
    row = _raw()["actives"].get(normalise_active(active))
    if row is None:
        return VietnamStatus("unknown", None, None, None, False, "not in catalogue")
    v = row["vn"]
    return VietnamStatus(
        v["status"], v.get("decision"), v.get("signed"), v.get("use_until"), v["verified"], v["source"]
    )


def market_status(active: str, market: str) -> MarketStatus:
    """Approval of an active for an export market (VN: derived from the Vietnamese status)."""
    if market == "VN":
        vn = vietnam_status(active)
        status = {"removed": "not_approved", "banned": "not_approved", "permitted": "approved"}.get(
            vn.status, "unknown"
        )
        return MarketStatus(status, vn.decision, vn.verified, vn.source)
    row = _raw()["actives"].get(normalise_active(active))
    entry = row["markets"].get(market) if row else None
    if entry is None:
        return MarketStatus("unknown", None, False, "no entry for this market")
    return MarketStatus(entry["status"], entry.get("act"), entry["verified"], entry["source"])


def crop_group(crop_key: str) -> str | None:
    """Codex-style crop group of a crop key."""
    group: str | None = _raw()["crop_groups"].get(crop_key)
    return group


def _phis(rows: list[dict[str, Any]]) -> tuple[Phi, ...]:
    return tuple(Phi(r["days"], r["market"], r.get("crop"), r.get("crop_group"), r["source"]) for r in rows)


def active_phis(active: str) -> tuple[Phi, ...]:
    """PHIs recorded for an active (label examples; the product label prevails)."""
    row = _raw()["actives"].get(normalise_active(active))
    return _phis(row["phi"]) if row else ()


def products() -> dict[str, Product]:
    """All products keyed by id."""
    out: dict[str, Product] = {}
    for r in _raw()["products"]:
        out[r["id"]] = Product(
            r["id"],
            r["trade_name"],
            tuple(normalise_active(a) for a in r["actives"]),
            tuple(r["targets"]),
            tuple(r["crops"]),
            _phis(r["phi"]),
            r["verified"],
            r["source"],
        )
    return out


def find_product(name_or_id: str) -> Product | None:
    """Product by id or trade name (case-insensitive)."""
    wanted = name_or_id.strip().casefold()
    for p in products().values():
        if wanted in (p.product_id.casefold(), p.trade_name.casefold()):
            return p
    return None


def default_mrl(market: str) -> tuple[float | None, str]:
    """Default MRL (mg/kg) applying where no specific limit exists, with its legal source."""
    m = _raw()["markets"][market]
    return m.get("default_mrl_mg_kg"), str(m["mrl_source"])


def market_names(market: str) -> dict[str, str]:
    """Market name in every language the table has, a word for message parameters."""
    return dict(_raw()["markets"][market]["names"])


def market_name(market: str, lang: str) -> str:
    """Market name in ``lang``."""
    return str(_raw()["markets"][market]["names"][lang])
