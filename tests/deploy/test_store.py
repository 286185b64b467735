"""`store.deployments`: history, the state read back from it, markers, plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from llmops_tui.domain.canary_plan import CanaryPlanRun, PlanOutcome
from llmops_tui.domain.deploy import CanaryVerdict, DeployAction, Deployment, DeployStatus
from llmops_tui.store import Store

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _row(
    n: int,
    action: DeployAction,
    release: str,
    *,
    previous: str | None = None,
    percent: float | None = None,
    status: DeployStatus = DeployStatus.SUCCEEDED,
    at: datetime | None = None,
    env: str = "production",
) -> Deployment:
    return Deployment(
        deployment_id=f"d{n}",
        environment=env,
        action=action,
        status=status,
        release_id=release,
        previous_release_id=previous,
        canary_percent=percent,
        target="file",
        detail="wrote deploy/production.json",
        actor="ann",
        reason=None,
        forced=False,
        created_at=at or T0 + timedelta(hours=n),
    )


def test_state_follows_the_recorded_order_even_at_equal_times(store: Store) -> None:
    deploys = store.deployments
    assert deploys.state("production").stable_release is None
    deploys.record(_row(1, DeployAction.DEPLOY, "r1"))
    deploys.record(_row(2, DeployAction.DEPLOY, "r2", previous="r1", status=DeployStatus.FAILED))
    assert deploys.state("production").stable_release == "r1"  # a failure changes nothing
    same = T0 + timedelta(hours=3)
    deploys.record(_row(3, DeployAction.CANARY, "r2", previous="r1", percent=10, at=same))
    deploys.record(_row(4, DeployAction.CANARY, "r2", previous="r1", percent=50, at=same))
    state = deploys.state("production")
    assert (state.stable_release, state.canary_release, state.canary_percent) == ("r1", "r2", 50)
    assert deploys.canary_started("production") == same
    deploys.record(_row(5, DeployAction.ROLLBACK, "r1", previous="r2", at=same))
    state = deploys.state("production")
    assert (state.stable_release, state.canary_release, state.since) == ("r1", None, same)
    assert deploys.canary_started("production") is None
    deploys.record(_row(5, DeployAction.ROLLBACK, "r1"))  # idempotent on the id: ignored
    assert [d.deployment_id for d in deploys.history()] == ["d5", "d4", "d3", "d2", "d1"]
    assert deploys.history("staging") == []


def test_markers_and_stable_history(store: Store) -> None:
    deploys = store.deployments
    for row in (
        _row(1, DeployAction.DEPLOY, "r1"),
        _row(2, DeployAction.DEPLOY, "r2", previous="r1"),
        _row(3, DeployAction.CANARY, "r3", previous="r2", percent=10),
        _row(4, DeployAction.ANALYSIS, "r3", previous="r2", percent=10),
        _row(5, DeployAction.ROLLBACK, "r2", previous="r3"),
        _row(6, DeployAction.DEPLOY, "r9", env="staging"),
    ):
        deploys.record(row)
    markers = deploys.markers(T0 + timedelta(hours=2), T0 + timedelta(hours=6))
    assert [m.deployment_id for m in markers] == ["d2", "d3", "d5"]  # no analysis, oldest first
    assert deploys.stable_history("production") == ["r2", "r1"]


def test_plans_open_resume_and_finish(store: Store) -> None:
    deploys = store.deployments
    plan = CanaryPlanRun(
        "p1", "production", "r2", "r1", (10, 50, 100), timedelta(minutes=15), T0, "ann"
    )
    deploys.start_plan(plan)
    assert deploys.open_plan("production", "r2") == plan
    assert deploys.open_plan("production", "r3") is None
    row = Deployment(
        "a1",
        "production",
        DeployAction.ANALYSIS,
        DeployStatus.SUCCEEDED,
        "r2",
        "r1",
        10,
        "file",
        "pass",
        "ann",
        None,
        False,
        T0,
        plan_id="p1",
        step=0,
        verdict=CanaryVerdict.PASS,
    )
    deploys.record(row)
    assert deploys.plan_rows("p1") == [row]
    deploys.finish_plan("p1", PlanOutcome.PROMOTED, T0 + timedelta(hours=1))
    assert deploys.open_plan("production", "r2") is None
