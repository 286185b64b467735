"""Canary analysis: compare the canary cohort with the baseline cohort in one window.

    analyse_canary(store, *, environment, canary_release, baseline_release, since, until,
                   thresholds) -> CanaryAnalysis         from stored spans (`store.canary`)
    analyse_cohorts(baseline, canary, thresholds) -> CohortComparison     pure, on two cohorts

As Kayenta: every metric is one check (`canary_checks.py`) asking whether the canary is worse;
the score is the weighted share of checks that passed (0..100) and the verdict follows the
plan's `pass_score` / `marginal_score`, except that a failed error-rate or latency check fails
the canary outright. Several checks on one canary would each add their false alarms, so the
p-values are adjusted by a weighted Holm procedure over the checks that have data: an
identical canary then fails a check at most `alpha` of the time whatever the number of judges
(Holm controls the family-wise error rate and is uniformly more powerful than Bonferroni; the
weights give error rate and latency, which decide alone, the larger share of `alpha`). Below
`min_requests` in either cohort there is no verdict (`WAITING`), though the checks show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from llmops_tui.deploy import canary_checks
from llmops_tui.deploy.canary_checks import Draft
from llmops_tui.domain.canary import Cohort
from llmops_tui.domain.deploy import CanaryAnalysis, CanaryThresholds, CanaryVerdict, MetricCheck

if TYPE_CHECKING:
    from llmops_tui.store import Store


@dataclass(frozen=True, slots=True)
class CohortComparison:
    checks: tuple[MetricCheck, ...]
    score: float | None
    """0..100; None while waiting or when no check has data."""
    verdict: CanaryVerdict
    reason: str


def analyse_canary(
    store: Store,
    *,
    environment: str,
    canary_release: str,
    baseline_release: str,
    since: datetime,
    until: datetime,
    thresholds: CanaryThresholds,
) -> CanaryAnalysis:
    """Analyse the two releases' requests in `environment` over `[since, until)`."""
    baseline, canary = (
        store.canary.cohort(
            release, since=since, until=until, environment=environment, versus=other
        )
        for release, other in (
            (baseline_release, canary_release),
            (canary_release, baseline_release),
        )
    )
    result = analyse_cohorts(baseline, canary, thresholds)
    return CanaryAnalysis(
        environment=environment,
        canary_release=canary_release,
        baseline_release=baseline_release,
        window_start=since,
        window_end=until,
        baseline_requests=baseline.requests,
        canary_requests=canary.requests,
        checks=result.checks,
        score=result.score,
        verdict=result.verdict,
        reason=result.reason,
    )


def analyse_cohorts(
    baseline: Cohort, canary: Cohort, thresholds: CanaryThresholds
) -> CohortComparison:
    """The checks, score and verdict for two cohorts (no I/O: the simulation calls this)."""
    short = [
        f"{label} {cohort.requests:,}/{thresholds.min_requests:,}"
        for label, cohort in (("baseline", baseline), ("canary", canary))
        if cohort.requests < thresholds.min_requests
    ]
    if not baseline.requests or not canary.requests:
        return CohortComparison((), None, CanaryVerdict.WAITING, _waiting(short))
    drafts = [
        canary_checks.error_rate(baseline, canary, thresholds),
        canary_checks.latency(baseline, canary, thresholds),
        canary_checks.cost(baseline, canary, thresholds),
        *canary_checks.scores(baseline, canary, thresholds),
    ]
    adjusted = holm([d.p_value for d in drafts], [d.weight for d in drafts])
    checks = tuple(_decide(d, p, thresholds.alpha) for d, p in zip(drafts, adjusted, strict=True))
    if short:
        return CohortComparison(checks, None, CanaryVerdict.WAITING, _waiting(short))
    counted = [c for c in checks if c.passed is not None]
    if not counted:
        return CohortComparison(checks, None, CanaryVerdict.WAITING, "no metric has data yet")
    score = 100.0 * sum(c.weight for c in counted if c.passed) / sum(c.weight for c in counted)
    failed = [c for c in counted if not c.passed]
    critical = [c for c, d in zip(checks, drafts, strict=True) if d.critical and c.passed is False]
    names = ", ".join(c.metric for c in failed)
    if critical:
        verdict = CanaryVerdict.FAIL
        reason = "significantly worse: " + "; ".join(f"{c.metric}: {c.detail}" for c in critical)
    elif score >= thresholds.pass_score:
        verdict = CanaryVerdict.PASS
        reason = f"score {score:.0f}: " + (f"failed {names}" if failed else "every check passed")
    else:
        verdict = (
            CanaryVerdict.MARGINAL if score >= thresholds.marginal_score else CanaryVerdict.FAIL
        )
        reason = f"score {score:.0f} (pass at {thresholds.pass_score:.0f}): failed {names}"
    return CohortComparison(checks, score, verdict, reason)


def holm(p_values: list[float | None], weights: list[float] | None = None) -> list[float | None]:
    """Weighted Holm adjusted p-values (None stays None and doesn't count as a test).

    Each test gets a share of `alpha` in proportion to its weight (equal weights: plain Holm),
    which still bounds the chance of any false alarm by `alpha`: the error rate and latency
    checks, weighing double, need less evidence than a judge's to fail.
    """
    weights = weights or [1.0] * len(p_values)
    ranked = sorted(
        (p / weights[i], p, i) for i, p in enumerate(p_values) if p is not None and weights[i] > 0
    )
    remaining = sum(weights[i] for _, _, i in ranked)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for _, p, i in ranked:
        # Monotone: a test is never adjusted below one with stronger evidence.
        running = max(running, min(1.0, p * remaining / weights[i]))
        adjusted[i] = running
        remaining -= weights[i]
    return adjusted


def _decide(draft: Draft, adjusted: float | None, alpha: float) -> MetricCheck:
    if draft.p_value is None or adjusted is None:
        return MetricCheck(
            draft.metric, None, None, draft.test, None, None, draft.evidence, draft.weight
        )
    significant = adjusted < alpha
    passed = not (significant and draft.beyond_threshold)
    if draft.p_value == adjusted:
        evidence = f"{draft.test} p={_p(draft.p_value)}"
    else:
        evidence = f"{draft.test} p={_p(draft.p_value)}, Holm {_p(adjusted)}"
    return MetricCheck(
        metric=draft.metric,
        baseline=draft.baseline,
        canary=draft.canary,
        test=draft.test,
        p_value=adjusted,
        passed=passed,
        detail=f"{draft.evidence}; {evidence}",
        weight=draft.weight,
    )


def _waiting(short: list[str]) -> str:
    if not short:  # a plan with `min_requests = 0` and an empty cohort
        return "waiting for requests: a cohort has none"
    return "waiting for requests: " + ", ".join(short) + " (have/need)"


def _p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"
