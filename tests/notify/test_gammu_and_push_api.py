"""The gammu-smsd spool (a GSM modem's outbox directory) and the push-subscription API.

gammu-smsd's FILES backend sends every file named ``OUT…`` in its outbox directory and reads the
text as UTF-16 when ``OutboxFormat = unicode`` (gammu-smsd-files(7), gammu-smsdrc(5)); here the
worker writes into a real directory and the test reads it back as the daemon would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from demo.seed import seed
from ruongso.app import create_app
from server.config import Settings
from server.notify import worker
from server.notify.channels import Message, Permanent
from server.notify.channels.sms_gammu import GammuSpool
from tests.mobile_api.conftest import FARMER_1, OFFICER, login
from tests.notify.conftest import FARM_1

# OUT<priority><date>_<time>_<serial>_<recipient>_<note>.txt (gammu-smsd-files(7))
GAMMU_NAME = re.compile(r"^OUT([A-Z])(\d{8})_(\d{6})_(\d{2})_(\+?\d+)_([^.]*)\.txt$")


@pytest.fixture(scope="module")
def gammu_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, Path]:
    data = tmp_path_factory.mktemp("gammu")
    spool = data / "gammu-outbox"
    spool.mkdir()
    app = create_app(Settings.from_env(data_dir=data, tsdb_url="embedded", secret_key="t",
                                       gammu_outbox_dir=str(spool)))  # fmt: skip
    seed(app.extensions["ruongso"].db)
    return app, spool


def test_alert_lands_in_the_gammu_outbox_as_unicode(gammu_app: tuple[Flask, Path]) -> None:
    app, spool = gammu_app
    farmer = login(app, FARMER_1)
    r = farmer.send(
        "PUT",
        "/api/v1/notify/preferences",
        json={"channels": ["sms"], "phone": "0912 000 001", "quiet_start": "00:00", "quiet_end": "00:00"},
    )
    assert r.status_code == 200, r.get_json()
    officer = login(app, OFFICER)
    r = officer.send(
        "POST", "/api/v1/officer/alerts", json=FARM_1 | {"message_vi": "Rút nước phơi ruộng 3 ngày."}
    )
    assert r.status_code == 201 and r.get_json()["delivery"]["channels"]["sms"] == {"queued": 1}
    assert worker.drain(app.extensions["ruongso"]) == {"sent": 1}
    [file] = [p for p in spool.iterdir() if not p.name.startswith(".")]
    m = GAMMU_NAME.match(file.name)
    assert m, file.name
    assert m.group(5) == "+84912000001"
    raw = file.read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")  # a byte-order mark: gammu knows the UTF-16 order
    assert raw.decode("utf-16") == "Rút nước phơi ruộng 3 ngày."


def test_gammu_refuses_a_number_that_is_not_one(tmp_path: Path) -> None:
    msg = Message(1, 1, "+84 91; rm -rf", "vi", "", "x", "/", "01/01/2026")
    with pytest.raises(Permanent):
        GammuSpool(str(tmp_path)).send(msg)
    assert list(tmp_path.iterdir()) == []


def test_push_subscriptions_are_checked(gammu_app: tuple[Flask, Path]) -> None:
    app, _ = gammu_app
    farmer = login(app, FARMER_1)
    key65 = "B" + "A" * 86  # 65 bytes base64url
    good = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
        "keys": {"p256dh": key65, "auth": "A" * 22},
    }
    assert farmer.send("POST", "/api/v1/notify/push-subscriptions", json=good).status_code == 201
    for bad in (
        good | {"endpoint": "http://127.0.0.1:9/internal"},  # the server must not post to its own network
        good | {"keys": {"p256dh": "AAAA", "auth": "A" * 22}},
        good | {"keys": {"p256dh": key65}},
    ):
        r = farmer.send("POST", "/api/v1/notify/push-subscriptions", json=bad)
        assert r.status_code == 422 and r.get_json()["detail"], bad
    wrong_type = farmer.send("POST", "/api/v1/notify/push-subscriptions", json={"endpoint": 5})
    assert wrong_type.status_code == 400 and "endpoint" in wrong_type.get_json()["detail"]
    # no VAPID contact configured here: push is off and the app is told so
    assert farmer.get("/api/v1/notify/push-key").status_code == 404
    prefs = farmer.get("/api/v1/notify/preferences").get_json()
    assert prefs["available"] == ["inbox", "sms"] and prefs["phone"] == "+84912000001"
    for bad_prefs in ({"channels": ["fax"]}, {"phone": "12345"}, {"quiet_start": "25:00"}, {"lang": "fr"}):
        r = farmer.send("PUT", "/api/v1/notify/preferences", json=bad_prefs)
        assert r.status_code == 422 and r.get_json()["detail"], bad_prefs
