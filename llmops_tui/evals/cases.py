"""One run's results folded to one row per case and judge, and its totals.

`eval_results` holds case × repetition × judge rows. Comparing runs needs per-case values
(the unit that is paired), so repetitions fold into a per-case pass rate and mean score with
their within-case variance. Errored rows count as failures: a candidate that crashes on a
case must not look better than one that answers it badly. A numeric judge's missing score
(an errored row) counts as the worst score that judge gave in either run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl

from llmops_tui.domain.comparison import RunTotals, ScoreKind
from llmops_tui.evals import stats

CASE_COLUMNS = ("case_id", "pass_rate", "pass_var", "score", "score_var", "reps")


@dataclass(frozen=True, slots=True)
class JudgeCases:
    """One judge in one run, one row per case sorted by `case_id`: `pass_rate`, `pass_var`,
    `score`, `score_var`, `reps`, `output`, `reason`, `required`."""

    judge: str
    frame: pl.DataFrame


def ok_column() -> pl.Expr:
    """True when the row passed: a judged pass without an error."""
    return pl.col("passed").fill_null(False) & pl.col("error").is_null()


def judge_kind(frames: Iterable[pl.DataFrame], judge: str) -> ScoreKind:
    """Numeric when the judge gave any score other than 0, 1 or none, in either run."""
    for frame in frames:
        scores = frame.filter(pl.col("judge") == judge)["score"].drop_nulls()
        if scores.len() and not scores.is_in([0.0, 1.0]).all():
            return ScoreKind.NUMERIC
    return ScoreKind.PASS_FAIL


def worst_score(frames: Iterable[pl.DataFrame], judge: str) -> float:
    lows = [f.filter(pl.col("judge") == judge)["score"].min() for f in frames]
    found = [float(low) for low in lows if isinstance(low, int | float)]
    return min(found) if found else 0.0


def best_score(frames: Iterable[pl.DataFrame], judge: str) -> float:
    highs = [f.filter(pl.col("judge") == judge)["score"].max() for f in frames]
    found = [float(high) for high in highs if isinstance(high, int | float)]
    return max(found) if found else 1.0


def fold_judge(frame: pl.DataFrame, judge: str, *, worst: float, best: float) -> JudgeCases:
    """Fold one judge's rows into per-case means; a missing score is `worst` on a failed row
    and `best` on a passed one (a pass/fail judge that gave no score at all)."""
    rows = frame.filter(pl.col("judge") == judge).with_columns(ok=ok_column())
    rows = rows.with_columns(
        value=pl.when(pl.col("score").is_not_null() & pl.col("error").is_null())
        .then(pl.col("score"))
        .when(pl.col("ok"))
        .then(pl.lit(best))
        .otherwise(pl.lit(worst)),
        okf=pl.col("ok").cast(pl.Float64),
    ).sort("case_id", "repetition")
    folded = (
        rows.group_by("case_id", maintain_order=True)
        .agg(
            reps=pl.len(),
            output=pl.col("output").first(),
            reason=pl.coalesce(pl.col("error"), pl.col("reason")).filter(~pl.col("ok")).first(),
            good_reason=pl.col("reason").first(),
            required=pl.col("required").fill_null(False).any(),
        )
        .with_columns(reason=pl.coalesce("reason", "good_reason"))
        .drop("good_reason")
    )
    # Means and within-case variances by `stats.fold`; its groups come out sorted by case id,
    # as the rows are.
    cases = rows["case_id"].to_numpy()
    pass_rate, pass_var, _ = stats.fold(rows["okf"].to_numpy(), cases)
    score, score_var, _ = stats.fold(rows["value"].to_numpy(), cases)
    folded = folded.with_columns(
        pass_rate=pl.Series(pass_rate, dtype=pl.Float64),
        pass_var=pl.Series(pass_var, dtype=pl.Float64),
        score=pl.Series(score, dtype=pl.Float64),
        score_var=pl.Series(score_var, dtype=pl.Float64),
    )
    return JudgeCases(judge, folded)


def within_sd(cases: pl.DataFrame, column: str) -> float | None:
    """Mean within-case standard deviation over repetitions; None when no case repeats."""
    repeated = cases.filter(pl.col("reps") > 1)
    if repeated.height == 0:
        return None
    return float(np.mean(np.sqrt(repeated[column].to_numpy())))


def run_totals(frame: pl.DataFrame) -> RunTotals:
    """Pass rate over answers (case × repetition passing every judge, promptfoo's sense of
    a passing test), answers with an error, provider cost (once per answer, as it repeats
    on each judge's row) plus judge cost, and answer latency percentiles."""
    if frame.height == 0:
        return RunTotals(0, 0, None, 0, None, None, None, None)
    answers = frame.group_by("case_id", "repetition").agg(
        ok=ok_column().all(),
        error=pl.col("error").is_not_null().any(),
        cost=pl.col("cost_usd").drop_nulls().first(),
        judge_cost=pl.col("judge_cost_usd").sum(),
        judge_priced=pl.col("judge_cost_usd").is_not_null().any(),
        latency=pl.col("latency_ms").drop_nulls().first(),
    )
    cases = frame["case_id"].n_unique()
    priced = answers["cost"].is_not_null().any() or answers["judge_priced"].any()
    cost = (
        float(answers["cost"].fill_null(0.0).sum()) + float(answers["judge_cost"].sum())
        if priced
        else None
    )
    latencies = answers["latency"].drop_nulls().to_numpy()
    p50, p95 = (
        (float(np.percentile(latencies, 50)), float(np.percentile(latencies, 95)))
        if latencies.size
        else (None, None)
    )
    return RunTotals(
        cases=cases,
        results=frame.height,
        pass_rate=float(answers["ok"].mean()),  # type: ignore[arg-type]
        errors=int(answers["error"].sum()),
        cost_usd=cost,
        cost_per_case=cost / cases if cost is not None else None,
        latency_p50_ms=p50,
        latency_p95_ms=p95,
    )
