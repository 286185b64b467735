"""`compare_runs` on hand-built runs: pairing, folded repetitions, errors, noise floor."""

from __future__ import annotations

import pytest

from llmops_tui.domain.comparison import ScoreKind, Verdict
from llmops_tui.domain.evals import RunStatus
from llmops_tui.evals.compare import compare_runs
from llmops_tui.store import Store
from tests.evals.builders import CAND_RELEASE, pass_fail, result, run, save


def test_a_clear_regression_on_one_judge_of_two(store: Store) -> None:
    base_ok = [True] * 30 + [False] * 10
    cand_ok = [False] * 14 + [True] * 16 + [False] * 10  # 14 regressions, no improvement
    save(
        store,
        run("base-0001"),
        [*pass_fail("base-0001", "exact", base_ok), *pass_fail("base-0001", "tone", [True] * 40)],
    )
    save(
        store,
        run("cand-0001", release_id=CAND_RELEASE),
        [*pass_fail("cand-0001", "exact", cand_ok), *pass_fail("cand-0001", "tone", [True] * 40)],
    )
    c = compare_runs(store, "base", "cand")
    exact, tone = c.judges
    assert (exact.judge, exact.kind, exact.pairs, exact.test) == (
        "exact",
        ScoreKind.PASS_FAIL,
        40,
        "mcnemar-exact",
    )
    assert exact.baseline == pytest.approx(0.75)
    assert exact.candidate == pytest.approx(0.40)
    assert exact.delta == pytest.approx(-0.35)
    assert exact.discordant == 14
    assert exact.p_value == pytest.approx(2 * 0.5**14)
    # Holm: the smallest of two p-values is doubled.
    assert exact.p_adjusted == pytest.approx(4 * 0.5**14)
    assert exact.verdict is Verdict.REGRESSED
    assert exact.effect_size is not None
    assert exact.effect_size < -0.5
    assert exact.ci_low is not None
    assert exact.ci_high is not None
    assert exact.ci_low < -0.35 < exact.ci_high < 0
    assert exact.mde is not None
    assert 0 < exact.mde < 0.35
    assert (tone.verdict, tone.p_value, tone.delta) == (Verdict.UNCHANGED, 1.0, 0.0)
    assert len(c.changes) == 14
    assert all(ch.regressed and ch.judge == "exact" for ch in c.changes)
    assert c.changes[0].case_id == "c00"
    assert c.changes[0].baseline_output == "base-0001 answers c00"
    assert c.changes[0].candidate_output == "cand-0001 answers c00"


def test_pairs_only_shared_cases_and_counts_the_rest(store: Store) -> None:
    save(store, run("base-0002"), pass_fail("base-0002", "exact", [True] * 10))
    save(
        store,
        run("cand-0002", release_id=CAND_RELEASE),
        [result("cand-0002", f"c{i:02d}", "exact", True) for i in range(3, 13)],
    )
    c = compare_runs(store, "base-0002", "cand-0002")
    assert c.judges[0].pairs == 7
    assert (c.only_in_baseline, c.only_in_candidate) == (3, 3)
    assert c.baseline_totals.cases == 10


def test_errored_rows_count_as_failures(store: Store) -> None:
    save(store, run("base-0003"), pass_fail("base-0003", "exact", [True] * 8))
    cand = [result("cand-0003", f"c{i:02d}", "exact", True) for i in range(6)]
    cand += [result("cand-0003", f"c{i:02d}", "exact", None, error="timeout") for i in (6, 7)]
    save(store, run("cand-0003", release_id=CAND_RELEASE), cand)
    c = compare_runs(store, "base-0003", "cand-0003")
    assert c.judges[0].candidate == pytest.approx(0.75)
    assert c.candidate_totals.errors == 2
    assert c.candidate_totals.pass_rate == pytest.approx(0.75)
    assert [ch.candidate_reason for ch in c.changes] == ["timeout", "timeout"]


def test_repetitions_fold_into_case_means_with_their_spread(store: Store) -> None:
    base = [
        result("base-0004", f"c{i}", "sim", True, score=0.8, repetition=r)
        for i in range(8)
        for r in range(3)
    ]
    # Candidate: case c0 scores 0.2, 0.5, 0.8 (mean 0.5, sd 0.3); the others 0.8 each time.
    cand = [
        result("cand-0004", f"c{i}", "sim", True, score=0.8, repetition=r)
        for i in range(1, 8)
        for r in range(3)
    ]
    cand += [
        result("cand-0004", "c0", "sim", s >= 0.5, score=s, repetition=r)
        for r, s in enumerate([0.2, 0.5, 0.8])
    ]
    save(store, run("base-0004", repeat=3), base)
    save(store, run("cand-0004", release_id=CAND_RELEASE, repeat=3), cand)
    c = compare_runs(store, "base-0004", "cand-0004")
    [sim] = c.judges
    assert sim.kind is ScoreKind.NUMERIC
    assert sim.pairs == 8
    assert sim.candidate == pytest.approx((0.5 + 7 * 0.8) / 8)
    assert sim.baseline_sd == pytest.approx(0.0, abs=1e-12)
    assert sim.candidate_sd == pytest.approx(0.3 / 8)
    assert sim.candidate_pass_rate == pytest.approx(23 / 24)
    assert sim.test == "wilcoxon"
    [change] = c.changes
    assert (change.case_id, change.regressed) == ("c0", True)
    assert change.candidate_value == pytest.approx(0.5)
    assert change.candidate_reason is None
    assert c.candidate_totals.results == 24


def test_pass_fail_repetitions_are_compared_as_per_case_rates(store: Store) -> None:
    base = [
        result("base-0005", f"c{i}", "exact", True, repetition=r)
        for i in range(10)
        for r in range(2)
    ]
    cand = [
        result("cand-0005", f"c{i}", "exact", r == 0, repetition=r)
        for i in range(10)
        for r in range(2)
    ]
    save(store, run("base-0005", repeat=2), base)
    save(store, run("cand-0005", release_id=CAND_RELEASE, repeat=2), cand)
    [exact] = compare_runs(store, "base-0005", "cand-0005").judges
    assert exact.kind is ScoreKind.PASS_FAIL
    assert exact.test == "wilcoxon"  # rates of 0.5 are not McNemar's 0/1
    assert exact.candidate == pytest.approx(0.5)
    assert exact.candidate_sd == pytest.approx(2**-0.5)
    assert exact.verdict is Verdict.REGRESSED


def test_noise_floor_from_two_runs_of_the_baseline_release(store: Store) -> None:
    # Two A/A runs of the baseline release differ by 20 points; the candidate's 15-point drop
    # is significant by McNemar but within that noise, so it is not a regression.
    base_ok = [True] * 40
    save(store, run("base-0006", minutes=10), pass_fail("base-0006", "exact", base_ok))
    save(
        store, run("aa-00006", minutes=5), pass_fail("aa-00006", "exact", [False] * 8 + [True] * 32)
    )
    save(
        store,
        run("old-00006", minutes=0, status=RunStatus.FAILED),
        pass_fail("old-00006", "exact", [False] * 40),
    )
    save(
        store,
        run("cand-0006", release_id=CAND_RELEASE),
        pass_fail("cand-0006", "exact", [False] * 6 + [True] * 34),
    )
    [exact] = compare_runs(store, "base-0006", "cand-0006").judges
    assert exact.noise_floor == pytest.approx(0.2)
    assert exact.p_value is not None
    assert exact.p_value < 0.05
    assert exact.verdict is Verdict.UNCHANGED


def test_totals_cost_includes_judges_and_counts_provider_cost_once(store: Store) -> None:
    rows = [
        result(
            "base-0007",
            f"c{i}",
            judge,
            True,
            cost_usd=0.01,
            latency_ms=100.0 * (i + 1),
            judge_cost_usd=0.002 if judge == "rubric" else None,
        )
        for i in range(4)
        for judge in ("exact", "rubric")
    ]
    save(store, run("base-0007"), rows)
    save(store, run("cand-0007", release_id=CAND_RELEASE), pass_fail("cand-0007", "exact", [True]))
    t = compare_runs(store, "base-0007", "cand-0007").baseline_totals
    assert t.cost_usd == pytest.approx(4 * 0.01 + 4 * 0.002)
    assert t.cost_per_case == pytest.approx(0.012)
    assert t.latency_p50_ms == pytest.approx(250.0)
    assert t.latency_p95_ms == pytest.approx(385.0)


def test_too_few_pairs_is_inconclusive(store: Store) -> None:
    save(store, run("base-0008"), pass_fail("base-0008", "exact", [True] * 3))
    save(
        store,
        run("cand-0008", release_id=CAND_RELEASE),
        pass_fail("cand-0008", "exact", [False] * 3),
    )
    [exact] = compare_runs(store, "base-0008", "cand-0008").judges
    assert exact.verdict is Verdict.INCONCLUSIVE
