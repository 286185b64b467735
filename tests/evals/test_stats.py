"""The statistics against values computed by hand (or by the textbook formula)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from llmops_tui.evals import stats


def test_mcnemar_exact_for_few_discordant_pairs() -> None:
    # 10 regressions, 2 improvements, 20 concordant: P(X ≤ 2 | n=12, ½) · 2 = 0.03857.
    base = [True] * 10 + [False] * 2 + [True] * 15 + [False] * 5
    cand = [False] * 10 + [True] * 2 + [True] * 15 + [False] * 5
    result = stats.mcnemar(base, cand)
    assert (result.regressions, result.improvements, result.test) == (10, 2, "mcnemar-exact")
    assert result.p_value == pytest.approx(2 * sum(math.comb(12, k) for k in range(3)) / 2**12)
    assert result.p_value == pytest.approx(0.038574, abs=1e-6)


def test_mcnemar_chi_square_with_continuity_correction() -> None:
    # b=30, c=10: χ² = (|30-10| - 1)² / 40 = 9.025 → p = 0.002663.
    base = [True] * 30 + [False] * 10
    cand = [False] * 30 + [True] * 10
    result = stats.mcnemar(base, cand)
    assert result.test == "mcnemar"
    assert result.p_value == pytest.approx(0.0026635, abs=1e-6)


def test_mcnemar_without_discordant_pairs_is_p_one() -> None:
    assert stats.mcnemar([True, False], [True, False]).p_value == 1.0


def test_holm_on_a_known_vector() -> None:
    # sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max(0.06, 0.04) = 0.06
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm([0.2, None, 0.9]) == [0.4, None, 0.9]
    assert stats.holm([0.6, 0.7]) == [1.0, 1.0]


def test_effect_sizes() -> None:
    assert stats.cohens_h(0.5, 0.6) == pytest.approx(0.201358, abs=1e-6)
    assert stats.cohens_h(0.6, 0.5) == pytest.approx(-0.201358, abs=1e-6)
    assert stats.paired_d([0, 0, 0, 0], [1, 2, 3, 4]) == pytest.approx(
        2.5 / np.std([1, 2, 3, 4], ddof=1)
    )
    assert stats.paired_d([1, 1], [1, 1]) == 0.0
    assert stats.paired_d([0, 0], [1, 1]) is None


def test_minimum_detectable_effect() -> None:
    z = 1.959964 + 0.841621
    assert stats.mde_mcnemar(200, 24, alpha=0.05) == pytest.approx(
        z * math.sqrt(0.12 / 200), abs=1e-5
    )
    # No discordant pair yet: credited with one.
    assert stats.mde_mcnemar(100, 0, alpha=0.05) == pytest.approx(
        z * math.sqrt(0.01 / 100), abs=1e-5
    )
    diff_sd = float(np.std([0.1, -0.1, 0.3, 0.1], ddof=1))
    assert stats.mde_paired([0, 0, 0, 0], [0.1, -0.1, 0.3, 0.1], alpha=0.05) == pytest.approx(
        z * diff_sd / 2, abs=1e-5
    )


def test_paired_scores_wilcoxon_and_seeded_bootstrap() -> None:
    rng = np.random.default_rng(3)
    base = rng.uniform(0, 1, 80)
    cand = base - 0.1 + rng.normal(0, 0.05, 80)
    first = stats.paired_scores(base, cand)
    again = stats.paired_scores(base, cand)
    assert first == again  # the bootstrap is seeded: same runs, same interval
    assert first.test == "wilcoxon"
    assert first.mean_difference == pytest.approx(float(np.mean(cand - base)))
    assert first.ci_low < first.mean_difference < first.ci_high < 0
    assert first.p_value < 1e-10


def test_paired_scores_all_zero_differences() -> None:
    same = stats.paired_scores([0.5, 0.7, 0.9], [0.5, 0.7, 0.9])
    assert (same.p_value, same.ci_low, same.ci_high, same.test) == (1.0, 0.0, 0.0, "identical")


def test_fold_repetitions_into_case_means_and_variances() -> None:
    means, variances, counts = stats.fold([1, 0, 1, 1, 1], ["a", "a", "a", "b", "b"])
    assert means == pytest.approx([2 / 3, 1.0])
    assert variances == pytest.approx([1 / 3, 0.0])
    assert counts.tolist() == [3, 2]


def test_bootstrap_of_differences_is_scipys_paired_bootstrap() -> None:
    rng = np.random.default_rng(5)
    base = rng.uniform(0, 1, 60)
    cand = base + rng.normal(0.02, 0.1, 60)

    def mean_difference(b: np.ndarray, c: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.asarray(np.mean(c - b, axis=axis))

    paired = scipy_stats.bootstrap(
        (base, cand),
        mean_difference,
        paired=True,
        vectorized=True,
        n_resamples=stats.BOOTSTRAP_RESAMPLES,
        rng=np.random.default_rng(stats.BOOTSTRAP_SEED),
    ).confidence_interval
    ours = stats.paired_scores(base, cand)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((paired.low, paired.high), abs=1e-12)
