"""One statistical check per metric, before the checks are corrected for each other.

Each check asks a one-sided question (is the canary worse?) and pairs a test with a margin
from the plan: a check can fail only when the canary is *significantly* worse *and* the
observed change is past its threshold, so a significant but tiny shift on a large cohort
passes, and a large but noisy one on a small cohort does not fail yet. `analysis.py` turns the
raw p-values into Holm-adjusted ones and decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from llmops_tui.domain.canary import Cohort, ScoreSample, ScoreSource
from llmops_tui.domain.deploy import CanaryThresholds
from llmops_tui.formatting import ms, usd

MIN_SCORES = 10
"""Per cohort, before judge scores or user feedback are compared at all."""

ERROR_WEIGHT = 2.0
LATENCY_WEIGHT = 2.0
"""Error rate and latency weigh double: one of them failing alone drops the score to 80 or
below (with cost alone beside them), and either failing is a fail anyway."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A check before the correction: its evidence, raw p-value and whether the observed
    change is past the plan's threshold."""

    metric: str
    baseline: float | None
    canary: float | None
    test: str
    p_value: float | None
    """Raw one-sided p-value; None when there is nothing to test (the check doesn't count)."""
    beyond_threshold: bool
    evidence: str
    weight: float = 1.0
    critical: bool = False
    """A significant failure fails the canary whatever the score (error rate, latency)."""


def error_rate(baseline: Cohort, canary: Cohort, thresholds: CanaryThresholds) -> Draft:
    """Pooled two-proportion z test, one-sided (canary's rate greater)."""
    nb, nc, eb, ec = baseline.requests, canary.requests, baseline.errors, canary.errors
    rb, rc = eb / nb, ec / nc
    pooled = (eb + ec) / (nb + nc)
    if pooled in (0.0, 1.0):
        p_value = 1.0  # no variation at all: nothing suggests the canary is worse
    else:
        se = math.sqrt(pooled * (1 - pooled) * (1 / nb + 1 / nc))
        p_value = float(stats.norm.sf((rc - rb) / se))
    limit = rb * (1 + thresholds.max_error_rate_increase)
    return Draft(
        metric="error_rate",
        baseline=rb,
        canary=rc,
        test="two-proportion z",
        p_value=p_value,
        beyond_threshold=rc > limit,
        evidence=(
            f"errors {rb:.1%} ({eb:,}/{nb:,}) → {rc:.1%} ({ec:,}/{nc:,}) {_relative(rb, rc)}, "
            f"limit +{thresholds.max_error_rate_increase:.0%}"
        ),
        weight=ERROR_WEIGHT,
        critical=True,
    )


def latency(baseline: Cohort, canary: Cohort, thresholds: CanaryThresholds) -> Draft:
    """Mann-Whitney U on the duration samples, one-sided (canary slower), as Kayenta; the
    margin is on the p50 of every request."""
    b50, c50 = baseline.latency_p50_ms, canary.latency_p50_ms
    if not baseline.latency_sample_ms or not canary.latency_sample_ms or not b50 or c50 is None:
        return _missing("latency_p50", "mann-whitney u", "no durations in a cohort")
    p_value = _mann_whitney(canary.latency_sample_ms, baseline.latency_sample_ms, "greater")
    return Draft(
        metric="latency_p50",
        baseline=b50,
        canary=c50,
        test="mann-whitney u",
        p_value=p_value,
        beyond_threshold=c50 > b50 * (1 + thresholds.max_latency_increase),
        evidence=(
            f"p50 {ms(b50)} → {ms(c50)} {_relative(b50, c50)}, "
            f"limit +{thresholds.max_latency_increase:.0%}"
        ),
        weight=LATENCY_WEIGHT,
        critical=True,
    )


def cost(baseline: Cohort, canary: Cohort, thresholds: CanaryThresholds) -> Draft:
    """Mann-Whitney U on the priced requests' costs, one-sided (canary dearer); the margin is
    on the mean cost per request."""
    bm, cm = baseline.cost_mean_usd, canary.cost_mean_usd
    if not baseline.cost_sample_usd or not canary.cost_sample_usd or bm is None or cm is None:
        return _missing("cost_per_request", "mann-whitney u", "no priced requests in a cohort")
    p_value = _mann_whitney(canary.cost_sample_usd, baseline.cost_sample_usd, "greater")
    return Draft(
        metric="cost_per_request",
        baseline=bm,
        canary=cm,
        test="mann-whitney u",
        p_value=p_value,
        beyond_threshold=cm > bm * (1 + thresholds.max_cost_increase),
        evidence=(
            f"{usd(bm)} → {usd(cm)} per request {_relative(bm, cm)}, "
            f"limit +{thresholds.max_cost_increase:.0%}"
        ),
    )


def scores(baseline: Cohort, canary: Cohort, thresholds: CanaryThresholds) -> list[Draft]:
    """One check per judge and one for user feedback, where both cohorts have some: Mann-
    Whitney U one-sided (canary lower); the margin is an absolute drop of the mean on a 0..1
    scale (scores outside 0..1, such as 1-5 stars, are scaled by their observed range)."""
    theirs = {s.name: s for s in baseline.scores}
    ours = {s.name: s for s in canary.scores}
    drafts = []
    for name in sorted(theirs.keys() | ours.keys()):
        b, c = theirs.get(name), ours.get(name)
        either = b or c
        metric = "feedback" if either and either.source is ScoreSource.USER else f"judge:{name}"
        if b is None or c is None or min(b.count, c.count) < MIN_SCORES:
            counts = f"{b.count if b else 0:,} and {c.count if c else 0:,}"
            drafts.append(
                _missing(metric, "mann-whitney u", f"too few scores ({counts}, need {MIN_SCORES})")
            )
            continue
        drafts.append(_score_draft(metric, b, c, thresholds))
    return drafts


def _score_draft(
    metric: str, b: ScoreSample, c: ScoreSample, thresholds: CanaryThresholds
) -> Draft:
    values = b.values + c.values
    low, high = min(values), max(values)
    scale = 1.0 if low >= 0 and high <= 1 else (high - low) or 1.0
    drop = (b.mean - c.mean) / scale
    return Draft(
        metric=metric,
        baseline=b.mean,
        canary=c.mean,
        test="mann-whitney u",
        p_value=_mann_whitney(c.values, b.values, "less"),
        beyond_threshold=drop > thresholds.max_score_drop,
        evidence=(
            f"mean {b.mean:.3g} ({b.count:,}) → {c.mean:.3g} ({c.count:,}), "
            f"drop {drop:+.3f} of the scale, limit {thresholds.max_score_drop:.3g}"
        ),
    )


def _mann_whitney(canary: Sequence[float], baseline: Sequence[float], alternative: str) -> float:
    result = stats.mannwhitneyu(canary, baseline, alternative=alternative)
    p_value = float(result.pvalue)
    return 1.0 if math.isnan(p_value) else p_value  # all values tied: no evidence either way


def _missing(metric: str, test: str, why: str) -> Draft:
    return Draft(metric, None, None, test, None, beyond_threshold=False, evidence=why)


def _relative(before: float, after: float) -> str:
    if before == 0:
        return "(from zero)" if after else "(unchanged)"
    return f"({(after - before) / before:+.0%})"
