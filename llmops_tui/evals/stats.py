"""Paired statistics for comparing two eval runs: pure functions over numpy arrays, no I/O.

Why paired: both runs answer the same cases, and cases differ far more from each other (some
are easy, some hard) than a run differs from itself. Testing the per-case *differences*
removes the case-to-case spread, which is what makes a 200-case suite able to see a few
points of change at all.

- Pass/fail: McNemar on the discordant pairs (passed in one run, failed in the other). Exact
  binomial (`scipy.stats.binomtest`) below `EXACT_BELOW` discordant pairs, where the
  chi-square approximation is poor; chi-square with continuity correction above.
- Numeric scores (and pass rates folded over repetitions): the Wilcoxon signed-rank test
  (`scipy.stats.wilcoxon`) for p, a paired bootstrap (`scipy.stats.bootstrap`, seeded) for
  the confidence interval of the mean difference.
- Several judges are several tests: `holm` adjusts their p-values so the chance of any false
  "regressed" stays at alpha (Holm 1979, uniformly more powerful than Bonferroni).
- Effect sizes (Cohen's h, paired d) and the minimum detectable effect say whether "no
  significant change" means "no change" or "too few cases to tell".
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

EXACT_BELOW = 25
"""Discordant pairs under which McNemar uses the exact binomial test."""
POWER = 0.8
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261130
"""Fixed, so the same two runs always give the same interval."""

ZERO = 1e-12
Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class McNemar:
    regressions: int
    """Pairs that passed in the baseline and failed in the candidate."""
    improvements: int
    """Pairs that failed in the baseline and passed in the candidate."""
    p_value: float
    test: str
    """`mcnemar-exact` or `mcnemar`."""

    @property
    def discordant(self) -> int:
        return self.regressions + self.improvements


@dataclass(frozen=True, slots=True)
class PairedScores:
    mean_difference: float
    ci_low: float
    ci_high: float
    p_value: float
    test: str
    """`wilcoxon`, or `identical` when every difference is zero."""


def mcnemar(baseline: ArrayLike, candidate: ArrayLike) -> McNemar:
    """McNemar's test on paired pass/fail outcomes (two-sided).

    Args:
        baseline: one bool (or 0/1) per case.
        candidate: the same cases, in the same order.

    Returns:
        The discordant counts and the p-value; p = 1 when no pair is discordant.
    """
    base = np.asarray(baseline, dtype=bool)
    cand = np.asarray(candidate, dtype=bool)
    regressions = int(np.sum(base & ~cand))
    improvements = int(np.sum(~base & cand))
    discordant = regressions + improvements
    if discordant == 0:
        return McNemar(0, 0, 1.0, "mcnemar-exact")
    if discordant < EXACT_BELOW:
        p = stats.binomtest(regressions, discordant, 0.5).pvalue
        return McNemar(regressions, improvements, float(p), "mcnemar-exact")
    chi2 = (abs(regressions - improvements) - 1) ** 2 / discordant
    p = stats.chi2.sf(chi2, df=1)
    return McNemar(regressions, improvements, float(p), "mcnemar")


def _mean(values: Floats, axis: int = -1) -> Floats:
    return np.asarray(np.mean(values, axis=axis), dtype=np.float64)


def paired_scores(
    baseline: ArrayLike, candidate: ArrayLike, *, alpha: float = 0.05
) -> PairedScores:
    """Wilcoxon signed-rank p and a paired bootstrap CI of mean(candidate - baseline).

    Args:
        baseline: one score per case (a per-case mean over repetitions).
        candidate: the same cases, in the same order.
        alpha: the CI is (1 - alpha).

    Returns:
        The mean difference, its CI and the two-sided p-value. Identical runs (every
        difference zero) give p = 1 and a zero-width interval instead of scipy's warnings.
    """
    base = np.asarray(baseline, dtype=np.float64)
    cand = np.asarray(candidate, dtype=np.float64)
    diff = cand - base
    # Per-case means carry float noise (three 0.8s average to 0.8000000000000002): a
    # difference below any judge's resolution is no difference.
    diff = np.where(np.abs(diff) < ZERO, 0.0, diff)
    mean = float(np.mean(diff)) if diff.size else 0.0
    if diff.size == 0 or not np.any(diff):
        return PairedScores(mean, mean, mean, 1.0, "identical")
    p = float(stats.wilcoxon(diff).pvalue) if diff.size > 1 else 1.0
    if np.ptp(diff) == 0 or diff.size < 3:
        # Every difference equal (or too few to resample): the bootstrap is degenerate.
        low, high = float(np.min(diff)), float(np.max(diff))
        return PairedScores(mean, low, high, p, "wilcoxon")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BCa's degenerate-data warning on near-constant data
        # Resampling the per-case differences resamples whole pairs: the paired bootstrap
        # (`paired=True` on (base, cand) gives the same interval at twice the cost).
        result = stats.bootstrap(
            (diff,),
            _mean,
            vectorized=True,
            n_resamples=BOOTSTRAP_RESAMPLES,
            confidence_level=1 - alpha,
            rng=np.random.default_rng(BOOTSTRAP_SEED),
        )
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if math.isnan(low) or math.isnan(high):
        low, high = _percentile_ci(diff, alpha)
    return PairedScores(mean, low, high, p, "wilcoxon")


def _percentile_ci(diff: Floats, alpha: float) -> tuple[float, float]:
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, diff.size, size=(BOOTSTRAP_RESAMPLES, diff.size))
    means = diff[picks].mean(axis=1)
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment; `None` (no test) stays `None` and takes no share.

    Sort the m p-values ascending; the i-th smallest (0-based) becomes
    max over j ≤ i of min(1, (m - j) · p_(j)): rejecting where the adjusted p < alpha
    controls the family-wise error rate at alpha whatever the dependence between tests.
    scipy has no Holm, hence these lines.
    """
    tested = [(p, i) for i, p in enumerate(p_values) if p is not None]
    m = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(tested)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def cohens_h(baseline_rate: float, candidate_rate: float) -> float:
    """Cohen's h = 2·asin(√p₂) − 2·asin(√p₁): 0.2 small, 0.5 medium, 0.8 large."""
    return 2 * math.asin(math.sqrt(candidate_rate)) - 2 * math.asin(math.sqrt(baseline_rate))


def paired_d(baseline: ArrayLike, candidate: ArrayLike) -> float | None:
    """Standardised mean of the paired differences (Cohen's d_z); None when they don't vary
    but aren't all zero (an infinite effect has no useful number)."""
    diff = np.asarray(candidate, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    if diff.size < 2:
        return None
    sd = float(np.std(diff, ddof=1))
    if sd == 0:
        return 0.0 if not np.any(diff) else None
    return float(np.mean(diff)) / sd


def _z_sum(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(POWER))


def mde_mcnemar(pairs: int, discordant: int, *, alpha: float) -> float | None:
    """Smallest |Δ pass rate| McNemar detects with 80% power (normal approximation).

    With discordance rate π_d, the paired difference of proportions has standard error
    ≈ √(π_d / n), so MDE = (z₁₋α/₂ + z_power)·√(π_d / n). A suite with no discordant pair
    yet is credited with one (π_d = 1/n): zero would promise detection of any change.
    """
    if pairs <= 0:
        return None
    rate = max(discordant, 1) / pairs
    return min(1.0, _z_sum(alpha) * math.sqrt(rate / pairs))


def mde_paired(baseline: ArrayLike, candidate: ArrayLike, *, alpha: float) -> float | None:
    """Smallest |Δ mean| a paired test detects with 80% power: (z₁₋α/₂ + z_power)·sd(d)/√n."""
    diff = np.asarray(candidate, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    if diff.size < 2:
        return None
    return _z_sum(alpha) * float(np.std(diff, ddof=1)) / math.sqrt(diff.size)


def fold(values: ArrayLike, groups: ArrayLike) -> tuple[Floats, Floats, NDArray[np.int64]]:
    """Fold repetitions into per-case means with their within-case variance.

    Args:
        values: one value per repetition (a score, or 1/0 for pass/fail).
        groups: the case each value belongs to, any hashable labels.

    Returns:
        (means, variances, counts) per distinct group in sorted order; the variance is the
        sample variance (ddof=1) over the case's repetitions, 0 with one repetition.
    """
    vals = np.asarray(values, dtype=np.float64)
    labels, index = np.unique(np.asarray(groups), return_inverse=True)
    counts = np.bincount(index, minlength=labels.size)
    sums = np.bincount(index, weights=vals, minlength=labels.size)
    means = sums / counts
    squares = np.bincount(index, weights=(vals - means[index]) ** 2, minlength=labels.size)
    variances = np.where(counts > 1, squares / np.maximum(counts - 1, 1), 0.0)
    return means, variances, counts.astype(np.int64)
