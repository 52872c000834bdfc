"""Migration 0006 on rows written before it: rendered text becomes message keys with parameters,
``more_photos`` becomes ``more_photos_requested``, and the way back restores the officers' words."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from server.db import Database
from server.farm.diagnosis import message

OLD_DIAGNOSES = [
    # id, crop, label, reason, review_status, message_vi
    (1, "maize", None, "crop_mismatch", "more_photos", "Ảnh này không giống lá ngô."),
    (2, "rice", "rice__blast", "ok", "not_needed", "Lúa — bệnh đạo ôn"),
]


def _rows(db: Database, sql: str) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(text(sql)).mappings())


def _params(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def test_0006_turns_stored_text_into_keys_and_back(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade("0005")
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":  # the rows need no farm for this check
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            conn.exec_driver_sql("SET session_replication_role = replica")
        for i, crop, label, reason, status, vi in OLD_DIAGNOSES:
            conn.execute(
                text(
                    "INSERT INTO app_diagnosis (id, idempotency_key, field_id, crop, photos, label, "
                    "confidence, abstained, reason, message_vi, message_en, result, review_status, "
                    "created_at) VALUES "
                    "(:i, :k, 1, :crop, '[]', :label, 0.5, false, :reason, :vi, 'x', '{}', :status, 1)"
                ),
                {
                    "i": i,
                    "k": f"key-{i}",
                    "crop": crop,
                    "label": label,
                    "reason": reason,
                    "vi": vi,
                    "status": status,
                },
            )
        conn.execute(
            text(
                "INSERT INTO officer_alert (id, kind, severity, message_vi, message_en, center_lat, "
                "center_lon, radius_m, created_at, expires_at) "
                "VALUES (1, 'other', 'urgent', 'Phun ngay', 'Spray now', 21.2, 105.5, 500, 1, 2)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO officer_review (diagnosis_id, action, note, at) "
                "VALUES (1, 'more_photos', 'x', 1)"
            )
        )
        conn.commit()

    db.upgrade("0006")
    rows = {r["id"]: r for r in _rows(db, "SELECT * FROM app_diagnosis")}
    assert rows[1]["review_status"] == "more_photos_requested" and rows[1]["message_key"] == "crop_mismatch"
    assert _params(rows[1]["message_params"]) == {"crop": "corn"}
    assert message("crop_mismatch", _params(rows[1]["message_params"]))["vi"].count("ngô") == 1
    assert _params(rows[2]["message_params"]) == {"crop": "rice", "label": "rice__blast"}
    assert message("ok", _params(rows[2]["message_params"])) == {"vi": "Bệnh đạo ôn", "en": "Rice blast"}
    assert "message_vi" not in rows[1]
    alert = _rows(db, "SELECT * FROM officer_alert")[0]
    assert alert["message_key"] == "alert_note"
    assert _params(alert["message_params"]) == {"vi": "Phun ngay", "en": "Spray now"}
    assert _rows(db, "SELECT to_status, actor_role FROM officer_review")[0] == {
        "to_status": "more_photos_requested",
        "actor_role": "officer",
    }

    db.downgrade("0005")
    alert = _rows(db, "SELECT message_vi, message_en FROM officer_alert")[0]
    assert dict(alert) == {"message_vi": "Phun ngay", "message_en": "Spray now"}
    assert (
        _rows(db, "SELECT review_status FROM app_diagnosis WHERE id = 1")[0]["review_status"] == "more_photos"
    )
    db.upgrade()
    db.engine.dispose()
