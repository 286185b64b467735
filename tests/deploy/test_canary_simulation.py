"""Done when (issue 6): simulated canaries, fixed seeds, through the real `analyse_cohorts`.

At the plan's minimum sample size an identical canary passes >= 95% of the time, one with
twice the error rate or +30% p50 latency fails >= 90% of the time. These run 200 canaries per
scenario (a few seconds); `bench/canary_simulation.py` runs 1,000 and records the figures.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from llmops_tui.deploy.simulation import DOUBLE_ERRORS, IDENTICAL, SLOWER, Scenario, verdict_rates
from llmops_tui.domain.deploy import CanaryThresholds, CanaryVerdict

RUNS = 200
PLAN = CanaryThresholds()


def test_an_identical_canary_passes_at_least_95_percent_of_the_time() -> None:
    rates = verdict_rates(IDENTICAL, runs=RUNS, seed=11, thresholds=PLAN)
    assert rates[CanaryVerdict.PASS] >= 0.95
    assert rates[CanaryVerdict.WAITING] == 0  # at the minimum sample a verdict is given


@pytest.mark.parametrize(("scenario", "seed"), [(DOUBLE_ERRORS, 12), (SLOWER, 13)])
def test_a_worse_canary_fails_at_least_90_percent_of_the_time(
    scenario: Scenario, seed: int
) -> None:
    rates = verdict_rates(scenario, runs=RUNS, seed=seed, thresholds=PLAN)
    assert rates[CanaryVerdict.FAIL] >= 0.90


def test_below_the_minimum_sample_there_is_no_verdict() -> None:
    rates = verdict_rates(
        DOUBLE_ERRORS, runs=20, seed=14, thresholds=PLAN, requests=PLAN.min_requests - 1
    )
    assert rates[CanaryVerdict.WAITING] == 1.0


def test_twice_the_errors_is_not_reliably_seen_at_200_requests() -> None:
    """Why the default minimum is not 200: 10 errors against 20 are rarely significant."""
    at_200 = replace(PLAN, min_requests=200)
    rates = verdict_rates(DOUBLE_ERRORS, runs=RUNS, seed=15, thresholds=at_200)
    assert rates[CanaryVerdict.WAITING] == 0
    assert rates[CanaryVerdict.FAIL] < 0.6
