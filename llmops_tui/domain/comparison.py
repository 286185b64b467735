"""The result of comparing two eval runs, and of gating a candidate on it.

Shared by `llmops eval compare`, `llmops gate`, its JUnit/Markdown reports and the Evals screen,
so every view states the same numbers with the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from llmops_tui.domain.evals import EvalRun


class Verdict(StrEnum):
    REGRESSED = "regressed"
    """Significantly worse after correction for multiple judges."""
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    """No significant difference (and the sample could have seen one of the MDE's size)."""
    INCONCLUSIVE = "inconclusive"
    """Too few paired cases for the test to say anything."""


class ScoreKind(StrEnum):
    PASS_FAIL = "pass_fail"
    """Compared by McNemar on paired pass/fail (exact for few discordant pairs)."""
    NUMERIC = "numeric"
    """Compared by a paired bootstrap CI and the Wilcoxon signed-rank test."""


@dataclass(frozen=True, slots=True)
class JudgeComparison:
    judge: str
    kind: ScoreKind
    pairs: int
    """Cases present in both runs (repetitions folded into per-case means)."""
    baseline: float
    """Pass rate (0..1) or mean score of the baseline."""
    candidate: float
    delta: float
    """candidate - baseline."""
    ci_low: float | None
    ci_high: float | None
    """95% (1 - alpha) confidence interval of `delta`."""
    p_value: float | None
    p_adjusted: float | None
    """Holm-adjusted across the judges of the comparison."""
    test: str
    """`mcnemar-exact`, `mcnemar`, `wilcoxon`..."""
    effect_size: float | None
    """Cohen's h for pass rates, the paired standardised mean difference for scores."""
    mde: float | None
    """The smallest |delta| this many pairs detects with 80% power at alpha."""
    noise_floor: float | None
    """|delta| between two runs of the same release (A/A), when the suite has been run twice
    on it; a delta below it is noise whatever the p-value says."""
    verdict: Verdict
    discordant: int | None = None
    """Pass/fail judges: cases that passed in one run and failed in the other."""
    baseline_sd: float | None = None
    """Mean within-case standard deviation over repetitions (None with one repetition)."""
    candidate_sd: float | None = None
    baseline_pass_rate: float | None = None
    """Share of cases × repetitions the judge passed (errors failing), for numeric judges
    too: a score's mean can hold while fewer answers clear the judge's threshold."""
    candidate_pass_rate: float | None = None


@dataclass(frozen=True, slots=True)
class CaseChange:
    """A case × judge whose verdict moved between the runs."""

    case_id: str
    judge: str
    regressed: bool
    """True for pass → fail (or a lower score); False for an improvement."""
    baseline_value: float
    """Pass rate over repetitions (0..1) or mean score."""
    candidate_value: float
    baseline_output: str | None
    candidate_output: str | None
    baseline_reason: str | None = None
    candidate_reason: str | None = None
    required: bool = False


@dataclass(frozen=True, slots=True)
class RunTotals:
    cases: int
    results: int
    pass_rate: float | None
    errors: int
    cost_usd: float | None
    """Provider plus judge cost; None when nothing was priced."""
    cost_per_case: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None


@dataclass(frozen=True, slots=True)
class Comparison:
    baseline: EvalRun
    candidate: EvalRun
    baseline_totals: RunTotals
    candidate_totals: RunTotals
    judges: tuple[JudgeComparison, ...]
    changes: tuple[CaseChange, ...]
    """Regressions first, then improvements."""
    alpha: float
    only_in_baseline: int = 0
    """Cases left out of the pairing because one run lacks them."""
    only_in_candidate: int = 0


@dataclass(frozen=True, slots=True)
class GateCheck:
    rule: str
    """`min_pass_rate`, `no_regression:<judge>`, `required_cases`, `max_cost_increase`..."""
    passed: bool
    detail: str
    """One line: what was measured against what limit."""


@dataclass(frozen=True, slots=True)
class GateResult:
    passed: bool
    checks: tuple[GateCheck, ...]
    comparison: Comparison
    candidate_release: str | None
    baseline_release: str | None


@dataclass(frozen=True, slots=True)
class GateRecord:
    """A stored gate verdict (`gate_results`): what deploy policies check."""

    gate_id: str
    candidate_release: str | None
    baseline_release: str | None
    candidate_run: str
    baseline_run: str
    passed: bool
    checks: tuple[GateCheck, ...]
    created_at: datetime
    created_by: str | None
