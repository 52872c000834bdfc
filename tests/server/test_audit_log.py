"""The audit log names the row it speaks of: an insert's row key and id are the new row's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from server.audit import AuditLog
from server.db import Database
from server.registry.plantings import GrowingArea


def test_an_inserted_row_is_logged_under_its_own_id(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'registry.db'}")
    db.upgrade()
    with db.session() as s:
        area = GrowingArea(code="VN-PTO-0001", crop="rice", market="VN")
        s.add(area)
        s.flush()
        area.market = "EU"
        s.flush()
        new_id = area.id
        s.commit()
    with db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.table == "growing_area").order_by(AuditLog.id)).all()
        assert [(r.action, r.row_key) for r in rows] == [("insert", str(new_id)), ("update", str(new_id))]
        assert rows[0].changes["id"] == new_id and rows[0].changes["code"] == "VN-PTO-0001"
        assert rows[1].changes["market"] == ["VN", "EU"]
