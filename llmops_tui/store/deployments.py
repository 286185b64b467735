"""The deployment history of every environment, and the canary plans being run.

    store.deployments.record(deployment) -> None            idempotent on deployment_id
    store.deployments.history(environment=None, limit=100) -> list[Deployment]   newest first
    store.deployments.state(environment) -> EnvironmentState
    store.deployments.markers(since, until) -> list[Deployment]
        Succeeded deploy/canary/promote/rollback rows in [since, until), oldest first: the
        deploy markers of the metric charts.
    store.deployments.stable_history(environment) -> list[str]
        The releases that were stable there, newest first, repeats in a row collapsed:
        `[current, the one it replaced, ...]` (what a default rollback goes back to).
    store.deployments.canary_started(environment) -> datetime | None
        When the canary in progress started (its first canary row), None without one.
    store.deployments.start_plan(plan) / finish_plan(plan_id, outcome, at)
    store.deployments.open_plan(environment, release_id) -> CanaryPlanRun | None
    store.deployments.plan_rows(plan_id) -> list[Deployment]   oldest first

The state is read back from the rows: the stable release is the one of the newest succeeded
deploy, promote or rollback; a canary runs when a succeeded canary row is newer than that.
Times are stored as naive UTC and returned as aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from llmops_tui.domain.canary_plan import CanaryPlanRun, PlanOutcome
from llmops_tui.domain.deploy import (
    CanaryVerdict,
    DeployAction,
    Deployment,
    DeployStatus,
    EnvironmentState,
)

if TYPE_CHECKING:
    from llmops_tui.store import Store

COLUMNS = """
deployment_id, environment, action, status, release_id, previous_release_id, canary_percent,
target, detail, actor, reason, forced, created_at, plan_id, step, verdict
"""

INSERT_DEPLOYMENT_SQL = """
insert into deployments (
    deployment_id, environment, action, status, release_id, previous_release_id, canary_percent,
    target, detail, actor, reason, forced, created_at, plan_id, step, verdict, seq
) values (
    $deployment_id, $environment, $action, $status, $release_id, $previous_release_id,
    $canary_percent, $target, $detail, $actor, $reason, $forced, $created_at, $plan_id, $step,
    $verdict, (select coalesce(max(seq), 0) + 1 from deployments)
)
on conflict do nothing
"""

HISTORY_SQL = f"""
select {COLUMNS} from deployments
where $environment is null or environment = $environment
order by created_at desc, seq desc limit $limit
"""

LAST_STABLE_SQL = f"""
select {COLUMNS}, seq from deployments
where environment = $environment and status = 'succeeded'
  and action in ('deploy', 'promote', 'rollback')
order by seq desc limit 1
"""

CANARY_AFTER_SQL = f"""
select {COLUMNS} from deployments
where environment = $environment and status = 'succeeded' and action = 'canary'
  and seq > $after
order by seq desc
"""

MARKERS_SQL = f"""
select {COLUMNS} from deployments
where status = 'succeeded' and action in ('deploy', 'canary', 'promote', 'rollback')
  and created_at >= $since and created_at < $until
order by created_at, seq
"""

STABLE_HISTORY_SQL = """
select release_id from deployments
where environment = $environment and status = 'succeeded'
  and action in ('deploy', 'promote', 'rollback')
order by seq desc
"""

INSERT_PLAN_SQL = """
insert into canary_plans values (
    $plan_id, $environment, $release_id, $baseline_release_id, $steps, $bake_seconds,
    $started_at, $started_by, null, null
)
on conflict do nothing
"""

FINISH_PLAN_SQL = """
update canary_plans set finished_at = $at, outcome = $outcome where plan_id = $plan_id
"""

PLAN_COLUMNS = """
plan_id, environment, release_id, baseline_release_id, steps::VARCHAR, bake_seconds,
started_at, started_by, finished_at, outcome
"""

OPEN_PLAN_SQL = f"""
select {PLAN_COLUMNS} from canary_plans
where environment = $environment and release_id = $release_id and outcome is null
order by started_at desc limit 1
"""

PLAN_ROWS_SQL = f"""
select {COLUMNS} from deployments where plan_id = $plan_id
order by seq
"""


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


class DeploymentRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, deployment: Deployment) -> None:
        d = deployment
        params: dict[str, Any] = {
            "deployment_id": d.deployment_id,
            "environment": d.environment,
            "action": d.action.value,
            "status": d.status.value,
            "release_id": d.release_id,
            "previous_release_id": d.previous_release_id,
            "canary_percent": d.canary_percent,
            "target": d.target,
            "detail": d.detail,
            "actor": d.actor,
            "reason": d.reason,
            "forced": d.forced,
            "created_at": _naive(d.created_at),
            "plan_id": d.plan_id,
            "step": d.step,
            "verdict": d.verdict.value if d.verdict else None,
        }
        with self._store.writer() as cur:
            cur.execute(INSERT_DEPLOYMENT_SQL, params)

    def history(self, environment: str | None = None, limit: int = 100) -> list[Deployment]:
        if not self._store.exists():
            return []
        with self._store.reader() as cur:
            rows = cur.execute(HISTORY_SQL, {"environment": environment, "limit": limit}).fetchall()
        return [_deployment(row) for row in rows]

    def state(self, environment: str) -> EnvironmentState:
        empty = EnvironmentState(environment, None, None, None, None)
        if not self._store.exists():
            return empty
        with self._store.reader() as cur:
            stable = cur.execute(LAST_STABLE_SQL, {"environment": environment}).fetchone()
            if stable is None:
                return empty
            base = _deployment(stable[:-1])
            canaries = cur.execute(
                CANARY_AFTER_SQL, {"environment": environment, "after": stable[-1]}
            ).fetchall()
        if not canaries:
            return EnvironmentState(environment, base.release_id, None, None, base.created_at)
        canary = _deployment(canaries[0])
        return EnvironmentState(
            environment,
            base.release_id,
            canary.release_id,
            canary.canary_percent,
            canary.created_at,
        )

    def canary_started(self, environment: str) -> datetime | None:
        if not self._store.exists():
            return None
        with self._store.reader() as cur:
            stable = cur.execute(LAST_STABLE_SQL, {"environment": environment}).fetchone()
            if stable is None:
                return None
            rows = cur.execute(
                CANARY_AFTER_SQL, {"environment": environment, "after": stable[-1]}
            ).fetchall()
        return _deployment(rows[-1]).created_at if rows else None

    def markers(self, since: datetime, until: datetime) -> list[Deployment]:
        if not self._store.exists():
            return []
        with self._store.reader() as cur:
            rows = cur.execute(
                MARKERS_SQL, {"since": _naive(since), "until": _naive(until)}
            ).fetchall()
        return [_deployment(row) for row in rows]

    def stable_history(self, environment: str) -> list[str]:
        if not self._store.exists():
            return []
        with self._store.reader() as cur:
            rows = cur.execute(STABLE_HISTORY_SQL, {"environment": environment}).fetchall()
        releases: list[str] = []
        for (release_id,) in rows:
            if not releases or releases[-1] != release_id:
                releases.append(release_id)
        return releases

    def start_plan(self, plan: CanaryPlanRun) -> None:
        params: dict[str, Any] = {
            "plan_id": plan.plan_id,
            "environment": plan.environment,
            "release_id": plan.release_id,
            "baseline_release_id": plan.baseline_release_id,
            "steps": orjson.dumps(list(plan.steps)).decode(),
            "bake_seconds": plan.bake.total_seconds(),
            "started_at": _naive(plan.started_at),
            "started_by": plan.started_by,
        }
        with self._store.writer() as cur:
            cur.execute(INSERT_PLAN_SQL, params)

    def finish_plan(self, plan_id: str, outcome: PlanOutcome, at: datetime) -> None:
        with self._store.writer() as cur:
            cur.execute(
                FINISH_PLAN_SQL, {"plan_id": plan_id, "outcome": outcome.value, "at": _naive(at)}
            )

    def open_plan(self, environment: str, release_id: str) -> CanaryPlanRun | None:
        if not self._store.exists():
            return None
        with self._store.reader() as cur:
            row = cur.execute(
                OPEN_PLAN_SQL, {"environment": environment, "release_id": release_id}
            ).fetchone()
        return _plan(row) if row else None

    def plan_rows(self, plan_id: str) -> list[Deployment]:
        if not self._store.exists():
            return []
        with self._store.reader() as cur:
            rows = cur.execute(PLAN_ROWS_SQL, {"plan_id": plan_id}).fetchall()
        return [_deployment(row) for row in rows]


def _deployment(row: tuple[Any, ...]) -> Deployment:
    (
        deployment_id,
        environment,
        action,
        status,
        release_id,
        previous,
        percent,
        target,
        detail,
        actor,
        reason,
        forced,
        created_at,
        plan_id,
        step,
        verdict,
    ) = row
    return Deployment(
        deployment_id=deployment_id,
        environment=environment,
        action=DeployAction(action),
        status=DeployStatus(status),
        release_id=release_id,
        previous_release_id=previous,
        canary_percent=percent,
        target=target,
        detail=detail,
        actor=actor,
        reason=reason,
        forced=forced,
        created_at=created_at.replace(tzinfo=UTC),
        plan_id=plan_id,
        step=step,
        verdict=CanaryVerdict(verdict) if verdict else None,
    )


def _plan(row: tuple[Any, ...]) -> CanaryPlanRun:
    plan_id, environment, release, baseline, steps, bake, started, by, finished, outcome = row
    return CanaryPlanRun(
        plan_id=plan_id,
        environment=environment,
        release_id=release,
        baseline_release_id=baseline,
        steps=tuple(float(s) for s in orjson.loads(steps)),
        bake=timedelta(seconds=bake),
        started_at=started.replace(tzinfo=UTC),
        started_by=by,
        finished_at=_aware(finished),
        outcome=PlanOutcome(outcome) if outcome else None,
    )
