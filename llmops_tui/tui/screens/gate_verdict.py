"""`g` on Evals: the gate's verdict for the compared pair, one line per rule.

The rules are the `[gate]` table of `llmops.toml`, applied to the comparison on screen, as
`llmops gate` applies them in CI: the same checks, the same one-line details.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Static

from llmops_tui.domain.comparison import GateResult

PASSED, FAILED = "✓", "✗"


def check_table(result: GateResult, passed_colour: str, failed_colour: str) -> Table:
    """Each rule on a row: the mark in the success or error colour (theme values), the rule,
    and its detail, which wraps in its own column."""
    table = Table.grid(padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for check in result.checks:
        mark = Text(
            PASSED if check.passed else FAILED,
            style=passed_colour if check.passed else failed_colour,
        )
        table.add_row(mark, Text(check.rule), Text(check.detail))
    return table


class GateVerdictScreen(ModalScreen[None]):
    CSS_PATH = "gate_verdict.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,g", "close", "Close"),
    ]

    def __init__(self, result: GateResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        comparison = result.comparison
        verdict = "[$success]PASSED[/]" if result.passed else "[$error]FAILED[/]"
        failed = sum(1 for c in result.checks if not c.passed)
        with VerticalScroll(id="gate"):
            yield Static(f"[b]Gate[/b] {verdict}", id="gate-title")
            yield Static(
                f"candidate {escape(_run(comparison.candidate.run_id, result.candidate_release))}"
                f"\nbaseline  {escape(_run(comparison.baseline.run_id, result.baseline_release))}",
                id="gate-pair",
                classes="muted",
            )
            colours = self.app.theme_variables
            yield Static(
                check_table(result, colours.get("success", ""), colours.get("error", ""))
                if result.checks
                else escape("no rules in [gate]"),
                id="gate-checks",
            )
            yield Static(
                f"{len(result.checks) - failed} of {len(result.checks)} rules passed. Shown, not "
                "recorded: `llmops gate` applies the same rules in CI and records the verdict "
                "that deploy policies check.",
                id="gate-summary",
                classes="muted",
            )

    def action_close(self) -> None:
        self.dismiss()


def _run(run_id: str, release: str | None) -> str:
    return f"run {run_id[:8]} · release {release[:8] if release else '-'}"
