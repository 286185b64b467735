"""Eval runs, releases and a deployment history for the Evals and Deploys screens' tests.

Runs and releases are real rows in the demo store; the comparison, the gate, the deployment
log, the lifecycle and the canary analysis are stand-ins with the shared domain types, so the
screens are tested on what they show and do, whatever the statistics compute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.comparison import (
    CaseChange,
    Comparison,
    GateCheck,
    GateResult,
    JudgeComparison,
    RunTotals,
    ScoreKind,
    Verdict,
)
from llmops_tui.domain.deploy import (
    CanaryAnalysis,
    CanaryVerdict,
    DeployAction,
    Deployment,
    DeployStatus,
    MetricCheck,
)
from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.domain.versions import ArtifactKind, Release, ReleaseEntry
from llmops_tui.store import Store

CASES = 10
PROD_RUN = "base0001aaaa"
HEAD_RUN = "cand0001bbbb"
IMPORTED_RUN = "pfoo0001cccc"
OLD_PROD_RUN = "base0000dddd"


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def release(store: Store, release_id: str, ref: str, support: int) -> Release:
    """A saved release of the demo's support prompt at version `support` and model v2."""
    entries = []
    for kind, name, number in (
        (ArtifactKind.PROMPT, "support", support),
        (ArtifactKind.MODEL, "default", 2),
    ):
        version = store.versions.version(kind, name, number)
        entries.append(ReleaseEntry(kind, name, version.content_hash, number))
    saved = Release(release_id, ref, None, tuple(entries))
    store.releases.save(saved, now=at(1).replace(tzinfo=None))
    return saved


def _run(run_id: str, release: Release | None, dataset: str | None, started: datetime) -> EvalRun:
    return EvalRun(
        run_id=run_id,
        source=RunSource.LLMOPS if release else RunSource.PROMPTFOO,
        status=RunStatus.FINISHED,
        started_at=started,
        finished_at=started,
        release_id=release.release_id if release else None,
        release_ref=release.ref if release else None,
        dataset=dataset,
        dataset_version=1 if dataset else None,
        prompt="support",
        prompt_version=None,
        provider="scripted",
        model="gpt-4o-mini",
        repeat=1,
        suite_hash=None,
        created_by="maya",
        label=None if release else "nightly smoke",
    )


def _results(run_id: str, exact_passes: set[int]) -> list[EvalResult]:
    rows = []
    for case in range(CASES):
        case_id = f"case-{case:02d}"
        common = {"output": f"{run_id[:4]} answer {case}", "latency_ms": 100.0 + case}
        rows.append(
            EvalResult(run_id, case_id, 0, "exact", case in exact_passes, cost_usd=0.001, **common)  # type: ignore[arg-type]
        )
        rows.append(
            EvalResult(
                run_id,
                case_id,
                0,
                "similarity",
                True,
                score=0.8,
                cost_usd=0.001,
                judge_cost_usd=0.0002,
                **common,  # type: ignore[arg-type]
            )
        )
    return rows


@dataclass
class EvalFixture:
    production: Release
    head: Release
    runs: dict[str, EvalRun]


def add_eval_runs(store: Store) -> EvalFixture:
    """Four runs: two of production's and one of HEAD's on the regression suite, and a newer
    imported promptfoo run without a release. Labels `production` on the production release."""
    production = release(store, "e11a0000prod", "production", 3)
    head = release(store, "e11b0000head", "HEAD", 4)
    store.labels.move_release("production", production.release_id, by="release-bot")
    runs = {
        PROD_RUN: _run(PROD_RUN, production, "support_regression", at(18)),
        HEAD_RUN: _run(HEAD_RUN, head, "support_regression", at(19)),
        IMPORTED_RUN: _run(IMPORTED_RUN, None, None, at(20)),
        OLD_PROD_RUN: _run(OLD_PROD_RUN, production, "support_regression", at(16)),
    }
    store.evals.import_run(runs[OLD_PROD_RUN], _results(OLD_PROD_RUN, set(range(10))))
    store.evals.import_run(runs[PROD_RUN], _results(PROD_RUN, set(range(9))))
    store.evals.import_run(runs[HEAD_RUN], _results(HEAD_RUN, {*range(7), 9}))
    store.evals.import_run(runs[IMPORTED_RUN], _results(IMPORTED_RUN, set(range(5))))
    return EvalFixture(production, head, runs)


def _totals(pass_rate: float, cost: float) -> RunTotals:
    return RunTotals(CASES, 2 * CASES, pass_rate, 0, cost, cost / CASES, 104.5, 109.0)


def comparison(baseline: EvalRun, candidate: EvalRun) -> Comparison:
    """What `compare_runs` would say of the fixture's runs (figures chosen, not computed)."""
    judges = (
        JudgeComparison(
            "exact", ScoreKind.PASS_FAIL, CASES, 0.9, 0.8, -0.1, -0.3, 0.1, 0.625, 0.625,
            "mcnemar-exact", -0.28, 0.35, None, Verdict.UNCHANGED, discordant=3,
        ),
        JudgeComparison(
            "similarity", ScoreKind.NUMERIC, CASES, 0.84, 0.71, -0.13, -0.2, -0.06, 0.002,
            0.004, "wilcoxon", -1.1, 0.05, None, Verdict.REGRESSED,
        ),
    )  # fmt: skip
    changes = (
        CaseChange("case-07", "exact", True, 1.0, 0.0, "refund in 5 days", "no refunds", None,
                   "expected 'refund in 5 days'", required=True),
        CaseChange("case-08", "exact", True, 1.0, 0.0, "reset via settings", "call us", None,
                   "expected 'reset via settings'"),
        CaseChange("case-09", "exact", False, 0.0, 1.0, "unsure", "plan B covers it", None, None),
    )  # fmt: skip
    return Comparison(
        baseline, candidate, _totals(0.9, 0.015), _totals(0.8, 0.016), judges, changes, 0.05
    )


def gate_result(result_of: Comparison) -> GateResult:
    checks = (
        GateCheck("min_pass_rate", True, "candidate 80.0% ≥ 75.0%"),
        GateCheck("no_regression:exact", True, "-10.0 pts, p (Holm) 0.625 ≥ 0.05"),
        GateCheck("no_regression:similarity", False, "-0.130, p (Holm) 0.004 < 0.05"),
        GateCheck("required_cases", False, "case-07 failed (exact)"),
    )
    return GateResult(
        False,
        checks,
        result_of,
        result_of.candidate.release_id,
        result_of.baseline.release_id,
    )


# -- deployments --------------------------------------------------------------------------

R1, R2, R3 = "d1000000aaaa", "d2000000bbbb", "d3000000cccc"


def deploy_config(root: Path) -> ProjectConfig:
    """Both environments on the `file` target under `root`; no gate verdict needed (the
    screen's tests are about the screen, the lifecycle's own tests cover its policies)."""
    return ProjectConfig(
        root=root,
        name="acme-support",
        environments={
            "staging": {"target": "file", "require_gate": False},
            "production": {"target": "file", "after": "staging", "require_gate": False},
        },
    )


def deployment(
    env: str,
    action: DeployAction,
    release_id: str,
    previous: str | None,
    when: datetime,
    *,
    percent: float | None = None,
    status: DeployStatus = DeployStatus.SUCCEEDED,
    reason: str | None = None,
    actor: str = "maya",
) -> Deployment:
    return Deployment(
        deployment_id=f"{env}-{when:%d%H}-{action.value}",
        environment=env,
        action=action,
        status=status,
        release_id=release_id,
        previous_release_id=previous,
        canary_percent=percent,
        target="file",
        detail=f"wrote deploy/{env}.json" if status is DeployStatus.SUCCEEDED else "disk full",
        actor=actor,
        reason=reason,
        forced=False,
        created_at=when,
    )


CLEAR_DEPLOYMENTS_SQL = "delete from deployments"


def deploy_history(store: Store) -> list[Deployment]:
    """Recorded in the store instead of the demo's own, newest first: staging runs R3;
    production runs R2 with R3 as a 10% canary (after a canary of R3 that failed). Saves the
    releases."""
    with store.writer() as cur:
        cur.execute(CLEAR_DEPLOYMENTS_SQL)
    release(store, R1, "v2.0.0", 2)
    release(store, R2, "v2.1.0", 3)
    release(store, R3, "HEAD", 4)
    records = [
        deployment("production", DeployAction.CANARY, R3, R2, at(20, 10), percent=10,
                   reason="plan-specific policies"),
        deployment("staging", DeployAction.DEPLOY, R3, R2, at(19, 15)),
        deployment("production", DeployAction.CANARY, R3, R2, at(19, 9), percent=10,
                   status=DeployStatus.FAILED),
        deployment("production", DeployAction.DEPLOY, R2, R1, at(18, 9), actor="release-bot"),
        deployment("staging", DeployAction.DEPLOY, R2, R1, at(17, 9)),
        deployment("production", DeployAction.DEPLOY, R1, None, at(10, 9)),
        deployment("staging", DeployAction.DEPLOY, R1, None, at(9, 9)),
    ]  # fmt: skip
    for record in reversed(records):
        store.deployments.record(record)
    return records


def canary_analysis(environment: str, canary: str, baseline: str) -> CanaryAnalysis:
    checks = (
        MetricCheck("error_rate", 0.012, 0.031, "two-proportion z", 0.004, False,
                    "2.6× baseline's error rate (limit 1.5×)"),
        MetricCheck("latency_p50", 812.0, 840.0, "mann-whitney u", 0.21, True,
                    "+3.4% (limit +10%)"),
        MetricCheck("cost_per_request", 0.0021, 0.0022, "ratio", None, True, "+4.8% (limit +20%)"),
        MetricCheck("feedback", None, None, "mann-whitney u", None, None, "no votes yet"),
    )  # fmt: skip
    return CanaryAnalysis(
        environment, canary, baseline, at(20, 10), at(20, 12), 3702, 412, checks, 66.7,
        CanaryVerdict.FAIL, "error_rate above its limit",
    )  # fmt: skip
