"""Simulated canaries, to measure how often the analysis gets the verdict right.

A cohort is drawn as production traffic looks: independent errors at a base rate, lognormal
latencies and costs, and a thumbs-up/down user feedback on some requests. A scenario scales
the canary's error rate, p50 latency or cost; `verdict_rates` runs `analyse_cohorts` on many
seeded draws and counts the verdicts. `tests/deploy/test_canary_simulation.py` runs it small,
`bench/canary_simulation.py` large (figures in `bench/RESULTS.md`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from llmops_tui.deploy.analysis import analyse_cohorts
from llmops_tui.domain.canary import Cohort, ScoreSample, ScoreSource
from llmops_tui.domain.deploy import CanaryThresholds, CanaryVerdict

BASE_ERROR_RATE = 0.05
"""The upper end of what LLM apps see (timeouts, rate limits, refusals): 2-5%. A lower base
rate needs more requests to see a doubling (see `CanaryThresholds.min_requests`)."""
LATENCY_P50_MS = 900.0
LATENCY_SIGMA = 0.6
"""Of log latency: p95 ≈ 2.7x p50, as completions of varying length give."""
COST_P50_USD = 0.002
COST_SIGMA = 0.5
FEEDBACK_SHARE = 0.2
"""Share of requests with a thumbs up (1) or down (0) from the user."""
THUMBS_UP = 0.8


@dataclass(frozen=True, slots=True)
class Scenario:
    """How the canary differs from the baseline."""

    name: str
    error_factor: float = 1.0
    latency_factor: float = 1.0
    """Multiplies every latency, so the p50 too (+30% is 1.3)."""
    cost_factor: float = 1.0


IDENTICAL = Scenario("identical")
DOUBLE_ERRORS = Scenario("2x error rate", error_factor=2.0)
SLOWER = Scenario("+30% p50 latency", latency_factor=1.3)


def simulate_cohort(
    rng: np.random.Generator,
    release_id: str,
    requests: int,
    *,
    error_rate: float = BASE_ERROR_RATE,
    latency_factor: float = 1.0,
    cost_factor: float = 1.0,
) -> Cohort:
    """One cohort of `requests` simulated requests (every value is its own sample)."""
    errors = int(rng.binomial(requests, error_rate))
    latency = rng.lognormal(np.log(LATENCY_P50_MS * latency_factor), LATENCY_SIGMA, requests)
    cost = rng.lognormal(np.log(COST_P50_USD * cost_factor), COST_SIGMA, requests)
    votes = rng.binomial(1, THUMBS_UP, rng.binomial(requests, FEEDBACK_SHARE)).astype(float)
    feedback = ScoreSample(
        "user", ScoreSource.USER, len(votes), float(votes.mean()), tuple(votes.tolist())
    )
    return Cohort(
        release_id=release_id,
        requests=requests,
        errors=errors,
        latency_p50_ms=float(np.median(latency)),
        latency_sample_ms=tuple(latency.tolist()),
        priced_requests=requests,
        cost_mean_usd=float(cost.mean()),
        cost_sample_usd=tuple(cost.tolist()),
        scores=(feedback,) if len(votes) else (),
    )


def verdict_rates(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    thresholds: CanaryThresholds,
    requests: int | None = None,
    base_error_rate: float = BASE_ERROR_RATE,
) -> dict[CanaryVerdict, float]:
    """The share of each verdict over `runs` simulated canaries with `requests` per cohort
    (the plan's `min_requests` by default: the smallest sample a verdict is given on)."""
    n = thresholds.min_requests if requests is None else requests
    rng = np.random.default_rng(seed)
    verdicts: Counter[CanaryVerdict] = Counter()
    for _ in range(runs):
        baseline = simulate_cohort(rng, "baseline", n, error_rate=base_error_rate)
        canary = simulate_cohort(
            rng,
            "canary",
            n,
            error_rate=min(1.0, base_error_rate * scenario.error_factor),
            latency_factor=scenario.latency_factor,
            cost_factor=scenario.cost_factor,
        )
        verdicts[analyse_cohorts(baseline, canary, thresholds).verdict] += 1
    return {verdict: verdicts[verdict] / runs for verdict in CanaryVerdict}
