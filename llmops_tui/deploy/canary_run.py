"""`llmops canary run`: step a canary's traffic along the plan, analyse each step, and promote
or roll back unattended (Argo Rollouts' steps, Kayenta's judgement).

For each share below 100: set the canary there (a `canary` row with the plan's id and the
step), bake, analyse the step's window against the stable release, and record the verdict
(an `analysis` row). Pass goes on; fail rolls back and ends the plan; marginal, or too few
requests for a verdict, holds: the canary keeps its share and the command exits 1 with the
evidence. After the last step passes the canary is promoted.

Everything is recorded before the next move, so a run killed at any moment (or held) is
continued by running it again with the same environment and release: the plan is found open
in `canary_plans`, steps whose analysis passed are skipped, a step whose traffic was already
set is not set again, and its bake counts from when it was recorded.
"""

from __future__ import annotations

import hashlib
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, cast

from llmops_tui.deploy.config import CanaryPlan
from llmops_tui.deploy.lifecycle import Lifecycle
from llmops_tui.domain.canary_plan import CanaryPlanRun, PlanOutcome
from llmops_tui.domain.deploy import (
    CanaryAnalysis,
    CanaryThresholds,
    CanaryVerdict,
    DeployAction,
    DeployStatus,
)
from llmops_tui.domain.versions import Release
from llmops_tui.errors import LlmopsError
from llmops_tui.store import Store

_TERMINAL = {
    DeployAction.PROMOTE: PlanOutcome.PROMOTED,
    DeployAction.ROLLBACK: PlanOutcome.ROLLED_BACK,
}

BAKE_TICK_S = 1.0
"""The bake sleeps in slices this long, so Ctrl-C (or a kill) lands promptly."""


class Analyse(Protocol):
    def __call__(
        self,
        store: Store,
        *,
        environment: str,
        canary_release: str,
        baseline_release: str,
        since: datetime,
        until: datetime,
        thresholds: CanaryThresholds,
    ) -> CanaryAnalysis: ...


def format_duration(span: timedelta) -> str:
    """`15m`, `1h30m`, `45s`, `0s`."""
    seconds = round(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return "".join(parts) or "0s"


def default_analyse() -> Analyse:
    """`llmops_tui.deploy.analysis.analyse_canary`, imported when first needed."""
    try:
        module = importlib.import_module("llmops_tui.deploy.analysis")
    except ImportError:
        raise LlmopsError(
            "canary analysis is not available in this build (llmops_tui.deploy.analysis)"
        ) from None
    return cast(Analyse, module.analyse_canary)


@dataclass
class PlanReport:
    plan: CanaryPlanRun
    resumed_from: int | None
    """The step (0-based) a re-run continued from; None for a fresh plan."""
    outcome: PlanOutcome | None = None
    """None: held (marginal, or waiting for requests); the plan stays open."""
    analyses: list[CanaryAnalysis] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome is PlanOutcome.PROMOTED else 1


@dataclass
class CanaryRunner:
    lifecycle: Lifecycle
    plan: CanaryPlan
    analyse: Analyse | None = None
    sleep: Callable[[float], None] = time.sleep
    echo: Callable[[str], None] = lambda _line: None
    bake: timedelta | None = None
    """Overrides the plan's bake time (`--bake`), also for a resumed plan."""
    force: bool = False
    """Start the canary over a refusing policy (`--force --reason`)."""
    reason: str | None = None

    def run(self, environment: str, ref: str | Release) -> PlanReport:
        life = self.lifecycle
        store = life.store
        env = life.config.environment(environment)
        release = life.resolve(ref)
        run, resumed = self._open_plan(env.name, release.release_id)
        report = PlanReport(run, resumed)
        shares = [s for s in run.steps if s < 100]
        bake = self.bake if self.bake is not None else run.bake
        rows = store.deployments.plan_rows(run.plan_id)
        ended = _TERMINAL.get(rows[-1].action) if rows else None
        if ended is not None and rows[-1].status is DeployStatus.SUCCEEDED:
            # Killed after its last action was recorded but before the plan was closed.
            self.echo(f"plan {run.plan_id} had already {ended.value.replace('_', ' ')}")
            return self._finish(report, ended)
        passed = {r.step for r in rows if r.verdict is CanaryVerdict.PASS}
        applied = {
            r.step: r.created_at
            for r in rows
            if r.action is DeployAction.CANARY and r.status is DeployStatus.SUCCEEDED
        }
        for step, share in enumerate(shares):
            if step in passed:
                continue
            state = store.deployments.state(env.name)
            where = f"step {step + 1}/{len(shares)} ({share:g}%)"
            if step in applied and state.canary_percent == share:
                started = applied[step]
                self.echo(f"{where}: traffic already set at {started:%H:%M:%S}")
            else:
                result = life.canary(
                    env.name,
                    release,
                    share,
                    force=self.force,
                    reason=self.reason,
                    plan_id=run.plan_id,
                    step=step,
                )
                started = result.deployment.created_at if result.deployment else life.now()
                self.echo(f"{where}: {result.message}")
            self._bake_until(started + bake, where)
            stable = store.deployments.state(env.name).stable_release or run.baseline_release_id
            analysis = (self.analyse or default_analyse())(
                store,
                environment=env.name,
                canary_release=release.release_id,
                baseline_release=stable,
                since=started,
                until=life.now(),
                thresholds=self.plan.thresholds,
            )
            report.analyses.append(analysis)
            score = "-" if analysis.score is None else f"{analysis.score:.0f}"
            life.record_analysis(
                env.name,
                canary_release=release.release_id,
                baseline_release=stable,
                percent=share,
                verdict=analysis.verdict,
                detail=f"{analysis.verdict.value} (score {score}): {analysis.reason}",
                plan_id=run.plan_id,
                step=step,
            )
            self.echo(
                f"{where}: analysis {analysis.verdict.value} (score {score}): {analysis.reason}"
            )
            if analysis.verdict is CanaryVerdict.FAIL:
                result = life.rollback(
                    env.name,
                    reason=f"canary analysis failed at {share:g}%: {analysis.reason}",
                    plan_id=run.plan_id,
                    step=step,
                )
                self.echo(result.message)
                return self._finish(report, PlanOutcome.ROLLED_BACK)
            if analysis.verdict is not CanaryVerdict.PASS:
                self.echo(
                    f"holding at {share:g}%: run `llmops canary run {env.name} "
                    f"{release.release_id}` again to continue, or promote / roll back by hand"
                )
                return report
        result = life.promote(
            env.name,
            reason=f"canary plan passed {len(shares)} steps",
            plan_id=run.plan_id,
            step=len(shares),
        )
        self.echo(result.message)
        return self._finish(report, PlanOutcome.PROMOTED)

    def _open_plan(self, environment: str, release_id: str) -> tuple[CanaryPlanRun, int | None]:
        life = self.lifecycle
        deployments = life.store.deployments
        state = deployments.state(environment)
        run = deployments.open_plan(environment, release_id)
        rows = deployments.plan_rows(run.plan_id) if run is not None else []
        finished = bool(rows) and rows[-1].action in _TERMINAL
        if run is not None and state.canary_release != release_id and not finished:
            # The environment moved on outside the plan (a manual rollback or promote).
            deployments.finish_plan(run.plan_id, PlanOutcome.ABANDONED, life.now())
            self.echo(f"plan {run.plan_id} was overtaken (no canary of it runs now); starting anew")
            run = None
        if run is not None:
            done = [r.step for r in rows if r.verdict is CanaryVerdict.PASS and r.step is not None]
            step = max(done) + 1 if done else 0
            self.echo(f"resuming plan {run.plan_id} at step {step + 1}")
            return run, step
        if state.stable_release is None:
            raise LlmopsError(
                f"{environment} runs no release yet: deploy one first "
                "(a canary needs a stable release to compare with)"
            )
        now = life.now()
        plan_id = hashlib.sha256(
            f"{environment}\0{release_id}\0{now.isoformat()}".encode()
        ).hexdigest()[:16]
        run = CanaryPlanRun(
            plan_id=plan_id,
            environment=environment,
            release_id=release_id,
            baseline_release_id=state.stable_release,
            steps=self.plan.steps,
            bake=self.bake if self.bake is not None else self.plan.bake,
            started_at=now,
            started_by=life.actor,
        )
        if state.canary_release not in (None, release_id):
            raise LlmopsError(
                f"{environment}: a canary of release {state.canary_release} is in progress; "
                "promote or roll it back first"
            )
        if state.canary_release is None:  # refused before anything is recorded
            life.check_policies(environment, release_id, force=self.force, reason=self.reason)
        deployments.start_plan(run)
        steps = ", ".join(f"{s:g}%" for s in run.steps)
        self.echo(f"plan {plan_id}: {steps}, bake {format_duration(run.bake)} per step")
        return run, None

    def _bake_until(self, until: datetime, where: str) -> None:
        remaining = (until - self.lifecycle.now()).total_seconds()
        if remaining > 0:
            self.echo(f"{where}: baking until {until:%H:%M:%S} UTC")
        while remaining > 0:
            self.sleep(min(BAKE_TICK_S, remaining))
            remaining = (until - self.lifecycle.now()).total_seconds()

    def _finish(self, report: PlanReport, outcome: PlanOutcome) -> PlanReport:
        deployments = self.lifecycle.store.deployments
        deployments.finish_plan(report.plan.plan_id, outcome, self.lifecycle.now())
        report.outcome = outcome
        return report
