"""The demo's deployment history, replayed through the real lifecycle along the traffic.

Each support-prompt version's release (the commit that introduced it) is deployed to staging
when staging starts serving it and to production when production does, through the `file`
target, so `deploy/<env>.json` ends up as the app would read it. The v4 release then tells
the issue's story:

- a canary on 30% of production that fails its analysis in the incident window (the demo
  traffic's v4 calls fail and slow down there) and is rolled back by the release bot;
- a second canary after the incident, which passes and is promoted.

The analysis rows carry the real figures of the demo's spans (error rate and p50 of the
canary's prompt version against the stable one over the last hour). The demo's releases
predate any recorded gate verdict, so the history is replayed with the gate taken as passed,
as the team's CI had it then; the user's own `llmops deploy` checks the real gate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from llmops_tui.config import ProjectConfig
from llmops_tui.demo.history import RELEASE_BOT, plan
from llmops_tui.demo.traffic import TrafficSummary
from llmops_tui.deploy.config import load_deploy_config
from llmops_tui.deploy.lifecycle import Lifecycle
from llmops_tui.domain.canary_plan import CanaryPlanRun, PlanOutcome
from llmops_tui.domain.deploy import CanaryVerdict
from llmops_tui.domain.metrics import StatsGrouping
from llmops_tui.plugin_manager import load_plugins
from llmops_tui.store import Store
from llmops_tui.versions.git import Git

COMMIT_OF_VERSION = {"v1": 4, "v2": 5, "v3": 7, "v4": 8}
"""Which step of `history.plan` made each prompt version's release (v1: the last commit
before v2, when production ran v1 with the newest model and retrieval configs)."""
CANARY_SHARE = 30.0
ANALYSIS_WINDOW = timedelta(hours=1)


@dataclass
class _Clock:
    at: datetime

    def __call__(self) -> datetime:
        return self.at


def record_history(store: Store, project: ProjectConfig, traffic: TrafficSummary) -> int:
    """Replay the history; returns how many deployments were recorded (0 without git or
    without environments in the project)."""
    config = load_deploy_config(project)
    git = Git.discover(project.root)
    if git is None or not {"staging", "production"} <= set(config.environments):
        return 0
    steps = plan(traffic)
    by_subject = {}
    for line in git.run("log", "--format=%H %s").decode().splitlines():
        sha, _, subject = line.partition(" ")
        by_subject[subject] = sha
    clock = _Clock(_utc(steps[0].at))
    life = Lifecycle(
        store,
        project,
        config,
        load_plugins(load_entrypoints=False),
        actor=RELEASE_BOT,
        now=clock,
        gate=lambda _release: True,
    )
    releases = {
        v: life.resolve(by_subject[steps[i].message]).release_id
        for v, i in COMMIT_OF_VERSION.items()
    }
    before = len(store.deployments.history(limit=10_000))

    def act(at: datetime, actor: str) -> Lifecycle:
        clock.at, life.actor = at, actor
        return life

    first = _utc(steps[4].at)
    act(first + timedelta(hours=1), "maya").deploy(
        "staging", releases["v1"], reason="release 2.1.0"
    )
    act(first + timedelta(days=1), "priya").deploy(
        "production", releases["v1"], reason="release 2.1.0"
    )
    rollouts = {(r.environment, r.prompt_version, r.share): _utc(r.at) for r in traffic.rollouts}
    for version, number in (("v2", "2.2.0"), ("v3", "2.3.0"), ("v4", "2.4.0")):
        staged = rollouts[("staging", version, 1.0)]
        act(staged, "maya").deploy("staging", releases[version], reason=f"release {number} QA")
        if version != "v4":
            act(rollouts[("production", version, 1.0)], "priya").deploy(
                "production", releases[version], reason=f"release {number}"
            )
    canary_at = rollouts.get(("production", "v4", CANARY_SHARE / 100))
    if canary_at is None:
        return len(store.deployments.history(limit=10_000)) - before
    incident_start, incident_end = _utc(traffic.incident_start), _utc(traffic.incident_end)
    failed_at = incident_start + ANALYSIS_WINDOW
    _canary_plan(
        store,
        life,
        act,
        releases,
        start=canary_at,
        verdict_at=failed_at,
        incident_end=incident_end,
        actor="lukas",
        reason="release 2.4.0: plan-specific policies",
    )
    retry_at = incident_end + timedelta(minutes=30)
    promote_at = rollouts.get(("production", "v4", 1.0))
    end = _utc(traffic.end)
    if promote_at is not None and retry_at < promote_at <= end:
        _canary_plan(
            store,
            life,
            act,
            releases,
            start=retry_at,
            verdict_at=promote_at - timedelta(minutes=5),
            incident_end=incident_end,
            actor="lukas",
            reason="release 2.4.0 again: the provider's rate limits are fixed",
        )
    return len(store.deployments.history(limit=10_000)) - before


def _canary_plan(
    store: Store,
    life: Lifecycle,
    act: Callable[[datetime, str], Lifecycle],
    releases: dict[str, str],
    *,
    start: datetime,
    verdict_at: datetime,
    incident_end: datetime,
    actor: str,
    reason: str,
) -> None:
    """One `canary run` of v4 on 30% of production, analysed once at `verdict_at`: it fails
    inside the incident window and passes after it (the figures say why)."""
    stable, canary = releases["v3"], releases["v4"]
    plan_id = hashlib.sha256(f"demo\0{canary}\0{start.isoformat()}".encode()).hexdigest()[:16]
    store.deployments.start_plan(
        CanaryPlanRun(
            plan_id,
            "production",
            canary,
            stable,
            (CANARY_SHARE, 100.0),
            verdict_at - start,
            start,
            actor,
        )
    )
    act(start, actor).canary(
        "production", canary, CANARY_SHARE, reason=reason, plan_id=plan_id, step=0
    )
    # The verdict is the story's (inside the incident window v4 fails and slows down); the
    # figures are the demo traffic's own.
    failed = verdict_at <= incident_end
    verdict = CanaryVerdict.FAIL if failed else CanaryVerdict.PASS
    window_start = verdict_at - ANALYSIS_WINDOW if failed else start
    figures = _evidence(store, window_start, verdict_at)
    detail = f"{verdict.value}: {figures}"
    act(verdict_at, RELEASE_BOT).record_analysis(
        "production",
        canary_release=canary,
        baseline_release=stable,
        percent=CANARY_SHARE,
        verdict=verdict,
        detail=detail,
        plan_id=plan_id,
        step=0,
    )
    if verdict is CanaryVerdict.FAIL:
        act(verdict_at + timedelta(minutes=2), RELEASE_BOT).rollback(
            "production",
            reason=f"canary analysis failed at {CANARY_SHARE:g}%: {figures}",
            plan_id=plan_id,
            step=0,
        )
        outcome = PlanOutcome.ROLLED_BACK
    else:
        act(verdict_at + timedelta(minutes=5), RELEASE_BOT).promote(
            "production", reason="canary plan passed 1 step", plan_id=plan_id, step=1
        )
        outcome = PlanOutcome.PROMOTED
    store.deployments.finish_plan(plan_id, outcome, life.now())


def _evidence(store: Store, since: datetime, until: datetime) -> str:
    """The canary's prompt version (support v4) against the stable one (v3) in production:
    the figures an analysis of the window saw."""
    rows = store.metrics.stats(
        since=since.replace(tzinfo=None),
        until=until.replace(tzinfo=None),
        environment="production",
        grouping=StatsGrouping.PROMPT,
    )
    by_version = {row.group.rpartition("@")[2].lstrip("v"): row for row in rows}
    canary, baseline = by_version.get("4"), by_version.get("3")
    if canary is None or baseline is None or not canary.requests or not baseline.requests:
        return "too few requests in one cohort"
    hours = (until - since) / timedelta(hours=1)
    return (
        f"error rate {canary.errors / canary.requests:.1%} vs "
        f"{baseline.errors / baseline.requests:.1%}, p50 {canary.p50_ms or 0:.0f} ms vs "
        f"{baseline.p50_ms or 0:.0f} ms ({canary.requests} vs {baseline.requests} calls "
        f"in {hours:.0f}h)"
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
