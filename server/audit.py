"""Audit log of every change to registry data: who, when, what — one generic mechanism.

Models opt in by inheriting ``Audited``; a ``before_flush`` hook on every SQLAlchemy session
records inserts, updates (old → new per column) and deletes. The actor comes from a context
variable the auth layer sets per request (``None`` for the system: seeding, migrations, jobs).
Spray logs and lots reuse this by inheriting ``Audited``.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base

audit_actor: ContextVar[int | None] = ContextVar("audit_actor", default=None)


class Audited:
    """Mixin: changes to rows of this model are written to ``audit_log``."""

    __audit_exclude__: ClassVar[frozenset[str]] = frozenset()


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[int] = mapped_column(BigInteger, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)  # app_user.id; None = system
    action: Mapped[str] = mapped_column(String(10))  # insert | update | delete
    table: Mapped[str] = mapped_column(String(50))
    row_key: Mapped[str] = mapped_column(String(100), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def _columns(obj: Any) -> list[str]:
    return [c.key for c in inspect(type(obj)).column_attrs if c.key not in obj.__audit_exclude__]


def _entry(obj: Any, action: str) -> dict[str, Any] | None:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for key in _columns(obj):
        if action == "insert":
            changes[key] = _plain(getattr(obj, key))
        elif action == "delete":
            changes[key] = _plain(state.attrs[key].loaded_value)
        else:
            hist = state.attrs[key].history
            if hist.has_changes():
                old = hist.deleted[0] if hist.deleted else None
                new = hist.added[0] if hist.added else None
                changes[key] = [_plain(old), _plain(new)]
    if action == "update" and not changes:
        return None
    return {"action": action, "table": type(obj).__tablename__, "obj": obj, "changes": changes}


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _ctx: Any, _instances: Any) -> None:
    pending = session.info.setdefault("audit_pending", [])
    for action, objs in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if isinstance(obj, Audited) and (entry := _entry(obj, action)) is not None:
                pending.append(entry)


@event.listens_for(Session, "after_flush")
def _write(session: Session, _ctx: Any) -> None:
    """After the flush, so inserted rows have their ids; written on the same connection/transaction."""
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    now, actor = int(time.time()), audit_actor.get()
    rows = []
    for e in pending:
        obj = e["obj"]
        # The mapper reads the key from the object: an inserted row has its id by now, while its
        # identity (``inspect(obj).identity``) is only set once the whole flush has finished.
        key = inspect(type(obj)).primary_key_from_instance(obj)
        if e["action"] == "insert":  # taken again: the INSERT gave the row its id and column defaults
            e["changes"] = {k: _plain(getattr(obj, k)) for k in _columns(obj)}
        rows.append(
            {
                "at": now,
                "actor_id": actor,
                "action": e["action"],
                "table": e["table"],
                "row_key": "/".join(str(k) for k in key),
                "changes": e["changes"],
            }
        )
    session.connection().execute(insert(AuditLog), rows)
