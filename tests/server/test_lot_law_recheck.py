"""A change of law re-checks open lots: ``farm server recheck`` and ``locks.recheck_open_lots``.

When the act in force changes (25/2024/TT-BNNPTNT -> 75/2025/TT-BNNMT on 10/02/2026), every open lot
(harvested since the outgoing act came into force) is judged again and the verdict, with the one
recorded before it, is stored; a second run under the same act does nothing.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import select

from server.db import Database
from server.farm import locks
from server.farm.models import DiaryEntry, Lot, LotLawCheck
from server.registry.models import Field
from tests.cli.farmrun import farm, ok


def _registry(template: Path, folder: Path) -> Database:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, folder / "registry.sqlite")
    return Database(f"sqlite:///{folder / 'registry.sqlite'}")


def _lot(field_id: int, n: int, harvest: date) -> Lot:
    return Lot(code=f"LAW-{n}", idempotency_key=f"law-{n}", field_id=field_id, crop="maize", market="VN",
               harvest_date=harvest, created_at=0)  # fmt: skip


def _lots(db: Database) -> dict[str, int]:
    """A field with a paraquat spray (removed in 2017, refused), a clean lot and an old one."""
    with db.session() as s:
        field = s.scalars(select(Field).where(Field.crop == "maize").order_by(Field.id)).first()
        assert field is not None
        spray = DiaryEntry(idempotency_key="law-1", field_id=field.id, kind="spray", phi_days=7,
                           product_id="gramoxone-20sl", product_name="Gramoxone 20SL", actives=["paraquat"],
                           applied_on=date(2025, 6, 1), created_at=0, updated_at=0)  # fmt: skip
        s.add(spray)
        lots = {
            "sprayed": _lot(field.id, 1, date(2025, 7, 1)),
            "before_spray": _lot(field.id, 2, date(2025, 5, 1)),
            "old": _lot(field.id, 3, date(2023, 6, 1)),
        }
        s.add_all(lots.values())
        s.flush()
        return {name: lot.id for name, lot in lots.items()}


def test_change_of_law_rechecks_open_lots_once(registry_template: Path, tmp_path: Path) -> None:
    db = _registry(registry_template, tmp_path)
    ids = _lots(db)
    with db.session() as s:  # January 2026: 25/2024 in force, lots open since 09/2023's day
        first = locks.recheck_open_lots(s, today=date(2026, 1, 15), now_s=100)
    assert first.act == "25/2024/TT-BNNPTNT" and first.open_from == date(2023, 12, 8)
    assert set(first.checked) == {ids["sprayed"], ids["before_spray"]}  # the 2023 lot is closed
    assert first.newly_refused == (ids["sprayed"],)
    with db.session() as s:  # the same law again: nothing to do
        again = locks.recheck_open_lots(s, today=date(2026, 2, 9))
    assert not again.ran and again.checked == ()
    with db.session() as s:  # 10/02/2026: 75/2025/TT-BNNMT comes into force
        changed = locks.recheck_open_lots(s, today=date(2026, 2, 10), now_s=200)
    assert changed.act == "75/2025/TT-BNNMT" and changed.open_from == date(2025, 1, 1)
    assert set(changed.checked) == {ids["sprayed"], ids["before_spray"]}
    assert changed.newly_refused == () and changed.newly_allowed == ()  # still refused, already known
    with db.session() as s:
        rows = s.scalars(select(LotLawCheck).where(LotLawCheck.checked_at == 200)).all()
        by_lot = {r.lot_id: r for r in rows}
        sprayed = by_lot[ids["sprayed"]]
        assert (sprayed.act, sprayed.allowed, sprayed.was_allowed) == ("75/2025/TT-BNNMT", False, False)
        assert sprayed.codes == ["banned_vn"] and sprayed.catalogue_version
        assert by_lot[ids["before_spray"]].allowed is True and by_lot[ids["before_spray"]].was_allowed is True
    db.engine.dispose()


def test_farm_server_recheck_reports_the_act_and_refused_lots(
    registry_template: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    db = _registry(registry_template, data)
    ids = _lots(db)
    db.engine.dispose()
    out = ok(farm("server", "recheck", "--data-dir", str(data), "--tsdb", "embedded", cwd=tmp_path))
    assert "judged under 75/2025/TT-BNNMT" in out and f"newly refused: {ids['sprayed']}" in out
    again = ok(farm("server", "recheck", "--data-dir", str(data), "--tsdb", "embedded", cwd=tmp_path))
    assert "already checked under 75/2025/TT-BNNMT" in again
