"""One line of figures per eval run: an answer passes when every judge passed it, and its
cost counts once across its judges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from llmops_tui.domain.evals import EvalResult, EvalRun, RunSource, RunStatus
from llmops_tui.store import Store


def _run(run_id: str) -> EvalRun:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    return EvalRun(
        run_id, RunSource.LLMOPS, RunStatus.FINISHED, at, at, None, None, "d", 1, None, None,
        "scripted", None, 2, None, None,
    )  # fmt: skip


def test_totals_count_each_call_once_and_errors_as_failures(store: Store) -> None:
    rows = []
    latencies = iter([100.0, 200.0, 300.0, 400.0])
    for case in ("c1", "c2"):
        for repetition in (0, 1):
            latency = next(latencies)
            failed = case == "c2" and repetition == 1
            for judge, judge_cost in (("exact", None), ("rubric", 0.01)):
                rows.append(
                    EvalResult(
                        "run-a", case, repetition, judge,
                        None if failed and judge == "rubric" else case == "c1" or judge == "exact",
                        error="judge answer unparseable" if failed and judge == "rubric" else None,
                        latency_ms=latency, cost_usd=0.1, judge_cost_usd=judge_cost,
                    )
                )  # fmt: skip
    store.evals.import_run(_run("run-a"), rows)
    store.evals.import_run(
        _run("run-b"), [EvalResult("run-b", "c1", 0, "exact", True, latency_ms=50.0)]
    )
    totals = store.eval_summaries.totals(["run-a", "run-b", "run-none"])
    a = totals["run-a"]
    assert (a.cases, a.results, a.errors) == (2, 8, 1)
    # c1's two answers pass every judge; c2's pass `exact` only (6 of 8 rows pass).
    assert a.pass_rate == pytest.approx(2 / 4)
    assert a.cost_usd == pytest.approx(4 * 0.1 + 4 * 0.01)  # not 8 × 0.1: one call per judge pair
    assert a.cost_per_case == pytest.approx(0.44 / 2)
    assert a.latency_p50_ms == pytest.approx(250.0)
    assert a.latency_p95_ms == pytest.approx(385.0)
    b = totals["run-b"]
    assert (b.cases, b.pass_rate, b.cost_usd, b.cost_per_case) == (1, 1.0, None, None)
    assert "run-none" not in totals
    assert store.eval_summaries.totals([]) == {}
