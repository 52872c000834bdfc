"""Login for the demo accounts until the server core's ``server.auth`` lands (same endpoints).

Accounts: each demo farm's owner logs in with phone ``09000000NN`` (NN = farm id, two digits),
the cooperative's extension officer with ``0900000000``; the password is RUONGSO_DEMO_PASSWORD
(default ``ruongso``). Not registered when ``server.auth`` exists.
"""

from __future__ import annotations

import hmac
import os
import secrets
from typing import Any

from flask import Blueprint, Response, request, session

from mobile_api.auth import SESSION_KEY, current_user, login_required
from server.errors import problem
from server.registry.models import Farm
from server.services import services

bp = Blueprint("authdev", __name__)
OFFICER_PHONE = "0900000000"


def demo_phone(farm_id: int) -> str:
    return f"09000000{farm_id:02d}"


@bp.post("/api/v1/auth/login")
def login() -> Response | tuple[dict[str, Any], int]:
    body = request.get_json(silent=True) or {}
    phone = str(body.get("phone", "")).replace(" ", "")
    password = str(body.get("password", ""))
    expected = os.environ.get("RUONGSO_DEMO_PASSWORD", "ruongso")
    if not hmac.compare_digest(password.encode(), expected.encode()):
        return problem(401, "Wrong phone number or password")
    user: dict[str, Any] | None = None
    if phone == OFFICER_PHONE:
        user = {"id": "officer-1", "name": "Cán bộ khuyến nông", "role": "officer", "farm_ids": None}
    else:
        with services().db.session() as db:
            for farm in db.query(Farm).all():
                if phone == demo_phone(farm.id):
                    user = {
                        "id": f"farmer-{farm.id}",
                        "name": farm.owner_name,
                        "role": "farmer",
                        "farm_ids": [farm.id],
                    }
    if user is None:
        return problem(401, "Wrong phone number or password")
    session.clear()
    session.permanent = True  # remembered on the device
    session[SESSION_KEY] = user | {"csrf": secrets.token_urlsafe(24)}
    me = current_user()
    assert me is not None
    return me.as_json(), 200


@bp.get("/api/v1/auth/me")
@login_required
def me() -> dict[str, Any]:
    user = current_user()
    assert user is not None
    return user.as_json()


@bp.post("/api/v1/auth/logout")
@login_required
def logout() -> tuple[str, int]:
    session.clear()
    return "", 204
