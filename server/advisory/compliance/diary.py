"""Farm-diary spray entries as the compliance rules see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.advisory.compliance import catalogue


@dataclass(frozen=True)
class SprayEntry:
    """One application: product (catalogue id or trade name) and/or actives, and the label PHI."""

    entry_id: str
    field_id: str
    crop_key: str
    applied_on: date
    product: str | None = None
    actives: tuple[str, ...] = ()
    label_phi_days: int | None = None

    def resolved_actives(self) -> tuple[str, ...]:
        """Actives of the entry: those typed in plus those of the catalogue product."""
        found = catalogue.find_product(self.product) if self.product else None
        names = [catalogue.normalise_active(a) for a in self.actives]
        if found is not None:
            names.extend(found.actives)
        return tuple(dict.fromkeys(names))
