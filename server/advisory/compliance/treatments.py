"""Treatment suggestions that never include an active banned in Vietnam or not approved for the market."""

from __future__ import annotations

from dataclasses import dataclass

from server.advisory.compliance import catalogue


@dataclass(frozen=True)
class Suggestion:
    """A product that may be used, with caveats to show next to it."""

    product_id: str
    trade_name: str
    actives: tuple[str, ...]
    caveats: tuple[str, ...]


def suggest_products(target: str, crop_key: str, market: str) -> list[Suggestion]:
    """Catalogue products labelled for ``target`` (disease/pest key) on ``crop_key``, filtered for ``market``.

    Excluded: any product with an active removed/banned in Vietnam (all markets: the crop is grown
    here) or not approved for the market (verified or not — unverified non-approval still excludes).
    Kept with a caveat: actives whose status for the market is unknown.
    """
    out: list[Suggestion] = []
    for product in catalogue.products().values():
        if target not in product.targets or (product.crops and crop_key not in product.crops):
            continue
        caveats: list[str] = []
        excluded = False
        for active in product.actives:
            if catalogue.vietnam_status(active).prohibited:
                excluded = True
                break
            status = catalogue.market_status(active, market).status
            if status == "not_approved":
                excluded = True
                break
            if status == "unknown":
                caveats.append(f"{active}: status for {market} unknown")
        if excluded:
            continue
        if not product.verified:
            caveats.append("registration not verified against the current MARD list")
        caveats.append("PHI: follow the label")
        out.append(Suggestion(product.product_id, product.trade_name, product.actives, tuple(caveats)))
    return out
