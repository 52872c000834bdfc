"""Firmware bundles and staged rollouts (issue 20): what each node should run, and whether it does.

A technician uploads a bundle built by ``farm node bundle`` and starts a rollout on some nodes,
naming a few as the **pilot**. The gateways offer the bundle to the pilot nodes first
(``targets``); once every pilot reports the new version confirmed by a send cycle, the rest get it
too; a node that refuses the bundle (bad signature, wrong board, corrupt whole) or rolls it back
**stops** the rollout, and nothing more is offered. What the nodes report reaches the server in
the gateways' fleet pushes (``gateway_health.node_reports``: ``fw_version``, ``fw_state``,
``fw_detail``, the node's own words from ``firmware.lib.linkproto.status_payload``).

The server holds no firmware key: it checks a bundle's shape and payload hash; the nodes check the
cooperative's signature.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from firmware.lib import fwbundle
from server.technician.models import FirmwareBundle, FirmwareRollout

ACTIVE = ("pilot", "wide")
MAX_BUNDLE_BYTES = fwbundle.MAX_SIZE + fwbundle.MAX_MANIFEST + 64
# refused details that are final for this bundle; a corrupt chunk ("chunkN") is fetched again
FINAL_REFUSALS = ("bad", "bundle", "manifest", "unknown", "sha256", "no", "file", "chunk", "min_batt_v")


class FirmwareInvalid(ValueError):
    """Bad input; ``code`` is the i18n key the technician app words in vi or en."""

    def __init__(self, code: str, detail: str, **params: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.params = params


def add_bundle(session: Session, data: bytes, user_id: int | None, note: str = "") -> FirmwareBundle:
    if not data or len(data) > MAX_BUNDLE_BYTES:
        raise FirmwareInvalid("fw_bundle_size", "bundle file is empty or too large")
    try:
        manifest, payload = fwbundle.from_file(data)
        body = fwbundle.unsigned_body(manifest)
    except fwbundle.BundleError as exc:
        raise FirmwareInvalid("fw_bundle_format", str(exc)) from None
    if not fwbundle.payload_ok(body, payload):
        raise FirmwareInvalid("fw_bundle_format", "payload does not match the manifest")
    if session.scalar(select(FirmwareBundle).where(FirmwareBundle.version == body["version"])):
        raise FirmwareInvalid("fw_bundle_exists", "this version exists already", version=body["version"])
    row = FirmwareBundle(
        version=body["version"],
        board=body["board"],
        min_batt_v=float(body["min_batt_v"]),
        size=body["size"],
        chunks=fwbundle.chunk_count(body),
        sha256=body["sha256"],
        data=data,
        note=note[:200],
        created_by=user_id,
        created_at=int(time.time()),
    )
    session.add(row)
    session.flush()
    return row


def start(
    session: Session, bundle: FirmwareBundle, pilot: list[int], nodes: list[int], user_id: int | None
) -> FirmwareRollout:
    """A new rollout in its pilot stage; ``nodes`` are checked visible by the caller."""
    everyone = sorted(set(nodes) | set(pilot))
    if not pilot:
        raise FirmwareInvalid("fw_no_pilot", "pick at least one pilot node")
    busy = set()
    for r in session.scalars(select(FirmwareRollout).where(FirmwareRollout.state.in_(ACTIVE))):
        busy |= set(r.nodes) & set(everyone)
    if busy:
        raise FirmwareInvalid("fw_node_busy", "nodes are in another rollout", nodes=sorted(busy))
    now = int(time.time())
    row = FirmwareRollout(
        bundle_id=bundle.id,
        state="pilot",
        pilot=sorted(set(pilot)),
        nodes=everyone,
        reason="",
        created_by=user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def outcome(report: dict[str, Any] | None, version: int) -> str:
    """done | failed | pending for one node, from its gateway's latest report."""
    if not report:
        return "pending"
    state, detail = report.get("fw_state"), str(report.get("fw_detail") or "")
    if report.get("fw_version") == version and state == "run":
        return "done"
    if state == "rolledback" and detail == f"v{version}":
        return "failed"
    transient = detail.startswith("chunk") and detail[5:].isdigit()  # fetched again next wake
    if state == "refused" and not transient and detail in FINAL_REFUSALS:
        return "failed"
    return "pending"


def offered(rollout: FirmwareRollout) -> list[int]:
    """Nodes the gateways offer the bundle to now."""
    if rollout.state == "pilot":
        return list(rollout.pilot)
    return list(rollout.nodes) if rollout.state in ("wide", "done") else []


def advance(rollout: FirmwareRollout, version: int, reports: dict[int, dict[str, Any]]) -> dict[int, str]:
    """Move the rollout on from the nodes' reports; returns node → outcome."""
    outcomes = {n: outcome(reports.get(n), version) for n in rollout.nodes}
    if rollout.state not in ACTIVE:
        return outcomes
    failed = [n for n in offered(rollout) if outcomes[n] == "failed"]
    now = int(time.time())
    if failed:
        rep = reports.get(failed[0]) or {}
        rollout.state = "stopped"
        rollout.reason = f"node {failed[0]}: {rep.get('fw_state')} {rep.get('fw_detail')}"
        rollout.updated_at = now
    elif rollout.state == "pilot" and all(outcomes[n] == "done" for n in rollout.pilot):
        rollout.state, rollout.updated_at = "wide", now
    elif rollout.state == "wide" and all(v == "done" for v in outcomes.values()):
        rollout.state, rollout.updated_at = "done", now
    return outcomes


def stop(rollout: FirmwareRollout, reason: str) -> None:
    if rollout.state in ACTIVE:
        rollout.state, rollout.reason, rollout.updated_at = "stopped", reason[:200], int(time.time())


def targets(session: Session, node_ids: set[int], reports: dict[int, dict[str, Any]]) -> dict[int, int]:
    """node → bundle version to offer, for the given nodes (one gateway's), after advancing."""
    out: dict[int, int] = {}
    rows = session.execute(
        select(FirmwareRollout, FirmwareBundle)
        .join(FirmwareBundle, FirmwareBundle.id == FirmwareRollout.bundle_id)
        .where(FirmwareRollout.state.in_((*ACTIVE, "done")))
        .order_by(FirmwareRollout.id)
    ).all()
    for rollout, bundle in rows:
        if not set(rollout.nodes) & node_ids:
            continue
        advance(rollout, bundle.version, reports)
        for n in offered(rollout):
            if n in node_ids:
                out[n] = bundle.version
    return out


def key_check(session: Session) -> dict[str, Any] | None:
    """The newest bundle's signed manifest, split as the signature covers it, or None without one.

    The server holds no firmware key, so it cannot tell whether the key a technician types for a node
    (Web Serial provisioning, ``mobile_api/technician/device_api.py``) is the cooperative's. The page
    can: HMAC-SHA256 with the typed key over ``domain + body`` must give ``sig``. A typo caught there
    saves a node that would refuse every bundle. The manifest is no secret (the gateway publishes it
    to every targeted node) and a 256-bit key cannot be guessed from it."""
    row = session.scalar(select(FirmwareBundle).order_by(FirmwareBundle.version.desc()))
    if row is None:
        return None
    manifest, _ = fwbundle.from_file(row.data)
    cut = manifest.rfind(b"\n")
    return {
        "version": row.version,
        "domain": fwbundle.DOMAIN.decode(),
        "body": manifest[:cut].decode("utf-8"),
        "sig": manifest[cut + 1 :].decode("ascii").strip(),
    }
