"""What a deploy target is asked to do, and what it reports back.

An environment (`staging`, `production`) runs one stable release and, during a canary, a second
release on a share of the traffic. A target makes that state real where the app reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from llmops_tui.domain.versions import Release


@dataclass(frozen=True, slots=True)
class TrafficShare:
    release_id: str
    percent: float
    """0..100; the shares of one request add up to 100."""


@dataclass(frozen=True, slots=True)
class DeployRequest:
    environment: str
    release: Release
    """The release to make active (the canary's release during a canary step)."""
    traffic: tuple[TrafficShare, ...]
    """The whole split after this step: `(stable 90%, canary 10%)`, or `(release 100%)`."""
    options: Mapping[str, object]
    """The environment's target options from `llmops.toml`."""
    project_root: Path
    """Relative paths in `options` are relative to this folder."""
    action: str
    """`deploy`, `canary`, `promote` or `rollback`."""
    actor: str
    reason: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    """`kind/name` → version tag (`prompt/support` → `v4`) of the release, for targets that
    write them out."""


@dataclass(frozen=True, slots=True)
class DeployOutcome:
    detail: str
    """One line for the history: `wrote deploy/production.json`, `moved tag deploy/staging`."""
    changed: bool = True
    """False when the target already held this state (an idempotent repeat)."""


class CanaryVerdict(StrEnum):
    PASS = "pass"
    MARGINAL = "marginal"
    """Not clearly worse, not clean enough to promote unattended: a `canary run` holds."""
    FAIL = "fail"
    WAITING = "waiting"
    """Fewer requests than the plan's minimum in a cohort: no verdict yet."""


@dataclass(frozen=True, slots=True)
class CanaryThresholds:
    """When a canary fails, from `[canary]` in `llmops.toml` (the plan)."""

    min_requests: int = 700
    """Per cohort, before any verdict. Simulated (`bench/canary_simulation.py`, 1,000
    canaries, 5% base error rate; `bench/RESULTS.md`): at 700 a canary with twice the error
    rate fails 93% of the time and an identical one passes 97%; 600-650 sit on the 90% line
    (90.3%, 89.8%) and 200 catches a doubling only 42% of the time (10 errors against 20 are
    rarely significant). A 2% base rate needs ~1,800 requests (92.5%; 53% at 700). +30% p50
    latency fails 98% of the time at 200 already."""
    alpha: float = 0.05
    """Family-wise: the chance that an identical canary fails any check (Holm-adjusted)."""
    max_error_rate_increase: float = 0.5
    """Relative: 0.5 fails a canary whose error rate is significantly above baseline's and
    observed at 1.5× baseline's or more."""
    max_latency_increase: float = 0.1
    """Relative, on p50: 0.1 fails a significantly slower canary whose p50 is 10%+ higher."""
    max_cost_increase: float = 0.2
    """Relative, on cost per request."""
    max_score_drop: float = 0.05
    """Absolute drop of judge scores / user feedback means (0..1 scale)."""
    pass_score: float = 90.0
    """Kayenta-style: a score (0..100, share of checks passed, weighted) at or above this
    passes; at or above `marginal_score` is marginal; below fails."""
    marginal_score: float = 75.0


@dataclass(frozen=True, slots=True)
class MetricCheck:
    metric: str
    """`error_rate`, `latency_p50`, `cost_per_request`, `judge:<name>`, `feedback`."""
    baseline: float | None
    canary: float | None
    test: str
    """`two-proportion z`, `mann-whitney u`, ..."""
    p_value: float | None
    passed: bool | None
    """None when there is no data for this metric (it then doesn't count)."""
    detail: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class CanaryAnalysis:
    environment: str
    canary_release: str
    baseline_release: str
    window_start: datetime
    window_end: datetime
    baseline_requests: int
    canary_requests: int
    checks: tuple[MetricCheck, ...]
    score: float | None
    """0..100; None while waiting."""
    verdict: CanaryVerdict
    reason: str
    """One line: why this verdict (the failing checks, or the missing sample)."""


class DeployAction(StrEnum):
    DEPLOY = "deploy"
    CANARY = "canary"
    """Start a canary or change its share of traffic."""
    PROMOTE = "promote"
    """The canary becomes the stable release at 100%."""
    ROLLBACK = "rollback"
    ANALYSIS = "analysis"
    """A canary plan's analysis step (recorded with its verdict; changes no traffic)."""


class DeployStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """The target failed: the environment kept its previous state."""


@dataclass(frozen=True, slots=True)
class Deployment:
    """One recorded action on an environment (`deployments` table): who, when, why, and what
    it replaced."""

    deployment_id: str
    environment: str
    action: DeployAction
    status: DeployStatus
    release_id: str
    """The release this action made active (the canary's for a canary step)."""
    previous_release_id: str | None
    """The stable release it replaced (what `rollback` goes back to)."""
    canary_percent: float | None
    """The canary's share after this action; None when no canary runs."""
    target: str
    detail: str
    """The target's one-line outcome, or the failure reason."""
    actor: str
    reason: str | None
    forced: bool
    """A policy was overridden with `--force --reason`."""
    created_at: datetime
    plan_id: str | None = None
    """Set on the steps of one `canary run`, which resumes from its last recorded step."""
    step: int | None = None
    verdict: CanaryVerdict | None = None
    """For an `analysis` row: the canary analysis verdict."""


@dataclass(frozen=True, slots=True)
class EnvironmentState:
    """What an environment runs now, from its deployment history."""

    environment: str
    stable_release: str | None
    canary_release: str | None
    canary_percent: float | None
    since: datetime | None
    """When the current state began (the last succeeded action)."""
