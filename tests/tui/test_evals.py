"""Evals: runs by release and dataset, the pair compared, the cases that moved, the gate.

The runs are real rows in the demo store (`tests.tui.fakes`); the comparison and the gate are
stand-ins, counted, so the tests check which pair the screen asks for and what it shows.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from llmops_tui.config import ProjectConfig
from llmops_tui.domain.comparison import Comparison, GateResult
from llmops_tui.errors import LlmopsError
from llmops_tui.store import Store
from llmops_tui.tui.app import LlmopsApp
from llmops_tui.tui.screens import evals as evals_screen
from llmops_tui.tui.screens.evals import EMPTY_RUNS, ComparisonLoaded, EvalsScreen
from llmops_tui.tui.screens.gate_verdict import GateVerdictScreen
from llmops_tui.tui.widgets.eval_compare import CaseTable, JudgeTable, OutputPair, p_value
from llmops_tui.tui.widgets.eval_runs import EvalRunTable
from tests.tui import fakes
from tests.tui.conftest import make_app
from tests.tui.test_overview import _settle

Pair = tuple[str, str]


class Stand:
    """compare_pair and gate_pair replaced, with the pairs they were asked for."""

    def __init__(self) -> None:
        self.compared: list[Pair] = []
        self.gated: list[Pair] = []
        self.fail_with: Exception | None = None

    def compare(
        self, store: Store, config: ProjectConfig | None, baseline: str, candidate: str
    ) -> Comparison:
        self.compared.append((baseline, candidate))
        if self.fail_with is not None:
            raise self.fail_with
        return fakes.comparison(store.evals.get(baseline), store.evals.get(candidate))

    def gate(
        self, store: Store, config: ProjectConfig | None, baseline: str, candidate: str
    ) -> GateResult:
        self.gated.append((baseline, candidate))
        return fakes.gate_result(
            fakes.comparison(store.evals.get(baseline), store.evals.get(candidate))
        )


@pytest.fixture
def stand(monkeypatch: pytest.MonkeyPatch) -> Stand:
    stand = Stand()
    monkeypatch.setattr(evals_screen, "compare_pair", stand.compare)
    monkeypatch.setattr(evals_screen, "gate_pair", stand.gate)
    return stand


@pytest.fixture
def evals_app(demo_store: Store, stand: Stand) -> LlmopsApp:
    fakes.add_eval_runs(demo_store)
    return make_app(demo_store)


async def _idle(app: LlmopsApp, pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()
        await _settle(app)
    await pilot.pause()


async def _step(app: LlmopsApp, pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await _idle(app, pilot)


def _current(app: LlmopsApp) -> Screen[Any]:
    return app.screen


async def _open(app: LlmopsApp, pilot: Pilot[None]) -> EvalsScreen:
    await _settle(app)
    await _step(app, pilot, "4")
    screen = _current(app)
    assert isinstance(screen, EvalsScreen)
    return screen


def _table(screen: EvalsScreen, selector: str) -> list[dict[str, str]]:
    table = screen.query_one(selector, EvalRunTable | JudgeTable | CaseTable)  # type: ignore[arg-type]
    assert isinstance(table, EvalRunTable | JudgeTable | CaseTable)
    return [dict(zip(table._columns, table.row(i), strict=True)) for i in range(table.row_count)]


def _plain(widget: Static) -> str:
    """A Static holding a rich renderable (the gate's table), as text."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def _text(widget: Static) -> str:
    return str(widget.render())


async def test_runs_grouped_by_release_and_dataset_with_their_figures(
    evals_app: LlmopsApp, stand: Stand
) -> None:
    async with evals_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(evals_app, pilot)
        rows = _table(screen, "#runs")
        # The imported run is the newest: its group comes first; each group names itself once.
        assert [r["run"] for r in rows] == ["pfoo0001", "cand0001", "base0001", "base0000"]
        assert [r["release"] for r in rows] == [
            "nightly smoke",
            "HEAD e11b0000",
            "production e11a0000",
            "",
        ]
        assert [r["dataset"] for r in rows][1:] == ["support_regression@v1"] * 2 + [""]
        assert [r["source"] for r in rows] == ["promptfoo", "llmops", "llmops", "llmops"]
        # A case passes when every judge passes it: similarity always does, exact on 5, 8,
        # 9 and 10 of the 10 cases.
        assert [r["pass"] for r in rows] == ["50.0%", "80.0%", "90.0%", "100.0%"]
        assert [r["cases"] for r in rows] == ["10"] * 4
        # $0.012: each answer's $0.001 counted once across its judges, plus $0.0002 judging.
        assert [r["cost"] for r in rows] == ["$0.01"] * 4
        # Default pair: production's newest run against the newest other run of its dataset.
        assert [r[""] for r in rows] == ["", "C", "B", ""]
        assert stand.compared == [(fakes.PROD_RUN, fakes.HEAD_RUN)]


async def test_the_comparison_per_judge_and_the_cases_that_moved(evals_app: LlmopsApp) -> None:
    async with evals_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(evals_app, pilot)
        title = _text(screen.query_one("#pair", Static))
        assert "baseline base0001 (production e11a0000)" in title
        assert "candidate cand0001 (HEAD e11b0000)" in title
        assert "10 paired cases" in title
        assert "pass 90.0% → 80.0%" in _text(screen.query_one("#totals", Static))
        assert "2 regressed, 1 improved" in _text(screen.query_one("#totals", Static))
        judges = _table(screen, "#judges")
        assert judges[0] | {} == {
            "judge": "exact",
            "test": "mcnemar-exact",
            "pairs": "10",
            "baseline": "90.0%",
            "candidate": "80.0%",
            "delta": "-10.0 pts",
            "CI": "[-30.0, +10.0]",
            "p": "0.625",
            "p (Holm)": "0.625",
            "verdict": "unchanged",
        }
        assert (judges[1]["delta"], judges[1]["CI"], judges[1]["p (Holm)"]) == (
            "-0.130",
            "[-0.200, -0.060]",
            "0.004",
        )
        table = screen.query_one("#judges", JudgeTable)
        assert [table.tone(0), table.tone(1)] == [(9, "muted"), (9, "alert")]
        cases = _table(screen, "#cases")
        assert [(c[""], c["case"], c["req"]) for c in cases] == [
            ("▼", "case-07", "yes"),
            ("▼", "case-08", ""),
            ("▲", "case-09", ""),
        ]
        assert (cases[0]["base"], cases[0]["cand"]) == ("100.0%", "0.0%")
        outputs = screen.query_one("#outputs", OutputPair)
        left = outputs.query_one("#baseline-output", Static)
        right = outputs.query_one("#candidate-output", Static)
        assert _text(left) == "refund in 5 days"
        assert _text(right) == "no refunds\n\n— expected 'refund in 5 days'"
        assert left.border_title == "baseline base0001"
        assert right.has_class("regressed")
        screen.query_one("#cases", CaseTable).focus()
        await _step(evals_app, pilot, "down", "down")
        assert _text(right) == "plan B covers it"
        assert right.has_class("improved")


async def test_b_marks_a_baseline_enter_compares_and_s_swaps(
    evals_app: LlmopsApp, stand: Stand
) -> None:
    async with evals_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(evals_app, pilot)
        runs = screen.query_one("#runs", EvalRunTable)
        runs.focus()
        runs.move_cursor(row=0)  # the imported run
        await _step(evals_app, pilot, "enter")  # compared with production's run
        assert screen.pair == (fakes.PROD_RUN, fakes.IMPORTED_RUN)
        assert [r[""] for r in _table(screen, "#runs")] == ["C", "", "B", ""]
        await _step(evals_app, pilot, "b")  # now the imported run is the baseline
        assert screen.baseline == fakes.IMPORTED_RUN
        status = _text(screen.query_one("#status", Static))
        assert status == "baseline pfoo0001 marked: enter on a run compares it"
        runs.move_cursor(row=1)
        await _step(evals_app, pilot, "enter")
        assert screen.pair == (fakes.IMPORTED_RUN, fakes.HEAD_RUN)
        assert [r[""] for r in _table(screen, "#runs")] == ["B", "C", "", ""]
        comparison = screen.comparison
        assert comparison is not None
        assert comparison.baseline.run_id == fakes.IMPORTED_RUN
        await _step(evals_app, pilot, "s")
        assert screen.pair == (fakes.HEAD_RUN, fakes.IMPORTED_RUN)
        await _step(evals_app, pilot, "enter")  # on the baseline itself: nothing to compare
        assert screen.pair == (fakes.HEAD_RUN, fakes.IMPORTED_RUN)
        assert any("is the baseline" in n.message for n in evals_app._notifications)
        assert stand.compared == [
            (fakes.PROD_RUN, fakes.HEAD_RUN),
            (fakes.PROD_RUN, fakes.IMPORTED_RUN),
            (fakes.IMPORTED_RUN, fakes.HEAD_RUN),
            (fakes.HEAD_RUN, fakes.IMPORTED_RUN),
        ]


async def test_a_comparison_for_a_pair_no_longer_on_screen_is_dropped(
    evals_app: LlmopsApp, demo_store: Store
) -> None:
    async with evals_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(evals_app, pilot)
        shown = screen.comparison
        stale = fakes.comparison(
            demo_store.evals.get(fakes.IMPORTED_RUN), demo_store.evals.get(fakes.PROD_RUN)
        )
        screen.post_message(ComparisonLoaded((fakes.IMPORTED_RUN, fakes.PROD_RUN), stale))
        await _idle(evals_app, pilot)
        assert screen.comparison is shown
        assert "baseline base0001" in _text(screen.query_one("#pair", Static))


async def test_g_shows_the_gate_verdict_rule_by_rule(evals_app: LlmopsApp, stand: Stand) -> None:
    async with evals_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(evals_app, pilot)
        await _step(evals_app, pilot, "g")
        gate = _current(evals_app)
        assert isinstance(gate, GateVerdictScreen)
        assert stand.gated == [(fakes.PROD_RUN, fakes.HEAD_RUN)]
        assert "FAILED" in _text(gate.query_one("#gate-title", Static))
        lines = _plain(gate.query_one("#gate-checks", Static)).splitlines()
        assert [line.split()[:2] for line in lines] == [
            ["✓", "min_pass_rate"],
            ["✓", "no_regression:exact"],
            ["✗", "no_regression:similarity"],
            ["✗", "required_cases"],
        ]
        assert lines[0].rstrip().endswith("candidate 80.0% ≥ 75.0%")
        assert "2 of 4 rules passed" in _text(gate.query_one("#gate-summary", Static))
        await _step(evals_app, pilot, "escape")
        assert _current(evals_app) is screen


async def test_a_comparison_error_is_one_line(evals_app: LlmopsApp, stand: Stand) -> None:
    stand.fail_with = LlmopsError("runs base0001 and pfoo0001 share no cases")
    async with evals_app.run_test(size=(120, 36)) as pilot:
        screen = await _open(evals_app, pilot)
        assert screen.comparison is None
        assert any("share no cases" in n.message for n in evals_app._notifications)
        assert isinstance(_current(evals_app), EvalsScreen)
        assert _text(screen.query_one("#pair", Static)) == "can't compare cand0001 with base0001"
        assert "share no cases" in _text(screen.query_one("#totals", Static))
        screen.reload(live=True)  # new data: the same pair isn't compared again
        await _idle(evals_app, pilot)
        assert stand.compared == [(fakes.PROD_RUN, fakes.HEAD_RUN)]


async def test_no_runs_says_how_to_make_one(demo_store: Store, stand: Stand) -> None:
    app = make_app(demo_store)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(app, pilot)
        assert screen.query_one("#empty", Static).display
        assert _text(screen.query_one("#empty", Static)) == EMPTY_RUNS
        await _step(app, pilot, "g")
        assert any("Compare two runs first" in n.message for n in app._notifications)
        assert stand.compared == []


async def test_key_4_the_palette_and_help_reach_evals(evals_app: LlmopsApp) -> None:
    async with evals_app.run_test(size=(120, 36)) as pilot:
        await _settle(evals_app)
        titles = [c.title for c in evals_app.get_system_commands(_current(evals_app))]
        assert "Screen: Evals" in titles
        screen = await _open(evals_app, pilot)
        assert screen.check_action("cycle_range", ()) is False  # runs are not windowed
        await _step(evals_app, pilot, "question_mark")
        text = " ".join(str(s.render()) for s in _current(evals_app).query("Static"))
        for description in ("Baseline", "Swap", "Gate verdict", "Compare with baseline"):
            assert description in text


async def test_the_real_comparison_and_gate_of_the_stored_runs(
    demo_store: Store, tmp_path: Path
) -> None:
    from llmops_tui.evals.compare import compare_runs
    from llmops_tui.evals.gate import gate_runs
    from llmops_tui.evals.gate_config import parse_gate_config

    fakes.add_eval_runs(demo_store)
    gate = {"min_pass_rate": 0.85, "alpha": 0.1, "required_cases": ["case-07"]}
    config = ProjectConfig(root=tmp_path, name="acme-support", gate=gate)
    expected = compare_runs(demo_store, fakes.PROD_RUN, fakes.HEAD_RUN, alpha=0.1)
    verdict = gate_runs(demo_store, parse_gate_config(gate), fakes.PROD_RUN, fakes.HEAD_RUN)
    app = make_app(demo_store, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(app, pilot)
        assert "α 0.1" in _text(screen.query_one("#pair", Static))  # the gate's alpha
        judges = _table(screen, "#judges")
        assert [(j["judge"], j["test"], j["verdict"]) for j in judges] == [
            (j.judge, j.test, j.verdict.value) for j in expected.judges
        ]
        assert [j["p (Holm)"] for j in judges] == [p_value(j.p_adjusted) for j in expected.judges]
        cases = _table(screen, "#cases")
        assert [(c["case"], c["judge"]) for c in cases] == [
            (c.case_id, c.judge) for c in expected.changes
        ]
        await _step(app, pilot, "g")
        modal = _current(app)
        assert isinstance(modal, GateVerdictScreen)
        assert modal.result.passed is verdict.passed is False  # 80% < 85%, case-07 failed
        lines = _plain(modal.query_one("#gate-checks", Static)).splitlines()
        marked = [line.split() for line in lines if line[:1] in ("✓", "✗")]  # not wrapped text
        assert [(m[0], m[1]) for m in marked] == [
            ("✓" if c.passed else "✗", c.rule) for c in verdict.checks
        ]
