"""Hand-built eval runs for the compare, gate and report tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.domain.versions import Release
from llmops_tui.store import Store

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BASE_RELEASE = "rel0base00000001"
CAND_RELEASE = "rel1cand00000002"


def run(
    run_id: str,
    *,
    release_id: str | None = BASE_RELEASE,
    minutes: int = 0,
    repeat: int = 1,
    status: RunStatus = RunStatus.FINISHED,
    dataset: str = "regression",
) -> EvalRun:
    started = T0 + timedelta(minutes=minutes)
    return EvalRun(
        run_id=run_id,
        source=RunSource.LLMOPS,
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=30),
        release_id=release_id,
        release_ref="production" if release_id == BASE_RELEASE else "HEAD",
        dataset=dataset,
        dataset_version=1,
        prompt="support",
        prompt_version=1,
        provider="scripted",
        model="m",
        repeat=repeat,
        suite_hash=None,
        created_by="test",
    )


def result(
    run_id: str,
    case_id: str,
    judge: str,
    passed: bool | None,
    *,
    score: float | None = None,
    repetition: int = 0,
    error: str | None = None,
    output: str | None = None,
    reason: str | None = None,
    latency_ms: float | None = 100.0,
    cost_usd: float | None = None,
    judge_cost_usd: float | None = None,
    required: bool = False,
) -> EvalResult:
    return EvalResult(
        run_id=run_id,
        case_id=case_id,
        repetition=repetition,
        judge=judge,
        passed=passed,
        score=score if score is not None or passed is None else float(passed),
        reason=reason,
        error=error,
        output=output if output is not None else f"{run_id} answers {case_id}",
        latency_ms=latency_ms,
        cost_usd=cost_usd,
        judge_cost_usd=judge_cost_usd,
        required=required,
    )


def pass_fail(run_id: str, judge: str, outcomes: Sequence[bool], **kw: Any) -> list[EvalResult]:
    """One result per case `c00`, `c01`, ... with the given outcomes."""
    return [result(run_id, f"c{i:02d}", judge, ok, **kw) for i, ok in enumerate(outcomes)]


def save(store: Store, eval_run: EvalRun, results: Iterable[EvalResult]) -> EvalRun:
    store.evals.save_run(eval_run)
    store.evals.add_results(list(results))
    return eval_run


def project(root: Path, gate: dict[str, Any] | None = None) -> ProjectConfig:
    return ProjectConfig(root=root, name="test", gate=gate or {})


def releases(store: Store) -> None:
    """The baseline release labelled `production` and the candidate release."""
    for release_id in (BASE_RELEASE, CAND_RELEASE):
        store.releases.save(Release(release_id, None, None, ()), now=T0)
    store.labels.move_release("production", BASE_RELEASE, by="test", at=T0)
