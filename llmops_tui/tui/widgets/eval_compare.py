"""A comparison of two eval runs: per judge the statistics, per case what moved, and the two
outputs of the highlighted case side by side.

Pass/fail judges read in pass rates and percentage points, numeric ones in their own scale.
A verdict is coloured by the theme: regressed in the error colour, improved in the success
colour, inconclusive as a warning, unchanged muted.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from llmops_tui.domain.comparison import CaseChange, Comparison, JudgeComparison, ScoreKind
from llmops_tui.formatting import count
from llmops_tui.tui.widgets.row_table import RowTable

JUDGE_COLUMNS = (
    "judge",
    "test",
    "pairs",
    "baseline",
    "candidate",
    "delta",
    "CI",
    "p",
    "p (Holm)",
    "verdict",
)
CASE_COLUMNS = ("", "case", "judge", "base", "cand", "req")
"""Narrow headers: the two outputs need the width beside this table."""
VERDICT_TONES = {
    "regressed": "alert",
    "improved": "success",
    "inconclusive": "warning",
    "unchanged": "muted",
}
REGRESSED, IMPROVED = "▼", "▲"


def value(kind: ScoreKind, number: float) -> str:
    return f"{number * 100:.1f}%" if kind is ScoreKind.PASS_FAIL else f"{number:.3f}"


def change(kind: ScoreKind, number: float) -> str:
    return f"{number * 100:+.1f} pts" if kind is ScoreKind.PASS_FAIL else f"{number:+.3f}"


def p_value(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def interval(judge: JudgeComparison) -> str:
    if judge.ci_low is None or judge.ci_high is None:
        return "-"
    scale = 100 if judge.kind is ScoreKind.PASS_FAIL else 1
    digits = 1 if judge.kind is ScoreKind.PASS_FAIL else 3
    return f"[{judge.ci_low * scale:+.{digits}f}, {judge.ci_high * scale:+.{digits}f}]"


class JudgeTable(RowTable):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(JUDGE_COLUMNS, id=id)

    def show(self, comparison: Comparison | None) -> None:
        judges = comparison.judges if comparison else ()
        self.set_rows(
            [
                (
                    j.judge,
                    j.test,
                    count(j.pairs),
                    value(j.kind, j.baseline),
                    value(j.kind, j.candidate),
                    change(j.kind, j.delta),
                    interval(j),
                    p_value(j.p_value),
                    p_value(j.p_adjusted),
                    j.verdict.value,
                )
                for j in judges
            ],
            tones=[(9, VERDICT_TONES.get(j.verdict.value, "muted")) for j in judges],
        )


class CaseTable(RowTable):
    """Regressions first, then improvements (the comparison's order)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(CASE_COLUMNS, id=id)
        self.changes: tuple[CaseChange, ...] = ()
        self._kinds: dict[str, ScoreKind] = {}

    def show(self, comparison: Comparison | None) -> None:
        self.changes = comparison.changes if comparison else ()
        self._kinds = {j.judge: j.kind for j in comparison.judges} if comparison else {}
        self.set_rows(
            [
                (
                    REGRESSED if c.regressed else IMPROVED,
                    c.case_id,
                    c.judge,
                    self._value(c.judge, c.baseline_value),
                    self._value(c.judge, c.candidate_value),
                    "yes" if c.required else "",
                )
                for c in self.changes
            ],
            tones=[(0, "alert" if c.regressed else "success") for c in self.changes],
        )
        self.move_cursor(row=0)

    def _value(self, judge: str, number: float) -> str:
        return value(self._kinds.get(judge, ScoreKind.NUMERIC), number)

    @property
    def selected(self) -> CaseChange | None:
        if not self.changes or not 0 <= self.cursor_row < len(self.changes):
            return None
        return self.changes[self.cursor_row]


class OutputPair(Horizontal):
    """The baseline's and the candidate's output for one case, with the judges' reasons."""

    DEFAULT_CSS = """
    OutputPair { height: 1fr; }
    OutputPair > Static {
        width: 1fr; height: 1fr; border: round $panel-lighten-2; padding: 0 1;
        overflow-y: auto;
    }
    OutputPair > .regressed { border: round $error; }
    OutputPair > .improved { border: round $success; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="baseline-output", markup=False)
        yield Static("", id="candidate-output", markup=False)

    def show(
        self, case: CaseChange | None, labels: Sequence[str] = ("baseline", "candidate")
    ) -> None:
        left = self.query_one("#baseline-output", Static)
        right = self.query_one("#candidate-output", Static)
        left.border_title, right.border_title = labels[0], labels[1]
        if case is None:
            left.update("")
            right.update("")
            right.set_classes("")
            return
        left.update(_text(case.baseline_output, case.baseline_reason))
        right.update(_text(case.candidate_output, case.candidate_reason))
        right.set_classes("regressed" if case.regressed else "improved")
        left.border_subtitle = f"{case.case_id} · {case.judge}"
        right.border_subtitle = REGRESSED if case.regressed else IMPROVED


def _text(output: str | None, reason: str | None) -> str:
    body = output if output is not None else "(no output)"
    return f"{body}\n\n— {reason}" if reason else body
