"""The signed-in person's notifications: inbox (with unread count), preferences, push subscriptions.

The inbox shows every alert that reached the person, newest first, worded in every language
(``server.officer.alerts.render``), marked read when opened and "withdrawn" when the officer took
it back (kept, so the farmer knows the earlier warning no longer holds). Preferences choose the
channels beyond the inbox, the number for SMS/Zalo, the language of those texts and quiet hours.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import delete, func, select, update

from common.language import LANGS
from server.advisory.disease import vocabulary
from server.auth import current_user
from server.auth.models import User
from server.auth.passwords import normalise_phone
from server.auth.roles import Role
from server.auth.writes import writes
from server.errors import problem
from server.notify import outbox, prefs
from server.notify.channels.webpush import unb64u
from server.notify.models import InboxItem, Preference, PushSubscription
from server.officer import alerts
from server.officer.models import AreaAlert
from server.openapi import doc
from server.services import services
from server.validation import json_body

bp = Blueprint("notify", __name__)
ANYONE = tuple(Role)  # every signed-in person has an inbox; the handlers touch only their own rows
INBOX_LIMIT = 100


def _uid() -> int:
    user = current_user()
    return user.id if user else -1


def _unread(db: Any, uid: int) -> int:
    q = select(func.count()).where(
        InboxItem.user_id == uid, InboxItem.read_at.is_(None), InboxItem.withdrawn_at.is_(None)
    )
    return int(db.scalar(q) or 0)


@bp.get("/api/v1/inbox")
@doc("The signed-in person's alerts, newest first, and how many are unread", tag="app")
def inbox() -> dict[str, Any]:
    uid = _uid()
    with services().db.session() as db:
        rows = db.execute(
            select(InboxItem, AreaAlert)
            .join(AreaAlert, AreaAlert.id == InboxItem.alert_id)
            .where(InboxItem.user_id == uid)
            .order_by(InboxItem.id.desc())
            .limit(INBOX_LIMIT)
        )
        items = []
        for item, alert in rows:
            words = alerts.render(alert.message_key, alert.message_params)
            disease = vocabulary.disease(alert.message_params.get("disease"))
            items.append({
                "id": item.id, "alert_id": alert.id, "severity": alert.severity,
                "title": words["title"], "message": words["message"],
                "disease": disease.key if disease else None, "field_ids": item.field_ids,
                "created_at": item.created_at, "read_at": item.read_at, "withdrawn_at": item.withdrawn_at,
            })  # fmt: skip
        return {"items": items, "unread": _unread(db, uid)}


@bp.get("/api/v1/inbox/unread")
@doc("How many of the signed-in person's alerts are unread (the badge on the app's inbox)", tag="app")
def unread() -> dict[str, int]:
    with services().db.session() as db:
        return {"unread": _unread(db, _uid())}


@bp.post("/api/v1/inbox/<int:item_id>/read")
@writes(*ANYONE)
@doc("Mark one inbox item read", tag="app")
def mark_read(item_id: int) -> Response | dict[str, Any]:
    uid = _uid()
    with services().db.session() as db:
        mine = select(InboxItem.id).where(InboxItem.id == item_id, InboxItem.user_id == uid)
        if db.scalar(mine) is None:
            return problem(404, "No such inbox item")
        db.execute(
            update(InboxItem)
            .where(InboxItem.id == item_id, InboxItem.read_at.is_(None))
            .values(read_at=int(time.time()))
        )
        return {"unread": _unread(db, uid)}


def _effective(db: Any, uid: int) -> prefs.Prefs:
    user = db.get(User, uid)
    return prefs.effective(db.get(Preference, uid), user.phone if user else "")


@bp.get("/api/v1/notify/preferences")
@doc("How the signed-in person is reached beyond the inbox (channels, number, quiet hours)", tag="app")
def get_preferences() -> dict[str, Any]:
    with services().db.session() as db:
        return _effective(db, _uid()).json() | {"available": sorted(outbox.configured(services().settings))}


@bp.put("/api/v1/notify/preferences")
@writes(*ANYONE)
@doc(
    "Save the signed-in person's notification preferences",
    tag="app",
    body={
        "channels": "array: of push, sms, zalo (the inbox is always on)",
        "phone": "string: Vietnamese mobile number for SMS and Zalo (empty: the sign-in number)",
        "lang": "vi | en",
        "quiet_start": "string: HH:MM, farm time",
        "quiet_end": "string: HH:MM, farm time",
    },
)
def put_preferences() -> Response | dict[str, Any]:
    body, uid = json_body(), _uid()
    channels = body.get("channels", [])
    if not isinstance(channels, list) or any(c not in prefs.EXTRA_CHANNELS for c in channels):
        return problem(422, "Invalid preferences", f"channels: a list of {', '.join(prefs.EXTRA_CHANNELS)}")
    phone_text = str(body.get("phone") or "").strip()
    phone = normalise_phone(phone_text) if phone_text else ""
    if phone is None:
        return problem(422, "Invalid preferences", "phone: a Vietnamese mobile number, e.g. 0912 345 678")
    lang = str(body.get("lang") or "vi")
    if lang not in LANGS:
        return problem(422, "Invalid preferences", f"lang: one of {', '.join(LANGS)}")
    try:
        start = prefs.parse_hhmm(body.get("quiet_start", "22:00"))
        end = prefs.parse_hhmm(body.get("quiet_end", "06:00"))
    except ValueError as e:
        return problem(422, "Invalid preferences", f"quiet_start, quiet_end: {e}")
    with services().db.session() as db:
        row = db.get(Preference, uid) or Preference(user_id=uid)
        row.channels = [c for c in prefs.EXTRA_CHANNELS if c in channels]
        row.phone, row.lang, row.quiet_start_min, row.quiet_end_min = phone, lang, start, end
        row.updated_at = int(time.time())
        db.add(row)
        db.flush()
        return _effective(db, uid).json()


@bp.get("/api/v1/notify/push-key")
@doc("The server's VAPID public key for pushManager.subscribe (404 when push is not set up)", tag="app")
def push_key() -> Response | dict[str, Any]:
    settings = services().settings
    if settings is None or "push" not in outbox.configured(settings):
        return problem(404, "Push notifications are not set up on this server")
    from server.notify.worker import web_push  # loads (or makes) the key only when asked

    return {"public_key": web_push(settings).public_key}


@bp.post("/api/v1/notify/push-subscriptions")
@writes(*ANYONE)
@doc(
    "Save this browser's push subscription (PushSubscription.toJSON())",
    tag="app",
    body={"endpoint": "string: https URL of the push service", "keys": "object: p256dh and auth, base64url"},
)
def subscribe() -> Response | tuple[dict[str, Any], int]:
    body, uid = json_body(), _uid()
    endpoint = str(body.get("endpoint") or "")
    keys: dict[str, Any] = body["keys"] if isinstance(body.get("keys"), dict) else {}
    p256dh, auth = str(keys.get("p256dh") or ""), str(keys.get("auth") or "")
    try:
        ok = len(unb64u(p256dh)) == 65 and len(unb64u(auth)) == 16  # RFC 8291 §3.2 key sizes
    except ValueError:
        ok = False
    if not ok or not endpoint.startswith("https://") or len(endpoint) > 1000:
        detail = "endpoint (https URL), keys.p256dh (65 bytes), keys.auth (16 bytes)"
        return problem(422, "Invalid subscription", detail)
    with services().db.session() as db:
        db.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
        db.add(PushSubscription(user_id=uid, endpoint=endpoint, p256dh=p256dh, auth=auth,
                                created_at=int(time.time())))  # fmt: skip
    return {"subscribed": True}, 201


@bp.delete("/api/v1/notify/push-subscriptions")
@writes(*ANYONE)
@doc("Forget this browser's push subscription", tag="app")
def unsubscribe() -> Response:
    endpoint = str(request.args.get("endpoint") or "")
    with services().db.session() as db:
        mine = PushSubscription.user_id == _uid()
        db.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint, mine))
    return Response(status=204)
