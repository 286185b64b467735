"""`analyse_cohorts` (checks, Holm, score, verdict) and `analyse_canary` on stored spans."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from llmops_tui.deploy.analysis import analyse_canary, analyse_cohorts, holm
from llmops_tui.deploy.simulation import simulate_cohort
from llmops_tui.domain.canary import Cohort, ScoreSample, ScoreSource
from llmops_tui.domain.deploy import CanaryThresholds, CanaryVerdict, MetricCheck
from llmops_tui.store import Store

PLAN = CanaryThresholds(min_requests=500)


def _pair(seed: int, n: int = 2000, **canary: float) -> tuple[Cohort, Cohort]:
    rng = np.random.default_rng(seed)
    return simulate_cohort(rng, "base", n), simulate_cohort(rng, "new", n, **canary)


def _check(checks: tuple[MetricCheck, ...], metric: str) -> MetricCheck:
    return next(c for c in checks if c.metric == metric)


def test_holm_adjusts_in_order_and_keeps_missing_tests_out() -> None:
    assert holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None])
    # Weighted: the double-weight test gets two thirds of alpha.
    assert holm([0.02, 0.5], [2.0, 1.0]) == pytest.approx([0.03, 0.5])
    assert holm([0.9, 0.8]) == [1.0, 1.0]  # capped at 1, never below a smaller p


def test_an_identical_canary_passes_with_every_check_shown() -> None:
    result = analyse_cohorts(*_pair(1), PLAN)
    assert result.verdict is CanaryVerdict.PASS
    assert result.score == 100.0
    assert [c.metric for c in result.checks] == [
        "error_rate",
        "latency_p50",
        "cost_per_request",
        "feedback",
    ]
    assert all(c.passed for c in result.checks)
    assert result.reason == "score 100: every check passed"


def test_twice_the_errors_fails_outright_with_the_evidence() -> None:
    base, new = _pair(2)
    new = replace(new, errors=base.errors * 2 + 20)
    result = analyse_cohorts(base, new, PLAN)
    errors = _check(result.checks, "error_rate")
    assert errors.passed is False
    assert errors.p_value is not None
    assert errors.p_value < PLAN.alpha
    assert errors.canary == pytest.approx(new.errors / new.requests)
    assert errors.detail.startswith(f"errors {base.errors / base.requests:.1%}")
    assert "two-proportion z p=" in errors.detail
    assert result.verdict is CanaryVerdict.FAIL
    assert result.reason.startswith("significantly worse: error_rate: errors")
    assert result.score == pytest.approx(100 * 4 / 6)  # weights 2, 2, 1, 1


def test_a_significant_but_small_slowdown_passes() -> None:
    result = analyse_cohorts(*_pair(3, n=4000, latency_factor=1.06), PLAN)
    latency = _check(result.checks, "latency_p50")
    assert latency.p_value is not None
    assert latency.p_value < PLAN.alpha
    assert latency.passed is True  # ...but by less than the plan's +10% on p50
    assert result.verdict is CanaryVerdict.PASS


def test_a_slower_canary_fails() -> None:
    result = analyse_cohorts(*_pair(4, latency_factor=1.3), PLAN)
    latency = _check(result.checks, "latency_p50")
    assert latency.passed is False
    assert latency.detail.startswith("p50 ")
    assert "limit +10%" in latency.detail
    assert result.verdict is CanaryVerdict.FAIL


def test_a_dearer_canary_is_marginal_not_failed() -> None:
    result = analyse_cohorts(*_pair(5, cost_factor=1.5), PLAN)
    assert _check(result.checks, "cost_per_request").passed is False
    assert result.score == pytest.approx(100 * 5 / 6)
    assert result.verdict is CanaryVerdict.MARGINAL
    assert result.reason == "score 83 (pass at 90): failed cost_per_request"


def test_judge_scores_on_a_five_point_scale_are_compared_on_their_range() -> None:
    base, new = _pair(6)
    rng = np.random.default_rng(6)
    good = rng.integers(3, 6, 300).astype(float)  # 3..5 stars
    bad = rng.integers(1, 5, 300).astype(float)  # 1..4 stars
    base = replace(base, scores=(_scores("stars", good),))
    new = replace(new, scores=(_scores("stars", bad),))
    stars = _check(analyse_cohorts(base, new, PLAN).checks, "judge:stars")
    assert stars.passed is False
    assert "of the scale" in stars.detail


def test_too_few_scores_dont_count() -> None:
    base, new = _pair(7)
    base = replace(base, scores=(_scores("relevance", np.ones(3)),))
    result = analyse_cohorts(base, new, PLAN)
    relevance = _check(result.checks, "judge:relevance")
    assert relevance.passed is None
    assert relevance.detail == "too few scores (3 and 0, need 10)"
    assert result.verdict is CanaryVerdict.PASS


def test_below_the_minimum_there_is_no_verdict_but_the_checks_show() -> None:
    base, new = _pair(8, n=2000)
    small = replace(new, requests=120)
    result = analyse_cohorts(base, small, PLAN)
    assert result.verdict is CanaryVerdict.WAITING
    assert result.score is None
    assert result.reason == "waiting for requests: canary 120/500 (have/need)"
    assert result.checks
    empty = replace(new, requests=0, errors=0)
    assert analyse_cohorts(base, empty, PLAN).checks == ()


def _scores(name: str, values: np.ndarray) -> ScoreSample:
    return ScoreSample(name, ScoreSource.JUDGE, len(values), float(values.mean()), tuple(values))


INSERT_SPANS_SQL = """
insert into spans (trace_id, span_id, start_time, duration_ms, status, request_model, cost_usd,
    release_id, environment, ingested_at)
select printf('%032x', $offset + i), printf('%016x', $offset + i),
    timestamp '2026-11-01 10:00:00' + to_seconds(i % 3000),
    -- a spread of latencies; every `every`-th call fails
    $ms * (0.5 + (hash(i) % 1000) / 1000.0),
    case when i % $every = 0 then 'error' else 'ok' end,
    'gpt-x', 0.002, $release, 'production', now()
from range($n) t(i)
"""

LINK_SQL = """
insert into span_links
select trace_id, span_id, 'prompt', 'support', 'h2', 'text' from spans where release_id is null
"""


def _stored(store: Store, *, canary_every: int, canary_ms: float) -> None:
    with store.writer() as cur:
        cur.execute(
            "insert into release_artifacts values ('rel-a', 'prompt', 'support', 'h1'), "
            "('rel-b', 'prompt', 'support', 'h2')"
        )
        # The baseline tagged with its release, the canary known only by its prompt version.
        base = {"offset": 0, "n": 800, "ms": 1000.0, "every": 50, "release": "rel-a"}
        cur.execute(INSERT_SPANS_SQL, base)
        new = {"offset": 10_000, "n": 600, "ms": canary_ms, "every": canary_every, "release": None}
        cur.execute(INSERT_SPANS_SQL, new)
        cur.execute(LINK_SQL)


def test_a_canary_failing_on_stored_spans(store: Store) -> None:
    _stored(store, canary_every=10, canary_ms=1000.0)  # 10% errors against 2%
    analysis = analyse_canary(
        store,
        environment="production",
        canary_release="rel-b",
        baseline_release="rel-a",
        since=datetime(2026, 11, 1, 10),
        until=datetime(2026, 11, 1, 11),
        thresholds=PLAN,
    )
    assert (analysis.baseline_requests, analysis.canary_requests) == (800, 600)
    assert analysis.verdict is CanaryVerdict.FAIL
    errors = _check(analysis.checks, "error_rate")
    assert errors.baseline == pytest.approx(16 / 800)
    assert errors.canary == pytest.approx(60 / 600)
    assert errors.passed is False
    assert _check(analysis.checks, "latency_p50").passed is True
    assert _check(analysis.checks, "cost_per_request").passed is True
    assert analysis.reason.startswith("significantly worse: error_rate")


def test_a_healthy_canary_passes_and_a_small_one_waits(store: Store) -> None:
    _stored(store, canary_every=50, canary_ms=1000.0)
    analysis = analyse_canary(
        store,
        environment="production",
        canary_release="rel-b",
        baseline_release="rel-a",
        since=datetime(2026, 11, 1, 10),
        until=datetime(2026, 11, 1, 11),
        thresholds=PLAN,
    )
    assert analysis.verdict is CanaryVerdict.PASS
    assert analysis.score == 100.0
    waiting = analyse_canary(
        store,
        environment="production",
        canary_release="rel-b",
        baseline_release="rel-a",
        since=datetime(2026, 11, 1, 10),
        until=datetime(2026, 11, 1, 11),
        thresholds=replace(PLAN, min_requests=700),
    )
    assert waiting.verdict is CanaryVerdict.WAITING
    assert waiting.reason == "waiting for requests: canary 600/700 (have/need)"
