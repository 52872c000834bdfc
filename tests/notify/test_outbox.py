"""The outbox end to end through the real app and real sockets: an officer's alert becomes inbox
items at once and SMS, Zalo ZNS and Web Push deliveries that the worker sends to local servers
speaking each provider's protocol; failures are retried with backoff and end "dead"; quiet hours
hold SMS/Zalo/push back (not the inbox); a repeated enqueue sends nothing twice; a withdrawal
cancels what waits. ``farm server notify`` drains the same outbox from a new process."""

from __future__ import annotations

import calendar
import time
from typing import Any

from flask import Flask
from sqlalchemy import delete, select

from server.notify import outbox, prefs, worker
from server.notify.models import Delivery, InboxItem, Preference, PushSubscription
from server.services import Services
from tests.cli.farmrun import clean_env, farm, ok
from tests.mobile_api.conftest import FARMER_1, Client, login
from tests.notify.conftest import ALL_FARMS, FARM_1, SMS_TOKEN, ZALO_TEMPLATE, ZALO_TOKEN, Providers

FARMER_1_ID = 1


def svc(app: Flask) -> Services:
    return app.extensions["ruongso"]


def set_prefs(
    app: Flask, user_id: int, channels: list[str], quiet: tuple[int, int] = (0, 0), phone: str = ""
) -> None:
    with svc(app).db.session() as db:
        row = db.get(Preference, user_id) or Preference(user_id=user_id)
        row.channels, row.phone, row.lang = channels, phone, "vi"
        row.quiet_start_min, row.quiet_end_min, row.updated_at = quiet[0], quiet[1], 0
        db.add(row)


def subscribe(app: Flask, user_id: int, sub: dict[str, Any]) -> None:
    """A browser subscription as the API stores it (the local push service speaks plain http, which
    the subscription endpoint refuses from browsers)."""
    with svc(app).db.session() as db:
        db.add(PushSubscription(user_id=user_id, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"],
                                auth=sub["keys"]["auth"], created_at=0))  # fmt: skip


def deliveries(app: Flask, alert_id: int) -> dict[tuple[int, str], Delivery]:
    with svc(app).db.session() as db:
        rows = db.scalars(select(Delivery).where(Delivery.alert_id == alert_id))
        return {(d.user_id, d.channel): d for d in rows}


def send(officer: Client, where: dict[str, Any], text: str) -> dict[str, Any]:
    r = officer.send(
        "POST", "/api/v1/officer/alerts", json=where | {"message_vi": text, "kind": "rice__blast"}
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_every_channel_reaches_its_provider(app: Flask, officer: Client, providers: Providers) -> None:
    set_prefs(app, FARMER_1_ID, ["push", "sms", "zalo"])
    phone_a = providers.push.browser("farmer1-phone")
    subscribe(app, FARMER_1_ID, phone_a.subscription())
    preview = officer.send("POST", "/api/v1/officer/alerts/preview", json=FARM_1).get_json()
    assert preview["people"] == 1 and preview["fields_reached"] == 3
    assert preview["channels"] == {
        "inbox": {"now": 1},
        "push": {"now": 1},
        "sms": {"now": 1},
        "zalo": {"now": 1},
    }
    sent = send(officer, FARM_1, "Phun thuốc trừ đạo ôn trong 3 ngày tới.")
    assert sent["people"] == 1
    assert sent["delivery"]["channels"] == {"inbox": {"sent": 1}, "push": {"queued": 1}, "sms": {"queued": 1},
                                            "zalo": {"queued": 1}}  # fmt: skip
    farmer = login(app, FARMER_1)
    inbox = farmer.get("/api/v1/inbox").get_json()
    assert inbox["unread"] >= 1 and inbox["items"][0]["message"]["vi"].startswith("Phun thuốc")

    done = worker.drain(svc(app))
    assert done == {"sent": 3}, (done, providers.push.refused, providers.sms.refused)
    sms = providers.sms.accepted[-1]
    assert sms["to"] == ["84912000001"] and "Phun thuốc trừ đạo ôn" in sms["content"]
    assert "đạo ôn" in sms["content"].lower().split("phun thuốc")[0]  # the disease title comes first
    zns = providers.zalo.accepted[-1]
    assert zns["phone"] == "84912000001" and zns["template_id"] == ZALO_TEMPLATE
    assert (
        zns["template_data"]["message"].startswith("Phun thuốc")
        and zns["template_data"]["date"].count("/") == 2
    )
    push = providers.push.accepted[-1]
    assert push["endpoint"].endswith("/farmer1-phone") and push["payload"]["body"].startswith("Phun thuốc")
    assert push["payload"]["url"] == "/#/inbox" and push["payload"]["alert"] == sent["id"]
    states = {ch: d.state for (_, ch), d in deliveries(app, sent["id"]).items()}
    assert states == {"inbox": "sent", "push": "sent", "sms": "sent", "zalo": "sent"}
    assert worker.drain(svc(app)) == {}  # nothing is sent twice
    listed = officer.get("/api/v1/officer/alerts").get_json()["alerts"][0]
    assert listed["id"] == sent["id"] and listed["delivery"]["channels"]["sms"] == {"sent": 1}


def test_transient_failures_back_off_then_die(app: Flask, officer: Client, providers: Providers) -> None:
    set_prefs(app, FARMER_1_ID, ["sms"])
    alert = send(officer, FARM_1, "Thử lại khi nhà mạng lỗi.")
    sms = deliveries(app, alert["id"])[(FARMER_1_ID, "sms")]
    now = sms.next_at
    providers.sms.fail_next = 1
    assert worker.drain(svc(app), now=now) == {"failed": 1}
    d = deliveries(app, alert["id"])[(FARMER_1_ID, "sms")]
    assert (d.state, d.attempts, d.next_at) == ("failed", 1, now + 60) and "503" in d.last_error
    assert worker.drain(svc(app), now=now + 59) == {}  # not before its backoff
    assert worker.drain(svc(app), now=now + 60) == {"sent": 1}

    alert = send(officer, FARM_1, "Nhà mạng hỏng cả buổi.")
    providers.sms.fail_next = 1000
    t, waits = deliveries(app, alert["id"])[(FARMER_1_ID, "sms")].next_at, []
    for _ in range(10):
        d = deliveries(app, alert["id"])[(FARMER_1_ID, "sms")]
        if d.state == "dead":
            break
        t = max(t, d.next_at)
        worker.drain(svc(app), now=t)
        waits.append(deliveries(app, alert["id"])[(FARMER_1_ID, "sms")].next_at - t)
    providers.sms.fail_next = 0
    d = deliveries(app, alert["id"])[(FARMER_1_ID, "sms")]
    assert d.state == "dead" and d.attempts == svc(app).settings.notify_max_attempts  # type: ignore[union-attr]
    assert waits[:5] == [60, 120, 240, 480, 960]


def test_permanent_errors_die_at_once(app: Flask, officer: Client, providers: Providers) -> None:
    set_prefs(app, FARMER_1_ID, ["push", "zalo"], phone="+84912000009")
    gone = providers.push.browser("uninstalled", gone=True)
    with svc(app).db.session() as db:
        db.execute(delete(PushSubscription).where(PushSubscription.user_id == FARMER_1_ID))
    subscribe(app, FARMER_1_ID, gone.subscription())
    alert = send(officer, FARM_1, "Tin cho trình duyệt đã gỡ.")
    assert worker.drain(svc(app)) == {"dead": 1, "sent": 1}
    d = deliveries(app, alert["id"])[(FARMER_1_ID, "push")]
    assert d.state == "dead" and d.attempts == 1 and "gone" in d.last_error
    assert providers.zalo.accepted[-1]["phone"] == "84912000009"  # the number the farmer chose
    with svc(app).db.session() as db:  # the dropped subscription is forgotten
        assert db.scalars(select(PushSubscription).where(PushSubscription.user_id == FARMER_1_ID)).all() == []


def test_quiet_hours_hold_back_all_but_the_inbox(app: Flask) -> None:
    set_prefs(app, FARMER_1_ID, ["sms", "zalo"], quiet=(22 * 60, 6 * 60))
    # 23:30 on 04/12/2026 in Vietnam (UTC+7) is 16:30 UTC.
    late = calendar.timegm((2026, 12, 4, 16, 30, 0))
    six_am = late + 6 * 3600 + 30 * 60
    with svc(app).db.session() as db:
        [r] = outbox.plan(db, svc(app).settings, {FARMER_1_ID: [1]}, late)
    assert r.channels == {"inbox": "now", "sms": "quiet", "zalo": "quiet"} and r.release_at == six_am
    assert prefs.release_at(six_am, 22 * 60, 6 * 60) == six_am  # 06:00 itself is no longer quiet
    noon = late - 11 * 3600 - 30 * 60
    assert prefs.release_at(noon, 22 * 60, 6 * 60) == noon
    assert prefs.release_at(noon, 11 * 60, 13 * 60) == noon + 3600  # a midday nap, same day


def test_enqueue_is_idempotent_and_withdraw_cancels(
    app: Flask, officer: Client, providers: Providers
) -> None:
    set_prefs(app, FARMER_1_ID, ["sms", "zalo"], quiet=(0, 23 * 60 + 59))  # quiet nearly all day: waits
    alert = send(officer, FARM_1, "Sẽ rút lại.")
    with svc(app).db.session() as db:
        [r] = outbox.plan(db, svc(app).settings, {FARMER_1_ID: [1, 2, 3]}, int(time.time()))
        assert outbox.enqueue(db, alert["id"], [r], int(time.time())) == 0
    assert alert["delivery"]["channels"]["sms"] == {"queued": 1}
    before = len(providers.sms.accepted)
    r = officer.send("POST", f"/api/v1/officer/alerts/{alert['id']}/withdraw")
    assert r.status_code == 200 and r.get_json()["cancelled"] == 2
    assert r.get_json()["delivery"]["channels"] == {"inbox": {"sent": 1}, "sms": {"cancelled": 1},
                                                    "zalo": {"cancelled": 1}}  # fmt: skip
    assert worker.drain(svc(app), now=int(time.time()) + 86400) == {}
    assert len(providers.sms.accepted) == before
    with svc(app).db.session() as db:
        item = db.scalars(select(InboxItem).where(InboxItem.alert_id == alert["id"])).one()
        assert item.withdrawn_at is not None
    farmer = login(app, FARMER_1)
    assert alert["id"] not in [a["id"] for a in farmer.get("/api/v1/alerts").get_json()["alerts"]]


def test_farm_server_notify_drains_from_a_new_process(
    app: Flask, officer: Client, providers: Providers, tmp_path: Any
) -> None:
    for uid in (1, 2, 3):  # no quiet hours: the result must not depend on the hour the test runs
        set_prefs(app, uid, ["sms"])
    alert = send(officer, ALL_FARMS, "Cả xã: kiểm tra rầy nâu.")
    # the officer reads the two people of shared farms (the third is fewer than 3: not counted, F8);
    # all three are told
    assert alert["people"] == 2 and alert["people_not_shared"] is None
    assert alert["delivery"]["channels"]["sms"] == {"queued": 2}  # the delivery counts follow the same rule
    before = len(providers.sms.accepted)
    settings = svc(app).settings
    assert settings is not None
    env = clean_env(RUONGSO_SMS_HTTP_URL=settings.sms_http_url, RUONGSO_SMS_HTTP_TOKEN=SMS_TOKEN,
                    RUONGSO_ZALO_ZNS_URL=settings.zalo_zns_url, RUONGSO_ZALO_ACCESS_TOKEN=ZALO_TOKEN,
                    RUONGSO_ZALO_TEMPLATE_ID=ZALO_TEMPLATE)  # fmt: skip
    out = ok(farm("server", "notify", "--data-dir", str(settings.data_dir), cwd=tmp_path, env=env))
    assert out.strip() == "3 sent"
    sent_to = sorted(m["to"][0] for m in providers.sms.accepted[before:])
    assert sent_to == ["84912000001", "84912000002", "84912000003"]
    assert ok(
        farm("server", "notify", "--data-dir", str(settings.data_dir), cwd=tmp_path, env=env)
    ).strip() == ("nothing due")
