"""The `[gate]` rules applied to a comparison: each gives one `GateCheck` with a one-line
detail (what was measured against what limit). Pure, so the simulation in
`bench/gate_simulation.py` gates with exactly this code."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from llmops_tui.domain.comparison import Comparison, GateCheck, JudgeComparison, Verdict
from llmops_tui.evals.cases import ok_column
from llmops_tui.evals.gate_config import ALL_JUDGES, GateConfig
from llmops_tui.formatting import ms, percent


def apply_rules(
    comparison: Comparison, config: GateConfig, candidate_rows: pl.DataFrame
) -> tuple[GateCheck, ...]:
    """Every rule of `config`, in a fixed order: pass rates, regressions, required cases,
    cost, latency. `candidate_rows` are the candidate's results (for required cases and
    pass rates over every case, paired or not)."""
    return (
        *_pass_rates(config, candidate_rows),
        *_regressions(comparison, config),
        *_required(config, candidate_rows),
        *_increase(
            "max_cost_increase",
            "cost per case",
            comparison.baseline_totals.cost_per_case,
            comparison.candidate_totals.cost_per_case,
            config.max_cost_increase,
            _dollars,
        ),
        *_increase(
            "max_latency_increase",
            "p95 latency",
            comparison.baseline_totals.latency_p95_ms,
            comparison.candidate_totals.latency_p95_ms,
            config.max_latency_increase,
            ms,
        ),
    )


def _pass_rates(config: GateConfig, rows: pl.DataFrame) -> list[GateCheck]:
    checks = []
    judges = sorted(rows["judge"].unique().to_list())
    for target, limit in config.min_pass_rate.items():
        if target == "":
            answers = rows.group_by("case_id", "repetition").agg(ok=ok_column().all())
            rate = float(answers["ok"].mean()) if answers.height else 0.0  # type: ignore[arg-type]
            checks.append(_min_rate("min_pass_rate", "pass rate", rate, limit))
            continue
        for judge in judges if target == ALL_JUDGES else [target]:
            mine = rows.filter(pl.col("judge") == judge)
            if mine.height == 0:
                checks.append(
                    GateCheck(f"min_pass_rate:{judge}", False, f"no results for judge {judge!r}")
                )
                continue
            rate = float(mine.select(ok_column().mean()).item())
            checks.append(_min_rate(f"min_pass_rate:{judge}", f"{judge} pass rate", rate, limit))
    return checks


def _min_rate(rule: str, what: str, rate: float, limit: float) -> GateCheck:
    passed = rate >= limit
    sign = "≥" if passed else "<"
    return GateCheck(rule, passed, f"{what} {percent(rate)} {sign} minimum {percent(limit)}")


def _regressions(comparison: Comparison, config: GateConfig) -> list[GateCheck]:
    by_name = {j.judge: j for j in comparison.judges}
    wanted = sorted(by_name) if ALL_JUDGES in config.no_regression else config.no_regression
    checks = []
    for name in wanted:
        judge = by_name.get(name)
        rule = f"no_regression:{name}"
        if judge is None:
            checks.append(GateCheck(rule, False, f"judge {name!r} is not in both runs"))
        elif judge.pairs == 0:
            checks.append(GateCheck(rule, False, "no case is in both runs"))
        else:
            checks.append(GateCheck(rule, judge.verdict is not Verdict.REGRESSED, _detail(judge)))
    return checks


def _detail(j: JudgeComparison) -> str:
    if j.kind.value == "pass_fail":
        delta = f"{j.delta * 100:+.1f} pts ({percent(j.baseline)} → {percent(j.candidate)})"
    else:
        delta = f"{j.delta:+.3f} ({j.baseline:.3f} → {j.candidate:.3f})"
    p = f"p_holm={j.p_adjusted:.3g}" if j.p_adjusted is not None else "no test"
    floor = f", A/A noise {j.noise_floor:.3g}" if j.noise_floor is not None else ""
    return f"{j.verdict.value}: {delta}, {p} vs alpha, {j.pairs} pairs{floor}"


def _required(config: GateConfig, rows: pl.DataFrame) -> list[GateCheck]:
    flagged = rows.filter(pl.col("required").fill_null(False))["case_id"].unique().to_list()
    wanted = sorted(set(config.required_cases) | set(flagged))
    if not wanted:
        return []
    per_case = (
        rows.filter(pl.col("case_id").is_in(wanted)).group_by("case_id").agg(ok=ok_column().all())
    )
    passing = {c for c, ok in per_case.iter_rows() if ok}
    missing = sorted(set(wanted) - set(per_case["case_id"].to_list()))
    failing = sorted(set(wanted) - passing - set(missing))
    problems = [*(f"{c} failed" for c in failing), *(f"{c} missing" for c in missing)]
    if problems:
        shown = ", ".join(problems[:5]) + (
            f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        )
        return [GateCheck("required_cases", False, f"{len(problems)}/{len(wanted)}: {shown}")]
    return [GateCheck("required_cases", True, f"all {len(wanted)} required cases pass")]


def _dollars(value: float) -> str:
    """Per-case costs are fractions of a cent: keep six decimals, drop trailing zeros."""
    return "$" + (f"{value:.6f}".rstrip("0").rstrip(".") or "0")


def _increase(
    rule: str,
    what: str,
    base: float | None,
    cand: float | None,
    limit: float | None,
    show: Callable[[float], str],
) -> list[GateCheck]:
    if limit is None:
        return []
    if base is None or cand is None:
        return [GateCheck(rule, True, f"{what} not measured in both runs: not checked")]
    if base <= 0:
        passed = cand <= 0
        return [GateCheck(rule, passed, f"{what} {show(cand)} vs baseline {show(base)}")]
    change = cand / base - 1
    passed = change <= limit
    sign = "≤" if passed else ">"
    return [
        GateCheck(
            rule,
            passed,
            f"{what} {change * 100:+.1f}% ({show(base)} → {show(cand)}) {sign} +{limit * 100:.0f}%",
        )
    ]
