"""Who may change what: the write half of the access policy, declared once per write route.

Reads were scoped (``server.auth.policy``) but writes asked only "may this user *see* the field?",
so an officer could overwrite a farmer's diary entry, block their harvest with a spray of his own,
and a manager could publish a lot of a farm that never consented (issue 16, F1). Now every
state-changing route (POST, PUT, PATCH, DELETE) carries one declaration, next to the route::

    @bp.put("/api/v1/app/diary/<int:entry_id>")
    @writes(Role.FARMER, Role.ADMIN, target="diary_entry")
    def update(entry_id: int) -> Response: ...

and the gate (``server.auth.guard``) enforces it for every request before the view runs:

1. no user → 401 (unless ``anonymous=True``: sign-in itself);
2. the target (``target=``: what the route changes, resolved from the URL or the body) exists but
   the user may not *see* it → 404, as the read endpoints answer (an object's existence is not
   revealed);
3. the role is not declared → 403;
4. the role is declared but the user has no standing on the target → 403: a farmer only on the
   farms they own; an officer or manager only where the read policy lets them see detail (their
   communes *and* the farmer's consent, their cooperative); a technician only on the gateways
   they maintain and those gateways' nodes; an admin everywhere.

Every accepted write (2xx/3xx) is recorded in ``audit_log`` (``action="write"``, table
``http``): who, when, which route and target, and the status; the rows it changed are recorded
by the ``Audited`` models with their before/after values (``server.audit``).

A write route without a declaration is named by ``tests/server/test_write_matrix.py``, which
enumerates ``app.url_map``; at run time an undeclared write is refused (403), never let through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from server.audit import AuditLog
from server.auth import policy
from server.auth.roles import CurrentUser, Role
from server.errors import problem
from server.farm.models import Diagnosis, DiaryEntry
from server.registry.models import Farm, Field, Gateway, Node
from server.services import services
from server.validation import BadRequestBody, body_int, json_body

F = TypeVar("F", bound=Callable[..., Any])
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EVERYONE = tuple(Role)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """What a write changes, reduced to what standing is judged on."""

    farm_id: int | None = None
    gateway_id: int | None = None  # the gateway a node hangs off, or the gateway itself
    node_id: int | None = None
    own_account: bool = False  # the caller's own session or tokens (the handler scopes the rows)


Resolver = Callable[[Session, Mapping[str, Any]], Target | None]


@dataclass(frozen=True)
class WriteRule:
    """Who may call one write route: roles × standing on the target."""

    roles: frozenset[Role]
    target: str | None = None  # a key of TARGETS; None: the role alone decides
    anonymous: bool = False  # callable without signing in (sign-in itself)
    gateway: bool = False  # authenticated by the gateway's bearer token in its own blueprint
    audit: bool = True

    def describe(self) -> str:
        if self.anonymous:
            return "anyone"
        if self.gateway:
            return "gateway token"
        roles = "/".join(sorted(r.value for r in self.roles))
        return f"{roles} on {self.target}" if self.target else roles


def writes(
    *roles: Role,
    target: str | None = None,
    anonymous: bool = False,
    gateway: bool = False,
    audit: bool = True,
) -> Callable[[F], F]:
    """Declare who may call this write route; put it right under the ``@bp.post(...)`` line."""
    if target is not None and target not in TARGETS:
        raise ValueError(f"unknown write target {target!r}; one of {sorted(TARGETS)}")
    if not (roles or anonymous or gateway):
        raise ValueError("a write route needs roles, anonymous=True or gateway=True")
    rule = WriteRule(frozenset(roles), target, anonymous, gateway, audit)

    def mark(view: F) -> F:
        view._write_rule = rule  # type: ignore[attr-defined]
        return view

    return mark


def rule_for(endpoint: str, view: Callable[..., Any] | None) -> WriteRule | None:
    """The declared rule of a write endpoint, or None when it has none."""
    own: WriteRule | None = getattr(view, "_write_rule", None)
    return own


# --- targets: what a route changes, from its URL arguments or body ---------------------------


def _arg_or_body(name: str) -> int | None:
    if name in (request.view_args or {}):
        return int((request.view_args or {})[name])
    if request.mimetype == "multipart/form-data":
        return body_int(request.form.to_dict(), name) or None
    return body_int(json_body(), name) or None


def _field(s: Session, args: Mapping[str, Any]) -> Target | None:
    field_id = _arg_or_body("field_id")
    farm_id = s.scalar(select(Field.farm_id).where(Field.id == field_id)) if field_id else None
    return Target(farm_id=farm_id) if farm_id is not None else None


def _farm(s: Session, args: Mapping[str, Any]) -> Target | None:
    return Target(farm_id=args["farm_id"]) if s.get(Farm, args["farm_id"]) is not None else None


def _on_field(model: Any, arg: str) -> Resolver:
    """A row with a ``field_id`` (diary entry, diagnosis), found by the URL argument ``arg``."""

    def resolve(s: Session, args: Mapping[str, Any]) -> Target | None:
        farm_id = s.scalar(
            select(Field.farm_id).join(model, model.field_id == Field.id).where(model.id == args[arg])
        )
        return Target(farm_id=farm_id) if farm_id is not None else None

    return resolve


def _node(s: Session, args: Mapping[str, Any]) -> Target | None:
    node = s.get(Node, args["node_id"])
    if node is None:
        return None
    farm_id = s.scalar(select(Field.farm_id).where(Field.id == node.field_id)) if node.field_id else None
    return Target(farm_id=farm_id, gateway_id=node.gateway_id, node_id=node.id)


def _gateway(s: Session, args: Mapping[str, Any]) -> Target | None:
    return Target(gateway_id=args["gateway_id"]) if s.get(Gateway, args["gateway_id"]) is not None else None


TARGETS: dict[str, Resolver] = {
    "farm": _farm,
    "field": _field,  # <int:field_id> in the URL, else field_id in the JSON or form body
    "diary_entry": _on_field(DiaryEntry, "entry_id"),
    "diagnosis": _on_field(Diagnosis, "diag_id"),
    "node": _node,
    "gateway": _gateway,
    "own_account": lambda s, args: Target(own_account=True),
}


# --- standing -------------------------------------------------------------------------------


def _visible(s: Session, user: CurrentUser, t: Target) -> bool:
    """Whether the read policy lets ``user`` see the target at all."""
    if t.own_account:
        return True
    if t.node_id is not None:
        return policy.can_view_node(s, user, t.node_id)
    if t.farm_id is None:
        return t.gateway_id is not None and t.gateway_id in policy.visible_gateway_ids(s, user)
    return policy.can_view_farm(s, user, t.farm_id)


def _standing(s: Session, user: CurrentUser, t: Target) -> bool:
    """Whether ``user`` may change the target (their role being declared for the route)."""
    if user.role == Role.ADMIN or t.own_account:
        return True
    if user.role == Role.FARMER:
        owner = s.scalar(select(Farm.owner_id).where(Farm.id == t.farm_id)) if t.farm_id else None
        return owner is not None and owner == user.id
    if user.role == Role.TECHNICIAN:
        return t.gateway_id is not None and t.gateway_id in policy.visible_gateway_ids(s, user)
    return _visible(s, user, t)  # officer, manager: their communes with consent, their cooperative


def decide(s: Session, user: CurrentUser | None, rule: WriteRule) -> Response | None:
    """None when ``user`` may make this write, else the refusal (401, 404 or 403)."""
    if rule.anonymous or rule.gateway:
        return None
    if user is None:
        return problem(401, "Sign-in required", "Sign in at POST /api/v1/auth/login or send an API token.")
    target = None
    if rule.target is not None:
        try:
            target = TARGETS[rule.target](s, request.view_args or {})
        except BadRequestBody:
            target = None  # the handler answers the malformed body with its 400
    if target is not None and not _visible(s, user, target):
        return problem(404, "Not found")
    if user.role not in rule.roles:
        return problem(403, "Not allowed for your role", f"{request.method} here is for: {rule.describe()}",
                       code="write_forbidden")  # fmt: skip
    if target is not None and not _standing(s, user, target):
        return problem(403, "Not allowed", f"only {rule.describe()} that is theirs may change this",
                       code="write_forbidden")  # fmt: skip
    g.write_target = target
    return None


def authorize(endpoint: str) -> Response | None:
    """The gate's write check for the current request (called only for write methods)."""
    view = current_app.view_functions.get(endpoint)
    rule = rule_for(endpoint, view)
    g.write_rule = rule
    if rule is None:  # fail closed: a write nobody declared is a write nobody may make
        log.error("write route %s %s has no @writes declaration; refused", request.method, endpoint)
        return problem(403, "Not allowed", "this write route declares no callers", code="write_undeclared")
    if rule.anonymous or rule.gateway:
        return None
    with services().db.session() as s:
        return decide(s, g.get("user"), rule)


def _audit(response: Response) -> Response:
    """One ``audit_log`` row per accepted write: who, which route and target, the status."""
    rule: WriteRule | None = g.get("write_rule")
    user: CurrentUser | None = g.get("user")
    if request.method not in WRITE_METHODS or rule is None or not rule.audit or user is None:
        return response
    if not 200 <= response.status_code < 400:
        return response
    target: Target | None = g.get("write_target")
    changes = {
        "endpoint": request.endpoint,
        "status": response.status_code,
        "via": user.via,
        "role": user.role.value,
        "args": dict(request.view_args or {}),
        "farm_id": target.farm_id if target else None,
        "node_id": target.node_id if target else None,
        "fields": _field_names(),  # what was sent, by name only: values may be private
    }
    row = {"at": int(time.time()), "actor_id": user.id, "action": "write", "table": "http",
           "row_key": f"{request.method} {request.path}"[:100], "changes": changes}  # fmt: skip
    with services().db.session() as s:
        s.execute(insert(AuditLog), [row])
    return response


def _field_names() -> list[str]:
    if request.mimetype == "multipart/form-data":
        return sorted(set(request.form) | set(request.files))
    try:
        return sorted(json_body())
    except BadRequestBody:
        return []


def install(app: Flask) -> None:
    app.after_request(_audit)
