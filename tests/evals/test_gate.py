"""`[gate]` parsing, each rule failing and passing, and `run_gate` with injected runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.comparison import Comparison
from llmops_tui.domain.evals import EvalResult, EvalRun
from llmops_tui.errors import ConfigError
from llmops_tui.evals.compare import compare_runs
from llmops_tui.evals.gate import gate_runs, run_gate
from llmops_tui.evals.gate_config import GateConfig, parse_gate_config
from llmops_tui.evals.rules import apply_rules
from llmops_tui.plugin_manager import Plugins, load_plugins
from llmops_tui.store import Store
from tests.evals.builders import (
    BASE_RELEASE,
    CAND_RELEASE,
    pass_fail,
    project,
    releases,
    result,
    run,
    save,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_gate_config_defaults_and_values() -> None:
    assert parse_gate_config({}) == GateConfig()
    config = parse_gate_config(
        {
            "suite": "regression",
            "min_pass_rate": {"exact": 0.9, "*": 0.5},
            "alpha": 0.01,
            "no_regression": ["exact"],
            "required_cases": ["c01"],
            "max_cost_increase": 0.1,
            "max_latency_increase": 0.25,
        }
    )
    assert config.min_pass_rate == {"exact": 0.9, "*": 0.5}
    assert (config.alpha, config.no_regression, config.required_cases) == (
        0.01,
        ("exact",),
        ("c01",),
    )
    assert parse_gate_config({"min_pass_rate": 0.8}).min_pass_rate == {"": 0.8}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"min_pass_rat": 0.8}, "unknown key 'min_pass_rat' (did you mean 'min_pass_rate'?)"),
        ({"alpha": 1.5}, "alpha: expected a number between 0 and 1, got 1.5"),
        ({"min_pass_rate": "high"}, "min_pass_rate: expected a pass rate between 0 and 1"),
        ({"no_regression": 3}, "no_regression: expected a list of names, got 3"),
        ({"max_cost_increase": -1}, "max_cost_increase: expected a relative increase ≥ 0"),
    ],
)
def test_gate_config_errors_are_one_line(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_gate_config(table, "llmops.toml: [gate]")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def _pair(
    store: Store,
    base: list[EvalResult],
    cand: list[EvalResult],
) -> tuple[Comparison, Any]:
    save(store, run("base-run1"), base)
    save(store, run("cand-run1", release_id=CAND_RELEASE), cand)
    return compare_runs(store, "base-run1", "cand-run1"), store.evals.results("cand-run1")


def _checks(
    store: Store, config: dict[str, Any], base: list[EvalResult], cand: list[EvalResult]
) -> dict[str, tuple[bool, str]]:
    comparison, rows = _pair(store, base, cand)
    return {
        c.rule: (c.passed, c.detail)
        for c in apply_rules(comparison, parse_gate_config(config), rows)
    }


def test_min_pass_rate_overall_and_per_judge(store: Store) -> None:
    base = pass_fail("base-run1", "exact", [True] * 10)
    cand = pass_fail("cand-run1", "exact", [True] * 8 + [False] * 2)
    checks = _checks(
        store, {"min_pass_rate": {"": 0.9, "exact": 0.8}, "no_regression": []}, base, cand
    )
    assert checks["min_pass_rate"] == (False, "pass rate 80.0% < minimum 90.0%")
    assert checks["min_pass_rate:exact"] == (True, "exact pass rate 80.0% ≥ minimum 80.0%")


def test_no_regression_fails_on_a_significant_drop_and_passes_otherwise(store: Store) -> None:
    base = [
        *pass_fail("base-run1", "exact", [True] * 40),
        *pass_fail("base-run1", "tone", [True] * 40),
    ]
    cand = [
        *pass_fail("cand-run1", "exact", [False] * 12 + [True] * 28),
        *pass_fail("cand-run1", "tone", [False] + [True] * 39),
    ]
    checks = _checks(store, {"no_regression": "*"}, base, cand)
    passed, detail = checks["no_regression:exact"]
    assert not passed
    assert detail.startswith("regressed: -30.0 pts (100.0% → 70.0%), p_holm=")
    assert checks["no_regression:tone"][0]
    assert checks["no_regression:tone"][1].startswith("unchanged: -2.5 pts")


def test_no_regression_on_a_judge_missing_from_the_runs_fails(store: Store) -> None:
    base = pass_fail("base-run1", "exact", [True] * 10)
    cand = pass_fail("cand-run1", "exact", [True] * 10)
    checks = _checks(store, {"no_regression": ["exact", "rubric"]}, base, cand)
    assert checks["no_regression:exact"][0]
    assert checks["no_regression:rubric"] == (False, "judge 'rubric' is not in both runs")


def test_required_cases_listed_and_flagged(store: Store) -> None:
    base = pass_fail("base-run1", "exact", [True] * 6)
    cand = [result("cand-run1", f"c{i:02d}", "exact", i != 2, required=i == 2) for i in range(6)]
    checks = _checks(store, {"required_cases": ["c01", "c99"], "no_regression": []}, base, cand)
    assert checks["required_cases"] == (False, "2/3: c02 failed, c99 missing")


def test_required_cases_pass(store: Store) -> None:
    base = pass_fail("base-run1", "exact", [True] * 6)
    cand = [result("cand-run1", f"c{i:02d}", "exact", True, required=i == 2) for i in range(6)]
    checks = _checks(store, {"required_cases": ["c01"], "no_regression": []}, base, cand)
    assert checks["required_cases"] == (True, "all 2 required cases pass")


def test_cost_and_latency_increase(store: Store) -> None:
    base = [
        result("base-run1", f"c{i}", "exact", True, cost_usd=0.01, latency_ms=100.0)
        for i in range(5)
    ]
    cand = [
        result("cand-run1", f"c{i}", "exact", True, cost_usd=0.012, latency_ms=110.0)
        for i in range(5)
    ]
    rules = {"max_cost_increase": 0.1, "max_latency_increase": 0.25, "no_regression": []}
    checks = _checks(store, rules, base, cand)
    assert checks["max_cost_increase"] == (False, "cost per case +20.0% ($0.01 → $0.012) > +10%")
    assert checks["max_latency_increase"] == (True, "p95 latency +10.0% (100ms → 110ms) ≤ +25%")


def test_cost_rule_is_skipped_when_unpriced(store: Store) -> None:
    base = pass_fail("base-run1", "exact", [True] * 3)
    cand = pass_fail("cand-run1", "exact", [True] * 3)
    checks = _checks(store, {"max_cost_increase": 0.1, "no_regression": []}, base, cand)
    assert checks["max_cost_increase"] == (
        True,
        "cost per case not measured in both runs: not checked",
    )


class FakeRunner:
    """Hands back stored runs by ref, as `run_eval(..., reuse=True)` would."""

    def __init__(self, runs: dict[str, EvalRun]) -> None:
        self.runs = runs
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        store: Store,
        project: ProjectConfig,
        plugins: Plugins,
        /,
        *,
        release_ref: str,
        suite: str | None = None,
        reuse: bool = False,
    ) -> EvalRun:
        self.calls.append({"ref": release_ref, "suite": suite, "reuse": reuse})
        return self.runs[release_ref]


@pytest.fixture
def plugins() -> Plugins:
    return load_plugins((), load_entrypoints=False)


def _gate_runs(store: Store, cand_ok: list[bool]) -> FakeRunner:
    releases(store)
    base = save(store, run("base-gate"), pass_fail("base-gate", "exact", [True] * 40))
    cand = save(
        store, run("cand-gate", release_id=CAND_RELEASE), pass_fail("cand-gate", "exact", cand_ok)
    )
    return FakeRunner({"production": base, CAND_RELEASE: cand})


def test_run_gate_passes_records_and_reuses_runs(
    store: Store, tmp_path: Path, plugins: Plugins
) -> None:
    runner = _gate_runs(store, [True] * 39 + [False])
    proj = project(tmp_path, {"suite": "regression", "min_pass_rate": 0.9})
    result = run_gate(
        store,
        proj,
        plugins,
        candidate_ref=CAND_RELEASE,
        baseline_ref="production",
        run=runner,
        now=lambda: NOW,
    )
    assert result.passed
    assert [c.rule for c in result.checks] == ["min_pass_rate", "no_regression:exact"]
    assert (result.candidate_release, result.baseline_release) == (CAND_RELEASE, BASE_RELEASE)
    assert runner.calls == [
        {"ref": "production", "suite": "regression", "reuse": True},
        {"ref": CAND_RELEASE, "suite": "regression", "reuse": True},
    ]
    record = store.gates.latest(CAND_RELEASE)
    assert record is not None
    assert (record.passed, record.baseline_run, record.created_at) == (True, "base-gate", NOW)


def test_run_gate_fails_on_a_regression(store: Store, tmp_path: Path, plugins: Plugins) -> None:
    runner = _gate_runs(store, [False] * 10 + [True] * 30)
    result = run_gate(
        store,
        project(tmp_path),
        plugins,
        candidate_ref=CAND_RELEASE,
        baseline_ref="production",
        suite="other",
        run=runner,
        now=lambda: NOW,
    )
    assert not result.passed
    assert [(c.rule, c.passed) for c in result.checks] == [("no_regression:exact", False)]
    assert runner.calls[0]["suite"] == "other"
    latest = store.gates.latest(CAND_RELEASE)
    assert latest is not None
    assert not latest.passed


def test_run_gate_refuses_a_bad_config_before_running(
    store: Store, tmp_path: Path, plugins: Plugins
) -> None:
    runner = _gate_runs(store, [True] * 40)
    with pytest.raises(ConfigError, match="unknown key 'alpah'"):
        run_gate(
            store,
            project(tmp_path, {"alpah": 0.1}),
            plugins,
            candidate_ref=CAND_RELEASE,
            baseline_ref="production",
            run=runner,
        )
    assert runner.calls == []


def test_gate_runs_judges_two_stored_runs_without_recording(store: Store) -> None:
    _gate_runs(store, [False] * 10 + [True] * 30)
    result = gate_runs(store, parse_gate_config({}), "base-gate", "cand-gate")
    assert not result.passed
    assert (result.baseline_release, result.candidate_release) == (BASE_RELEASE, CAND_RELEASE)
    assert store.gates.latest(CAND_RELEASE) is None
