"""Compare two eval runs case by case: `llmops eval compare`, the gate and the Evals screen.

    compare_runs(store, baseline_run_id, candidate_run_id, *, alpha=0.05) -> Comparison
    compare_results(baseline, candidate, baseline_rows, candidate_rows, *, alpha, noise_floors)

`compare_runs` reads the runs and their A/A noise floors from the store and hands the rows to
`compare_results`, which is pure (the gate simulation in `bench/gate_simulation.py` drives
it directly). Only cases present in both runs are compared; the others are counted.

A judge regresses when its Holm-adjusted p-value is below alpha, the difference points down,
and the difference is larger than the A/A noise floor (two runs of one release on the same
suite differ by that much with nothing changed, whatever a p-value computed from one pair of
runs says).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from llmops_tui.domain.comparison import (
    CaseChange,
    Comparison,
    JudgeComparison,
    ScoreKind,
    Verdict,
)
from llmops_tui.domain.evals import EvalRun, RunStatus
from llmops_tui.evals import stats
from llmops_tui.evals.cases import (
    JudgeCases,
    best_score,
    fold_judge,
    judge_kind,
    run_totals,
    within_sd,
    worst_score,
)

if TYPE_CHECKING:
    from llmops_tui.store import Store

MIN_PAIRS = 6
"""Below this many pairs no paired test can reach p < 0.05 (2 · 0.5⁶ ≈ 0.03): inconclusive."""
CHANGE_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class _Paired:
    judge: str
    kind: ScoreKind
    base: JudgeCases
    cand: JudgeCases
    """Both restricted to the paired cases, in the same order."""


def compare_runs(
    store: Store, baseline_run_id: str, candidate_run_id: str, *, alpha: float = 0.05
) -> Comparison:
    """Compare two stored runs (ids or unique prefixes) case by case, judge by judge.

    Raises:
        UnknownRunError: a run id names no run, or more than one.
    """
    baseline = store.evals.get(baseline_run_id)
    candidate = store.evals.get(candidate_run_id)
    return compare_results(
        baseline,
        candidate,
        store.evals.results(baseline.run_id),
        store.evals.results(candidate.run_id),
        alpha=alpha,
        noise_floors=noise_floors(store, baseline, candidate),
    )


def compare_results(
    baseline: EvalRun,
    candidate: EvalRun,
    baseline_rows: pl.DataFrame,
    candidate_rows: pl.DataFrame,
    *,
    alpha: float = 0.05,
    noise_floors: Mapping[str, float] | None = None,
) -> Comparison:
    """The pure part of `compare_runs`: rows as `store.evals.results` returns them."""
    floors = noise_floors or {}
    base_cases = set(baseline_rows["case_id"].unique().to_list())
    cand_cases = set(candidate_rows["case_id"].unique().to_list())
    shared = base_cases & cand_cases
    judges = sorted(
        set(baseline_rows["judge"].unique().to_list())
        | set(candidate_rows["judge"].unique().to_list())
    )
    paired = [_pair(baseline_rows, candidate_rows, judge, shared) for judge in judges]
    tested = [_test(p, alpha) for p in paired]
    adjusted = stats.holm([t.p_value for t in tested])
    k = max(sum(p is not None for p in adjusted), 1)
    results = tuple(
        _finish(t, p, p_adj, alpha=alpha, family=k, floor=floors.get(t.judge))
        for t, p, p_adj in zip(tested, paired, adjusted, strict=True)
    )
    changes = sorted(
        (change for p in paired for change in _changes(p)),
        key=lambda c: (
            not c.regressed,
            -abs(c.candidate_value - c.baseline_value),
            c.case_id,
            c.judge,
        ),
    )
    return Comparison(
        baseline=baseline,
        candidate=candidate,
        baseline_totals=run_totals(baseline_rows),
        candidate_totals=run_totals(candidate_rows),
        judges=results,
        changes=tuple(changes),
        alpha=alpha,
        only_in_baseline=len(base_cases - shared),
        only_in_candidate=len(cand_cases - shared),
    )


def _pair(base: pl.DataFrame, cand: pl.DataFrame, judge: str, shared: set[str]) -> _Paired:
    frames = (base, cand)
    kind = judge_kind(frames, judge)
    worst, best = worst_score(frames, judge), best_score(frames, judge)
    folded = [fold_judge(f, judge, worst=worst, best=best) for f in frames]
    # Pair on cases both runs judged with this judge (a judge added later has fewer).
    both = set(folded[0].frame["case_id"]) & set(folded[1].frame["case_id"]) & shared
    keep = pl.col("case_id").is_in(sorted(both))
    b, c = (JudgeCases(judge, f.frame.filter(keep).sort("case_id")) for f in folded)
    return _Paired(judge, kind, b, c)


def _test(p: _Paired, alpha: float) -> JudgeComparison:
    """Everything but the Holm-adjusted p, the MDE and the verdict (which need all judges)."""
    b, c = p.base.frame, p.cand.frame
    column = "score" if p.kind is ScoreKind.NUMERIC else "pass_rate"
    bv, cv = b[column].to_numpy(), c[column].to_numpy()
    n = b.height
    base_rate = _weighted_rate(b)
    cand_rate = _weighted_rate(c)
    binary = p.kind is ScoreKind.PASS_FAIL and _is_binary(bv) and _is_binary(cv)
    discordant: int | None = None
    effect: float | None
    if n == 0:
        return JudgeComparison(
            judge=p.judge,
            kind=p.kind,
            pairs=0,
            baseline=0.0,
            candidate=0.0,
            delta=0.0,
            ci_low=None,
            ci_high=None,
            p_value=None,
            p_adjusted=None,
            test="none",
            effect_size=None,
            mde=None,
            noise_floor=None,
            verdict=Verdict.INCONCLUSIVE,
        )
    paired = stats.paired_scores(bv, cv, alpha=alpha)
    if binary:
        test = stats.mcnemar(bv, cv)
        p_value, name, discordant = test.p_value, test.test, test.discordant
    else:
        p_value, name = paired.p_value, paired.test
        discordant = int(np.sum(np.abs(cv - bv) > CHANGE_EPSILON))
    if p.kind is ScoreKind.PASS_FAIL:
        effect = stats.cohens_h(float(np.mean(bv)), float(np.mean(cv)))
    else:
        effect = stats.paired_d(bv, cv)
    sd_column = "score_var" if p.kind is ScoreKind.NUMERIC else "pass_var"
    return JudgeComparison(
        judge=p.judge,
        kind=p.kind,
        pairs=n,
        baseline=float(np.mean(bv)),
        candidate=float(np.mean(cv)),
        delta=float(np.mean(cv) - np.mean(bv)),
        ci_low=paired.ci_low,
        ci_high=paired.ci_high,
        p_value=p_value,
        p_adjusted=None,
        test=name,
        effect_size=effect,
        mde=None,
        noise_floor=None,
        verdict=Verdict.INCONCLUSIVE,
        discordant=discordant,
        baseline_sd=within_sd(b, sd_column),
        candidate_sd=within_sd(c, sd_column),
        baseline_pass_rate=base_rate,
        candidate_pass_rate=cand_rate,
    )


def _finish(
    t: JudgeComparison,
    p: _Paired,
    p_adjusted: float | None,
    *,
    alpha: float,
    family: int,
    floor: float | None,
) -> JudgeComparison:
    # The MDE at the per-test level Holm demands of the smallest p (alpha / judges): the
    # honest "could this suite have seen it" for the strictest judge.
    level = alpha / family
    b = p.base.frame
    if t.pairs < 2:
        mde = None
    elif t.test.startswith("mcnemar") or (t.test == "identical" and t.kind is ScoreKind.PASS_FAIL):
        mde = stats.mde_mcnemar(t.pairs, t.discordant or 0, alpha=level)
    else:
        column = "score" if t.kind is ScoreKind.NUMERIC else "pass_rate"
        mde = stats.mde_paired(b[column].to_numpy(), p.cand.frame[column].to_numpy(), alpha=level)
    verdict = _verdict(t, p_adjusted, alpha, floor)
    return replace(t, p_adjusted=p_adjusted, mde=mde, noise_floor=floor, verdict=verdict)


def _verdict(
    t: JudgeComparison, p_adjusted: float | None, alpha: float, floor: float | None
) -> Verdict:
    if t.pairs < MIN_PAIRS or p_adjusted is None:
        return Verdict.INCONCLUSIVE
    if p_adjusted >= alpha or abs(t.delta) <= (floor or 0.0) or t.delta == 0:
        return Verdict.UNCHANGED
    return Verdict.REGRESSED if t.delta < 0 else Verdict.IMPROVED


def _is_binary(values: np.ndarray) -> bool:
    return bool(np.all((values == 0) | (values == 1)))


def _weighted_rate(cases: pl.DataFrame) -> float | None:
    if cases.height == 0:
        return None
    reps = cases["reps"].to_numpy()
    return float(np.sum(cases["pass_rate"].to_numpy() * reps) / np.sum(reps))


def _changes(p: _Paired) -> list[CaseChange]:
    column = "score" if p.kind is ScoreKind.NUMERIC else "pass_rate"
    joined = p.base.frame.join(p.cand.frame, on="case_id", suffix="_c")
    moved = joined.filter((pl.col(column) - pl.col(f"{column}_c")).abs() > CHANGE_EPSILON)
    return [
        CaseChange(
            case_id=row["case_id"],
            judge=p.judge,
            regressed=row[f"{column}_c"] < row[column],
            baseline_value=row[column],
            candidate_value=row[f"{column}_c"],
            baseline_output=row["output"],
            candidate_output=row["output_c"],
            baseline_reason=row["reason"],
            candidate_reason=row["reason_c"],
            required=bool(row["required"] or row["required_c"]),
        )
        for row in moved.iter_rows(named=True)
    ]


def noise_floors(store: Store, baseline: EvalRun, candidate: EvalRun) -> dict[str, float]:
    """Per judge, |Δ| between the two newest finished runs of one release on the same suite
    (dataset, version, provider, model, repeat), for the baseline's and the candidate's
    release; the larger when both have one. Empty when no release was run twice."""
    floors: dict[str, float] = {}
    for run in (baseline, candidate):
        if run.release_id is None:
            continue
        twins = [
            r
            for r in store.evals.runs(release_id=run.release_id, dataset=run.dataset)
            if r.status is RunStatus.FINISHED and _same_suite(r, run)
        ][:2]
        if len(twins) < 2:
            continue
        a, b = twins
        aa = compare_results(
            a, b, store.evals.results(a.run_id), store.evals.results(b.run_id), alpha=0.05
        )
        for judge in aa.judges:
            if judge.pairs:
                floors[judge.judge] = max(floors.get(judge.judge, 0.0), abs(judge.delta))
    return floors


def _same_suite(a: EvalRun, b: EvalRun) -> bool:
    return (a.dataset, a.dataset_version, a.provider, a.model, a.repeat) == (
        b.dataset,
        b.dataset_version,
        b.provider,
        b.model,
        b.repeat,
    )
