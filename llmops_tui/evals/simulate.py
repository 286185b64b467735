"""Simulated eval suites to check the gate's statistics: its false-failure rate when nothing
changed (A/A) and its power when the pass rate truly drops.

Real suites are not coin flips: some cases are easy and pass every time, some are hard and
fail every time, and only a minority flip between two runs of the same release. Each case
here has a latent difficulty shared by every judge (plus a judge-specific twist), and a run
draws each answer from the case's pass probability, so two A/A runs agree on most cases
(`agreement`, ≥ 85% with the defaults, as real suites do). The rows have the shape
`store.evals.results` returns and go through the real `compare_results` and `apply_rules`:
what is measured is the shipped code, not a re-implementation.

A "drop" shifts one pass/fail judge's logits down until its expected pass rate falls by
`drop` (10 points by default): the hardest case for a Holm-corrected gate, which pays the
correction for every judge while only one moved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import polars as pl
from scipy import optimize
from scipy.special import expit

from llmops_tui.domain.evals import EvalRun, RunSource, RunStatus
from llmops_tui.evals.compare import MIN_PAIRS, compare_results
from llmops_tui.evals.gate_config import GateConfig
from llmops_tui.evals.rules import apply_rules

Floats = np.ndarray


@dataclass(frozen=True, slots=True)
class SuiteSpec:
    cases: int = 200
    pass_fail_judges: tuple[str, ...] = ("exact", "contains", "json_valid")
    numeric_judges: tuple[str, ...] = ("similarity",)
    base_logit: float = 2.5
    """Mean logit of passing: about 65% of answers pass each judge."""
    difficulty: float = 6.0
    """Spread of the shared latent difficulty (logit sd): large means cases mostly always
    pass or always fail, so runs agree."""
    judge_twist: float = 1.0
    """Judge-specific spread on top of the shared difficulty."""
    score_noise: float = 0.05
    """Per-answer noise of numeric scores (0..1 scale)."""
    error_rate: float = 0.01
    """Answers that error (timeouts): every judge fails them."""
    drop: float = 0.0
    """True fall in the first pass/fail judge's pass rate for the candidate (0.10 = 10 pts)."""
    repeat: int = 1


@dataclass(frozen=True, slots=True)
class SimulationResult:
    suites: int
    failures: int
    agreement: float
    """Mean share of case × pass/fail judge verdicts the two runs agree on."""
    rule_failures: dict[str, int] = field(default_factory=dict)
    unadjusted_failures: int = 0
    """Suites a gate without the Holm correction (any judge down with raw p < alpha) would
    have failed: what the correction buys."""

    @property
    def failure_rate(self) -> float:
        return self.failures / self.suites if self.suites else 0.0


def simulate_gate(
    spec: SuiteSpec, config: GateConfig, *, suites: int, seed: int
) -> SimulationResult:
    """Gate `suites` simulated baseline/candidate pairs and count how many fail."""
    failures = 0
    agreements = []
    rule_failures: dict[str, int] = {}
    unadjusted = 0
    for index in range(suites):
        rng = np.random.default_rng([seed, index])
        base_rows, cand_rows, agreement = simulate_pair(spec, rng)
        agreements.append(agreement)
        comparison = compare_results(
            _run("base"), _run("cand"), base_rows, cand_rows, alpha=config.alpha
        )
        checks = apply_rules(comparison, config, cand_rows)
        failed = [c.rule for c in checks if not c.passed]
        unadjusted += any(
            j.p_value is not None and j.p_value < config.alpha and j.delta < 0
            for j in comparison.judges
            if j.pairs >= MIN_PAIRS
        )
        failures += bool(failed)
        for rule in failed:
            rule_failures[rule] = rule_failures.get(rule, 0) + 1
    return SimulationResult(suites, failures, float(np.mean(agreements)), rule_failures, unadjusted)


def simulate_pair(
    spec: SuiteSpec, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame, float]:
    """One suite's baseline and candidate rows and their pass/fail agreement."""
    judges = (*spec.pass_fail_judges, *spec.numeric_judges)
    shared = rng.normal(0.0, spec.difficulty, spec.cases)
    logits = {
        j: spec.base_logit + shared + rng.normal(0.0, spec.judge_twist, spec.cases) for j in judges
    }
    latency = rng.lognormal(math.log(800), 0.5, spec.cases)
    tokens = rng.integers(200, 2000, spec.cases)
    cand_logits = dict(logits)
    if spec.drop and spec.pass_fail_judges:
        first = spec.pass_fail_judges[0]
        cand_logits[first] = logits[first] - _shift_for(logits[first], spec.drop)
    base = _rows(spec, rng, logits, latency, tokens)
    cand = _rows(spec, rng, cand_logits, latency, tokens)
    return base, cand, _agreement(base, cand, spec.pass_fail_judges)


def _shift_for(logits: Floats, drop: float) -> float:
    """The logit shift that lowers the expected pass rate by `drop`."""
    target = float(np.mean(expit(logits))) - drop
    return float(optimize.brentq(lambda s: np.mean(expit(logits - s)) - target, 0.0, 20.0))


def _rows(
    spec: SuiteSpec,
    rng: np.random.Generator,
    logits: dict[str, Floats],
    latency: Floats,
    tokens: Floats,
) -> pl.DataFrame:
    n = spec.cases * spec.repeat
    case_ids = np.repeat([f"case-{i:04d}" for i in range(spec.cases)], spec.repeat)
    reps = np.tile(np.arange(spec.repeat), spec.cases)
    index = np.repeat(np.arange(spec.cases), spec.repeat)
    errored = rng.random(n) < spec.error_rate
    answer_latency = latency[index] * rng.lognormal(0.0, 0.1, n)
    cost = tokens[index] * 2e-6 * rng.lognormal(0.0, 0.05, n)
    frames = []
    for judge, logit in logits.items():
        p = expit(logit[index])
        if judge in spec.numeric_judges:
            score = np.clip(np.round(p + rng.normal(0.0, spec.score_noise, n), 2), 0.0, 1.0)
            passed = score >= 0.5
        else:
            passed = rng.random(n) < p
            score = passed.astype(np.float64)
        frames.append(
            pl.DataFrame(
                {
                    "case_id": case_ids,
                    "repetition": reps.astype(np.int32),
                    "judge": [judge] * n,
                    "passed": [
                        None if e else bool(v) for e, v in zip(errored, passed, strict=True)
                    ],
                    "score": [None if e else float(s) for e, s in zip(errored, score, strict=True)],
                    "reason": [None] * n,
                    "error": ["timeout" if e else None for e in errored],
                    "output": [f"answer {c}" for c in case_ids],
                    "latency_ms": answer_latency,
                    "cost_usd": cost,
                    "judge_cost_usd": [None] * n,
                    "required": [False] * n,
                },
                schema_overrides={
                    "reason": pl.String,
                    "error": pl.String,
                    "judge_cost_usd": pl.Float64,
                    "passed": pl.Boolean,
                    "score": pl.Float64,
                },
            )
        )
    return pl.concat(frames)


def _agreement(base: pl.DataFrame, cand: pl.DataFrame, judges: tuple[str, ...]) -> float:
    keys = ["case_id", "repetition", "judge"]
    pf = pl.col("judge").is_in(list(judges))
    joined = base.filter(pf).join(cand.filter(pf), on=keys, suffix="_c")
    same = joined["passed"].fill_null(False) == joined["passed_c"].fill_null(False)
    return float(same.mean()) if joined.height else 1.0  # type: ignore[arg-type]


def _run(run_id: str) -> EvalRun:
    return EvalRun(
        run_id=run_id,
        source=RunSource.LLMOPS,
        status=RunStatus.FINISHED,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        finished_at=datetime(2026, 1, 1, tzinfo=UTC),
        release_id=None,
        release_ref=None,
        dataset="simulated",
        dataset_version=None,
        prompt=None,
        prompt_version=None,
        provider="simulated",
        model=None,
        repeat=1,
        suite_hash=None,
        created_by=None,
    )
