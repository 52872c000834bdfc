"""Sign-in endpoints: login (phone + password → session cookie), logout, me, and API tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth import hashslots, ratelimit
from server.auth.guard import current_user, public, snapshot
from server.auth.models import ApiToken, User
from server.auth.passwords import normalise_phone, verify_password
from server.auth.policy import visible_farm_ids
from server.auth.roles import CurrentUser, Role
from server.auth.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    clear_cookies,
    create_session,
    destroy_session,
    set_cookies,
)
from server.auth.tokens import issue_token, revoke_token, token_view
from server.auth.writes import EVERYONE, writes
from server.errors import problem
from server.openapi import doc
from server.services import services
from server.validation import json_body

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")


def _secure() -> bool:
    return bool(current_app.config["RUONGSO_SETTINGS"].cookie_secure)


@bp.post("/login")
@writes(anonymous=True, audit=False)  # attempts are counted by the rate limiter
@public
@doc("Sign in with phone and password", body={"phone": "string", "password": "string"}, tag="auth")
def login() -> Response:
    """JSON only: a cross-site HTML form cannot send it, which guards against login CSRF."""
    body = request.get_json(silent=True)
    if not request.is_json or not isinstance(body, dict):
        return problem(415, "JSON body required", "Send {'phone': ..., 'password': ...} as application/json.")
    phone = normalise_phone(str(body.get("phone", "")))
    password = str(body.get("password", ""))
    if phone is None:
        return problem(400, "Invalid phone number", "Use a Vietnamese mobile number, e.g. 0912 345 678.")
    phone_key, address_key = f"phone:{phone}", f"ip:{request.remote_addr}"
    db = services().db
    attempt, wait = ratelimit.begin_attempt(db, phone_key, address_key)  # counted before the check
    if wait is not None:
        return _busy("Too many failed sign-ins", "Wait before trying again.", wait)
    with hashslots.hash_slot() as got_slot:  # bounds argon2 memory per worker
        if not got_slot:
            ratelimit.withdraw(db, attempt)  # never checked, so not a guess
            return _busy(
                "Server busy", "Too many sign-ins at once; try again shortly.", hashslots.RETRY_AFTER_S
            )
        with db.session() as session:
            user = session.scalar(select(User).where(User.phone == phone))
            stored_hash = user.password_hash if user else None
        correct = verify_password(stored_hash, password)  # no transaction held during the hash
    with db.session() as session:  # read again: the account may have changed during the hash
        user = session.scalar(select(User).where(User.phone == phone))
        if not correct or not (user and user.active and user.password_hash == stored_hash):
            return problem(401, "Wrong phone number or password")  # the attempt's rows stay counted
        destroy_session(session, request.cookies.get(SESSION_COOKIE))  # never reuse a presented id
        sid, csrf = create_session(session, user.id)
        body = _me(session, snapshot(user, frozenset({"read", "write"}), "session"), csrf)
    ratelimit.succeeded(db, phone_key, attempt)
    resp = jsonify(body)
    set_cookies(resp, sid, csrf, _secure())
    return resp


def _busy(title: str, detail: str, retry_after_s: int) -> Response:
    """429 problem+json with Retry-After, for both the attempt limit and the hashing bound."""
    resp = problem(429, title, detail)
    resp.headers["Retry-After"] = str(retry_after_s)
    return resp


def _me(session: Session, user: CurrentUser, csrf: str | None) -> dict[str, Any]:
    """The user, the farms they may see in detail, and the CSRF token to echo."""
    return user.public() | {"farm_ids": sorted(visible_farm_ids(session, user)), "csrf_token": csrf}


@bp.post("/logout")
@writes(*EVERYONE, target="own_account")
@doc("End this session", tag="auth")
def logout() -> Response:
    with services().db.session() as session:
        destroy_session(session, request.cookies.get(SESSION_COOKIE))
    resp = Response(status=204)
    clear_cookies(resp, _secure())
    return resp


@bp.get("/me")
@doc("The signed-in user", tag="auth")
def me() -> dict[str, Any]:
    user = current_user()
    assert user is not None  # the gate lets no anonymous request through
    with services().db.session() as session:
        return _me(session, user, request.cookies.get(CSRF_COOKIE))


@bp.get("/tokens")
@doc("Your API tokens (never the secrets)", tag="auth")
def list_tokens() -> dict[str, Any]:
    user = current_user()
    assert user is not None
    with services().db.session() as session:
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
        return {"items": [token_view(t) for t in rows]}


@bp.post("/tokens")
@writes(*EVERYONE, target="own_account")
@doc("Create an API token (shown once)", body={"name": "string", "scopes": "array"}, tag="auth")
def create_token() -> Response | tuple[Response, int]:
    user = current_user()
    assert user is not None
    if user.via == "token":
        return problem(403, "Tokens cannot create tokens", "Sign in with your password to create one.")
    body = json_body()
    try:
        with services().db.session() as session:
            token, secret = issue_token(
                session, user.id, str(body.get("name", "api")), set(body.get("scopes") or ["read"])
            )
            view = token_view(token)
    except (ValueError, TypeError) as exc:
        return problem(400, "Invalid token request", str(exc))
    return jsonify(view | {"token": secret}), 201


@bp.delete("/tokens/<int:token_id>")
@writes(*EVERYONE, target="own_account")  # the handler looks up the caller's tokens only
@doc("Revoke an API token", tag="auth")
def delete_token(token_id: int) -> Response | tuple[str, int]:
    user = current_user()
    assert user is not None
    with services().db.session() as session:
        if not revoke_token(session, user.id, token_id, any_user=user.role == Role.ADMIN):
            return problem(404, "No such active token")
    return "", 204
