"""The outbox worker: sends every due delivery once, records sent / failed (with backoff) / dead.

Run by ``farm server notify`` (cron or a systemd timer, every minute: docs/notifications.md). Two
workers at once do not send a message twice: a delivery is claimed by one conditional UPDATE that
moves its ``next_at`` past a lease before anything is sent, and only the worker whose UPDATE
changed the row sends it. Sending happens outside any database transaction.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import delete, select, update

from common import timezone
from server.auth.models import User
from server.config import Settings
from server.notify import outbox, prefs
from server.notify.channels import Channel, Message, Permanent, Retry
from server.notify.channels.sms_gammu import GammuSpool
from server.notify.channels.sms_http import HttpSms
from server.notify.channels.webpush import WebPush, load_key
from server.notify.channels.zalo import ZaloZns
from server.notify.models import Delivery, Preference, PushSubscription
from server.officer import alerts
from server.officer.models import AreaAlert
from server.services import Services

log = logging.getLogger(__name__)
LEASE_S = 300  # a worker that dies mid-send leaves the row to be retried after this


def channels_from(settings: Settings) -> dict[str, Channel]:
    """The senders this installation has settings for (``outbox.configured`` says the same)."""
    out: dict[str, Channel] = {}
    if settings.sms_http_url:
        out["sms"] = HttpSms(settings.sms_http_url, settings.sms_http_token, settings.sms_sender)
    elif settings.gammu_outbox_dir:
        out["sms"] = GammuSpool(settings.gammu_outbox_dir)
    if "zalo" in outbox.configured(settings):
        out["zalo"] = ZaloZns(settings.zalo_zns_url, settings.zalo_access_token, settings.zalo_template_id)
    if settings.vapid_subject:
        out["push"] = web_push(settings)
    return out


def web_push(settings: Settings) -> WebPush:
    return WebPush(load_key(settings.vapid_private_key, Path(settings.data_dir)), settings.vapid_subject)


def _claim(svc: Services, now: int, limit: int) -> list[int]:
    with svc.db.session() as db:
        due = list(db.scalars(
            select(Delivery.id)
            .where(Delivery.state.in_(outbox.WAITING), Delivery.next_at <= now, Delivery.channel != "inbox")
            .order_by(Delivery.next_at, Delivery.id)
            .limit(limit)
        ))  # fmt: skip
    claimed = []
    for did in due:
        with svc.db.session() as db:
            hit = db.execute(
                update(Delivery)
                .where(Delivery.id == did, Delivery.state.in_(outbox.WAITING), Delivery.next_at <= now)
                .values(next_at=now + LEASE_S)
            )
            if hit.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(did)
    return claimed


def _message(svc: Services, did: int) -> Message | None:
    with svc.db.session() as db:
        d = db.get(Delivery, did)
        alert = db.get(AreaAlert, d.alert_id) if d else None
        user = db.get(User, d.user_id) if d else None
        if d is None or alert is None or user is None:
            return None
        p = prefs.effective(db.get(Preference, user.id), user.phone)
        words = alerts.render(alert.message_key, alert.message_params)
        title = (words["title"] or {}).get(p.lang, "")
        subs = db.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id))
        return Message(
            delivery_id=d.id, alert_id=alert.id, phone=p.phone, lang=p.lang, title=title,
            body=(words["message"] or {}).get(p.lang, ""), url="/#/inbox",
            date=timezone.local_date(alert.created_at).strftime("%d/%m/%Y"),
            push=[(s.endpoint, s.p256dh, s.auth) for s in subs],
        )  # fmt: skip


def _record(svc: Services, did: int, outcome: str, detail: str, now: int, max_attempts: int) -> str:
    with svc.db.session() as db:
        d = db.get(Delivery, did)
        if d is None or d.state not in outbox.WAITING:  # withdrawn while it was being sent
            return "skipped"
        d.attempts += 1
        d.updated_at = now
        if outcome == "sent":
            d.state, d.provider_id, d.last_error = "sent", detail[:100], ""
        elif outcome == "retry" and d.attempts < max_attempts:
            d.state, d.last_error, d.next_at = "failed", detail[:500], now + outbox.backoff_s(d.attempts)
        else:
            d.state, d.last_error = "dead", detail[:500]
        return d.state


def drain(
    svc: Services, now: int | None = None, limit: int = 500, senders: Mapping[str, Channel] | None = None
) -> dict[str, int]:
    """Send what is due now; returns how many deliveries ended in each state this run."""
    settings = svc.settings or Settings.from_env()
    now = int(time.time()) if now is None else now
    senders = channels_from(settings) if senders is None else senders
    tally: Counter[str] = Counter()
    for did in _claim(svc, now, limit):
        msg = _message(svc, did)
        with svc.db.session() as db:
            d = db.get(Delivery, did)
            sender = senders.get(d.channel) if d else None
        if msg is None or sender is None:
            tally[
                _record(
                    svc,
                    did,
                    "dead",
                    "channel not set up" if msg else "alert or person gone",
                    now,
                    settings.notify_max_attempts,
                )
            ] += 1
            continue
        try:
            outcome, detail = "sent", sender.send(msg)
        except Permanent as e:
            outcome, detail = "dead", str(e)
        except Retry as e:
            outcome, detail = "retry", str(e)
        gone = getattr(sender, "gone", [])
        if gone:  # browsers that dropped their subscription (404/410): never push there again
            with svc.db.session() as db:
                db.execute(delete(PushSubscription).where(PushSubscription.endpoint.in_(gone)))
        tally[_record(svc, did, outcome, detail, now, settings.notify_max_attempts)] += 1
    if tally:
        log.info("notifications: %s", dict(tally))
    return dict(tally)
