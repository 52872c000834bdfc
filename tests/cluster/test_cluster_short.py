"""The province on namespaced hosts, short run (issue 19): 2 app hosts behind HAProxy, PostgreSQL
primary + synchronous replica, InfluxDB and 3 gateways; kill -9 an app host during a replay,
restart HAProxy, promote the replica, lose the answers to a gateway's uploads, cut a gateway off.
Every acknowledged frame is stored once (a resent batch whose answer was lost is recognised, not
stored again) and a signed-in farmer stays signed in. The long run is ``bench/cluster.py``."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from deploy.cluster.netns import unavailable

WHY = unavailable()
pytestmark = pytest.mark.skipif(WHY is not None, reason=f"multi-host harness unavailable: {WHY}")


def test_faults_lose_and_duplicate_nothing_and_keep_people_signed_in() -> None:
    from deploy.cluster.scenario import Plan, run

    # Not pytest's tmp_path: as root it is private (0700) and PostgreSQL runs as its own user.
    workdir = Path(tempfile.mkdtemp(prefix="rs-cluster-"))
    try:
        outcome = run(workdir, Plan(nodes_per_gateway=5, backlog=96, settle_s=3, cut_s=10))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    summary = outcome.summary()
    assert summary["acknowledged"] >= 3 * 5 * 96  # the replayed day, plus live frames
    assert summary["left_in_outboxes"] == 0
    assert summary["lost"] == 0 and summary["duplicated"] == 0, summary
    assert summary["stored_points"] == summary["acknowledged"]
    assert summary["replies_lost"] >= 3 and summary["resent_and_recognised"] >= 1, summary
    assert summary["signed_in_after_app_kill"] and summary["signed_in_after_db_failover"], summary
