"""Administrative areas as Vietnam has them since 1 July 2025: province → commune/ward (two levels).

Districts were abolished; their old names stay as an optional label so people can still say
"huyện Vĩnh Tường" and find the commune.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.audit import Audited
from server.db import Base

LEVELS = ("province", "commune", "ward")


class AdminArea(Audited, Base):
    __tablename__ = "admin_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(10), unique=True)  # official code where known
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))  # one of LEVELS
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("admin_area.id"), index=True)
    old_district: Mapped[str | None] = mapped_column(String(100))  # pre-2025 label, optional
