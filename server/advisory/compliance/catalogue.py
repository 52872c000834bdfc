"""Read-only view of ``data/pesticides.json`` (versioned; every fact carries its source).

The Vietnamese list of permitted and banned pesticides is replaced by a new circular every year
or two (09/2023/TT-BNNPTNT, 25/2024/TT-BNNPTNT, 75/2025/TT-BNNMT in force 10/02/2026). A spray
is legal or not under the list in force on its day, so the catalogue keeps the acts with their
effective dates (``acts``, ``act_in_force``) and an active's Vietnamese status is asked for a day
(``vietnam_status(active, on)``): a later act's ``by_act`` entry overrides the earlier status,
and an active removed by a MARD decision is prohibited only after its last day of use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
class LegalAct:
    """A consolidated list of permitted and banned pesticides and the day it came into force."""

    act_id: str
    names: dict[str, str]
    issuer: dict[str, str]
    signed: date
    in_force: date
    in_force_verified: bool
    replaces: str | None
    content_in_catalogue: str
    source: str

    def as_json(self) -> dict[str, Any]:
        """The act as the API shows it (ISO dates)."""
        return {
            "id": self.act_id,
            "names": dict(self.names),
            "issuer": dict(self.issuer),
            "signed": self.signed.isoformat(),
            "in_force": self.in_force.isoformat(),
            "in_force_verified": self.in_force_verified,
            "replaces": self.replaces,
            "content_in_catalogue": self.content_in_catalogue,
            "source": self.source,
        }


@dataclass(frozen=True)
class VietnamStatus:
    """Vietnamese legal status: permitted, removed (from the permitted list), banned or unknown.

    ``act`` is the list in force on the day asked about (None when no day was asked: the
    newest act). A removed active stays usable until ``use_until`` (its phase-out)."""

    status: str
    decision: str | None
    signed: str | None
    use_until: str | None
    verified: bool
    source: str
    act: str | None = None

    @property
    def prohibited(self) -> bool:
        """True for actives removed from the permitted list or in the banned annex (today's view)."""
        return self.status in ("removed", "banned")

    def prohibited_on(self, day: date) -> bool:
        """Whether using the active on ``day`` broke the law: a removed active only after its last
        day of use (e.g. glyphosate until 30/06/2021), a banned one always."""
        if self.status == "removed" and self.use_until is not None:
            return day > date.fromisoformat(self.use_until)
        return self.prohibited


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


def acts() -> tuple[LegalAct, ...]:
    """The acts of the catalogue, oldest first (by the day each came into force)."""
    out = [
        LegalAct(
            a["id"],
            dict(a["names"]),
            dict(a["issuer"]),
            date.fromisoformat(a["signed"]),
            date.fromisoformat(a["in_force"]),
            bool(a["in_force_verified"]),
            a.get("replaces"),
            a["content_in_catalogue"],
            a["source"],
        )
        for a in _raw()["acts"]
    ]
    return tuple(sorted(out, key=lambda a: a.in_force))


def act_in_force(day: date) -> LegalAct:
    """The act in force on ``day``. Before the catalogue's first act the first act is used: the
    catalogue holds nothing older, and its banned annex is the stricter reading."""
    known = acts()
    current = known[0]
    for act in known:
        if act.in_force <= day:
            current = act
    return current


def latest_act() -> LegalAct:
    """The newest act, in force now or signed and waiting for its day."""
    return acts()[-1]


def vietnam_status(active: str, on: date | None = None) -> VietnamStatus:
    """Vietnamese status of an active under the act in force ``on`` (default: the newest act).

    An act's entry in ``vn.by_act`` (a later list re-classifying the active) applies from that
    act's day on; without one, the status carries forward. Unknown actives are "unknown"."""
    act = act_in_force(on) if on is not None else latest_act()
    row = _raw()["actives"].get(normalise_active(active))
    if row is None:
        return VietnamStatus("unknown", None, None, None, False, "not in catalogue", act.act_id)
    v = dict(row["vn"])
    for earlier in acts():
        if earlier.in_force <= act.in_force and earlier.act_id in v.get("by_act", {}):
            v.update(v["by_act"][earlier.act_id])
    return VietnamStatus(
        v["status"],
        v.get("decision"),
        v.get("signed"),
        v.get("use_until"),
        v["verified"],
        v["source"],
        act.act_id,
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
