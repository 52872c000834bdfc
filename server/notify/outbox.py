"""The notification outbox: who an alert reaches on which channel, the deliveries and their states.

States of a delivery (one row per alert, person and channel; the unique key makes a repeated send
a no-op instead of a second SMS):

    queued ──send ok──► sent
      │  └─transient error─► failed ──(backoff: 1, 2, 4 … min, at most 1 h)──► retried like queued
      │                        └─ after ``notify_max_attempts`` tries, or a permanent error ─► dead
      └─ alert withdrawn ─► cancelled   (a failed one too; sent and dead ones stay as they were)

The inbox is a channel too: its delivery is ``sent`` as soon as the inbox item exists. Everything
here takes a session and plain values; the worker (``server.notify.worker``) does the sending.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.auth.models import User
from server.config import Settings
from server.notify import prefs
from server.notify.models import Delivery, InboxItem, Preference, PushSubscription

STATES = ("queued", "sent", "failed", "dead", "cancelled")
WAITING = ("queued", "failed")  # what the worker will still try, and what a withdrawal cancels
BACKOFF_FIRST_S = 60
BACKOFF_CAP_S = 3600


def backoff_s(attempts: int) -> int:
    """Wait before try ``attempts + 1``: doubling from one minute, capped at an hour (a provider that
    is down for the afternoon is tried hourly, not hammered)."""
    return int(min(BACKOFF_FIRST_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S))


def configured(settings: Settings | None) -> set[str]:
    """The channels this installation can send on (the inbox always)."""
    on = {"inbox"}
    if settings is None:
        return on
    if settings.sms_http_url or settings.gammu_outbox_dir:
        on.add("sms")
    if settings.zalo_zns_url and settings.zalo_access_token and settings.zalo_template_id:
        on.add("zalo")
    if settings.vapid_subject:
        on.add("push")
    return on


@dataclass
class Recipient:
    """One person an alert reaches, and what each channel will do for them."""

    user_id: int
    name: str
    field_ids: list[int]
    # channel -> "now", "quiet" (waits for the end of quiet hours), or why not: "off" (not set up on
    # this server), "no_device" (push: no browser subscribed), "no_phone"
    channels: dict[str, str] = field(default_factory=dict)
    release_at: int = 0


def plan(
    db: Session, settings: Settings | None, reached: Mapping[int, list[int]], now: int
) -> list[Recipient]:
    """For each person (``reached``: user id → their fields in the alert), which channels fire."""
    if not reached:
        return []
    ids = sorted(reached)
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids), User.active.is_(True)))}
    saved = {p.user_id: p for p in db.scalars(select(Preference).where(Preference.user_id.in_(ids)))}
    subscribed = set(db.scalars(select(PushSubscription.user_id).where(PushSubscription.user_id.in_(ids))))
    on = configured(settings)
    out = []
    for uid in ids:
        user = users.get(uid)
        if user is None:
            continue
        p = prefs.effective(saved.get(uid), user.phone)
        release = prefs.release_at(now, p.quiet_start_min, p.quiet_end_min)
        r = Recipient(uid, user.name, sorted(reached[uid]), {"inbox": "now"}, release)
        for ch in p.channels:
            if ch not in on:
                r.channels[ch] = "off"
            elif ch == "push" and uid not in subscribed:
                r.channels[ch] = "no_device"
            elif ch in ("sms", "zalo") and not p.phone:
                r.channels[ch] = "no_phone"
            else:
                r.channels[ch] = "now" if release <= now else "quiet"
        out.append(r)
    return out


def summary(recipients: Iterable[Recipient]) -> dict[str, Any]:
    """The preview an officer reads before sending: people, and per channel how many now / later."""
    people = list(recipients)
    by: dict[str, Counter[str]] = {ch: Counter() for ch in prefs.CHANNELS}
    for r in people:
        for ch, what in r.channels.items():
            by[ch][what] += 1
    return {
        "people": len(people),
        "channels": {ch: dict(c) for ch, c in by.items()},
        "recipients": [
            {"user_id": r.user_id, "name": r.name, "fields": r.field_ids, "channels": r.channels}
            for r in people
        ],
    }


def enqueue(db: Session, alert_id: int, recipients: Iterable[Recipient], now: int) -> int:
    """Inbox items at once and one queued delivery per ready channel; returns new deliveries.

    Idempotent: rows that already exist for (alert, person, channel) are left alone."""
    have = {(d.user_id, d.channel) for d in db.scalars(select(Delivery).where(Delivery.alert_id == alert_id))}
    inboxed = set(db.scalars(select(InboxItem.user_id).where(InboxItem.alert_id == alert_id)))
    added = 0
    for r in recipients:
        if r.user_id not in inboxed:
            db.add(InboxItem(alert_id=alert_id, user_id=r.user_id, field_ids=r.field_ids, created_at=now))
        for ch, what in r.channels.items():
            if what not in ("now", "quiet") or (r.user_id, ch) in have:
                continue
            inbox = ch == "inbox"
            db.add(Delivery(
                alert_id=alert_id, user_id=r.user_id, channel=ch, state="sent" if inbox else "queued",
                attempts=1 if inbox else 0, next_at=now if inbox else max(now, r.release_at),
                last_error="", provider_id="", created_at=now, updated_at=now,
            ))  # fmt: skip
            added += 1
    db.flush()
    return added


def counts(
    db: Session, alert_ids: list[int], countable: Mapping[int, Iterable[int]] | None = None
) -> dict[int, dict[str, Any]]:
    """Per alert: people reached, read, and deliveries per channel and state.

    ``countable`` (alert -> user ids) limits what is counted to those people: the sender of an
    area alert must not learn from the counts that a farm which does not share is in the circle
    (issue 16, F8); ``None`` counts everyone."""
    out: dict[int, dict[str, Any]] = {a: {"people": 0, "read": 0, "channels": {}} for a in alert_ids}
    if not alert_ids:
        return out
    allowed = {a: set(users) for a, users in countable.items()} if countable is not None else None

    def counted(alert_id: int, user_id: int) -> bool:
        return allowed is None or user_id in allowed.get(alert_id, set())

    rows = db.execute(
        select(Delivery.alert_id, Delivery.user_id, Delivery.channel, Delivery.state)
        .where(Delivery.alert_id.in_(alert_ids))
    )
    for alert_id, user_id, channel, state in rows:
        if counted(alert_id, user_id):
            states = out[alert_id]["channels"].setdefault(channel, {})
            states[state] = states.get(state, 0) + 1
    inbox = db.execute(
        select(InboxItem.alert_id, InboxItem.user_id, InboxItem.read_at)
        .where(InboxItem.alert_id.in_(alert_ids))
    )
    for alert_id, user_id, read_at in inbox:
        if counted(alert_id, user_id):
            out[alert_id]["people"] += 1
            out[alert_id]["read"] += read_at is not None
    return out


def withdraw(db: Session, alert_id: int, now: int) -> int:
    """Mark the alert withdrawn in every inbox and cancel what has not gone out; returns cancelled."""
    db.execute(
        update(InboxItem)
        .where(InboxItem.alert_id == alert_id, InboxItem.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    done = db.execute(
        update(Delivery)
        .where(Delivery.alert_id == alert_id, Delivery.state.in_(WAITING))
        .values(state="cancelled", updated_at=now)
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
