"""JUnit XML and the Markdown summary of a gate."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl

from llmops_tui.domain.comparison import GateResult
from llmops_tui.evals.compare import compare_runs
from llmops_tui.evals.gate_config import parse_gate_config
from llmops_tui.evals.reports import comparison_dict, gate_dict, junit_xml, markdown_summary
from llmops_tui.evals.rules import apply_rules
from llmops_tui.store import Store
from tests.evals.builders import BASE_RELEASE, CAND_RELEASE, pass_fail, result, run, save


def _gate(store: Store) -> tuple[GateResult, pl.DataFrame]:
    base = [
        *pass_fail("base-rep1", "exact", [True] * 20),
        *pass_fail("base-rep1", "tone", [True] * 20),
    ]
    cand = [
        *(
            result(
                "cand-rep1",
                f"c{i:02d}",
                "exact",
                False,
                reason="expected 42",
                output="x | <b>no</b>\nline 2",
            )
            for i in range(10)
        ),
        *pass_fail("cand-rep1", "exact", [True] * 20)[10:],
        *pass_fail("cand-rep1", "tone", [True] * 19),
        result("cand-rep1", "c19", "tone", None, error="timeout after 30 s"),
    ]
    save(store, run("base-rep1"), base)
    save(store, run("cand-rep1", release_id=CAND_RELEASE), cand)
    comparison = compare_runs(store, "base-rep1", "cand-rep1")
    rows = store.evals.results("cand-rep1")
    checks = apply_rules(comparison, parse_gate_config({"min_pass_rate": 0.4}), rows)
    gate = GateResult(all(c.passed for c in checks), checks, comparison, CAND_RELEASE, BASE_RELEASE)
    return gate, rows


def test_junit_has_a_testcase_per_case_and_judge_plus_the_rules(
    store: Store, tmp_path: Path
) -> None:
    gate, rows = _gate(store)
    path = tmp_path / "junit.xml"
    path.write_text(junit_xml(gate, rows), encoding="utf-8")
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["gate", "judge.exact", "judge.tone"]
    assert {s.get("timestamp") for s in suites.values()} == {"2026-11-01T12:00:00"}
    assert len(suites["judge.exact"].findall("testcase")) == 20
    assert len(suites["judge.tone"].findall("testcase")) == 20
    assert (suites["judge.exact"].get("tests"), suites["judge.exact"].get("failures")) == (
        "20",
        "10",
    )
    assert suites["judge.tone"].get("errors") == "1"
    assert root.get("tests") == str(3 + 40)
    assert root.get("failures") == str(10 + 1)  # exact's ten cases; no_regression:exact
    failure = suites["judge.exact"].find("testcase[@name='c00']/failure")
    assert failure is not None
    assert failure.get("message") == "1/1 repetitions failed: expected 42"
    assert failure.text == "x | <b>no</b>\nline 2"
    error = suites["judge.tone"].find("testcase[@name='c19']/error")
    assert error is not None
    assert error.get("message") == "timeout after 30 s"
    rule = suites["gate"].find("testcase[@name='no_regression:exact']/failure")
    assert rule is not None
    assert rule.get("message", "").startswith("regressed: -50.0 pts")
    assert suites["gate"].find("testcase[@name='min_pass_rate']/failure") is None


def test_markdown_summary_has_verdict_tables_and_regressions(store: Store) -> None:
    gate, _ = _gate(store)
    md = markdown_summary(gate, regressions=3)
    assert md.startswith("## ❌ llmops gate failed: `no_regression:exact`\n")
    assert "| judge | baseline | candidate | delta | 95% CI | p (Holm) | MDE | verdict |" in md
    exact_row = next(line for line in md.splitlines() if line.startswith("| exact |"))
    assert "| 100.0% | 50.0% | -50.0 pts |" in exact_row
    assert exact_row.endswith("| regressed |")
    assert "| `min_pass_rate` | ✅ pass | pass rate 45.0% ≥ minimum 40.0% |" in md
    assert "### Top regressions (3 of 11)" in md
    # Outputs side by side, escaped for a table cell.
    assert "**fail** x \\| &lt;b&gt;no&lt;/b&gt;<br>line 2<br>_expected 42_" in md
    assert "**pass** base-rep1 answers c00" in md
    assert "| errors | 0 | 1 |" in md
    assert "|\n\n### Judges\n" in md


def test_json_views_are_plain_data(store: Store) -> None:
    gate, _ = _gate(store)
    data = gate_dict(gate)
    assert data["passed"] is False
    assert data["checks"][0]["rule"] == "min_pass_rate"
    judges = comparison_dict(gate.comparison)["judges"]
    assert [j["judge"] for j in judges] == ["exact", "tone"]
    assert judges[0]["verdict"] == "regressed"
