"""A run's results in a few numbers: per judge, and for the run as a whole.

The answer's cost and latency repeat on each judge row of a case (see `domain/evals.py`), so
run totals count each case × repetition once; a judge's own cost is what it spent reaching
its verdicts (an LLM judge's calls). A row with an `error` counts as failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True, slots=True)
class JudgeSummary:
    judge: str
    rows: int
    passed: int
    errors: int
    pass_rate: float | None
    judge_cost_usd: float | None
    latency_p50_ms: float | None


@dataclass(frozen=True, slots=True)
class RunSummary:
    answers: int
    """Cases × repetitions stored."""
    errors: int
    """Cases × repetitions with an error on any judge row."""
    passed_all: int
    """Cases × repetitions that passed every judge."""
    cached: int
    cost_usd: float | None
    """The answers' cost (cached ones included: what the answers cost, not this run's bill)."""
    judge_cost_usd: float | None
    latency_p50_ms: float | None
    judges: tuple[JudgeSummary, ...]

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__ if k != "judges"}
        data["judges"] = [{k: getattr(j, k) for k in j.__slots__} for j in self.judges]
        return data


def summarize(results: pl.DataFrame) -> RunSummary:
    """`results` as `store.evals.results(run_id)` returns them."""
    if results.height == 0:
        return RunSummary(0, 0, 0, 0, None, None, None, ())
    answers = results.group_by("case_id", "repetition").agg(
        pl.col("error").is_not_null().any().alias("error"),
        (pl.col("passed").fill_null(False)).all().alias("passed_all"),
        pl.col("cached").any().alias("cached"),
        pl.col("cost_usd").first().alias("cost_usd"),
        pl.col("latency_ms").first().alias("latency_ms"),
    )
    judges = (
        results.group_by("judge")
        .agg(
            pl.len().alias("rows"),
            pl.col("passed").fill_null(False).sum().alias("passed"),
            pl.col("error").is_not_null().sum().alias("errors"),
            pl.col("judge_cost_usd").sum().alias("judge_cost"),
            pl.col("judge_cost_usd").is_not_null().any().alias("judge_priced"),
            pl.col("latency_ms").median().alias("p50"),
        )
        .sort("judge")
    )
    return RunSummary(
        answers=answers.height,
        errors=int(answers["error"].sum()),
        passed_all=int(answers["passed_all"].sum()),
        cached=int(answers["cached"].sum()),
        cost_usd=_total(answers["cost_usd"]),
        judge_cost_usd=_total(results["judge_cost_usd"]),
        latency_p50_ms=_float(answers["latency_ms"].median()),
        judges=tuple(
            JudgeSummary(
                judge=row["judge"],
                rows=row["rows"],
                passed=row["passed"],
                errors=row["errors"],
                pass_rate=row["passed"] / row["rows"] if row["rows"] else None,
                judge_cost_usd=row["judge_cost"] if row["judge_priced"] else None,
                latency_p50_ms=row["p50"],
            )
            for row in judges.iter_rows(named=True)
        ),
    )


def failing(results: pl.DataFrame, *, limit: int = 50) -> list[dict[str, Any]]:
    """Rows that failed or errored, required cases first, then by case."""
    rows = (
        results.filter(pl.col("passed").is_null() | ~pl.col("passed"))
        .sort(
            ["required", "case_id", "repetition", "judge"], descending=[True, False, False, False]
        )
        .head(limit)
    )
    return [
        {
            "case_id": r["case_id"],
            "repetition": r["repetition"],
            "judge": r["judge"],
            "required": r["required"],
            "error": r["error"],
            "reason": r["reason"],
            "output": r["output"],
        }
        for r in rows.iter_rows(named=True)
    ]


def _total(column: pl.Series) -> float | None:
    if column.is_null().all():
        return None
    return float(column.sum())


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
