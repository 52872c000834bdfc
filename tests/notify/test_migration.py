"""Migration 0011 adds the notification tables and takes them away again, on SQLite and PostgreSQL,
with real rows: the (alert, person, channel) key refuses a second delivery, and downgrade leaves the
alerts themselves in place."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from demo.seed import seed
from server.db import Database

TABLES = {
    "notify_delivery",
    "notify_inbox",
    "notify_preference",
    "notify_push_subscription",
    "notify_withdrawal",
}
ALERT = text(
    "INSERT INTO officer_alert (id, kind, severity, message_key, message_params, center_lat, center_lon,"
    " radius_m, created_by, created_at, expires_at) VALUES (1, 'other', 'warning', 'alert_note', '{}',"
    " 21.2, 105.5, 1000, 4, 0, 86400)"
)
DELIVERY = text(
    "INSERT INTO notify_delivery (alert_id, user_id, channel, state, attempts, next_at, last_error,"
    " provider_id, created_at, updated_at) VALUES (1, 1, 'sms', 'queued', 0, 0, '', '', 0, 0)"
)


def test_notification_tables_up_and_down(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    seed(db)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.begin() as conn:
        conn.execute(ALERT)
        conn.execute(DELIVERY)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:  # the same SMS twice: refused
        conn.execute(DELIVERY)
    db.downgrade("0010")
    names = set(inspect(db.engine).get_table_names())
    assert not TABLES & names and "officer_alert" in names
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM officer_alert")).scalar() == 1
    db.upgrade()
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.engine.dispose()
