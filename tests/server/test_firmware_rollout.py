"""Firmware bundles and staged rollouts on the real schema (migration 0012, SQLite and PostgreSQL):
a bundle is checked before it is kept, a rollout offers the pilots first, widens only when every
pilot confirmed the version, ends when all did, and stops at the first node that refused the bundle
or rolled it back; the gateway's targets follow. Downgrade removes the tables, with rows in them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect

from demo.seed import seed
from firmware.lib import fwbundle
from server.db import Database
from server.technician import firmware
from server.technician.models import FirmwareBundle, FirmwareRollout

KEY = bytes(range(32))


def bundle_file(version: int) -> bytes:
    manifest, payload = fwbundle.make(KEY, [("app.py", b"x = %d\n" % version * 300)], version, "esp32", 3.7)
    return fwbundle.to_file(manifest, payload)


def report(version: int, state: str, detail: str = "-") -> dict[str, Any]:
    return {"fw_version": version, "fw_state": state, "fw_detail": detail}


def test_rollout_stages_on_the_migrated_schema(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    nodes = [n.node_id for n in seed(db).nodes[:4]]
    with db.session() as s:
        with pytest.raises(firmware.FirmwareInvalid) as refused:
            firmware.add_bundle(s, bundle_file(2)[:-1], None)  # one byte short: payload hash fails
        assert refused.value.code == "fw_bundle_format"
        b2 = firmware.add_bundle(s, bundle_file(2), None, "first")
        with pytest.raises(firmware.FirmwareInvalid) as dup:
            firmware.add_bundle(s, bundle_file(2), None)
        assert dup.value.code == "fw_bundle_exists"
        with pytest.raises(firmware.FirmwareInvalid, match="pilot"):
            firmware.start(s, b2, [], nodes, None)
        r = firmware.start(s, b2, nodes[:1], nodes[:3], None)
        with pytest.raises(firmware.FirmwareInvalid) as busy:
            firmware.start(s, b2, nodes[2:4], nodes[2:4], None)
        assert busy.value.code == "fw_node_busy" and busy.value.params["nodes"] == [nodes[2]]
        rid = r.id

    with db.session() as s:
        assert firmware.targets(s, set(nodes), {}) == {nodes[0]: 2}  # the pilot only
        fetching = {nodes[0]: {"fw_version": 0, "fw_state": "fetch", "fw_detail": "v2"}}
        assert firmware.targets(s, set(nodes), fetching) == {nodes[0]: 2}
        trial = {nodes[0]: report(2, "trial", "installed")}
        assert firmware.targets(s, set(nodes), trial) == {nodes[0]: 2}  # not confirmed yet
        confirmed = {nodes[0]: report(2, "run")}
        assert firmware.targets(s, set(nodes), confirmed) == {n: 2 for n in nodes[:3]}
        assert firmware.targets(s, {nodes[1]}, confirmed) == {nodes[1]: 2}  # one gateway's nodes
        all_done = {n: report(2, "run") for n in nodes[:3]}
        firmware.targets(s, set(nodes), all_done)

    with db.session() as s:
        kept = s.get(FirmwareBundle, b2.id)
        assert kept is not None and kept.version == 2 and kept.note == "first"
        assert kept.chunks == fwbundle.chunk_count(fwbundle.unsigned_body(fwbundle.from_file(kept.data)[0]))
        done = s.get(FirmwareRollout, rid)
        assert done is not None and done.state == "done"
        b3 = firmware.add_bundle(s, bundle_file(3), None)
        r3 = firmware.start(s, b3, nodes[:1], nodes[:3], None)  # a done rollout does not block
        corrupt_chunk = {nodes[0]: report(2, "refused", "chunk7")}  # fetched again: not a failure
        assert firmware.advance(r3, 3, corrupt_chunk)[nodes[0]] == "pending" and r3.state == "pilot"
        rolled_back = {nodes[0]: report(2, "rolledback", "v3")}
        assert firmware.advance(r3, 3, rolled_back)[nodes[0]] == "failed"
        assert r3.state == "stopped" and r3.reason == f"node {nodes[0]}: rolledback v3"
        r3_id = r3.id

    with db.session() as s:
        # the stopped rollout offers nothing; the finished one still names v2 (already running)
        assert firmware.targets(s, set(nodes), {}) == {n: 2 for n in nodes[:3]}
        b4 = firmware.add_bundle(s, bundle_file(4), None)
        r4 = firmware.start(s, b4, nodes[3:4], nodes[3:4], None)
        assert firmware.advance(r4, 4, {nodes[3]: report(0, "refused", "bad")})[nodes[3]] == "failed"
        assert r3_id != r4.id and r4.state == "stopped"

    assert {"tech_fw_bundle", "tech_fw_rollout"} <= set(inspect(db.engine).get_table_names())
    db.downgrade("0011")
    assert not {"tech_fw_bundle", "tech_fw_rollout"} & set(inspect(db.engine).get_table_names())
    db.upgrade()
    db.engine.dispose()
