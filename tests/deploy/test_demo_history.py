"""The demo's deployment history: a staged release, a canary that failed its analysis in the
incident window and was rolled back, and a clean promotion."""

from __future__ import annotations

import json

from llmops_tui.demo.workspace import DemoWorkspace
from llmops_tui.domain.deploy import CanaryVerdict, DeployAction
from llmops_tui.store import Store


def test_the_demo_records_staging_a_failed_canary_and_a_promotion(
    demo_build: DemoWorkspace,
) -> None:
    store = Store(demo_build.database, readonly=True)
    traffic = demo_build.traffic
    history = list(reversed(store.deployments.history(limit=1000)))
    staging = [d for d in history if d.environment == "staging"]
    assert [d.action for d in staging] == [DeployAction.DEPLOY] * 4
    production = [(d.action, d.verdict) for d in history if d.environment == "production"]
    assert production == [
        (DeployAction.DEPLOY, None),
        (DeployAction.DEPLOY, None),
        (DeployAction.DEPLOY, None),
        (DeployAction.CANARY, None),
        (DeployAction.ANALYSIS, CanaryVerdict.FAIL),
        (DeployAction.ROLLBACK, None),
        (DeployAction.CANARY, None),
        (DeployAction.ANALYSIS, CanaryVerdict.PASS),
        (DeployAction.PROMOTE, None),
    ]
    rows = [d for d in history if d.environment == "production"]
    failed, rollback = rows[4], rows[5]
    assert traffic.incident_start <= failed.created_at <= traffic.incident_end
    assert "p50" in failed.detail
    assert rollback.reason is not None
    assert rollback.reason.startswith("canary analysis failed at 30%")
    assert rollback.release_id == rows[2].release_id  # back to the v3 release
    assert rows[3].plan_id == failed.plan_id == rollback.plan_id
    # Every release reached production after it was deployed to staging.
    staged = {d.release_id: d.created_at for d in staging}
    for row in rows:
        assert staged[row.release_id] < row.created_at, row
    state = store.deployments.state("production")
    assert (state.stable_release, state.canary_release) == (rows[-1].release_id, None)
    written = json.loads((demo_build.root / "deploy" / "production.json").read_text())
    assert written["release"] == rows[-1].release_id
    assert written["artifacts"]["prompt/support"] == "v4"
    markers = store.deployments.markers(traffic.start, traffic.end)
    assert {m.action for m in markers} == {
        DeployAction.DEPLOY,
        DeployAction.CANARY,
        DeployAction.ROLLBACK,
        DeployAction.PROMOTE,
    }
